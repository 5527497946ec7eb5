#pragma once
/// Progress display for long runs: a redrawn bar on a terminal, periodic
/// plain lines otherwise (logs, CI), both on stderr.
#include <chrono>
#include <cstdio>
#include <string>

#include "model/output_sink.hpp"

namespace gwsim::cli {

class ProgressDisplay {
public:
  explicit ProgressDisplay(bool quiet);
  void update(const StepInfo& info, const StepBudget& budget, int total_steps);
  /// Finish the bar line (before any other output).
  void close();

private:
  bool quiet_;
  bool tty_;
  bool open_ = false;
  std::chrono::steady_clock::time_point start_, last_;
  int last_decile_ = -1;
};

} // namespace gwsim::cli

#pragma once
/// Wall time summed by phase: `{ Stopwatch t(seconds); ... }` adds the
/// scope's duration to `seconds`. Two clock reads per scope (tens of
/// nanoseconds), so per-step phases can always be timed.
#include <chrono>

namespace gwsim {

class Stopwatch {
public:
  explicit Stopwatch(double& seconds) : seconds_(seconds), t0_(std::chrono::steady_clock::now()) {}
  ~Stopwatch() { seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count(); }
  Stopwatch(const Stopwatch&) = delete;
  Stopwatch& operator=(const Stopwatch&) = delete;

private:
  double& seconds_;
  std::chrono::steady_clock::time_point t0_;
};

} // namespace gwsim

#pragma once
/// A process-wide request to stop the run, set from a signal handler
/// (SIGINT/SIGTERM in the command line) and polled by the time loop between
/// steps and by the linear solvers every iteration, so that even one long
/// solve gives up within about one iteration.
#include <atomic>

#include "core/error.hpp"

namespace gwsim {

/// The flag itself; lock-free, so setting it is async-signal-safe.
inline std::atomic<bool>& stop_flag() {
  static std::atomic<bool> flag{false};
  return flag;
}
inline void request_stop() { stop_flag().store(true, std::memory_order_relaxed); }
inline bool stop_requested() { return stop_flag().load(std::memory_order_relaxed); }
inline void clear_stop() { stop_flag().store(false, std::memory_order_relaxed); }

/// Raised by a computation that gave up because a stop was requested.
class StopRequested : public Error {
public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::interrupted; }
};

} // namespace gwsim

#include "cli/progress.hpp"

#include <cmath>
#include <fmt/format.h>
#include <unistd.h>

namespace gwsim::cli {

ProgressDisplay::ProgressDisplay(bool quiet)
    : quiet_(quiet), tty_(isatty(fileno(stderr)) != 0), start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void ProgressDisplay::update(const StepInfo& info, const StepBudget& budget, int total_steps) {
  if (quiet_) return;
  const auto now = std::chrono::steady_clock::now();
  const int done = info.global_step + 1;
  const double frac = static_cast<double>(done) / std::max(total_steps, 1);
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (tty_) {
    // Redraw at most 10 times a second, and always at the end.
    if (done < total_steps && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    constexpr int width = 30;
    const int filled = static_cast<int>(frac * width);
    const double eta = frac > 0 ? elapsed * (1.0 - frac) / frac : 0.0;
    fmt::print(stderr, "\r[{}{}] {:3.0f}%  period {} step {}  {} it  budget {:+.1e}%  {:.1f}s left ",
               std::string(static_cast<std::size_t>(filled), '#'),
               std::string(static_cast<std::size_t>(width - filled), '.'), 100.0 * frac,
               info.period + 1, info.step + 1, info.solver_iterations,
               budget.percent_discrepancy, eta);
    open_ = true;
  } else {
    // Plain lines: one per tenth of the run, or every 10 s.
    const int decile = static_cast<int>(std::floor(frac * 10.0));
    if (decile == last_decile_ && now - last_ < std::chrono::seconds(10)) return;
    last_decile_ = decile;
    last_ = now;
    fmt::print(stderr, "progress: {:3.0f}% (step {}/{}, period {}, {:.1f} s)\n", 100.0 * frac, done,
               total_steps, info.period + 1, elapsed);
  }
  std::fflush(stderr);
}

void ProgressDisplay::close() {
  if (open_) fmt::print(stderr, "\n");
  open_ = false;
}

} // namespace gwsim::cli

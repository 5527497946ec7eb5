/// gwsim command line: run, validate, --version.
#include <CLI/CLI.hpp>
#include <hdf5.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fmt/format.h>
#include <new>
#include <optional>

#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"
#include "core/stop.hpp"
#include "io/config.hpp"
#include "io/hdf5_writer.hpp"
#include "io/restart.hpp"
#include "model/simulation.hpp"

namespace {

using namespace gwsim;

/// First SIGINT/SIGTERM: ask the run to stop cleanly (between steps, or
/// within one solver iteration). A second one: stop at once, as without a
/// handler (the last restart point is on disk either way).
extern "C" void on_signal(int sig) {
  if (stop_requested()) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  request_stop();
}

/// One line on stderr, whatever the message holds (HDF5's error stacks
/// carry newlines).
int fail(const std::exception& e, ExitCode code) {
  std::string message = e.what();
  std::replace(message.begin(), message.end(), '\n', ' ');
  fmt::print(stderr, "error: {}\n", message);
  return static_cast<int>(code);
}

/// Run f, turning every exception into a message and gwsim's exit code.
template <class F> int guarded(F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    return fail(e, e.exit_code());
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "error: out of memory (the model is too large for this machine)\n");
    return static_cast<int>(ExitCode::internal);
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: internal error: {}\n", e.what());
    return static_cast<int>(ExitCode::internal);
  }
}

/// `setup_seconds`: reading the scenario and building the model, before the
/// time loop (s.wall_seconds) began; the wall time printed is their sum.
void print_summary(const ModelData& m, const RunSummary& s, double setup_seconds) {
  fmt::print("gwsim {}: {}\n", GWSIM_VERSION, m.name);
  fmt::print("  grid                 {} layers x {} rows x {} columns ({} active cells)\n",
             m.grid.nlay, m.grid.nrow, m.grid.ncol,
             std::count(m.grid.active.begin(), m.grid.active.end(), 1));
  fmt::print("  stress periods       {}\n", s.periods);
  fmt::print("  time steps           {}\n", s.steps);
  fmt::print("  solver               {} ({} iterations in all)\n", s.solver, s.solver_iterations);
  if (s.newton)
    fmt::print("  Newton iterations    {} in all, {} time-step cuts\n", s.newton_iterations, s.time_step_cuts);
  fmt::print("  worst budget error   {:.2e} %\n", s.worst_percent_discrepancy);
  fmt::print("  threads              {}\n", s.threads);
  fmt::print("  wall time            {:.2f} s ({:.2f} s reading and setting up)\n", setup_seconds + s.wall_seconds,
             setup_seconds);
  const PhaseSeconds& t = s.phases;
  fmt::print("  time by phase        solve {:.2f} s, assembly {:.2f} s, first guess {:.2f} s, budget {:.2f} s, "
             "output {:.2f} s\n",
             t.solve, t.assembly, t.first_guess, t.budget, t.output);
  fmt::print("  result               {}\n", s.output_path);
}

/// Where a run stopped: the step after the `steps_done` completed ones.
std::string position(const ModelData& m, int steps_done, int total_steps) {
  if (steps_done >= total_steps)
    return fmt::format("after the last time step ({} of {} steps done)", steps_done, total_steps);
  int step = steps_done, period = 0;
  while (step >= m.time.periods[static_cast<std::size_t>(period)].steps)
    step -= m.time.periods[static_cast<std::size_t>(period++)].steps;
  return fmt::format("at stress period {}, time step {} ({} of {} steps done)", period + 1,
                     step + 1, steps_done, total_steps);
}

struct RunOptions {
  std::string output;   ///< overrides output.file when not empty
  int threads = 0;      ///< 0: all cores
  bool quiet = false;
  bool resume = false;  ///< continue from the restart point
  bool restart = true;  ///< write restart points
  RestartInterval restart_every; ///< when restart points are written
  std::vector<std::string> overrides; ///< --set key.path=value
};

int run(const std::string& scenario, const RunOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  ModelData m = read_scenario(scenario, o.overrides);
  if (!o.output.empty()) m.output.file = o.output;
  if (o.threads > 0) {
    set_threads(o.threads);
    // More threads than processors: each parallel loop waits for threads
    // that are not running (the example took 6x as long with 99 threads on
    // 2 processors). Allowed, since the answer does not depend on it.
    if (const int procs = available_processors(); o.threads > procs)
      fmt::print(stderr,
                 "warning: {} threads on {} processor{} available to this process: the threads take turns and "
                 "the run is slower (the results are the same for any number of threads)\n",
                 o.threads, procs, procs == 1 ? "" : "s");
  }
  const std::string restart_path = restart_path_for(m.output.file);
  std::optional<RestartPoint> resume;
  if (o.resume) resume = read_restart(restart_path, m);

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  Hdf5Writer writer(m.output.file);
  std::optional<RestartRecorder> recorder;
  if (o.restart)
    recorder.emplace(writer, m, restart_path, o.restart_every, resume ? &*resume : nullptr);
  OutputSink& sink = recorder ? static_cast<OutputSink&>(*recorder) : writer;
  Simulation sim(m);
  sim.free_inputs(m); // one run of this model: its input arrays are freed once read
  const double setup_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  cli::ProgressDisplay progress(o.quiet);
  int steps_done = resume ? resume->state.steps_done : 0;
  RunSummary s;
  try {
    s = sim.run(
        sink,
        [&](const StepInfo& i, const StepBudget& b, int n) {
          steps_done = i.global_step + 1;
          progress.update(i, b, n);
        },
        &stop_flag(),
        recorder ? recorder->period_end_callback() : Simulation::PeriodEnd(),
        resume ? &resume->state : nullptr);
  } catch (const Error& e) {
    progress.close();
    const std::string at = position(m, steps_done, sim.total_steps());
    if (e.exit_code() == ExitCode::output)
      throw OutputError(fmt::format("{} ({}; no result written)", e.what(), at));
    if (e.exit_code() != ExitCode::interrupted) throw;
    // Say how far the run got, that nothing was replaced, and what is left
    // to continue from.
    std::string restart = "no restart point";
    if (recorder && recorder->committed_periods() > 0)
      restart = fmt::format("restart point {} (after stress period {}, step {}): continue with "
                            "`gwsim run {} -o {} --resume`",
                            restart_path, recorder->committed_periods(),
                            recorder->committed_steps(), scenario, m.output.file);
    const bool in_solve = dynamic_cast<const StopRequested*>(&e) != nullptr;
    const bool earlier = std::filesystem::exists(m.output.file);
    throw StopRequested(fmt::format("interrupted {}{}; no result written{}; {}", at,
                                    in_solve ? std::string(", ") + e.what() : "",
                                    earlier ? " (the earlier " + m.output.file + " is untouched)" : "",
                                    restart));
  } catch (...) {
    progress.close();
    throw;
  }
  progress.close();
  s.output_path = m.output.file;
  print_summary(m, s, setup_seconds);
  return 0;
}

int validate(const std::string& scenario, const std::vector<std::string>& overrides) {
  const ModelData m = read_scenario(scenario, overrides);
  std::size_t nper = m.time.periods.size();
  fmt::print("{}: valid ({} x {} x {} cells, {} stress periods, {} wells, {} observations)\n",
             scenario, m.grid.nlay, m.grid.nrow, m.grid.ncol, nper, m.stresses.wel.size(),
             m.observations.size());
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  // gwsim closes every HDF5 object itself. HDF5's own clean-up at exit
  // (1.10.8) crashes on a dataset whose close failed, as after a full disk,
  // turning a clear exit 74 into a segmentation fault.
  H5dont_atexit();
  CLI::App app{"gwsim: groundwater and irrigation scenario simulator"};
  app.set_version_flag("--version", std::string("gwsim ") + GWSIM_VERSION);
  app.require_subcommand(1);

  std::string scenario;
  RunOptions run_options;
  bool no_restart = false;
  auto* run_cmd = app.add_subcommand("run", "Run a scenario and write its HDF5 result");
  run_cmd->add_option("scenario", scenario, "Scenario YAML file")->required();
  run_cmd->add_option("-o,--output", run_options.output,
                      "Result file (default: output.file of the scenario)");
  run_cmd->add_option("-t,--threads", run_options.threads, "OpenMP threads (default: all cores)")
      ->check(CLI::Range(1, 4096));
  run_cmd->add_flag("-q,--quiet", run_options.quiet, "No progress display");
  auto* resume = run_cmd->add_flag("--resume", run_options.resume,
                    "Continue from the restart point OUT.restart of an interrupted run");
  int every_periods = 0;
  double every_seconds = RestartInterval{}.seconds;
  auto* every = run_cmd
                    ->add_option("--restart-every", every_periods,
                                 "Write a restart point every N stress periods")
                    ->check(CLI::Range(1, 1000000));
  auto* seconds = run_cmd
                      ->add_option("--restart-seconds", every_seconds,
                                   "Write a restart point at the first stress period end S s of wall time "
                                   "after the last one (default 30)")
                      ->check(CLI::Range(0.0, 1e9));
  every->excludes(seconds);
  auto* none = run_cmd->add_flag("--no-restart", no_restart, "Write no restart points");
  none->excludes(every)->excludes(seconds)->excludes(resume);

  auto* validate_cmd = app.add_subcommand("validate", "Check a scenario without running it");
  validate_cmd->add_option("scenario", scenario, "Scenario YAML file")->required();
  cli::add_set_option(run_cmd, run_options.overrides);
  cli::add_set_option(validate_cmd, run_options.overrides);
  const cli::Command batch = cli::add_batch_command(app);
  const cli::Command compare = cli::add_compare_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(ExitCode::usage);
  }
  run_options.restart = !no_restart;
  run_options.restart_every = every_periods > 0 ? RestartInterval::every_periods(every_periods)
                                                : RestartInterval::every_seconds(every_seconds);
  if (*run_cmd) return guarded([&] { return run(scenario, run_options); });
  if (*batch.app) return guarded(batch.run);
  if (*compare.app) return guarded(compare.run);
  return guarded([&] { return validate(scenario, run_options.overrides); });
}

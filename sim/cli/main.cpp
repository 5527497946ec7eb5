/// gwsim command line: run, validate, --version.
#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fmt/format.h>
#include <new>

#include "cli/progress.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"
#include "io/config.hpp"
#include "io/hdf5_writer.hpp"
#include "model/simulation.hpp"

namespace {

using namespace gwsim;

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) { g_stop.store(true); }

int fail(const std::exception& e, ExitCode code) {
  fmt::print(stderr, "error: {}\n", e.what());
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

void print_summary(const ModelData& m, const RunSummary& s) {
  fmt::print("gwsim {}: {}\n", GWSIM_VERSION, m.name);
  fmt::print("  grid                 {} layers x {} rows x {} columns ({} active cells)\n",
             m.grid.nlay, m.grid.nrow, m.grid.ncol,
             std::count(m.grid.active.begin(), m.grid.active.end(), 1));
  fmt::print("  stress periods       {}\n", s.periods);
  fmt::print("  time steps           {}\n", s.steps);
  fmt::print("  solver               {} ({} iterations in all)\n", s.solver, s.solver_iterations);
  fmt::print("  worst budget error   {:.2e} %\n", s.worst_percent_discrepancy);
  fmt::print("  threads              {}\n", s.threads);
  fmt::print("  wall time            {:.2f} s\n", s.wall_seconds);
  fmt::print("  result               {}\n", s.output_path);
}

int run(const std::string& scenario, const std::string& out, int threads, bool quiet) {
  ModelData m = read_scenario(scenario);
  if (!out.empty()) m.output.file = out;
  if (threads > 0) set_threads(threads);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  Hdf5Writer writer(m.output.file);
  Simulation sim(m);
  cli::ProgressDisplay progress(quiet);
  RunSummary s;
  try {
    s = sim.run(
        writer,
        [&](const StepInfo& i, const StepBudget& b, int n) { progress.update(i, b, n); }, &g_stop);
  } catch (...) {
    progress.close();
    throw;
  }
  progress.close();
  s.output_path = m.output.file;
  print_summary(m, s);
  return 0;
}

int validate(const std::string& scenario) {
  const ModelData m = read_scenario(scenario);
  std::size_t nper = m.time.periods.size();
  fmt::print("{}: valid ({} x {} x {} cells, {} stress periods, {} wells, {} observations)\n",
             scenario, m.grid.nlay, m.grid.nrow, m.grid.ncol, nper, m.stresses.wel.size(),
             m.observations.size());
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"gwsim: groundwater and irrigation scenario simulator"};
  app.set_version_flag("--version", std::string("gwsim ") + GWSIM_VERSION);
  app.require_subcommand(1);

  std::string scenario, out;
  int threads = 0;
  bool quiet = false;
  auto* run_cmd = app.add_subcommand("run", "Run a scenario and write its HDF5 result");
  run_cmd->add_option("scenario", scenario, "Scenario YAML file")->required();
  run_cmd->add_option("-o,--output", out, "Result file (default: output.file of the scenario)");
  run_cmd->add_option("-t,--threads", threads, "OpenMP threads (default: all cores)")
      ->check(CLI::Range(1, 4096));
  run_cmd->add_flag("-q,--quiet", quiet, "No progress display");

  auto* validate_cmd = app.add_subcommand("validate", "Check a scenario without running it");
  validate_cmd->add_option("scenario", scenario, "Scenario YAML file")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(ExitCode::usage);
  }
  if (*run_cmd) return guarded([&] { return run(scenario, out, threads, quiet); });
  return guarded([&] { return validate(scenario); });
}

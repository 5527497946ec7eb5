/// gwsim batch: run several scenarios, several at once, each in its own
/// process (`gwsim run` of this same binary), so that one crash or bad input
/// does not take the others down.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"

namespace gwsim::cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct BatchOptions {
  std::vector<std::string> scenarios;
  std::string output_dir = ".";
  int jobs = 0;            ///< 0: processors / threads_per_job
  int threads_per_job = 1;
  std::vector<std::string> overrides;
};

struct Job {
  std::string scenario;
  std::string result; ///< DIR/<stem>.h5
  std::string log;    ///< DIR/<stem>.log: the run's stdout and stderr
  pid_t pid = -1;
  Clock::time_point start;
  double seconds = 0.0;
  int exit_code = -1;
  std::string error; ///< first `error:` line of the log
};

/// Start `gwsim run` for one job; its output goes to the job's log file.
pid_t start(const Job& job, const BatchOptions& o) {
  std::vector<std::string> args{"gwsim", "run", job.scenario, "-o", job.result, "-q", "-t",
                                std::to_string(o.threads_per_job)};
  for (const auto& s : o.overrides) {
    args.push_back("--set");
    args.push_back(s);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int log = ::open(job.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (log < 0) throw OutputError(fmt::format("cannot write the log file '{}'", job.log));
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::execv("/proc/self/exe", argv.data());
    ::_exit(127);
  }
  ::close(log);
  if (pid < 0) throw Error("cannot start a process for " + job.scenario);
  return pid;
}

std::string first_error_line(const std::string& log) {
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("error:", 0) == 0) return line;
  return "";
}

int run_batch(const BatchOptions& o) {
  const int procs = available_processors();
  const int jobs = o.jobs > 0 ? o.jobs : std::max(1, procs / o.threads_per_job);
  fs::create_directories(o.output_dir);

  std::vector<Job> all;
  std::map<std::string, std::string> stems; // two scenarios must not write the same result
  for (const auto& s : o.scenarios) {
    const std::string stem = fs::path(s).stem().string();
    if (const auto it = stems.find(stem); it != stems.end())
      throw Error(fmt::format("{} and {} would both write {}.h5; give the scenario files different names",
                              it->second, s, stem));
    stems[stem] = s;
    Job j;
    j.scenario = s;
    j.result = (fs::path(o.output_dir) / (stem + ".h5")).string();
    j.log = (fs::path(o.output_dir) / (stem + ".log")).string();
    all.push_back(j);
  }

  fmt::print("gwsim batch: {} scenarios, {} at a time, {} thread(s) each, results in {}\n", all.size(), jobs,
             o.threads_per_job, o.output_dir);
  // As `gwsim run -t` (main.cpp): allowed, but the runs take turns.
  if (const auto at_once = static_cast<int>(std::min<std::size_t>(std::size_t(jobs), all.size()));
      at_once * o.threads_per_job > procs)
    fmt::print(stderr,
               "warning: {} runs at once with {} thread(s) each on {} processor{} available to this process: "
               "the threads take turns and the batch is slower (the results are the same)\n",
               at_once, o.threads_per_job, procs, procs == 1 ? "" : "s");
  std::fflush(stdout);
  std::size_t next = 0, done = 0;
  std::map<pid_t, std::size_t> running;
  while (done < all.size()) {
    while (running.size() < std::size_t(jobs) && next < all.size()) {
      Job& j = all[next];
      j.start = Clock::now();
      j.pid = start(j, o);
      running[j.pid] = next++;
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw Error("waitpid failed while running the batch");
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    Job& j = all[it->second];
    running.erase(it);
    ++done;
    j.seconds = std::chrono::duration<double>(Clock::now() - j.start).count();
    j.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (j.exit_code == 0) {
      fmt::print("[{}/{}] ok      {} -> {} ({:.1f} s)\n", done, all.size(), j.scenario, j.result, j.seconds);
    } else {
      j.error = first_error_line(j.log);
      if (j.error.empty() && WIFSIGNALED(status))
        j.error = fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
      fmt::print("[{}/{}] failed  {} (exit code {}): {} (log: {})\n", done, all.size(), j.scenario, j.exit_code,
                 j.error.empty() ? "no error message" : j.error, j.log);
    }
    std::fflush(stdout);
  }

  std::size_t width = 8;
  for (const auto& j : all) width = std::max(width, j.scenario.size());
  fmt::print("\n{:<{}}  {:<6}  {:>4}  {:>8}  {}\n", "scenario", width, "status", "exit", "time (s)", "result");
  int first_failure = 0;
  std::size_t failed = 0;
  for (const auto& j : all) {
    fmt::print("{:<{}}  {:<6}  {:>4}  {:>8.1f}  {}\n", j.scenario, width, j.exit_code == 0 ? "ok" : "failed",
               j.exit_code, j.seconds, j.exit_code == 0 ? j.result : j.log);
    if (j.exit_code != 0 && first_failure == 0) first_failure = j.exit_code;
    failed += j.exit_code != 0 ? 1 : 0;
  }
  fmt::print("{} of {} scenarios ok\n", all.size() - failed, all.size());
  return first_failure;
}

} // namespace

Command add_batch_command(CLI::App& app) {
  auto o = std::make_shared<BatchOptions>();
  CLI::App* cmd = app.add_subcommand("batch", "Run several scenarios, several at once, each in its own process");
  cmd->add_option("scenarios", o->scenarios, "Scenario YAML files")->required()->expected(1, -1);
  cmd->add_option("-o,--output-dir", o->output_dir, "Folder of the results DIR/<scenario stem>.h5 (default .)");
  cmd->add_option("-j,--jobs", o->jobs, "Scenarios run at once (default: processors / threads-per-job)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--threads-per-job", o->threads_per_job, "OpenMP threads of each run (default 1)")
      ->check(CLI::Range(1, 4096));
  add_set_option(cmd, o->overrides);
  return {cmd, [o] { return run_batch(*o); }};
}

} // namespace gwsim::cli

#pragma once
/// gwsim subcommands defined outside main.cpp. Each add_* function registers
/// its subcommand and returns what main() runs when it was chosen (inside
/// main's error handling, so exceptions become messages and exit codes).
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace gwsim::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

/// `gwsim batch SCENARIO... [--jobs N] [--threads-per-job M] [-o DIR]`
Command add_batch_command(CLI::App& app);
/// `gwsim compare BASE.h5 OTHER.h5... [-o comparison.h5]`
Command add_compare_command(CLI::App& app);

/// `--set key.path=value`, repeatable, on `command` (run, validate, batch).
inline CLI::Option* add_set_option(CLI::App* command, std::vector<std::string>& overrides) {
  return command->add_option("--set", overrides,
                             "Override a scenario key: --set solver.method=multigrid, "
                             "--set stresses.wel.city_1.rate=-500 (value parsed as YAML; repeatable)")
      ->allow_extra_args(false);
}

} // namespace gwsim::cli

/// gwsim compare: per zone and aquifer, what each scenario changed against a base.
#include <fmt/format.h>

#include <memory>

#include "analysis/compare.hpp"
#include "cli/commands.hpp"

namespace gwsim::cli {

namespace {
struct CompareOptions {
  std::vector<std::string> results;
  std::string output = "comparison.h5";
  double threshold = 0.01;
};
} // namespace

Command add_compare_command(CLI::App& app) {
  auto o = std::make_shared<CompareOptions>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Compare results with a base run per zone and aquifer: head difference, volume saved, "
                 "recovery area");
  cmd->add_option("results", o->results, "BASE.h5 OTHER.h5 [OTHER2.h5 ...]")->required()->expected(2, -1);
  cmd->add_option("-o,--output", o->output, "Comparison file (default comparison.h5)");
  cmd->add_option("--recovery-threshold", o->threshold,
                  "Head rise (m) above which a cell counts as recovered (default 0.01)")
      ->check(CLI::NonNegativeNumber);
  return {cmd, [o] {
            const std::vector<std::string> others(o->results.begin() + 1, o->results.end());
            const Comparison c = compare_results(o->results.front(), others, o->threshold);
            write_comparison(c, o->output);
            fmt::print("{}comparison written to {}\n", format_ranking(c), o->output);
            return 0;
          }};
}

} // namespace gwsim::cli

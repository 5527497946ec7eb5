// Scenario composition: `base:` chains, the merge rules (mappings by key,
// named lists by name, everything else replaced), `--set` overrides, and that
// every message after merging points at the file (and line) holding the bad
// value.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "io/compose.hpp"
#include "io/config.hpp"
#include "support/scratch_dir.hpp"

namespace gwsim {
namespace {

namespace fs = std::filesystem;

/// A fresh folder per test with helpers to write scenario files into it.
class Compose : public ::testing::Test {
protected:
  void SetUp() override {
    dir = test::fresh_test_dir("gwsim_compose");
    fs::create_directories(dir / "base");
    // A raster next to the base file: {file: top.asc} in the base must find it.
    write("base/top.asc", "ncols 3\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 10\n"
                          "NODATA_value -9999\n5 5 5\n5 5 6\n");
    write("base/base.yaml", base_text);
  }
  void TearDown() override { fs::remove_all(dir); }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir / name;
    std::ofstream(p) << text;
    return p.string();
  }
  std::string path(const std::string& name) const { return (dir / name).string(); }
  std::string error_of(const std::string& file, const std::vector<std::string>& overrides = {}) {
    try {
      read_scenario(path(file), overrides);
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  }

  fs::path dir;
  static constexpr const char* base_text = R"(name: base scenario
grid: {nlay: 1, nrow: 2, ncol: 3, delr: 10, delc: 10, top: {file: top.asc}, bottom: 0}
aquifer:
  k: 5
  ss: 1.0e-5
time:
  start: 2000-01-01
  periods: [{length: 10}, {length: 20, steps: 2}]
initial_head: 4.0
stresses:
  wel:
    - {name: w1, layer: 1, row: 1, col: 1, rate: -10}
    - {name: w2, layer: 1, row: 2, col: 3, rate: -20}
solver:
  method: pcg
  max_iterations: 500
)";
};

double rate(const Well& w) { return *w.rate.at(0); }

TEST_F(Compose, MappingsMergeNamedListsMergeByNameOtherValuesReplace) {
  write("top.yaml", R"(base: base/base.yaml
name: top scenario
solver: {method: multigrid}
time:
  periods: [{length: 5}]
stresses:
  wel:
    - {name: w2, rate: -2}
    - {name: w3, layer: 1, row: 1, col: 2, rate: -3}
)");
  const ModelData m = read_scenario(path("top.yaml"));
  EXPECT_EQ(m.name, "top scenario");
  EXPECT_EQ(m.source_file, path("top.yaml"));
  // solver merges key by key: method from the top file, max_iterations from the base.
  EXPECT_EQ(m.solver.kind, SolverKind::multigrid);
  EXPECT_EQ(m.solver.max_iterations, 500);
  // time.periods is not a list of named items: it replaces; time.start stays.
  ASSERT_EQ(m.time.periods.size(), 1u);
  EXPECT_EQ(m.time.periods[0].length, 5.0);
  EXPECT_EQ(m.time.start, (Date{2000, 1, 1}));
  // wel merges by name: w1 kept, w2 changed (its cell from the base), w3 appended.
  ASSERT_EQ(m.stresses.wel.size(), 3u);
  EXPECT_EQ(m.stresses.wel[0].name, "w1");
  EXPECT_EQ(rate(m.stresses.wel[0]), -10.0);
  EXPECT_EQ(m.stresses.wel[1].name, "w2");
  EXPECT_EQ(rate(m.stresses.wel[1]), -2.0);
  EXPECT_EQ(m.stresses.wel[1].cell, m.grid.index(0, 1, 2));
  EXPECT_EQ(m.stresses.wel[2].name, "w3");
  // {file: top.asc} in base/base.yaml is found next to the base file.
  EXPECT_EQ(m.grid.top[5], 6.0);
}

TEST_F(Compose, RemoveDeletesANamedItem) {
  write("top.yaml", "base: base/base.yaml\nstresses:\n  wel:\n    - {name: w1, remove: true}\n");
  const ModelData m = read_scenario(path("top.yaml"));
  ASSERT_EQ(m.stresses.wel.size(), 1u);
  EXPECT_EQ(m.stresses.wel[0].name, "w2");
}

TEST_F(Compose, RemoveOfAMissingItemOrWithOtherKeysIsAnError) {
  write("a.yaml", "base: base/base.yaml\nstresses:\n  wel:\n    - {name: w9, remove: true}\n");
  EXPECT_EQ(error_of("a.yaml"), path("a.yaml") + ":4:7: stresses.wel[0]: no item named 'w9' in the base "
                                                 "scenario's stresses.wel to remove");
  write("b.yaml", "base: base/base.yaml\nstresses:\n  wel:\n    - {name: w1, remove: true, rate: 3}\n");
  EXPECT_EQ(error_of("b.yaml"), path("b.yaml") + ":4:32: stresses.wel[0]: unknown key 'rate' (expected one "
                                                 "of: name, remove)");
}

TEST_F(Compose, BasesChainAndTheNearestFileWins) {
  write("middle.yaml", "base: base/base.yaml\nname: middle\ninitial_head: 3.0\n");
  write("top.yaml", "base: middle.yaml\ninitial_head: 2.0\n");
  const ModelData m = read_scenario(path("top.yaml"));
  EXPECT_EQ(m.name, "middle");
  EXPECT_EQ(m.initial_head, std::vector<double>(6, 2.0));
}

TEST_F(Compose, BadValueIsReportedInTheFileThatHoldsIt) {
  // The bad value is in the base, found while reading the top file.
  write("base/bad_base.yaml", std::string(base_text).replace(std::string(base_text).find("k: 5"), 4, "k: -5"));
  write("top.yaml", "base: base/bad_base.yaml\nname: top\n");
  EXPECT_EQ(error_of("top.yaml"), path("base/bad_base.yaml") + ":4:6: aquifer.k = -5: must be > 0 (m/d)");
  // The bad value is in the top file, inside a mapping merged with the base.
  write("top2.yaml", "base: base/base.yaml\naquifer:\n  ss: -1\n");
  EXPECT_EQ(error_of("top2.yaml"), path("top2.yaml") + ":3:7: aquifer.ss = -1: must be >= 0 (1/m)");
  // An unknown key in a merged mapping: located in its own file.
  write("top3.yaml", "base: base/base.yaml\nsolver:\n  methd: pcg\n");
  EXPECT_EQ(error_of("top3.yaml"), path("top3.yaml") +
                                       ":3:3: solver: unknown key 'methd' (expected one of: newton, method, "
                                       "head_tolerance, residual_tolerance, max_iterations, "
                                       "first_guess_changes, first_guess_periods); did you mean 'method'?");
  // A merged well: the bad cell is in the top file, the rest in the base.
  write("top4.yaml", "base: base/base.yaml\nstresses:\n  wel:\n    - {name: w1, row: 7}\n");
  EXPECT_NE(error_of("top4.yaml").find(path("top4.yaml") + ":4:"), std::string::npos) << error_of("top4.yaml");
}

TEST_F(Compose, MergedEntryWithoutAPositionOfItsOwnIsLocatedInTheWinningFile) {
  // The merged well has no `layer` in either file: located at the top file's item.
  write("base/nolayer.yaml", std::string(base_text).replace(std::string(base_text).find("layer: 1, row: 1,"), 17, "row: 1,"));
  write("top.yaml", "base: base/nolayer.yaml\nstresses:\n  wel:\n    - {name: w1, rate: -1}\n");
  EXPECT_EQ(error_of("top.yaml").substr(0, path("top.yaml").size() + 5), path("top.yaml") + ":4:7:");
}

TEST_F(Compose, DuplicateKeyInAMergedMappingIsLocated) {
  write("top.yaml", "base: base/base.yaml\nsolver:\n  method: pcg\n  method: direct\n");
  EXPECT_EQ(error_of("top.yaml"), path("top.yaml") + ":4:3: solver: duplicate key 'method'");
}

TEST_F(Compose, CycleNamesEveryFile) {
  write("a.yaml", "base: b.yaml\nname: a\n");
  write("b.yaml", "name: b\nbase: a.yaml\n");
  EXPECT_EQ(error_of("a.yaml"), path("a.yaml") + ":1:7: base = b.yaml: the base scenarios form a cycle: " +
                                    path("a.yaml") + " -> " + path("b.yaml") + " -> " + path("a.yaml"));
  write("self.yaml", "base: self.yaml\n");
  EXPECT_EQ(error_of("self.yaml"), path("self.yaml") + ":1:7: base = self.yaml: the base scenarios form a cycle: " +
                                       path("self.yaml") + " -> " + path("self.yaml"));
}

TEST_F(Compose, MissingBaseFile) {
  write("top.yaml", "name: x\nbase: nosuch.yaml\n");
  EXPECT_EQ(error_of("top.yaml"), path("top.yaml") + ":2:7: base = nosuch.yaml: base scenario not found: '" +
                                      path("nosuch.yaml") +
                                      "' (paths are relative to the folder of the file that names them)");
}

TEST_F(Compose, BaseOnlyAtTheTopLevel) {
  write("top.yaml", "base: base/base.yaml\nsolver: {base: x}\n");
  EXPECT_NE(error_of("top.yaml").find(path("top.yaml") + ":2:10: solver: unknown key 'base'"), std::string::npos);
}

TEST_F(Compose, SetOverridesByKeyPositionAndName) {
  const ModelData m = read_scenario(path("base/base.yaml"), {"solver.method=multigrid", "stresses.wel[1].rate=-5",
                                                             "stresses.wel.w1.rate={1: -7}", "output.compression=0"});
  EXPECT_EQ(m.solver.kind, SolverKind::multigrid);
  EXPECT_EQ(rate(m.stresses.wel[1]), -5.0);
  EXPECT_EQ(rate(m.stresses.wel[0]), -7.0);
  EXPECT_EQ(m.output.compression, 0); // created: the base has no output key
}

TEST_F(Compose, SetErrorsPointAtTheCommandLine) {
  EXPECT_EQ(error_of("base/base.yaml", {"stresses.wel.w9.rate=1"}),
            "<command line>: --set stresses.wel.w9.rate: stresses.wel has no item named 'w9' (names: w1, w2)");
  EXPECT_EQ(error_of("base/base.yaml", {"stresses.wel[4].rate=1"}),
            "<command line>: --set stresses.wel[4].rate: stresses.wel has 2 items; [4] is not one of them "
            "(positions count from 0)");
  EXPECT_EQ(error_of("base/base.yaml", {"aquifer.k=-1"}),
            "<command line>: --set aquifer.k: aquifer.k = -1: must be > 0 (m/d)");
  EXPECT_EQ(error_of("base/base.yaml", {"solver.method=multigrud"}),
            "<command line>: --set solver.method: solver.method = multigrud: expected one of pcg | direct | "
            "multigrid; did you mean 'multigrid'?");
  EXPECT_EQ(error_of("base/base.yaml", {"solver.methd=pcg"}),
            "<command line>: --set solver.methd: solver: unknown key 'methd' (expected one of: newton, method, "
            "head_tolerance, residual_tolerance, max_iterations, first_guess_changes, "
            "first_guess_periods); did you mean 'method'?");
  EXPECT_EQ(error_of("base/base.yaml", {"name.x=1"}),
            "<command line>: --set name.x: name is 'base scenario', not a mapping; it has no key 'x'");
  EXPECT_NE(error_of("base/base.yaml", {"solver.method"}).find("write --set key.path=value"), std::string::npos);
  EXPECT_NE(error_of("base/base.yaml", {"solver..method=pcg"}).find("an empty key"), std::string::npos);
  // A value elsewhere in the file is still located in the file.
  EXPECT_EQ(error_of("base/base.yaml", {"aquifer.ss=1.0e-5", "grid.nrow=3"}).substr(0, path("base/base.yaml").size()),
            path("base/base.yaml"));
}

TEST_F(Compose, SourceTextOfACompositionReproducesTheRun) {
  write("top.yaml", R"(base: base/base.yaml
name: top scenario
stresses:
  wel:
    - {name: w2, rate: -2}
)");
  const ModelData m = read_scenario(path("top.yaml"), {"solver.method=multigrid"});
  EXPECT_NE(m.source_text.find(path("base/base.yaml")), std::string::npos);
  EXPECT_NE(m.source_text.find("# with --set solver.method=multigrid"), std::string::npos);
  // Re-read from the top file's folder: same model (the raster path was rewritten).
  write("replay.yaml", m.source_text);
  const ModelData again = read_scenario(path("replay.yaml"));
  EXPECT_EQ(again.name, m.name);
  EXPECT_EQ(again.solver.kind, SolverKind::multigrid);
  EXPECT_EQ(again.grid.top, m.grid.top);
  ASSERT_EQ(again.stresses.wel.size(), 2u);
  EXPECT_EQ(rate(again.stresses.wel[1]), -2.0);
  EXPECT_EQ(again.time.periods.size(), m.time.periods.size());
}

TEST_F(Compose, PlainScenarioKeepsItsOwnText) {
  const ModelData m = read_scenario(path("base/base.yaml"));
  EXPECT_EQ(m.source_text, base_text);
}

TEST(EmitYaml, QuotedScalarsStayQuoted) {
  const YAML::Node n = YAML::Load("a: \"100\"\nb: [1, 2]\nc: {d: x}\n");
  const YAML::Node back = YAML::Load(emit_yaml(n));
  EXPECT_EQ(back["a"].Tag(), "!");
  EXPECT_EQ(back["b"].size(), 2u);
  EXPECT_EQ(back["c"]["d"].Scalar(), "x");
}

} // namespace
} // namespace gwsim

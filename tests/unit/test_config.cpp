// Scenario reader: a valid scenario becomes the expected plain structs, and
// malformed ones fail with a located message. The full bad-input catalogue
// runs through the command line in tests/input/.
#include <gtest/gtest.h>

#include <string>

#include "io/config.hpp"

namespace gwsim {
namespace {

const std::string data_dir = std::string(GWSIM_TEST_DATA) + "/unit/data";

class ValidScenario : public ::testing::Test {
protected:
  static void SetUpTestSuite() { model = new ModelData(read_scenario(data_dir + "/valid.yaml")); }
  static void TearDownTestSuite() {
    delete model;
    model = nullptr;
  }
  static ModelData* model;
  const ModelData& m = *model;
  const Grid& g = model->grid;
};
ModelData* ValidScenario::model = nullptr;

TEST_F(ValidScenario, NameAndSource) {
  EXPECT_EQ(m.name, "Unit test plain");
  EXPECT_EQ(m.source_file, data_dir + "/valid.yaml");
  EXPECT_NE(m.source_text.find("name: Unit test plain"), std::string::npos);
}

TEST_F(ValidScenario, GridSizesAndWidths) {
  EXPECT_EQ(g.nlay, 2);
  EXPECT_EQ(g.nrow, 3);
  EXPECT_EQ(g.ncol, 4);
  EXPECT_EQ(g.delr, (std::vector<double>{100, 100, 200, 200}));
  EXPECT_EQ(g.delc, (std::vector<double>{50, 50, 50}));
  EXPECT_EQ(g.xorigin, 1000.0);
  EXPECT_EQ(g.yorigin, 2000.0);
}

TEST_F(ValidScenario, TopFromAscFile) {
  EXPECT_EQ(g.top, (std::vector<double>{10, 10, 11, 11, 10, 12, 12, 11, 9, 9, 10, 10}));
}

TEST_F(ValidScenario, BottomFromInlineRowsAndLayerConstant) {
  ASSERT_EQ(g.bottom.size(), 24u);
  EXPECT_EQ(g.bottom[5], 1.0);   // layer 1, row 2, col 2
  EXPECT_EQ(g.bottom[8], -1.0);  // layer 1, row 3, col 1
  EXPECT_EQ(g.bottom[12], -50.0);
  EXPECT_EQ(g.bottom[23], -50.0);
}

TEST_F(ValidScenario, ActiveMask) {
  for (Index n = 0; n < 23; ++n) EXPECT_TRUE(g.is_active(n)) << n;
  EXPECT_FALSE(g.is_active(23)); // layer 2, row 3, col 4
}

TEST_F(ValidScenario, AquiferFromCsvWithFactorAndDefaults) {
  const auto& a = m.aquifer;
  EXPECT_EQ(a.layer_type, (std::vector<LayerType>{LayerType::convertible, LayerType::confined}));
  EXPECT_EQ(a.k[0], 2.0);   // 1 * factor 2
  EXPECT_EQ(a.k[10], 22.0); // row 3, col 3 of k.csv: 11
  EXPECT_EQ(a.k[12], 0.5);
  EXPECT_EQ(a.k33, a.k);    // default k33 = k
  EXPECT_EQ(a.ss, std::vector<double>(24, 1e-5));
  EXPECT_EQ(a.sy, std::vector<double>(24, 0.1));
}

TEST_F(ValidScenario, PeriodsWithRepeat) {
  EXPECT_EQ(m.time.start, (Date{2015, 1, 1}));
  ASSERT_EQ(m.time.periods.size(), 4u);
  EXPECT_TRUE(m.time.periods[0].steady);
  EXPECT_EQ(m.time.periods[0].length, 1.0);
  EXPECT_EQ(m.time.periods[0].steps, 1);
  for (std::size_t p = 1; p < 4; ++p) {
    EXPECT_FALSE(m.time.periods[p].steady);
    EXPECT_EQ(m.time.periods[p].length, 30.0);
    EXPECT_EQ(m.time.periods[p].steps, 3);
    EXPECT_EQ(m.time.periods[p].multiplier, 1.2);
  }
}

TEST_F(ValidScenario, InitialHead) { EXPECT_EQ(m.initial_head, std::vector<double>(24, 30.0)); }

TEST_F(ValidScenario, ChdBlockAndMaskCells) {
  const auto& chd = m.stresses.chd;
  ASSERT_EQ(chd.size(), 2u);
  EXPECT_EQ(chd[0].name, "west");
  // (layer * 3 + row) * 4 + col, column 1 of every row of both layers.
  EXPECT_EQ(chd[0].cells, (std::vector<Index>{0, 4, 8, 12, 16, 20}));
  EXPECT_EQ(chd[0].head.start_period, (std::vector<int>{0, 2}));
  EXPECT_EQ(chd[0].head.value, (std::vector<double>{30.0, 29.5}));
  EXPECT_EQ(*chd[0].head.at(1), 30.0);
  EXPECT_EQ(*chd[0].head.at(3), 29.5);
  EXPECT_EQ(chd[1].cells, (std::vector<Index>{6})); // layer 1, row 2, col 3
  EXPECT_EQ(chd[1].head.start_period, (std::vector<int>{0}));
}

TEST_F(ValidScenario, WellsByRowColAndByXY) {
  const auto& wel = m.stresses.wel;
  ASSERT_EQ(wel.size(), 2u);
  EXPECT_EQ(wel[0].cell, 18); // layer 2, row 2, col 3
  EXPECT_EQ(wel[0].rate.at(0), nullptr); // off before period 2
  EXPECT_EQ(*wel[0].rate.at(1), -500.0);
  EXPECT_EQ(wel[1].cell, 11); // x 1450 in col 4 (1400..1600), y 2010 in row 3 (2000..2050)
  EXPECT_EQ(*wel[1].rate.at(0), -100.0);
}

TEST_F(ValidScenario, GhbTriplesAndConductanceSchedule) {
  const auto& ghb = m.stresses.ghb;
  ASSERT_EQ(ghb.size(), 1u);
  EXPECT_EQ(ghb[0].cells, (std::vector<Index>{3, 7}));
  EXPECT_EQ(*ghb[0].head.at(3), 28.0);
  EXPECT_EQ(ghb[0].conductance.start_period, (std::vector<int>{0, 3}));
  EXPECT_EQ(ghb[0].conductance.value, (std::vector<double>{100.0, 0.0}));
}

TEST_F(ValidScenario, RechargeByPeriodWithFile) {
  const auto& r = m.stresses.rch.rate;
  EXPECT_EQ(r.start_period, (std::vector<int>{0, 2}));
  EXPECT_EQ(r.value[0], std::vector<double>(12, 0.001));
  ASSERT_EQ(r.value[1].size(), 12u);
  EXPECT_DOUBLE_EQ(r.value[1][0], 1e-4);
  EXPECT_DOUBLE_EQ(r.value[1][11], 12e-4);
}

TEST_F(ValidScenario, ObservationsAtCellCentreAndGivenPoint) {
  const auto& o = m.observations;
  ASSERT_EQ(o.size(), 2u);
  EXPECT_EQ(o[0].cell, 5);
  EXPECT_EQ(o[0].x, 1150.0); // centre of col 2: 1100..1200
  EXPECT_EQ(o[0].y, 2075.0); // centre of row 2: 2100..2050
  EXPECT_EQ(o[1].cell, 14);  // layer 2, row 1, col 3
  EXPECT_EQ(o[1].x, 1300.0);
  EXPECT_EQ(o[1].y, 2120.0);
}

TEST_F(ValidScenario, OutputAndSolver) {
  EXPECT_EQ(m.output.file, data_dir + "/out/run.h5");
  EXPECT_EQ(m.output.save_heads, SaveHeads::every_step);
  EXPECT_EQ(m.output.compression, 6);
  EXPECT_EQ(m.solver.kind, SolverKind::direct);
  EXPECT_EQ(m.solver.max_iterations, 50);
  EXPECT_EQ(m.solver.head_tolerance, SolverSettings{}.head_tolerance);
}

// --- defaults and errors on inline text ---------------------------------------------

const char* minimal = R"(name: mini
grid: {nlay: 1, nrow: 2, ncol: 3, delr: 10, delc: 20, top: 1, bottom: 0}
aquifer: {k: 5, ss: 1.0e-5}
time: {start: 2000-01-01, periods: [{length: 10}]}
initial_head: 0.5
)";

std::string error_of(const std::string& text) {
  try {
    read_scenario_text(text, "dir/s.yaml", "dir");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ScenarioDefaults, MinimalScenario) {
  const ModelData m = read_scenario_text(minimal, "dir/mini.yaml", "dir");
  EXPECT_EQ(m.source_file, "dir/mini.yaml");
  EXPECT_EQ(m.grid.active, std::vector<std::int8_t>(6, 1));
  EXPECT_EQ(m.grid.delr, std::vector<double>(3, 10.0));
  EXPECT_EQ(m.aquifer.k33, std::vector<double>(6, 5.0));
  EXPECT_TRUE(m.aquifer.sy.empty()); // all confined and not given: not stored
  EXPECT_EQ(m.aquifer.layer_type, std::vector<LayerType>{LayerType::confined});
  EXPECT_EQ(m.time.periods.size(), 1u);
  EXPECT_EQ(m.time.periods[0].steps, 1);
  EXPECT_EQ(m.time.periods[0].multiplier, 1.0);
  EXPECT_FALSE(m.time.periods[0].steady);
  EXPECT_TRUE(m.stresses.chd.empty());
  EXPECT_TRUE(m.stresses.rch.rate.empty());
  EXPECT_EQ(m.output.file, "mini.h5"); // working directory, not the YAML folder
  EXPECT_EQ(m.output.save_heads, SaveHeads::period_end);
  EXPECT_EQ(m.output.compression, 4);
  EXPECT_EQ(m.solver.kind, SolverKind::multigrid); // the default solver
  EXPECT_EQ(m.solver.residual_tolerance, SolverSettings{}.residual_tolerance);
  EXPECT_EQ(m.solver.max_iterations, SolverSettings{}.max_iterations);
}

TEST(ScenarioDefaults, FirstGuessChangesAreReadAndBounded) {
  EXPECT_EQ(read_scenario_text(minimal, "dir/mini.yaml", "dir").solver.first_guess_changes, -1); // default
  const ModelData m =
      read_scenario_text(std::string(minimal) + "solver: {first_guess_changes: 20}\n", "dir/mini.yaml", "dir");
  EXPECT_EQ(m.solver.first_guess_changes, 20);
  EXPECT_EQ(error_of(std::string(minimal) + "solver: {first_guess_changes: 65}\n"),
            "dir/s.yaml:6:31: solver.first_guess_changes = 65: must be between 0 and 64");
}

TEST(ScenarioErrors, ValueOutOfRangeNamesLineColumnPathAndBound) {
  std::string text = minimal;
  text.replace(text.find("k: 5"), 4, "k: -3");
  EXPECT_EQ(error_of(text), "dir/s.yaml:3:14: aquifer.k = -3: must be > 0 (m/d)");
}

TEST(ScenarioErrors, PerLayerListIndexIsZeroBased) {
  std::string text = minimal;
  text.replace(text.find("nlay: 1"), 7, "nlay: 2");
  text.replace(text.find("bottom: 0"), 9, "bottom: [0, -1]");
  text.replace(text.find("k: 5"), 4, "k: [5, -3]");
  EXPECT_EQ(error_of(text), "dir/s.yaml:3:18: aquifer.k[1] = -3: must be > 0 (m/d) at layer 2");
}

TEST(ScenarioErrors, MissingKeyPointsAtParent) {
  std::string text = minimal;
  text.replace(text.find("nrow: 2, "), 9, "");
  EXPECT_EQ(error_of(text), "dir/s.yaml:2:7: grid: missing required key 'nrow'");
}

TEST(ScenarioErrors, UnknownKeyListsExpectedAndSuggests) {
  std::string text = minimal;
  text.replace(text.find("k: 5"), 4, "k: 5, kk: 3");
  EXPECT_EQ(error_of(text), "dir/s.yaml:3:17: aquifer: unknown key 'kk' (expected one of: k, k33, ss, sy, "
                            "layer_type, leakance); did you mean 'k'?");
}

TEST(ScenarioErrors, MisspeltRequiredKeyIsReportedAtTheTypo) {
  std::string text = minimal;
  text.replace(text.find("initial_head"), 12, "initial_haed");
  EXPECT_EQ(error_of(text), "dir/s.yaml:5:1: unknown key 'initial_haed': did you mean 'initial_head'? "
                            "(required key 'initial_head' is missing)");
}

TEST(ScenarioErrors, YamlSyntaxErrorIsLocated) {
  EXPECT_EQ(error_of("name: x\ngrid: [1, 2\n"), "dir/s.yaml:3:1: invalid YAML: end of sequence flow not found");
}

TEST(ScenarioErrors, WrongTypes) {
  std::string text = minimal;
  text.replace(text.find("ncol: 3"), 7, "ncol: 2.5");
  EXPECT_EQ(error_of(text), "dir/s.yaml:2:32: grid.ncol = 2.5: expected a whole number");
  text = minimal;
  text.replace(text.find("delr: 10"), 8, "delr: {a: 1}");
  EXPECT_EQ(error_of(text), "dir/s.yaml:2:41: grid.delr: expected a number, found a mapping");
  text = minimal;
  text.replace(text.find("top: 1"), 6, "top: .nan");
  EXPECT_EQ(error_of(text), "dir/s.yaml:2:60: grid.top = .nan: NaN is not allowed");
  text = minimal;
  text.replace(text.find("delc: 20"), 8, "delc: \"20\"");
  EXPECT_EQ(error_of(text), "dir/s.yaml:2:51: grid.delc = '20': expected a number, found a quoted string");
}

TEST(ScenarioErrors, InvalidDate) {
  std::string text = minimal;
  text.replace(text.find("2000-01-01"), 10, "2015-02-30");
  EXPECT_EQ(error_of(text),
            "dir/s.yaml:4:15: time.start = 2015-02-30: not a valid calendar date (expected YYYY-MM-DD)");
}

TEST(ScenarioErrors, SteadyWithoutHeadReference) {
  std::string text = minimal;
  text.replace(text.find("{length: 10}"), 12, "{length: 10, steady: true}");
  EXPECT_NE(error_of(text).find("dir/s.yaml:4:37: time.periods[0]: stress period 1 is steady but no CHD, GHB or RIV"),
            std::string::npos)
      << error_of(text);
}

TEST(ScenarioErrors, WellOutsideGridNamesEntry) {
  std::string text = minimal;
  text += "stresses:\n  wel:\n    - {name: city_7, layer: 1, row: 3, col: 1, rate: -5}\n";
  EXPECT_EQ(error_of(text), "dir/s.yaml:8:37: stresses.wel[0] (name 'city_7'): layer 1, row 3, col 1 is "
                            "outside the grid (2 rows)");
}

TEST(ScenarioErrors, MissingScenarioFile) {
  EXPECT_THROW(read_scenario(data_dir + "/no_such_file.yaml"), InputError);
}

} // namespace
} // namespace gwsim

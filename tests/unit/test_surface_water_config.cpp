// Surface-water keys of a scenario (riv, drn, evt, ponds, connections) and
// the polyline tracing they use, against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "io/config.hpp"

namespace gwsim {
namespace {

// A 1 x 4 x 5 grid of 100 m cells, x 0..500, y 0..400.
const std::string grid_yaml = R"(name: sw
grid: {nlay: 1, nrow: 4, ncol: 5, delr: 100.0, delc: 100.0, top: 30.0, bottom: [0.0]}
aquifer: {k: [10.0], ss: 1.0e-5}
time: {start: 2015-01-01, periods: [{length: 30}, {length: 30}]}
initial_head: 20.0
)";

ModelData read(const std::string& stresses) {
  return read_scenario_text(grid_yaml + "stresses:\n" + stresses, "sw.yaml", ".");
}

TEST(GridTrace, CutsALineIntoCellLengths) {
  const ModelData m = read("  chd: [{name: c, cells: [[1, 1, 1]], head: 20.0}]\n");
  // Horizontal line along row 2 (y = 250) from x = 50 to x = 350: 50 m in
  // column 1, 100 m in columns 2 and 3, 50 m in column 4.
  const auto pieces = m.grid.trace({{50.0, 250.0}, {350.0, 250.0}});
  ASSERT_EQ(pieces.size(), 4u);
  EXPECT_EQ(pieces[0].column_cell, 1 * 5 + 0);
  EXPECT_NEAR(pieces[0].length, 50.0, 1e-9);
  EXPECT_NEAR(pieces[1].length, 100.0, 1e-9);
  EXPECT_NEAR(pieces[3].length, 50.0, 1e-9);
  EXPECT_NEAR(pieces[3].along, 275.0, 1e-9);
  // A diagonal from corner to corner of the grid: 5 columns, 4 rows; the
  // pieces add up to the line's length.
  const auto diag = m.grid.trace({{0.0, 0.0}, {500.0, 400.0}});
  double total = 0.0;
  for (const auto& p : diag) total += p.length;
  EXPECT_NEAR(total, std::hypot(500.0, 400.0), 1e-9);
  // Parts outside the grid are dropped.
  const auto clipped = m.grid.trace({{-100.0, 50.0}, {150.0, 50.0}});
  double inside = 0.0;
  for (const auto& p : clipped) inside += p.length;
  EXPECT_NEAR(inside, 150.0, 1e-9);
}

TEST(SurfaceWaterConfig, RiverFromPolylineWithSlopingBed) {
  const ModelData m = read(R"(  riv:
    - name: canal
      layer: 1
      polyline: [[50.0, 250.0], [350.0, 250.0]]
      width: 10.0
      bed_k: 0.2
      bed_thickness: 0.5
      bed_bottom: [18.0, 15.0]
      depth: {2: 1.5}
)");
  ASSERT_EQ(m.stresses.riv.size(), 1u);
  const RiverReach& r = m.stresses.riv[0];
  ASSERT_EQ(r.cells.size(), 4u);
  // C = bed K * width * length / bed thickness = 0.2 * 10 * L / 0.5 = 4 L.
  EXPECT_NEAR(r.conductance[0], 4.0 * 50.0, 1e-9);
  EXPECT_NEAR(r.conductance[1], 4.0 * 100.0, 1e-9);
  // Bed bottom interpolated at the middle of each piece: 25, 100, 200, 275 m
  // along a 300 m line from 18 to 15 m.
  EXPECT_NEAR(r.bed_bottom[0], 18.0 - 3.0 * 25.0 / 300.0, 1e-9);
  EXPECT_NEAR(r.bed_bottom[3], 18.0 - 3.0 * 275.0 / 300.0, 1e-9);
  EXPECT_NEAR(r.bed_top[3], r.bed_bottom[3] + 0.5, 1e-12);
  EXPECT_TRUE(r.stage_is_depth);
  EXPECT_EQ(r.stage.at(0), nullptr) << "no water in period 1";
  EXPECT_DOUBLE_EQ(*r.stage.at(1), 1.5);
}

TEST(SurfaceWaterConfig, PondTableConnectionDrainEvt) {
  const ModelData m = read(R"(  riv:
    - {name: canal, cells: [[1, 1, 5]], conductance: 50.0, bed_bottom: 15.0, stage: 19.0}
  ponds:
    - name: pit
      cells: {layer: 1, rows: [2, 3], cols: [2, 3]}
      bed_k: 0.01
      bed_thickness: 2.0
      floor: 25.0
      max_stage: 28.0
      table: {stage: [25.0, 26.0, 28.0], area: [20000.0, 40000.0, 40000.0]}
      initial_stage: 25.0
      evaporation: 0.003
  connections:
    - {name: feed, canal: canal, pond: pit, months: [7, 8], max_rate: 1000.0, overflow: spill}
  drn:
    - {name: tiles, cells: [[1, 4, 1]], depth: 1.5, conductance: 30.0}
  evt:
    rate: 0.002
    extinction_depth: 2.5
)");
  const Pond& p = m.stresses.ponds.at(0);
  ASSERT_EQ(p.cells.size(), 4u);
  EXPECT_NEAR(p.conductance[0], 0.01 * 100.0 * 100.0 / 2.0, 1e-12);
  EXPECT_DOUBLE_EQ(p.bed_bottom, 23.0);
  // Trapezoid volume: 0, (20000 + 40000) / 2 * 1, + 40000 * 2.
  EXPECT_EQ(p.table_volume, (std::vector<double>{0.0, 30000.0, 110000.0}));
  const Connection& c = m.stresses.connections.at(0);
  EXPECT_EQ(c.canal, 0u);
  EXPECT_EQ(c.pond, 0u);
  EXPECT_EQ(c.months, (std::vector<int>{7, 8}));
  EXPECT_TRUE(c.spill_excess);
  EXPECT_DOUBLE_EQ(m.stresses.drn.at(0).elevation.at(0), 28.5); // top 30 - 1.5
  EXPECT_DOUBLE_EQ(m.stresses.evt.surface.at(7), 30.0);          // defaults to the model top
  EXPECT_DOUBLE_EQ(m.stresses.evt.extinction_depth.at(7), 2.5);
}

TEST(SurfaceWaterConfig, ConnectionToAnUnknownCanalNamesTheKeyAndSuggests) {
  try {
    read(R"(  riv:
    - {name: canal, cells: [[1, 1, 5]], conductance: 50.0, bed_bottom: 15.0, stage: 19.0}
  ponds:
    - {name: pit, cells: [[1, 2, 2]], conductance: 5.0, floor: 25.0, max_stage: 28.0, initial_stage: 25.0}
  connections:
    - {name: feed, canal: canol, pond: pit, months: [7], max_rate: 1000.0}
)");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("sw.yaml:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("canal = canol"), std::string::npos) << msg;
    EXPECT_NE(msg.find("did you mean 'canal'"), std::string::npos) << msg;
  }
}

TEST(SurfaceWaterConfig, InitialStageAboveSpillLevelIsRejected) {
  EXPECT_THROW(read(R"(  ponds:
    - {name: pit, cells: [[1, 2, 2]], conductance: 5.0, floor: 25.0, max_stage: 28.0, initial_stage: 29.0}
)"),
               InputError);
}

} // namespace
} // namespace gwsim

namespace gwsim {
namespace {

TEST(SurfaceWaterConfig, StageTimeSeriesIsAveragedOverEachPeriod) {
  const std::string dir = std::string(GWSIM_TEST_DATA) + "/unit/data";
  const std::string text = grid_yaml + R"(stresses:
  riv:
    - {name: r, cells: [[1, 1, 5]], conductance: 50.0, bed_bottom: 5.0, stage: {file: stage_series.csv}}
)";
  const ModelData m = read_scenario_text(text, "sw.yaml", dir);
  const RiverReach& r = m.stresses.riv.at(0);
  // 15 days at 10 m then 15 at 20 m in period 1 (30 d); 20 m all of period 2.
  EXPECT_DOUBLE_EQ(*r.stage.at(0), 15.0);
  EXPECT_DOUBLE_EQ(*r.stage.at(1), 20.0);
}

TEST(SurfaceWaterConfig, StageTimeSeriesStartingLateIsRejected) {
  const std::string dir = std::string(GWSIM_TEST_DATA) + "/unit/data";
  const std::string text = grid_yaml + R"(stresses:
  riv:
    - {name: r, cells: [[1, 1, 5]], conductance: 50.0, bed_bottom: 5.0, stage: {file: stage_series.csv}}
)";
  std::string late = text;
  late.replace(late.find("start: 2015-01-01"), 17, "start: 2014-12-01");
  try {
    read_scenario_text(late, "sw.yaml", dir);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("after the model start 2014-12-01"), std::string::npos) << e.what();
  }
}

} // namespace
} // namespace gwsim

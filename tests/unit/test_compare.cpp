// Scenario comparison on two hand-made results written by the real
// Hdf5Writer: head difference, volume saved and recovery area per zone and
// aquifer, against values computed by hand below.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "analysis/compare.hpp"
#include "core/error.hpp"
#include "io/hdf5_writer.hpp"
#include "support/scratch_dir.hpp"

namespace gwsim {
namespace {

namespace fs = std::filesystem;

/// 2 layers x 1 row x 3 columns: widths 100, 200, 100 m, rows 50 m; layer 1
/// convertible (0..10 m, Sy 0.2, Ss 1e-4), layer 2 confined (-20..0 m, Ss
/// 1e-5), inactive in column 3. Zones A (columns 1-2) and B (column 3);
/// aquifers shallow = layer 1, deep = layer 2.
ModelData model(Index ncol = 3) {
  ModelData m;
  m.name = "compare test";
  Grid& g = m.grid;
  g.nlay = 2;
  g.nrow = 1;
  g.ncol = ncol;
  g.delr = {100.0, 200.0, 100.0};
  g.delr.resize(std::size_t(ncol), 100.0);
  g.delc = {50.0};
  g.top.assign(std::size_t(ncol), 10.0);
  g.bottom.assign(std::size_t(2 * ncol), 0.0);
  for (Index j = 0; j < ncol; ++j) g.bottom[std::size_t(ncol + j)] = -20.0;
  g.active.assign(std::size_t(2 * ncol), 1);
  g.active[std::size_t(ncol + 2)] = 0;
  m.aquifer.layer_type = {LayerType::convertible, LayerType::confined};
  m.aquifer.k.assign(std::size_t(2 * ncol), 1.0);
  m.aquifer.k33 = m.aquifer.k;
  m.aquifer.ss = std::vector<double>(std::size_t(2 * ncol), 1e-5);
  for (Index j = 0; j < ncol; ++j) m.aquifer.ss[std::size_t(j)] = 1e-4;
  m.aquifer.sy.assign(std::size_t(2 * ncol), 0.2);
  m.time.start = Date{2020, 1, 1};
  m.zones.id = std::vector<int>(std::size_t(ncol), 1);
  m.zones.id[2] = 2;
  m.zones.ids = {1, 2};
  m.zones.names = {"A", "B"};
  m.aquifers = {{"shallow", {0}}, {"deep", {1}}};
  return m;
}

/// Write a result whose heads at `times` are `heads[i]`.
void write_result(const std::string& path, const ModelData& m, const std::vector<double>& times,
                  const std::vector<std::vector<double>>& heads) {
  Hdf5Writer w(path);
  w.begin(m);
  for (std::size_t i = 0; i < times.size(); ++i) {
    StepInfo info;
    info.global_step = int(i);
    info.time = times[i];
    info.dt = 10.0;
    info.save_heads = true;
    StepBudget b;
    b.terms = {{"storage", 0.0, 0.0}};
    w.step(info, heads[i], b, {});
  }
  w.finish(RunSummary{});
}

class Compare : public ::testing::Test {
protected:
  void SetUp() override {
    dir = test::fresh_test_dir("gwsim_compare");
    const std::vector<double> five(6, 5.0);
    write_result(base(), model(), {10.0, 20.0}, {five, five});
    // Saved at day 10 only; layer 1: +1, +0.005, -1 m; layer 2: +0.5, 0 m.
    write_result(other(), model(), {10.0}, {{6.0, 5.005, 4.0, 5.5, 5.0, 5.0}});
  }
  void TearDown() override { fs::remove_all(dir); }
  std::string base() const { return (dir / "base.h5").string(); }
  std::string other() const { return (dir / "measure.h5").string(); }
  fs::path dir;
};

TEST_F(Compare, HandComputedZoneAquiferValues) {
  const Comparison c = compare_results(base(), {other()});
  ASSERT_EQ(c.time, (std::vector<double>{10.0, 20.0}));
  EXPECT_EQ(c.time_units, "days since 2020-01-01 00:00:00");
  EXPECT_EQ(c.zone_names, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(c.aquifer_names, (std::vector<std::string>{"shallow", "deep"}));
  EXPECT_EQ(c.names, std::vector<std::string>{"measure"});
  EXPECT_EQ(c.last_common, std::vector<long>{0});
  enum { A, B };
  enum { shallow, deep };
  // Convertible layer, head inside the cell: V = Sy b S(x), S = (x - w/2)/(1 - w),
  // so dV = Sy dh / (1 - w) with w = 1e-3.
  const double sy = 0.2 / (1.0 - 1e-3);
  // Zone A, shallow: cells of 5000 and 10000 m2 rose 1 m and 0.005 m.
  EXPECT_NEAR(c.head_difference[c.at(0, 0, A, shallow)], (5000.0 * 1.0 + 10000.0 * 0.005) / 15000.0, 1e-12);
  EXPECT_NEAR(c.volume_saved[c.at(0, 0, A, shallow)], sy * 5050.0, 1e-9);
  EXPECT_EQ(c.recovery_area[c.at(0, 0, A, shallow)], 5000.0); // 0.005 m is below the 0.01 m threshold
  // Zone A, deep (confined): Ss b dh A = 1e-5 * 20 * 0.5 * 5000.
  EXPECT_NEAR(c.head_difference[c.at(0, 0, A, deep)], 0.5 * 5000.0 / 15000.0, 1e-12);
  EXPECT_NEAR(c.volume_saved[c.at(0, 0, A, deep)], 0.5, 1e-12);
  EXPECT_EQ(c.recovery_area[c.at(0, 0, A, deep)], 5000.0);
  // Zone B: the water table fell 1 m; its deep cell is inactive.
  EXPECT_NEAR(c.head_difference[c.at(0, 0, B, shallow)], -1.0, 1e-12);
  EXPECT_NEAR(c.volume_saved[c.at(0, 0, B, shallow)], -sy * 5000.0, 1e-9);
  EXPECT_EQ(c.recovery_area[c.at(0, 0, B, shallow)], 0.0);
  EXPECT_TRUE(std::isnan(c.head_difference[c.at(0, 0, B, deep)]));
  EXPECT_EQ(c.volume_saved[c.at(0, 0, B, deep)], 0.0);
  // Day 20 was not saved by the scenario.
  EXPECT_TRUE(std::isnan(c.volume_saved[c.at(0, 1, A, shallow)]));
}

TEST_F(Compare, RankingTableAndComparisonFile) {
  const Comparison c = compare_results(base(), {other()});
  const std::string table = format_ranking(c);
  // A saved about 1011.5 m3 in all, B lost about 1001 m3: A ranks first.
  EXPECT_LT(table.find("   1  A"), table.find("   2  B")) << table;
  EXPECT_NE(table.find("0.0010"), std::string::npos) << table; // 1011.0 m3 = 0.0010 million m3
  const std::string out = (dir / "comparison.h5").string();
  write_comparison(c, out);
  const Comparison again = compare_results(base(), {other()}); // deterministic
  EXPECT_EQ(again.volume_saved[0], c.volume_saved[0]);
  EXPECT_TRUE(fs::exists(out));
}

TEST_F(Compare, DifferentGridsAreAClearError) {
  const std::string wide = (dir / "wide.h5").string();
  write_result(wide, model(4), {10.0}, {std::vector<double>(8, 5.0)});
  try {
    compare_results(base(), {wide});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), wide + ": not the same grid as the base " + base() +
                                         ": 2 x 1 x 4 cells against 2 x 1 x 3 (layers x rows x columns); results "
                                         "to compare must come from the same model grid");
  }
  try {
    compare_results(base(), {(dir / "nosuch.h5").string()});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no such result file"), std::string::npos);
  }
}

} // namespace
} // namespace gwsim

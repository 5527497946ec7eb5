// Water-table physics: convertible layers (Newton-Raphson), leaky aquifers,
// drying and rewetting, against analytic solutions and conservation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include <hdf5.h>

#include <cstdio>

#include "io/hdf5_writer.hpp"
#include "model/simulation.hpp"
#include "support/model_builder.hpp"
#include "support/recording_sink.hpp"
#include "verification/analytic.hpp"

namespace gwsim {
namespace {

using test::RecordingSink;

void make_convertible(ModelData& m, double sy) {
  std::fill(m.aquifer.layer_type.begin(), m.aquifer.layer_type.end(), LayerType::convertible);
  std::fill(m.aquifer.sy.begin(), m.aquifer.sy.end(), sy);
}

void expect_budgets_close(const RecordingSink& s, double max_percent) {
  ASSERT_FALSE(s.budgets.empty());
  for (std::size_t k = 0; k < s.budgets.size(); ++k)
    EXPECT_LT(std::abs(s.budgets[k].percent_discrepancy), max_percent) << "step " << k;
}

ConstantHead chd_group(const std::string& name, std::vector<Index> cells, double head) {
  ConstantHead c;
  c.name = name;
  c.cells = std::move(cells);
  c.head.set(0, head);
  return c;
}

TEST(LeakyWellFunction, ReducesToTheisAndToTheSteadyLimit) {
  // beta = 0: no leakage, W(u, 0) = E1(u).
  EXPECT_NEAR(test::leaky_well_function(0.01, 0.0), test::well_function(0.01), 1e-6);
  EXPECT_NEAR(test::leaky_well_function(0.5, 0.0), test::well_function(0.5), 1e-6);
  // u -> 0: steady state, W(0, beta) = 2 K0(beta).
  EXPECT_NEAR(test::leaky_well_function(1e-9, 0.5), 2.0 * std::cyl_bessel_k(0.0, 0.5), 1e-5);
  EXPECT_NEAR(test::leaky_well_function(1e-9, 0.1), 2.0 * std::cyl_bessel_k(0.0, 0.1), 1e-5);
  // Hantush (1956) table: W(0.01, 0.1) = 4.0, to the 2 figures printed... use
  // the published 3.6 <= W(0.01,0.1) <= E1(0.01) bracket instead of a digit.
  EXPECT_LT(test::leaky_well_function(0.01, 0.1), test::well_function(0.01));
}

// Dupuit: steady unconfined flow between two fixed heads with recharge.
TEST(WaterTable, DupuitParabolaWithRecharge) {
  const Index ncol = 201;
  const double dx = 5.0, L = dx * (ncol - 1), K = 10.0, W = 1e-3, h1 = 20.0, h2 = 12.0;
  ModelData m = test::uniform_model(1, 1, ncol, dx, dx, 30.0, 30.0, K, K, 1e-5, 15.0);
  make_convertible(m, 0.2);
  m.stresses.chd.push_back(chd_group("left", {0}, h1));
  m.stresses.chd.push_back(chd_group("right", {ncol - 1}, h2));
  m.stresses.rch.rate.set(0, std::vector<double>(static_cast<std::size_t>(ncol), W));
  Simulation sim(m);
  RecordingSink sink;
  sim.run(sink);
  double worst = 0.0;
  for (Index j = 1; j < ncol - 1; ++j) {
    const double x = dx * j, expected = test::dupuit_head(h1, h2, L, W, K, x);
    const double got = sim.head()[static_cast<std::size_t>(j)];
    EXPECT_NEAR(got, expected, 0.005 * expected) << "x = " << x;
    worst = std::max(worst, std::abs(got / expected - 1.0));
  }
  std::printf("Dupuit: worst relative error %.2e, %d Newton iterations\n", worst,
              sink.info[0].newton_iterations);
  EXPECT_GT(sink.info[0].newton_iterations, 1); // it really was nonlinear
  expect_budgets_close(sink, 1e-4);
}

/// Cell widths growing geometrically away from a centre cell of width d0:
/// fine near a well, coarse far away.
std::vector<double> telescoping(int each_side, double d0, double growth) {
  std::vector<double> w;
  for (int k = each_side; k >= 1; --k) w.push_back(d0 * std::pow(growth, k));
  w.push_back(d0);
  for (int k = 1; k <= each_side; ++k) w.push_back(d0 * std::pow(growth, k));
  return w;
}

// Hantush-Jacob: a confined aquifer (layer 2) below a source layer held at
// h = 0 (layer 1), connected through an aquitard given as a leakance.
struct LeakyCase {
  double T = 100.0, leak = 1e-4, Ss = 1e-5, b = 20.0, Q = 1000.0;
  double B() const { return std::sqrt(T / leak); } // 1000 m
  ModelData model;
  Index centre = 0;
  std::vector<double> xc;

  LeakyCase() {
    const std::vector<double> w = telescoping(45, 10.0, 1.1);
    const auto n = static_cast<Index>(w.size());
    model = test::uniform_model(2, n, n, 10.0, 10.0, 10.0, 10.0, T / b, T / b, Ss, 0.0);
    Grid& g = model.grid;
    g.delr = w;
    g.delc = w;
    for (Index c = 0; c < n * n; ++c) {
      g.bottom[static_cast<std::size_t>(c)] = 0.0;
      g.bottom[static_cast<std::size_t>(n * n + c)] = -b;
    }
    model.aquifer.leakance.assign(static_cast<std::size_t>(n * n), leak);
    std::vector<Index> top;
    for (Index c = 0; c < n * n; ++c) top.push_back(c);
    model.stresses.chd.push_back(chd_group("source_layer", top, 0.0));
    centre = g.index(1, n / 2, n / 2);
    model.stresses.wel.push_back(test::well("w", centre, -Q));
    xc = g.x_centers();
  }
  /// Distance from the well to the cell `k` columns east of it, m.
  double r(Index k) const {
    const auto c = static_cast<std::size_t>(model.grid.ncol / 2);
    return xc[c + static_cast<std::size_t>(k)] - xc[c];
  }
};

TEST(WaterTable, HantushJacobSteadyLeakyDrawdown) {
  LeakyCase lc;
  Simulation sim(lc.model);
  RecordingSink sink;
  sim.run(sink);
  double worst = 0.0;
  for (Index k : {5, 8, 12, 18, 25, 30}) {
    const double r = lc.r(k), expected = test::leaky_steady_drawdown(lc.Q, lc.T, lc.B(), r);
    const double got = -sim.head()[static_cast<std::size_t>(lc.centre + k)];
    EXPECT_NEAR(got, expected, 0.02 * expected) << "r = " << r << " m";
    worst = std::max(worst, std::abs(got / expected - 1.0));
  }
  std::printf("Hantush steady: worst relative error %.4f\n", worst);
  expect_budgets_close(sink, 1e-6);
  // All pumped water leaks from the source layer.
  EXPECT_NEAR(sink.term(0, "chd").in, lc.Q, 1e-6 * lc.Q);
}

TEST(WaterTable, HantushJacobTransientLeakyDrawdown) {
  LeakyCase lc;
  // Backward Euler needs dt/t well below 0.1 at the check times.
  lc.model.time.periods = {StressPeriod{1.0, 60, 1.08, false}, StressPeriod{9.0, 40, 1.05, false},
                           StressPeriod{90.0, 40, 1.05, false}};
  Simulation sim(lc.model);
  RecordingSink sink;
  sim.run(sink);
  const double S = lc.Ss * lc.b;
  int checked = 0;
  double worst = 0.0;
  for (std::size_t s = 0; s < sink.info.size(); ++s) {
    const double t = sink.info[s].time;
    if (std::abs(t - 1.0) > 1e-9 && std::abs(t - 10.0) > 1e-9 && std::abs(t - 100.0) > 1e-9) continue;
    for (Index k : {5, 10, 15, 20, 25}) {
      const double r = lc.r(k), u = r * r * S / (4.0 * lc.T * t);
      if (u > 0.5) continue;
      const double expected = test::hantush_drawdown(lc.Q, lc.T, S, lc.B(), r, t);
      const double got = -sink.heads[s][static_cast<std::size_t>(lc.centre + k)];
      EXPECT_NEAR(got, expected, 0.02 * expected) << "t = " << t << " d, r = " << r << " m";
      worst = std::max(worst, std::abs(got / expected - 1.0));
      ++checked;
    }
  }
  std::printf("Hantush transient: worst relative error %.4f over %d points\n", worst, checked);
  EXPECT_GE(checked, 10);
  expect_budgets_close(sink, 1e-6);
}

// A well in the lower of two convertible layers asks for far more than the
// aquifer can give: the water table falls below the bottom of the upper
// layer, so the cells above and around the well dewater, pumping is reduced
// (and reported), every step converges and balances, and the cells rewet
// when pumping stops.
TEST(WaterTable, DewateringWellReducesPumpingAndCellsRewet) {
  const Index n = 31, c = 15;
  const double h0 = 4.0, Q = 3000.0;
  ModelData m = test::uniform_model(2, n, n, 20.0, 20.0, 20.0, 17.0, 2.0, 2.0, 1e-5, h0);
  for (Index k = 0; k < n * n; ++k) m.grid.bottom[static_cast<std::size_t>(n * n + k)] = 0.0; // layer 2: 3..0 m
  make_convertible(m, 0.1);
  m.time.periods = {StressPeriod{30.0, 10, 1.2, false}, StressPeriod{300.0, 20, 1.2, false}};
  std::vector<Index> edge;
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j)
      if (i == 0 || j == 0 || i == n - 1 || j == n - 1) edge.push_back(m.grid.index(1, i, j));
  m.stresses.chd.push_back(chd_group("edge", edge, h0));
  Well w = test::well("greedy", m.grid.index(1, c, c), -Q);
  w.rate.set(1, 0.0);
  m.stresses.wel.push_back(w);
  Simulation sim(m);
  RecordingSink sink;
  ASSERT_NO_THROW(sim.run(sink));
  ASSERT_EQ(sink.info.size(), 30u);
  const std::size_t end_pumping = 9, end = 29;
  const auto& wel = sink.term(end_pumping, "wel");
  EXPECT_DOUBLE_EQ(wel.requested_out, Q);
  EXPECT_LT(wel.out, 0.1 * Q) << "pumping must be cut back";
  EXPECT_GT(wel.out, 0.0);
  auto head = [&](std::size_t s, Index k, Index i, Index j) {
    return sink.heads[s][static_cast<std::size_t>(m.grid.index(k, i, j))];
  };
  // The well cell is within the reduction zone (10% of its 3 m) and the
  // upper-layer cells above it and around it are dry.
  EXPECT_LT(head(end_pumping, 1, c, c), 0.3);
  EXPECT_GE(sink.info[end_pumping].dry_cells, 5);
  for (auto [di, dj] : {std::pair{0, 0}, {0, 1}, {1, 0}, {0, -1}, {-1, 0}})
    EXPECT_LT(head(end_pumping, 0, c + di, c + dj), 3.0) << "upper cell dry";
  // After 300 days without pumping every cell has rewet.
  EXPECT_EQ(sink.info[end].dry_cells, 0);
  EXPECT_GT(head(end, 1, c, c), 0.95 * h0);
  expect_budgets_close(sink, 0.01);
}

// A recharge mound rises from a deep water table through a thin, initially
// dry top layer and above its top; when recharge stops the mound decays and
// the top layer goes entirely dry again.
TEST(WaterTable, MoundRisesThroughThinLayerWhichDriesAgain) {
  const Index n = 21, c = 10;
  ModelData m = test::uniform_model(2, n, n, 50.0, 50.0, 10.0, 1.0, 10.0, 1.0, 1e-5, 5.0);
  for (Index k = 0; k < n * n; ++k) m.grid.bottom[static_cast<std::size_t>(n * n + k)] = 0.0; // layer 2: 9..0 m
  make_convertible(m, 0.2);
  m.time.periods = {StressPeriod{20.0, 20, 1.0, false}, StressPeriod{300.0, 30, 1.1, false}};
  std::vector<Index> edge;
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j)
      if (i == 0 || j == 0 || i == n - 1 || j == n - 1) edge.push_back(m.grid.index(1, i, j));
  m.stresses.chd.push_back(chd_group("edge", edge, 5.0));
  std::vector<double> rate(static_cast<std::size_t>(n * n), 0.0);
  for (Index i = c - 2; i <= c + 2; ++i)
    for (Index j = c - 2; j <= c + 2; ++j) rate[static_cast<std::size_t>(i * n + j)] = 0.15;
  m.stresses.rch.rate.set(0, rate);
  m.stresses.rch.rate.set(1, std::vector<double>(static_cast<std::size_t>(n * n), 0.0));
  Simulation sim(m);
  RecordingSink sink;
  ASSERT_NO_THROW(sim.run(sink));
  const std::size_t end_recharge = 19, end = sink.info.size() - 1;
  const auto top_cell = static_cast<std::size_t>(m.grid.index(0, c, c));
  EXPECT_EQ(sink.info[0].dry_cells, n * n) << "layer 1 starts dry everywhere";
  EXPECT_GT(sink.heads[end_recharge][top_cell], 10.0) << "mound above the top of layer 1";
  EXPECT_LT(sink.info[end_recharge].dry_cells, n * n - 9);
  EXPECT_LT(sink.heads[end][top_cell], 9.0) << "layer 1 dry again";
  EXPECT_EQ(sink.info[end].dry_cells, n * n);
  expect_budgets_close(sink, 0.01);
}

// The result file flags the dry cells of the mound case cell by cell: the
// flag is 1 exactly where a convertible cell's head is below its bottom.
TEST(WaterTable, ResultFlagsDryCells) {
  const Index n = 21, c = 10;
  ModelData m = test::uniform_model(2, n, n, 50.0, 50.0, 10.0, 1.0, 10.0, 1.0, 1e-5, 5.0);
  for (Index k = 0; k < n * n; ++k) m.grid.bottom[static_cast<std::size_t>(n * n + k)] = 0.0;
  make_convertible(m, 0.2);
  m.time.periods = {StressPeriod{20.0, 4, 1.0, false}};
  std::vector<double> rate(static_cast<std::size_t>(n * n), 0.0);
  for (Index i = c - 2; i <= c + 2; ++i)
    for (Index j = c - 2; j <= c + 2; ++j) rate[static_cast<std::size_t>(i * n + j)] = 0.15;
  m.stresses.rch.rate.set(0, rate);
  std::vector<Index> edge;
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j)
      if (i == 0 || j == 0 || i == n - 1 || j == n - 1) edge.push_back(m.grid.index(1, i, j));
  m.stresses.chd.push_back(chd_group("edge", edge, 5.0));
  const std::string path = ::testing::TempDir() + "gwsim_dry_flags.h5";
  Hdf5Writer writer(path);
  Simulation sim(m);
  sim.run(writer);
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  const hid_t d = H5Dopen2(f, "dry", H5P_DEFAULT);
  ASSERT_GE(d, 0);
  std::vector<std::int8_t> flag(static_cast<std::size_t>(4 * 2 * n * n));
  ASSERT_GE(H5Dread(d, H5T_NATIVE_INT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, flag.data()), 0);
  H5Dclose(d);
  H5Fclose(f);
  // Last saved step: flags equal head <= bottom, cell by cell.
  const auto last = flag.begin() + 3 * 2 * n * n;
  Index dry = 0;
  for (Index k = 0; k < 2 * n * n; ++k) {
    const bool expected = sim.head()[static_cast<std::size_t>(k)] <= m.grid.cell_bottom(k);
    EXPECT_EQ(last[k] != 0, expected) << "cell " << k;
    dry += expected;
  }
  EXPECT_GT(dry, 0);
  EXPECT_LT(dry, n * n); // the mound wetted part of the thin top layer
  std::remove(path.c_str());
}

// Late-time drawdown in an unconfined aquifer approaches Theis with specific
// yield as the storage coefficient (drawdown corrected for the thinning of
// the saturated thickness, Jacob 1944: s' = s - s^2 / (2 b)).
TEST(WaterTable, UnconfinedLateTimeApproachesTheisWithSpecificYield) {
  const Index n = 201, c = 100;
  const double b = 50.0, K = 2.0, T = K * b, Sy = 0.1, Q = 200.0;
  ModelData m = test::uniform_model(1, n, n, 10.0, 10.0, 100.0, 100.0, K, K, 1e-5, b);
  make_convertible(m, Sy);
  m.time.periods = {StressPeriod{100.0, 40, 1.1, false}};
  std::vector<Index> edge;
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j)
      if (i == 0 || j == 0 || i == n - 1 || j == n - 1) edge.push_back(m.grid.index(0, i, j));
  m.stresses.chd.push_back(chd_group("far", edge, b));
  m.stresses.wel.push_back(test::well("w", m.grid.index(0, c, c), -Q));
  Simulation sim(m);
  RecordingSink sink;
  sim.run(sink);
  double worst = 0.0;
  for (Index k : {5, 10, 20}) {
    const double r = 10.0 * k, t = 100.0;
    const double s = b - sim.head()[static_cast<std::size_t>(m.grid.index(0, c, c + k))];
    const double corrected = s - s * s / (2.0 * b);
    const double expected = test::theis_drawdown(Q, T, Sy, r, t);
    EXPECT_NEAR(corrected, expected, 0.02 * expected) << "r = " << r << " m";
    worst = std::max(worst, std::abs(corrected / expected - 1.0));
  }
  std::printf("Unconfined Theis (Sy): worst relative error %.4f\n", worst);
  expect_budgets_close(sink, 1e-4);
}

} // namespace
} // namespace gwsim

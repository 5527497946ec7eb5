// Confined flow against analytic solutions (Thiem, Theis), against the Eigen
// direct solver, budget closure, and thread-count independence.
#include <gtest/gtest.h>

#include <cmath>

#include "core/parallel.hpp"
#include "model/simulation.hpp"
#include "support/model_builder.hpp"
#include "support/recording_sink.hpp"
#include "verification/analytic.hpp"

namespace gwsim {
namespace {

using test::RecordingSink;

// Budget closure required in every step of every test here, percent.
constexpr double kMaxDiscrepancyPercent = 1e-6;

void expect_budgets_close(const RecordingSink& sink) {
  ASSERT_FALSE(sink.budgets.empty());
  for (std::size_t s = 0; s < sink.budgets.size(); ++s)
    EXPECT_LT(std::abs(sink.budgets[s].percent_discrepancy), kMaxDiscrepancyPercent) << "step " << s;
}

// Thiem: steady radial flow to a well in a confined aquifer, held at h = 0
// on a ring of radius R by constant-head cells.
TEST(Confined, ThiemSteadyRadialFlow) {
  const Index n = 201, c = 100;          // 201 x 201 cells, well in the centre
  const double dx = 10.0, b = 10.0, K = 10.0, T = K * b, Q = 1000.0, R = 950.0;
  ModelData m = test::uniform_model(1, n, n, dx, dx, 0.0, b, K, K, 1e-5, 0.0);
  ConstantHead ring;
  ring.name = "ring";
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j)
      if (std::hypot(double(i - c), double(j - c)) * dx >= R) ring.cells.push_back(m.grid.index(0, i, j));
  ring.head.set(0, 0.0);
  m.stresses.chd.push_back(ring);
  m.stresses.wel.push_back(test::well("w", m.grid.index(0, c, c), -Q));

  Simulation sim(m);
  RecordingSink sink;
  sim.run(sink);
  const auto& h = sim.head();
  auto head_at = [&](Index di, Index dj) { return h[static_cast<std::size_t>(m.grid.index(0, c + di, c + dj))]; };
  // Drawdown difference between r1 and r2 is Q/(2 pi T) ln(r2/r1), along the
  // axis and along the diagonal, away from the well cell (r >= 5 cells).
  struct Pair { Index i1, j1, i2, j2; };
  for (const Pair p : {Pair{0, 5, 0, 40}, Pair{10, 0, 60, 0}, Pair{5, 5, 30, 30}, Pair{0, 8, 0, 80}}) {
    const double r1 = std::hypot(double(p.i1), double(p.j1)) * dx, r2 = std::hypot(double(p.i2), double(p.j2)) * dx;
    const double expected = test::thiem_difference(Q, T, r1, r2);
    const double got = head_at(p.i2, p.j2) - head_at(p.i1, p.j1); // s(r1) - s(r2)
    EXPECT_NEAR(got, expected, 0.01 * expected) << "r1 = " << r1 << " m, r2 = " << r2 << " m";
  }
  expect_budgets_close(sink);
  // All pumped water comes from the ring.
  EXPECT_NEAR(sink.term(0, "chd").in - sink.term(0, "chd").out, Q, 1e-6 * Q);
  EXPECT_NEAR(sink.term(0, "wel").out, Q, 1e-12 * Q);
}

// Theis: transient drawdown around a well pumping from t = 0, far boundary
// beyond the radius of influence at the times checked.
TEST(Confined, TheisTransientDrawdown) {
  const Index n = 301, c = 150;
  const double dx = 10.0, b = 10.0, K = 10.0, T = K * b, Ss = 1e-4, S = Ss * b, Q = 500.0;
  ModelData m = test::uniform_model(1, n, n, dx, dx, 0.0, b, K, K, Ss, 0.0);
  m.time.periods = {StressPeriod{0.5, 60, 1.08, false}, StressPeriod{0.5, 25, 1.0, false},
                    StressPeriod{1.0, 40, 1.0, false}};
  ConstantHead edge;
  edge.name = "far";
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j)
      if (i == 0 || j == 0 || i == n - 1 || j == n - 1) edge.cells.push_back(m.grid.index(0, i, j));
  edge.head.set(0, 0.0);
  m.stresses.chd.push_back(edge);
  m.stresses.wel.push_back(test::well("w", m.grid.index(0, c, c), -Q));
  m.solver.residual_tolerance = 1e-13;

  Simulation sim(m);
  RecordingSink sink;
  sim.run(sink);
  expect_budgets_close(sink);
  // Checked where the grid resolves the solution: r >= 5 cells, u <= 0.5.
  int checked = 0;
  double worst = 0.0;
  for (std::size_t s = 0; s < sink.info.size(); ++s) {
    const double t = sink.info[s].time;
    const bool at_check_time = std::abs(t - 0.5) < 1e-9 || std::abs(t - 1.0) < 1e-9 || std::abs(t - 2.0) < 1e-9;
    if (!at_check_time) continue;
    for (Index r_cells : {5, 10, 20, 40}) {
      const double r = r_cells * dx;
      const double u = r * r * S / (4.0 * T * t);
      if (u > 0.5) continue;
      const double expected = test::theis_drawdown(Q, T, S, r, t);
      const double got = -sink.heads[s][static_cast<std::size_t>(m.grid.index(0, c, c + r_cells))];
      EXPECT_NEAR(got, expected, 0.02 * expected) << "t = " << t << " d, r = " << r << " m";
      worst = std::max(worst, std::abs(got / expected - 1.0));
      ++checked;
    }
  }
  EXPECT_EQ(checked, 11);
  RecordProperty("worst_relative_error", std::to_string(worst));
  std::printf("Theis: worst relative error %.4f over %d points\n", worst, checked); // u > 0.5 drops r = 400 m at t = 0.5 d
}

// A two-layer heterogeneous model with inactive cells, every stress type,
// steady then transient: PCG equals the Eigen direct solver to 1e-8 m.
ModelData two_layer_model(SolverKind kind) {
  ModelData m = test::uniform_model(2, 18, 23, 50.0, 40.0, 20.0, 15.0, 5.0, 0.05, 2e-5, 10.0);
  for (Index n = 0; n < m.grid.ncell(); ++n) {
    const auto u = static_cast<std::size_t>(n);
    const Index i = m.grid.row_of(n), j = m.grid.col_of(n);
    m.aquifer.k[u] = 1.0 + 20.0 * std::abs(std::sin(0.7 * double(i) + 1.3 * double(j) + double(m.grid.layer_of(n))));
    m.aquifer.k33[u] = 0.01 * m.aquifer.k[u];
  }
  for (Index i = 0; i < 5; ++i) m.grid.active[static_cast<std::size_t>(m.grid.index(0, i, 22 - i))] = 0;
  m.grid.active[static_cast<std::size_t>(m.grid.index(1, 9, 9))] = 0;
  m.time.periods = {StressPeriod{1.0, 1, 1.0, true}, StressPeriod{100.0, 5, 1.5, false}};
  ConstantHead chd;
  chd.name = "west";
  for (Index i = 0; i < 18; ++i) chd.cells.push_back(m.grid.index(0, i, 0));
  chd.head.set(0, 12.0);
  m.stresses.chd.push_back(chd);
  GeneralHead ghb;
  ghb.name = "east";
  for (Index i = 0; i < 18; ++i) ghb.cells.push_back(m.grid.index(1, i, 22));
  ghb.head.set(0, 8.0);
  ghb.conductance.set(0, 30.0);
  m.stresses.ghb.push_back(ghb);
  m.stresses.wel.push_back(test::well("deep", m.grid.index(1, 9, 12), -800.0));
  m.stresses.wel.push_back(test::well("shallow", m.grid.index(0, 4, 6), -150.0));
  m.stresses.wel.back().rate.set(1, 200.0); // injects from period 2
  m.stresses.rch.rate.set(0, std::vector<double>(18 * 23, 4e-4));
  m.solver.kind = kind;
  return m;
}

TEST(Confined, TwoLayerMatchesDirectSolver) {
  const ModelData iterative = two_layer_model(SolverKind::pcg);
  const ModelData direct = two_layer_model(SolverKind::direct);
  RecordingSink a, b;
  Simulation(iterative).run(a);
  Simulation(direct).run(b);
  ASSERT_EQ(a.heads.size(), 6u);
  ASSERT_EQ(b.heads.size(), 6u);
  for (std::size_t s = 0; s < a.heads.size(); ++s)
    for (std::size_t n = 0; n < a.heads[s].size(); ++n)
      ASSERT_NEAR(a.heads[s][n], b.heads[s][n], 1e-8) << "step " << s << " cell " << n;
  expect_budgets_close(a);
  expect_budgets_close(b);
  // The shallow well turns from pumping to injection in period 2: heads rise
  // and water goes into storage.
  EXPECT_GT(a.term(1, "storage").out, 0.0);
  EXPECT_EQ(a.term(1, "storage").in, 0.0);
}

TEST(Confined, SameHeadsWithOneAndTwoThreads) {
  const ModelData m = two_layer_model(SolverKind::pcg);
  set_threads(1);
  RecordingSink one;
  Simulation(m).run(one);
  set_threads(2);
  RecordingSink two;
  Simulation(m).run(two);
  ASSERT_EQ(one.heads.size(), two.heads.size());
  for (std::size_t s = 0; s < one.heads.size(); ++s) EXPECT_EQ(one.heads[s], two.heads[s]) << "step " << s;
  EXPECT_EQ(one.summary.solver_iterations, two.summary.solver_iterations);
}

TEST(Confined, StepLengthsFollowTheMultiplierAndSumToThePeriod) {
  const auto dt = step_lengths(StressPeriod{31.0, 3, 2.0, false});
  ASSERT_EQ(dt.size(), 3u);
  // 31 = a (1 + 2 + 4): a = 31/7.
  EXPECT_NEAR(dt[0], 31.0 / 7.0, 1e-12);
  EXPECT_NEAR(dt[1], 62.0 / 7.0, 1e-12);
  EXPECT_NEAR(dt[0] + dt[1] + dt[2], 31.0, 1e-12);
}

} // namespace
} // namespace gwsim

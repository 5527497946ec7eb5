// Rivers, canals and ponds against analytic solutions (Hantush 1967 basin
// mound, Glover and Hunt stream depletion) and the pond water balance.
#include <gtest/gtest.h>

#include <tuple>

#include <algorithm>
#include <cmath>

#include "model/simulation.hpp"
#include "support/model_builder.hpp"
#include "support/recording_sink.hpp"
#include "verification/analytic.hpp"

namespace gwsim {
namespace {

using test::RecordingSink;

void expect_budgets_close(const RecordingSink& s, double max_percent) {
  ASSERT_FALSE(s.budgets.empty());
  for (std::size_t k = 0; k < s.budgets.size(); ++k)
    EXPECT_LT(std::abs(s.budgets[k].percent_discrepancy), max_percent) << "step " << k;
}

/// A reach along the cells given, with conductance c per cell and a fixed
/// stage, bed bottom well below the heads.
RiverReach reach(const std::string& name, std::vector<Index> cells, double c, double stage) {
  RiverReach r;
  r.name = name;
  r.cells = std::move(cells);
  r.conductance.assign(r.cells.size(), c);
  r.length.assign(r.cells.size(), 0.0);
  r.bed_bottom.assign(r.cells.size(), -1000.0);
  r.bed_top.assign(r.cells.size(), -999.0);
  r.stage.set(0, stage);
  return r;
}

// Hantush (1967) mound under a square recharge basin, the comparison case of
// USGS SIR 2010-5102 (Carleton), in metres. A quarter of the basin is
// modelled (no-flow symmetry lines through its centre).
struct HantushBasin {
  static constexpr double ft = 0.3048;
  static constexpr double K = 4.0 * ft, Sy = 0.085, infiltration = 1.333 * ft;
  static constexpr double half_width = 33.63 * ft, t = 1.5;
  static constexpr Index nb = 34;                  // cells across the half-basin
  static constexpr double dx = half_width / nb;    // so the basin edge falls on a cell face
  static constexpr Index n = 200;                  // 60 m: beyond the mound's reach at 1.5 d
  /// The SIR 2010-5102 table: distances from the centre and rises, ft.
  static constexpr double distance[] = {0, 10, 20, 30, 40, 50, 75, 100};

  /// The recharge of the basin's quarter, m/d, in a one-layer model.
  static void add_recharge(ModelData& m) {
    std::vector<double> rate(static_cast<std::size_t>(n * n), 0.0);
    for (Index i = 0; i < nb; ++i)
      for (Index j = 0; j < nb; ++j) rate[static_cast<std::size_t>(i * n + j)] = infiltration;
    m.stresses.rch.rate.set(0, rate);
  }
  /// Head along the first row (its centres are dx/2 from the symmetry
  /// line, where the mound is flat across) at x_ft from the centre,
  /// interpolated between columns, m.
  static double head_at(const std::vector<double>& head, double x_ft) {
    const double pos = x_ft * ft / dx - 0.5;
    const Index j = std::clamp<Index>(static_cast<Index>(std::floor(pos)), 0, n - 2);
    const double w = std::clamp(pos - double(j), 0.0, 1.0);
    return (1.0 - w) * head[static_cast<std::size_t>(j)] + w * head[static_cast<std::size_t>(j + 1)];
  }
};

TEST(SurfaceWater, HantushMoundUnderRechargeBasin) {
  using B = HantushBasin;
  const double ft = B::ft, h0 = 10.0 * ft;
  ModelData m = test::uniform_model(1, B::n, B::n, B::dx, B::dx, 20.0, 20.0, B::K, B::K, 1e-6, h0);
  std::fill(m.aquifer.layer_type.begin(), m.aquifer.layer_type.end(), LayerType::convertible);
  std::fill(m.aquifer.sy.begin(), m.aquifer.sy.end(), B::Sy);
  m.time.periods = {StressPeriod{B::t, 40, 1.05, false}};
  B::add_recharge(m);
  m.solver.kind = SolverKind::multigrid;
  Simulation sim(m);
  RecordingSink sink;
  sink.keep_heads = false;
  sim.run(sink);
  // Published values: Hantush's linearised solution with the average
  // saturated thickness iterated at each point (the SIR 2010-5102 case).
  // `centre` is the same solution with the thickness of the mound centre,
  // computed for this test (Python, 4000-point quadrature of F(alpha, beta)).
  const double published[] = {12.63, 12.32, 11.31, 9.41, 6.63, 4.29, 1.07, 0.19};
  const double centre[] = {12.63, 12.36, 11.49, 9.86, 7.49, 5.46, 2.13, 0.66};
  for (int i = 0; i < 8; ++i) {
    const double d = B::distance[i], got = (B::head_at(sim.head(), d) - h0) / ft;
    std::printf("Hantush basin: %5.0f ft: %6.3f ft (published %5.2f, %+.1f%%)\n", d, got, published[i],
                100.0 * (got / published[i] - 1.0));
    if (d <= 40.0) {
      // Under the basin and at its edge the mound is within 5%.
      EXPECT_NEAR(got, published[i], 0.05 * published[i]) << "at " << d << " ft";
    } else {
      // In the toe of the mound the linearisation itself is the error: the
      // nonlinear (Boussinesq) mound spreads further than the local-thickness
      // solution and less than the centre-thickness one. The 5% of the issue
      // is not met here (measured +10%, +30%, +43% at 50, 75, 100 ft); see
      // the issue notes. It is not the discretisation: with half the cell
      // size and a quarter of the step length (68 cells across the
      // half-basin, 160 steps) the rises are 4.73, 1.38, 0.266 ft (here
      // 4.72, 1.39, 0.272), measured 2026-11-27; and the model of the
      // linearised equation matches Hantush's formula within 0.6% at all
      // eight distances (HantushMoundOfTheLinearisedEquation).
      EXPECT_GT(got, published[i]) << "at " << d << " ft";
      EXPECT_LT(got, centre[i]) << "at " << d << " ft";
    }
  }
  expect_budgets_close(sink, 0.01);
}

// The same basin for the linearised equation Hantush (1967) solved: a
// confined layer of transmissivity K b and storage coefficient Sy, with b
// the mean saturated thickness under the mound's centre (10 ft + 12.63 /
// 2 ft), against his formula evaluated here (analytic.hpp), at the eight
// distances of the SIR 2010-5102 table. Where the unconfined test above
// differs from the published values (the toe, 50-100 ft), this one shows
// the discretised basin, recharge and storage agree with the analytic
// linear solution: the difference there is the linearisation. 160 equal
// steps: with the 40 growing steps of the test above, backward Euler's
// error is -0.7% under the basin and +2.8% at 100 ft; with 160 it is below
// 0.6% everywhere (tolerance 1%).
TEST(SurfaceWater, HantushMoundOfTheLinearisedEquation) {
  using B = HantushBasin;
  const double ft = B::ft, b = (10.0 + 0.5 * 12.63) * ft;
  auto analytic = [&](double x, double y) {
    return test::hantush_basin_rise(B::infiltration, B::K, b, B::Sy, B::half_width, B::half_width, x, y, B::t);
  };
  // The formula itself: at the centre, with this thickness (the one
  // Hantush's iteration settles on there), it gives the published 12.63 ft.
  EXPECT_NEAR(analytic(0.0, 0.0) / ft, 12.63, 0.005);
  ModelData m = test::uniform_model(1, B::n, B::n, B::dx, B::dx, b, b, B::K, B::K, B::Sy / b, 0.5 * b);
  m.time.periods = {StressPeriod{B::t, 160, 1.0, false}};
  B::add_recharge(m);
  Simulation sim(m);
  RecordingSink sink;
  sink.keep_heads = false;
  sim.run(sink);
  for (double d : B::distance) {
    const double got = B::head_at(sim.head(), d) - 0.5 * b, expected = analytic(d * ft, 0.5 * B::dx);
    std::printf("Hantush basin, linearised: %5.0f ft: %7.4f ft (analytic %7.4f, %+.2f%%)\n", d, got / ft,
                expected / ft, 100.0 * (got / expected - 1.0));
    EXPECT_NEAR(got, expected, 0.01 * expected) << "at " << d << " ft";
  }
  expect_budgets_close(sink, 0.01);
}

// Glover: a fully penetrating river (a RIV line with a bed conductance far
// above the aquifer's) at distance d from a well in a semi-infinite confined
// aquifer: the share of pumping taken from the river is erfc(sqrt(S d^2 / 4Tt)).
TEST(SurfaceWater, GloverStreamDepletion) {
  const double dx = 20.0, T = 100.0, S = 0.01, b = 10.0, d = 200.0, Q = 1000.0;
  const Index nrow = 151, ncol = 100, wr = 75, wc = 10;
  ModelData m = test::uniform_model(1, nrow, ncol, dx, dx, 0.0, b, T / b, T / b, S / b, 0.0);
  const double F = d * d * S / T; // 4 d
  m.time.periods = {StressPeriod{0.5 * F, 30, 1.1, false}, StressPeriod{0.5 * F, 15, 1.0, false},
                    StressPeriod{F, 15, 1.0, false}, StressPeriod{8.0 * F, 30, 1.05, false}};
  std::vector<Index> river;
  for (Index i = 0; i < nrow; ++i) river.push_back(m.grid.index(0, i, 0));
  m.stresses.riv.push_back(reach("river", river, 1e5, 0.0));
  m.stresses.wel.push_back(test::well("w", m.grid.index(0, wr, wc), -Q));
  m.solver.kind = SolverKind::multigrid;
  Simulation sim(m);
  RecordingSink sink;
  sink.keep_heads = false;
  sim.run(sink);
  const double ratio[] = {0.5, 1.0, 2.0, 10.0};
  const double published[] = {0.317, 0.480, 0.617, 0.823};
  for (int k = 0; k < 4; ++k) {
    const double t = ratio[k] * F;
    const auto s = static_cast<std::size_t>(std::find_if(sink.info.begin(), sink.info.end(),
                                                         [&](const StepInfo& i) { return std::abs(i.time - t) < 1e-9; }) -
                                            sink.info.begin());
    ASSERT_LT(s, sink.info.size());
    const double expected = std::erfc(std::sqrt(S * d * d / (4.0 * T * t)));
    EXPECT_NEAR(expected, published[k], 0.0005); // the formula reproduces the table
    const auto& riv = sink.term(s, "riv");
    const double got = (riv.in - riv.out) / Q;
    EXPECT_NEAR(got, expected, 0.03 * expected) << "t/F = " << ratio[k];
    std::printf("Glover: t/F = %4.1f: %.4f (erfc %.4f)\n", ratio[k], got, expected);
  }
  expect_budgets_close(sink, 1e-5);
}

// Hunt (1999): a narrow stream with a streambed of finite conductance
// (lambda per unit length) in an aquifer on both sides.
double hunt_depletion(double T, double S, double d, double lambda, double t) {
  const double a = std::sqrt(S * d * d / (4.0 * T * t)), b = std::sqrt(lambda * lambda * t / (4.0 * S * T));
  return std::erfc(a) - std::exp(lambda * lambda * t / (4.0 * S * T) + lambda * d / (2.0 * T)) * std::erfc(b + a);
}

TEST(SurfaceWater, HuntStreamDepletionWithStreambedResistance) {
  const double dx = 20.0, T = 100.0, S = 0.01, b = 10.0, d = 200.0, Q = 1000.0, lambda = 1.0;
  const Index nrow = 151, ncol = 121, rc = 60, wr = 75;
  ModelData m = test::uniform_model(1, nrow, ncol, dx, dx, 0.0, b, T / b, T / b, S / b, 0.0);
  const double F = d * d * S / T;
  m.time.periods = {StressPeriod{0.5 * F, 30, 1.1, false}, StressPeriod{0.5 * F, 15, 1.0, false},
                    StressPeriod{F, 15, 1.0, false}, StressPeriod{8.0 * F, 30, 1.05, false}};
  std::vector<Index> river;
  for (Index i = 0; i < nrow; ++i) river.push_back(m.grid.index(0, i, rc));
  m.stresses.riv.push_back(reach("stream", river, lambda * dx, 0.0));
  m.stresses.wel.push_back(test::well("w", m.grid.index(0, wr, rc + 10), -Q));
  m.solver.kind = SolverKind::multigrid;
  Simulation sim(m);
  RecordingSink sink;
  sink.keep_heads = false;
  sim.run(sink);
  for (double ratio : {0.5, 1.0, 2.0, 10.0}) {
    const double t = ratio * F;
    const auto s = static_cast<std::size_t>(std::find_if(sink.info.begin(), sink.info.end(),
                                                         [&](const StepInfo& i) { return std::abs(i.time - t) < 1e-9; }) -
                                            sink.info.begin());
    ASSERT_LT(s, sink.info.size());
    const double expected = hunt_depletion(T, S, d, lambda, t);
    const auto& riv = sink.term(s, "riv");
    const double got = (riv.in - riv.out) / Q;
    EXPECT_NEAR(got, expected, 0.03 * expected) << "t/F = " << ratio;
    std::printf("Hunt: t/F = %4.1f: %.4f (analytic %.4f, Glover %.4f)\n", ratio, got, expected,
                std::erfc(std::sqrt(S * d * d / (4.0 * T * t))));
  }
  expect_budgets_close(sink, 1e-5);
}

// A pond filled from a canal in summer through a connection, then left to
// seep: its balance closes every step, seepage is C (stage - h) cell by
// cell, and it empties without going negative.
/// The ponds' aquifer: 21 x 21 cells of 50 m, one confined layer (top 20
/// m, 30 m thick, K 5 m/d, Ss 1e-4 1/m), heads 10 m, fixed on the edge.
constexpr Index pond_grid = 21;
constexpr double pond_dx = 50.0;
ModelData pond_aquifer() {
  const Index n = pond_grid;
  ModelData m = test::uniform_model(1, n, n, pond_dx, pond_dx, 20.0, 30.0, 5.0, 5.0, 1e-4, 10.0);
  ConstantHead chd;
  chd.name = "edge";
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j)
      if (i == 0 || j == 0 || i == n - 1 || j == n - 1) chd.cells.push_back(m.grid.index(0, i, j));
  chd.head.set(0, 10.0);
  m.stresses.chd.push_back(chd);
  return m;
}

/// A pond on the 3 x 3 centre cells with a bed of K bed_k (m/d), 1 m
/// thick, above bed_bottom (m), and vertical walls: empty at `floor`, its
/// table up to `table_top` (m).
Pond centre_pond(const ModelData& m, double bed_k, double bed_bottom, double floor, double table_top) {
  Pond pond;
  pond.name = "pond";
  for (Index i = 9; i <= 11; ++i)
    for (Index j = 9; j <= 11; ++j) pond.cells.push_back(m.grid.index(0, i, j));
  pond.conductance.assign(pond.cells.size(), bed_k * pond_dx * pond_dx / 1.0);
  pond.bed_bottom = bed_bottom;
  const double area = static_cast<double>(pond.cells.size()) * pond_dx * pond_dx;
  pond.table_stage = {floor, table_top};
  pond.table_area = {area, area};
  pond.table_volume = {0.0, (table_top - floor) * area};
  return pond;
}

/// Run m with `pond` added, Newton converged to 1e-6 m.
RecordingSink run_with_pond(ModelData m, const Pond& pond) {
  m.stresses.ponds.push_back(pond);
  m.newton.head_tolerance = 1e-6;
  Simulation sim(m);
  RecordingSink sink;
  EXPECT_NO_THROW(sim.run(sink));
  return sink;
}

TEST(SurfaceWater, PondFilledByConnectionSeepsAndEmpties) {
  const double cell_area = pond_dx * pond_dx;
  ModelData m = pond_aquifer();
  m.time.start = Date{2015, 5, 1};
  m.time.periods = {StressPeriod{31.0, 31, 1.0, false}, StressPeriod{92.0, 92, 1.0, false},
                    StressPeriod{153.0, 51, 1.0, false}};
  // The canal: far from the pond, dry in May, 2 m of water from June.
  RiverReach canal = reach("canal", {m.grid.index(0, 3, 3)}, 10.0, 0.0);
  canal.stage = {};
  canal.stage_is_depth = true;
  canal.bed_top = {12.0};
  canal.bed_bottom = {11.0};
  canal.stage.set(0, 0.0);
  canal.stage.set(1, 2.0);
  m.stresses.riv.push_back(canal);
  Pond pond = centre_pond(m, 0.05, 14.0, 15.0, 19.0);
  const double area = 9.0 * cell_area;
  pond.max_stage = 18.0;
  pond.initial_stage = 15.0;
  pond.evaporation.set(0, 0.05);
  pond.rain.set(0, 0.001);
  m.stresses.ponds.push_back(pond);
  Connection con;
  con.name = "feed";
  con.canal = 0;
  con.pond = 0;
  con.months = {6, 7, 8};
  con.max_rate = 20000.0;
  m.stresses.connections.push_back(con);
  Simulation sim(m);
  RecordingSink sink;
  ASSERT_NO_THROW(sim.run(sink));
  ASSERT_EQ(sink.ponds.size(), sink.info.size());
  double peak = 0.0;
  bool emptied_after_peak = false;
  for (std::size_t s = 0; s < sink.ponds.size(); ++s) {
    const PondBalance& p = sink.ponds[s][0];
    const double dt = sink.info[s].dt;
    // Balance: volume change against the terms, relative to the water moved.
    const double moved = std::max({p.volume, (p.connections + p.rain + p.evaporation + std::abs(p.seepage)) * dt, 1.0});
    EXPECT_LT(std::abs(p.imbalance) * dt / moved, 1e-8) << "step " << s;
    EXPECT_GE(p.volume, 0.0);
    EXPECT_GE(p.stage, 15.0);
    // Seepage is C (stage - max(h, bed bottom)) summed over the pond cells,
    // recomputed here from the reported stage and heads.
    if (p.volume > 0.0) {
      double expected = 0.0;
      for (std::size_t c = 0; c < pond.cells.size(); ++c)
        expected += pond.conductance[c] * (p.stage - std::max(sink.heads[s][static_cast<std::size_t>(pond.cells[c])], pond.bed_bottom));
      EXPECT_NEAR(p.seepage, expected, 1e-9 * std::abs(expected)) << "step " << s;
    }
    const int month = Date::from_days_since_epoch(m.time.start.days_since_epoch() + long(sink.info[s].time - 0.5)).month;
    if (month == 5) {
      EXPECT_EQ(p.connections, 0.0) << "canal dry, May";
    } else if (month >= 6 && month <= 8) {
      EXPECT_GT(p.connections, 0.0) << "step " << s;
    } else {
      EXPECT_EQ(p.connections, 0.0);
    }
    peak = std::max(peak, p.volume);
    if (peak > 0.0 && month >= 9 && p.volume == 0.0) emptied_after_peak = true;
  }
  EXPECT_GT(peak, 0.5 * 3.0 * area) << "the pond filled";
  EXPECT_TRUE(emptied_after_peak) << "the pond emptied after the feeding season";
  // The water diverted is what the pond received.
  for (std::size_t s = 0; s < sink.reaches.size(); ++s)
    EXPECT_DOUBLE_EQ(sink.reaches[s][0].diverted, sink.ponds[s][0].connections);
  expect_budgets_close(sink, 1e-5);
}

// A pond between its floor and spill level: the stage follows the heads of
// its bed cells (ds/dh_j = dt C_j / g'(s)), so each cell's seepage depends
// on the heads of all of them. With that coupling in the Jacobian (a
// rank-one term) Newton converges in two iterations on this otherwise
// linear model; holding the stage fixed in the derivative converged at a
// rate of about dt sum C / g'(s) = 0.8 here, 50 and more iterations per
// step at 1e-6 m.
TEST(SurfaceWater, PondStageCouplingKeepsNewtonQuadratic) {
  const double cell_area = pond_dx * pond_dx;
  ModelData m = pond_aquifer();
  m.time.periods = {StressPeriod{100.0, 10, 1.0, false}};
  Pond pond = centre_pond(m, 0.5, 5.0, 5.0, 30.0); // bed bottom below every head: connected
  const double area = 9.0 * cell_area;
  pond.max_stage = 29.0;
  pond.initial_stage = 20.0;
  pond.inflow.set(0, 3000.0); // m3/d
  const RecordingSink sink = run_with_pond(m, pond);
  ASSERT_EQ(sink.info.size(), 10u);
  double sum_c = 0.0;
  for (double c : pond.conductance) sum_c += c;
  for (std::size_t s = 0; s < sink.info.size(); ++s) {
    const PondBalance& p = sink.ponds[s][0];
    // The case this test is about: the stage moves with the heads, and
    // the fixed-stage derivative would converge slowly.
    ASSERT_GT(p.stage, 5.0) << "step " << s;
    ASSERT_LT(p.stage, 29.0) << "step " << s;
    const double rate = sink.info[s].dt * sum_c / (area + sink.info[s].dt * sum_c);
    EXPECT_GT(rate, 0.75);
    EXPECT_LE(sink.info[s].newton_iterations, 3) << "step " << s;
    // The converged step: pond balance and seepage from the reported
    // stage and heads.
    EXPECT_LT(std::abs(p.imbalance), 1e-8 * 3000.0) << "step " << s;
    double expected = 0.0;
    for (std::size_t c = 0; c < pond.cells.size(); ++c)
      expected += pond.conductance[c] * (p.stage - sink.heads[s][static_cast<std::size_t>(pond.cells[c])]);
    EXPECT_NEAR(p.seepage, expected, 1e-9 * std::abs(expected)) << "step " << s;
  }
  expect_budgets_close(sink, 1e-5);
}

// A convertible aquifer (its Newton systems are nonsymmetric) under a small
// pond on a permeable bed, fed for 60 days and then left to seep and
// evaporate until it runs dry. In the step it empties, its losing cells
// share the water there is, each cell's share following every cell's head;
// with that coupling in the Jacobian (PondPackage::emptying_coupling; the
// exact derivatives are checked in tests/unit/test_pond_jacobian.cpp)
// Newton takes 4-6 iterations in those steps at 1e-6 m, without it 20-58.
TEST(SurfaceWater, EmptyingPondKeepsNewtonFastInConvertibleModels) {
  const Index n = pond_grid;
  ModelData m = test::uniform_model(1, n, n, pond_dx, pond_dx, 20.0, 30.0, 5.0, 5.0, 1e-4, 10.0);
  m.aquifer.layer_type[0] = LayerType::convertible;
  std::fill(m.aquifer.sy.begin(), m.aquifer.sy.end(), 0.02);
  // Heads falling from 20 m (west) to 0 m (east): the steady Dupuit profile.
  for (const auto& [name, col, head] : {std::tuple{"west", Index{0}, 20.0}, std::tuple{"east", n - 1, 0.0}}) {
    ConstantHead chd;
    chd.name = name;
    for (Index i = 0; i < n; ++i) chd.cells.push_back(m.grid.index(0, i, col));
    chd.head.set(0, head);
    m.stresses.chd.push_back(chd);
  }
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j)
      m.initial_head[static_cast<std::size_t>(m.grid.index(0, i, j))] = std::sqrt(900.0 - 40.0 * static_cast<double>(j)) - 10.0;
  m.time.periods = {StressPeriod{60.0, 6, 1.0, false}, StressPeriod{120.0, 12, 1.0, false}};
  Pond pond = centre_pond(m, 0.5, 12.4, 13.4, 17.4); // heads 13.2, 12.4, 11.4 under its columns
  pond.table_area = {2000.0, 2000.0};                   // m2: its stage follows the heads closely
  pond.table_volume = {0.0, 4.0 * 2000.0};
  pond.max_stage = 16.4;
  pond.initial_stage = 13.4;
  pond.inflow.set(0, 800.0); // m3/d, then nothing
  pond.inflow.set(1, 0.0);
  pond.evaporation.set(0, 0.05);
  const RecordingSink sink = run_with_pond(m, pond);
  ASSERT_EQ(sink.info.size(), 18u);
  int emptied = 0, newton = 0;
  for (std::size_t s = 0; s < sink.info.size(); ++s) {
    const PondBalance& p = sink.ponds[s][0];
    if (p.volume == 0.0 && p.seepage > 0.0 && s > 0 && sink.ponds[s - 1][0].volume > 0.0) ++emptied;
    newton += sink.info[s].newton_iterations;
    EXPECT_LE(sink.info[s].newton_iterations, 8) << "step " << s << ", stage " << p.stage;
  }
  EXPECT_EQ(emptied, 1) << "the step the pond runs dry, losing water to the aquifer";
  EXPECT_LE(newton, 80) << "Newton iterations of the 18 steps";
  expect_budgets_close(sink, 1e-5);
}

} // namespace
} // namespace gwsim

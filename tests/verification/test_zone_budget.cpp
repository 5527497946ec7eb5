// Zone budgets: every term per zone and aquifer, closing per unit, adding up
// to the model budget, and the flow between zones against Darcy's law.
#include <gtest/gtest.h>

#include <cmath>

#include "core/parallel.hpp"

#include "model/simulation.hpp"
#include "support/model_builder.hpp"
#include "support/recording_sink.hpp"

namespace gwsim {
namespace {

struct ZoneSink : test::RecordingSink {
  std::vector<ZoneBudgetStep> zones;
  void zone_budget(const StepInfo&, const ZoneBudgetStep& z) override { zones.push_back(z); }
};

// 2 layers x 5 rows x 10 columns of 100 m; the west half is zone 1, the east
// half zone 2; each layer its own aquifer. Fixed heads 20 m (west column,
// both layers) and 10 m (east column); K 10 m/d, 10 m thick layers.
ModelData two_zone_model() {
  ModelData m = test::uniform_model(2, 5, 10, 100.0, 100.0, 0.0, 10.0, 10.0, 10.0, 1e-4, 15.0);
  m.zones.id.assign(50, 0);
  for (Index c = 0; c < 50; ++c) m.zones.id[std::size_t(c)] = (c % 10) < 5 ? 1 : 2;
  m.zones.ids = {1, 2};
  m.zones.names = {"west", "east"};
  m.aquifers = {AquiferGroup{"upper", {0}}, AquiferGroup{"lower", {1}}};
  ConstantHead w, e;
  w.name = "west";
  e.name = "east";
  for (Index k = 0; k < 2; ++k)
    for (Index i = 0; i < 5; ++i) {
      w.cells.push_back(m.grid.index(k, i, 0));
      e.cells.push_back(m.grid.index(k, i, 9));
    }
  w.head.set(0, 20.0);
  e.head.set(0, 10.0);
  m.stresses.chd = {w, e};
  return m;
}

/// Every zone-aquifer unit's in and out over all terms agree to 1e-6 %.
void expect_units_close(ZoneBudgetStep& z, std::size_t step) {
  for (std::size_t zone = 0; zone < z.nzone; ++zone)
    for (std::size_t a = 0; a < z.naquifer; ++a) {
      double in = 0.0, out = 0.0;
      for (std::size_t t = 0; t < z.terms.size(); ++t) {
        in += z.at(z.in, t, zone, a);
        out += z.at(z.out, t, zone, a);
      }
      EXPECT_LT(100.0 * std::abs(in - out) / (0.5 * (in + out)), 1e-6) << "step " << step << ", zone " << zone
                                                                          << ", aquifer " << a;
    }
}

TEST(ZoneBudget, SteadyFlowAcrossAZoneBoundaryFollowsDarcy) {
  ModelData m = two_zone_model();
  ZoneSink sink;
  Simulation(m).run(sink);
  ASSERT_EQ(sink.zones.size(), 1u);
  ZoneBudgetStep z = sink.zones[0];
  ASSERT_EQ(z.terms.back(), "other_units");
  const std::size_t other = z.terms.size() - 1;
  // Darcy: Q = K b w dh / L per layer, with dh / L = 10 m over 900 m between
  // the fixed-head cell centres, b = 10 m, w = 500 m: 555.6 m3/d per layer,
  // leaving the west zone and entering the east zone in each aquifer.
  const double q = 10.0 * 10.0 * 500.0 * 10.0 / 900.0;
  for (std::size_t a = 0; a < 2; ++a) {
    EXPECT_NEAR(z.at(z.out, other, 0, a), q, 1e-6 * q);
    EXPECT_NEAR(z.at(z.in, other, 1, a), q, 1e-6 * q);
    EXPECT_NEAR(z.at(z.in, 1, 0, a), q, 1e-6 * q) << "constant head feeds the west";
    EXPECT_NEAR(z.at(z.out, 1, 1, a), q, 1e-6 * q) << "and drains the east";
  }
}

TEST(ZoneBudget, UnitsCloseAndAddUpToTheModelBudget) {
  ModelData m = two_zone_model();
  m.time.periods = {StressPeriod{10.0, 4, 1.0, false}};
  m.stresses.wel.push_back(test::well("w", m.grid.index(1, 2, 3), -300.0));
  m.stresses.rch.rate.set(0, std::vector<double>(50, 2e-3));
  ZoneSink sink;
  Simulation(m).run(sink);
  ASSERT_EQ(sink.zones.size(), 4u);
  for (std::size_t s = 0; s < 4; ++s) {
    ZoneBudgetStep z = sink.zones[s];
    expect_units_close(z, s);
    for (std::size_t t = 0; t + 1 < z.terms.size(); ++t) {
      double net = 0.0;
      for (std::size_t zone = 0; zone < 2; ++zone)
        for (std::size_t a = 0; a < 2; ++a) net += z.at(z.in, t, zone, a) - z.at(z.out, t, zone, a);
      const BudgetTerm& g = sink.term(s, z.terms[t]);
      EXPECT_NEAR(net, g.in - g.out, 1e-9 * (g.in + g.out + 1.0)) << z.terms[t];
    }
    // The well is in the west zone's lower aquifer.
    EXPECT_NEAR(z.at(z.out, 2 + 0, 0, 1), 300.0, 1e-9);
  }
}

// Packages on a short list of cells are summed at those cells only: two
// wells in one cell and two GHB entries on one cell are each counted once
// per package, not once per entry.
TEST(ZoneBudget, SharedCellsOfListedPackagesAreCountedOnce) {
  ModelData m = two_zone_model();
  m.stresses.wel.push_back(test::well("a", m.grid.index(1, 2, 3), -300.0));
  m.stresses.wel.push_back(test::well("b", m.grid.index(1, 2, 3), -200.0));
  for (const char* name : {"g1", "g2"}) {
    GeneralHead g;
    g.name = name;
    g.cells = {m.grid.index(0, 1, 7), m.grid.index(0, 2, 7)};
    g.head.set(0, 30.0);
    g.conductance.set(0, 50.0);
    m.stresses.ghb.push_back(g);
  }
  ZoneSink sink;
  Simulation(m).run(sink);
  ASSERT_EQ(sink.zones.size(), 1u);
  ZoneBudgetStep z = sink.zones[0];
  std::size_t wel = 0, ghb = 0;
  for (std::size_t t = 0; t < z.terms.size(); ++t) {
    if (z.terms[t] == "wel") wel = t;
    if (z.terms[t] == "ghb") ghb = t;
  }
  ASSERT_GT(wel, 0u);
  ASSERT_GT(ghb, 0u);
  EXPECT_NEAR(z.at(z.out, wel, 0, 1), 500.0, 1e-9) << "both wells, once each";
  const BudgetTerm& g = sink.term(0, "ghb");
  EXPECT_GT(g.in, 0.0);
  EXPECT_NEAR(z.at(z.in, ghb, 1, 0), g.in, 1e-9 * g.in) << "the model's GHB inflow, all in the east upper unit";
}

// Constant heads that start in the second period change the cells' roles:
// the faces a zone budget visits (listed once per change of roles) must
// follow, so that every unit still closes and the east column's constant
// head appears only once it is in force.
TEST(ZoneBudget, UnitsStillCloseWhenConstantHeadsStartLater) {
  ModelData m = two_zone_model();
  m.stresses.chd[1].head = {};
  m.stresses.chd[1].head.set(1, 10.0); // the east column is fixed from period 2
  m.time.periods = {StressPeriod{10.0, 2, 1.0, false}, StressPeriod{10.0, 2, 1.0, false}};
  m.stresses.rch.rate.set(0, std::vector<double>(50, 2e-3));
  ZoneSink sink;
  Simulation(m).run(sink);
  ASSERT_EQ(sink.zones.size(), 4u);
  for (std::size_t s = 0; s < 4; ++s) {
    ZoneBudgetStep z = sink.zones[s];
    expect_units_close(z, s);
    // "chd" (term 1) of the east zone: nothing while its column is free,
    // outflow once it is fixed at 10 m below the 15 m starting heads.
    for (std::size_t a = 0; a < 2; ++a) {
      if (s < 2) {
        EXPECT_EQ(z.at(z.out, 1, 1, a), 0.0) << "step " << s;
        EXPECT_EQ(z.at(z.in, 1, 1, a), 0.0) << "step " << s;
      } else {
        EXPECT_GT(z.at(z.out, 1, 1, a), 100.0) << "step " << s;
      }
    }
  }
}

/// 2 layers x 120 rows x 121 columns (29 000 cells: large enough for the
/// budget passes to run in parallel), constant head 20 m on the upper
/// layer's west column.
ModelData large_two_layer_model() {
  ModelData m = test::uniform_model(2, 120, 121, 100.0, 100.0, 0.0, 10.0, 10.0, 1.0, 1e-4, 15.0);
  m.stresses.chd = {test::west_edge(m.grid, 20.0)};
  return m;
}

/// The model run on 1 thread and on 2.
struct OneAndTwoThreads {
  ZoneSink one, two;
  explicit OneAndTwoThreads(const ModelData& m) {
    set_threads(1);
    Simulation(m).run(one);
    set_threads(2);
    Simulation(m).run(two);
  }
};

// A grid large enough for the passes to run in parallel (29 000 cells),
// zones in diagonal stripes (short runs of one unit along each row) and a
// patch in no zone: each unit still closes, the terms of cells inside
// units add up to the model's, and 1 and 2 threads give the same sums bit
// for bit.
TEST(ZoneBudget, StripedZonesCloseAndAreTheSameOnOneAndTwoThreads) {
  ModelData m = large_two_layer_model();
  const Index nrow = m.grid.nrow, ncol = m.grid.ncol;
  m.zones.id.assign(std::size_t(nrow * ncol), 0);
  for (Index i = 0; i < nrow; ++i)
    for (Index j = 0; j < ncol; ++j)
      m.zones.id[std::size_t(i * ncol + j)] = (i > 50 && i < 60 && j > 70 && j < 80) ? 9 : 1 + (i + j) / 7 % 3;
  m.zones.ids = {1, 2, 3}; // 9: in no zone
  m.zones.names = {"a", "b", "c"};
  m.aquifers = {AquiferGroup{"upper", {0}}, AquiferGroup{"lower", {1}}};
  m.stresses.wel.push_back(test::well("w1", m.grid.index(1, 30, 40), -3000.0));
  m.stresses.wel.push_back(test::well("w2", m.grid.index(0, 90, 100), -2000.0));
  m.stresses.rch.rate.set(0, std::vector<double>(std::size_t(nrow * ncol), 1e-3));
  m.time.periods = {StressPeriod{10.0, 3, 1.0, false}};
  const OneAndTwoThreads runs(m);
  const ZoneSink &one = runs.one, &two = runs.two;
  ASSERT_EQ(one.zones.size(), 3u);
  ASSERT_EQ(two.zones.size(), 3u);
  for (std::size_t s = 0; s < 3; ++s) {
    ZoneBudgetStep z = one.zones[s];
    expect_units_close(z, s);
    EXPECT_EQ(z.in, two.zones[s].in) << "step " << s;
    EXPECT_EQ(z.out, two.zones[s].out) << "step " << s;
    for (std::size_t t = 0; t < one.budgets[s].terms.size(); ++t) {
      EXPECT_EQ(one.budgets[s].terms[t].in, two.budgets[s].terms[t].in) << one.budgets[s].terms[t].name;
      EXPECT_EQ(one.budgets[s].terms[t].out, two.budgets[s].terms[t].out) << one.budgets[s].terms[t].name;
    }
    // Both wells are inside zones: the units' well terms are the model's.
    double wel = 0.0;
    for (std::size_t zone = 0; zone < 3; ++zone)
      for (std::size_t a = 0; a < 2; ++a) wel += z.at(z.out, 2, zone, a);
    EXPECT_NEAR(wel, 5000.0, 1e-9);
    // The patch in no zone keeps part of the recharge and storage out of
    // the units: less than the model's, by about its share of the area.
    double rch = 0.0;
    for (std::size_t zone = 0; zone < 3; ++zone) rch += z.at(z.in, 3, zone, 0);
    const double model_rch = one.term(s, "rch").in;
    EXPECT_NEAR(rch / model_rch, 1.0 - 81.0 / double(nrow * (ncol - 1)), 1e-12);
  }
}

// Without zones each layer is a unit, and the faces between two layers are
// summed in runs of consecutive cells, longer ones split (a 120 x 121
// layer has 14 520 such faces). Steady state: the lower layer's only sink
// is a well, so the net flow it receives from above (from the upper
// layer's free cells, "other_units", and from the constant heads above its
// west column, "chd") is the well's rate; what the upper unit gives is
// what the lower one gets; every unit closes, on 1 and 2 threads alike.
TEST(ZoneBudget, LayersAsUnitsExchangeWhatTheWellTakes) {
  ModelData m = large_two_layer_model();
  m.stresses.wel.push_back(test::well("w", m.grid.index(1, 60, 80), -3000.0));
  const OneAndTwoThreads runs(m);
  const ZoneSink &one = runs.one, &two = runs.two;
  ASSERT_EQ(one.zones.size(), 1u);
  ZoneBudgetStep z = one.zones[0];
  ASSERT_EQ(z.nzone, 1u);
  ASSERT_EQ(z.naquifer, 2u);
  expect_units_close(z, 0);
  EXPECT_EQ(z.in, two.zones[0].in);
  EXPECT_EQ(z.out, two.zones[0].out);
  const std::size_t other = z.terms.size() - 1, chd = 1;
  const double into_lower = z.at(z.in, other, 0, 1) - z.at(z.out, other, 0, 1);
  const double from_upper = z.at(z.out, other, 0, 0) - z.at(z.in, other, 0, 0);
  const double chd_into_lower = z.at(z.in, chd, 0, 1) - z.at(z.out, chd, 0, 1);
  EXPECT_GT(into_lower, 100.0);
  EXPECT_GT(chd_into_lower, 100.0);
  EXPECT_NEAR(into_lower + chd_into_lower, 3000.0, 1e-6 * 3000.0);
  EXPECT_NEAR(from_upper, into_lower, 1e-9 * 3000.0);
}

} // namespace
} // namespace gwsim

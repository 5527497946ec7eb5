// Simulation::free_inputs(): a run that gives up its input arrays (initial
// heads, K, K33, leakance) once they are no longer read computes the same
// heads and still hands the complete model to its sink.
#include <gtest/gtest.h>

#include "model/simulation.hpp"
#include "../support/model_builder.hpp"
#include "../support/recording_sink.hpp"

namespace gwsim {
namespace {

/// A sink that also keeps the K and K33 it was shown at begin().
struct ModelKeepingSink : test::RecordingSink {
  std::vector<double> k, k33;
  void begin(const ModelData& m) override {
    RecordingSink::begin(m);
    k = m.aquifer.k;
    k33 = m.aquifer.k33;
  }
};

/// Two layers, heterogeneous K, constant heads on the west edge, a well; a
/// steady period and then a transient one (steady steps keep no
/// start-of-step heads, the transient ones need them again).
ModelData two_period_model() {
  ModelData m = test::uniform_model(2, 9, 11, 100.0, 100.0, 20.0, 10.0, 5.0, 0.5, 1e-4, 30.0);
  for (std::size_t n = 0; n < m.aquifer.k.size(); ++n) {
    m.aquifer.k[n] = 1.0 + static_cast<double>((n * 7) % 13);
    m.aquifer.k33[n] = 0.05 + 0.01 * static_cast<double>(n % 5);
  }
  m.stresses.chd.push_back(test::west_edge(m.grid, 30.0));
  m.stresses.wel.push_back(test::well("w", m.grid.index(1, 4, 8), -500.0));
  m.time.periods.push_back(StressPeriod{10.0, 3, 1.0, false});
  m.stresses.wel.back().rate.set(1, -900.0);
  return m;
}

TEST(SimulationInputs, FreedInputsGiveTheSameHeadsAndTheSinkStillSeesThem) {
  const ModelData kept = two_period_model();
  ModelKeepingSink a;
  Simulation(kept).run(a);

  ModelData freed = two_period_model();
  ModelKeepingSink b;
  {
    Simulation sim(freed);
    sim.free_inputs(freed);
    EXPECT_TRUE(freed.initial_head.empty()); // copied into the simulation at once
    EXPECT_FALSE(freed.aquifer.k.empty());   // the sink has not had them yet
    sim.run(b);
  }
  EXPECT_TRUE(freed.aquifer.k.empty());
  EXPECT_TRUE(freed.aquifer.k33.empty());
  EXPECT_EQ(freed.aquifer.k.capacity(), 0u);
  EXPECT_FALSE(freed.aquifer.ss.empty()); // storage is read by the transient steps
  EXPECT_FALSE(freed.grid.bottom.empty()); // and so are the elevations

  EXPECT_EQ(b.k, kept.aquifer.k);
  EXPECT_EQ(b.k33, kept.aquifer.k33);
  ASSERT_EQ(a.heads.size(), 4u);
  ASSERT_EQ(b.heads.size(), a.heads.size());
  for (std::size_t s = 0; s < a.heads.size(); ++s) EXPECT_EQ(a.heads[s], b.heads[s]) << "step " << s;
  // The transient steps did something: the heads moved after the steady one.
  EXPECT_NE(a.heads[3], a.heads[0]);
  for (std::size_t s = 0; s < a.budgets.size(); ++s)
    EXPECT_LT(std::abs(a.budgets[s].percent_discrepancy), 1e-6) << "step " << s;
}

/// Runs `kept` as it is and a copy that frees its inputs; expects the same
/// heads and returns the freed copy.
ModelData run_kept_and_freed(const ModelData& kept) {
  test::RecordingSink a;
  Simulation(kept).run(a);
  ModelData freed = kept;
  ModelKeepingSink b;
  {
    Simulation sim(freed);
    sim.free_inputs(freed);
    sim.run(b);
  }
  EXPECT_EQ(b.heads.size(), a.heads.size());
  for (std::size_t s = 0; s < std::min(a.heads.size(), b.heads.size()); ++s)
    EXPECT_EQ(a.heads[s], b.heads[s]) << "step " << s;
  return freed;
}

TEST(SimulationInputs, SteadyRunsAlsoFreeTheStorageCoefficients) {
  ModelData kept = two_period_model();
  kept.time.periods.back().steady = true;
  const ModelData freed = run_kept_and_freed(kept);
  EXPECT_TRUE(freed.aquifer.ss.empty());
  EXPECT_TRUE(freed.aquifer.sy.empty());
  // Confined and steady: nothing reads the elevations after set-up.
  EXPECT_TRUE(freed.grid.top.empty());
  EXPECT_TRUE(freed.grid.bottom.empty());
}

// A steady model with a convertible layer keeps its elevations: saturated
// thicknesses, dry cells and the pumping reduction near a cell's bottom
// read them at every step.
TEST(SimulationInputs, SteadyRunsWithAWaterTableKeepTheElevations) {
  ModelData kept = two_period_model();
  kept.time.periods.back().steady = true;
  kept.aquifer.layer_type[0] = LayerType::convertible;
  const ModelData freed = run_kept_and_freed(kept);
  EXPECT_TRUE(freed.aquifer.ss.empty());
  EXPECT_FALSE(freed.grid.top.empty());
  EXPECT_FALSE(freed.grid.bottom.empty());
}

} // namespace
} // namespace gwsim

// The run summary's time by phase: each phase's time is where the work is
// done, and the phases never add up to more than the run's wall time.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "model/simulation.hpp"
#include "../support/model_builder.hpp"
#include "../support/recording_sink.hpp"

namespace gwsim {
namespace {

/// A sink that takes a known time for every step it is given.
struct SlowSink : test::RecordingSink {
  static constexpr double seconds_per_step = 0.004;
  void step(const StepInfo& i, std::span<const double> h, const StepBudget& b,
            std::span<const double> obs) override {
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds_per_step));
    RecordingSink::step(i, h, b, obs);
  }
};

TEST(RunSummary, TimeByPhaseIsWhereTheWorkIsAndAddsUpToAtMostTheWallTime) {
  // Two layers, constant heads on the west edge, a well, 6 transient steps:
  // every phase has work (first guesses only in transient steps).
  ModelData m = test::uniform_model(2, 20, 24, 100.0, 100.0, 20.0, 10.0, 5.0, 0.5, 1e-4, 30.0);
  m.stresses.chd.push_back(test::west_edge(m.grid, 30.0));
  m.stresses.wel.push_back(test::well("w", m.grid.index(1, 9, 18), -800.0));
  m.time.periods.push_back(StressPeriod{30.0, 6, 1.0, false});

  SlowSink sink;
  const RunSummary s = Simulation(m).run(sink);
  ASSERT_EQ(s.steps, 7);
  const PhaseSeconds& t = s.phases;
  for (double v : {t.assembly, t.first_guess, t.solve, t.budget, t.output}) EXPECT_GT(v, 0.0);
  // The sink's sleeps are output time, and only output time.
  EXPECT_GE(t.output, 7 * SlowSink::seconds_per_step);
  EXPECT_LT(t.solve + t.assembly + t.first_guess + t.budget, s.wall_seconds - 7 * SlowSink::seconds_per_step);
  EXPECT_LE(t.assembly + t.first_guess + t.solve + t.budget + t.output, s.wall_seconds);
  // The file's summary (written by finish()) has the phases too.
  EXPECT_EQ(sink.summary.phases.solve, t.solve);
}

// The summary's Newton iterations and time-step cuts are those of every
// step added up; a linear model takes one outer iteration per step.
TEST(RunSummary, NewtonIterationsAndCutsAreTheStepsAddedUp) {
  // One convertible layer (top 20 m, bottom 0), water table at 15 m, a well:
  // the saturated thickness changes with the heads.
  ModelData m = test::uniform_model(1, 12, 14, 100.0, 100.0, 20.0, 20.0, 10.0, 10.0, 1e-5, 15.0);
  m.aquifer.layer_type[0] = LayerType::convertible;
  m.solver = SolverSettings{}; // the scenario defaults
  m.stresses.chd.push_back(test::west_edge(m.grid, 15.0));
  m.stresses.wel.push_back(test::well("w", m.grid.index(0, 6, 10), -300.0));
  m.time.periods.push_back(StressPeriod{20.0, 4, 1.0, false});
  test::RecordingSink sink;
  const RunSummary s = Simulation(m).run(sink);
  ASSERT_EQ(s.steps, 5);
  long newton = 0;
  int cuts = 0;
  for (const StepInfo& i : sink.info) {
    newton += i.newton_iterations;
    cuts += i.time_step_cuts;
  }
  EXPECT_TRUE(s.newton);
  EXPECT_EQ(s.newton_iterations, newton);
  EXPECT_EQ(s.time_step_cuts, cuts);
  EXPECT_GT(s.newton_iterations, s.steps); // the water table moves: more than one per step
  EXPECT_EQ(sink.summary.newton_iterations, newton);

  m.aquifer.layer_type[0] = LayerType::confined;
  test::RecordingSink linear_sink;
  const RunSummary linear = Simulation(m).run(linear_sink);
  EXPECT_FALSE(linear.newton);
  EXPECT_EQ(linear.newton_iterations, linear.steps);
}

} // namespace
} // namespace gwsim

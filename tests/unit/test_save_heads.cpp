// output.save_heads: which steps' heads go to the result.
#include <gtest/gtest.h>

#include "model/simulation.hpp"
#include "../support/model_builder.hpp"
#include "../support/recording_sink.hpp"

namespace gwsim {
namespace {

/// Steps (their end times, d since 2015-01-01) whose heads were saved, for
/// monthly stress periods from January 2015 to March 2017, two steps each.
std::vector<double> saved_times(SaveHeads mode) {
  ModelData m = test::uniform_model(1, 3, 3, 100.0, 100.0, 10.0, 10.0, 1.0, 1.0, 1e-5, 5.0);
  m.time.periods.clear();
  const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int y = 2015; y <= 2017; ++y)
    for (int month = 0; month < 12 && !(y == 2017 && month == 3); ++month) {
      const double len = days[month] + (y == 2016 && month == 1 ? 1 : 0);
      m.time.periods.push_back(StressPeriod{len, 2, 1.0, false});
    }
  m.output.save_heads = mode;
  test::RecordingSink sink;
  sink.keep_heads = false;
  Simulation(m).run(sink);
  std::vector<double> t;
  for (const StepInfo& i : sink.info)
    if (i.save_heads) t.push_back(i.time);
  return t;
}

TEST(SaveHeads, YearEndSavesTheFirstStepOfEachNewYearAndTheLastStep) {
  // 2016-01-01 is day 365, 2017-01-01 day 731; the run ends 2017-04-01 (day 821).
  EXPECT_EQ(saved_times(SaveHeads::year_end), (std::vector<double>{365.0, 731.0, 821.0}));
}

TEST(SaveHeads, OtherModes) {
  EXPECT_EQ(saved_times(SaveHeads::period_end).size(), 27u);
  EXPECT_EQ(saved_times(SaveHeads::every_step).size(), 54u);
  EXPECT_TRUE(saved_times(SaveHeads::none).empty());
}

} // namespace
} // namespace gwsim

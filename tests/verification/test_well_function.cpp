// The Theis well function against published tables (Ferris et al. 1962,
// USGS WSP 1536-E; also Abramowitz and Stegun table 5.1).
#include <gtest/gtest.h>

#include "verification/analytic.hpp"

using gwsim::test::well_function;

TEST(WellFunction, MatchesTabulatedValues) {
  // Tables give 4-6 significant digits; compare to the last digit shown.
  EXPECT_NEAR(well_function(0.01), 4.03793, 0.5e-5);
  EXPECT_NEAR(well_function(1.0), 0.2194, 0.5e-4);
  EXPECT_NEAR(well_function(1e-4), 8.6332, 0.5e-4);
  EXPECT_NEAR(well_function(0.1), 1.8229, 0.5e-4);
  EXPECT_NEAR(well_function(0.5), 0.5598, 0.5e-4);
  EXPECT_NEAR(well_function(2.0), 0.04890, 0.5e-5);
  EXPECT_NEAR(well_function(5.0), 0.001148, 0.5e-6);
}

TEST(WellFunction, SeriesAndContinuedFractionAgreeAtTheSwitch) {
  // Both branches meet at u = 1; the function is smooth there.
  const double below = well_function(1.0 - 1e-9), above = well_function(1.0 + 1e-9);
  EXPECT_NEAR(below, above, 1e-8);
}

TEST(WellFunction, RejectsNonPositiveArgument) {
  EXPECT_THROW(well_function(0.0), std::domain_error);
}

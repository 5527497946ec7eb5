// Grid: the uppermost active cell of each column, as areal stresses use it.
#include <gtest/gtest.h>

#include "grid/grid.hpp"

namespace gwsim {
namespace {

Grid grid_3x2x4() {
  Grid g;
  g.nlay = 3;
  g.nrow = 2;
  g.ncol = 4;
  g.delr.assign(4, 10.0);
  g.delc.assign(2, 10.0);
  g.top.assign(8, 0.0);
  g.bottom.assign(24, -1.0);
  g.active.assign(24, 1);
  return g;
}

TEST(Grid, TopActiveIsStoredOnlyWhereTheFirstLayerIsNotActive) {
  Grid g = grid_3x2x4();
  TopActive all = g.top_active();
  EXPECT_TRUE(all.layer.empty()); // every column starts in layer 1: nothing stored
  ASSERT_EQ(all.size(), 8);
  for (Index c = 0; c < 8; ++c) EXPECT_EQ(all.cell(c), c);

  g.active[1] = 0;                    // column 1 starts in layer 2
  g.active[5] = g.active[13] = 0;     // column 5 in layer 3
  g.active[7] = g.active[15] = g.active[23] = 0; // column 7 has no active cell
  const TopActive some = g.top_active();
  EXPECT_EQ(some.layer.size(), 8u);
  const std::vector<Index> expected{0, 9, 2, 3, 4, 21, 6, -1};
  for (Index c = 0; c < 8; ++c) EXPECT_EQ(some.cell(c), expected[static_cast<std::size_t>(c)]) << "column " << c;
}

} // namespace
} // namespace gwsim

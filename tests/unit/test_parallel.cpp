// core/parallel.hpp: loops run in parallel by the work they do, not by their
// index count.
#include <gtest/gtest.h>

#include <atomic>

#include "core/parallel.hpp"

namespace gwsim {
namespace {

/// Number of distinct threads that ran f over n indices of `per` cells each.
int threads_used(Index n, Index per) {
  std::atomic<unsigned> seen{0};
  parallel_for(n, [&](Index) { seen.fetch_or(1u << (omp_get_thread_num() & 31)); }, per);
  return __builtin_popcount(seen.load());
}

TEST(Parallel, LoopsOverGridRowsAreParallelWhenTheirCellsAreMany) {
  if (max_threads() < 2) GTEST_SKIP() << "needs 2 threads (ctest sets OMP_NUM_THREADS=2)";
  // 900 grid rows of 300 cells (the transient benchmark's 3 x 300 x 300 grid):
  // 270 000 cells of work; this loop used to run on one thread.
  EXPECT_EQ(threads_used(900, 300), 2);
  // 900 single cells are too short for a parallel region.
  EXPECT_EQ(threads_used(900, 1), 1);
  // The threshold is on cells: 16384 cells of work is parallel.
  EXPECT_EQ(threads_used(min_parallel_length / 64, 64), 2);
  EXPECT_EQ(threads_used(min_parallel_length / 64 - 1, 64), 1);
}

} // namespace
} // namespace gwsim

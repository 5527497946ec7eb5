// core/parallel.hpp: loops run in parallel by the work they do, not by their
// index count.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <vector>

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

// A budget term's inflow and outflow in one pass: the same sums, bit for
// bit, as two parallel_sum() passes over the positive and negative parts,
// on one and on two threads, and exact for a hand-checked small case.
TEST(Parallel, InflowAndOutflowInOnePassAreTheTwoSums) {
  EXPECT_EQ(parallel_sum_in_out(0, [](Index) { return 1.0; }), (std::array<double, 2>{0.0, 0.0}));
  const std::vector<double> small{3.0, -1.5, 0.0, 2.25, -4.0};
  EXPECT_EQ(parallel_sum_in_out(5, [&](Index i) { return small[static_cast<std::size_t>(i)]; }),
            (std::array<double, 2>{5.25, 5.5}));
  for (Index n : {Index{4095}, Index{20000}, Index{100003}}) {
    auto f = [](Index i) { return std::sin(0.37 * static_cast<double>(i)) * (1.0 + 1e-3 * static_cast<double>(i % 97)); };
    const double in = parallel_sum(n, [&](Index i) { return std::max(f(i), 0.0); });
    const double out = parallel_sum(n, [&](Index i) { return std::max(-f(i), 0.0); });
    const int before = max_threads();
    for (int t : {1, 2}) {
      set_threads(t);
      const auto io = parallel_sum_in_out(n, f);
      EXPECT_EQ(io[0], in) << n << " cells, " << t << " threads";
      EXPECT_EQ(io[1], out) << n << " cells, " << t << " threads";
    }
    set_threads(before);
  }
}

} // namespace
} // namespace gwsim

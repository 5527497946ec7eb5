#pragma once
/// The one place where gwsim's loops meet OpenMP.
///
/// Physics code calls these helpers with small lambdas and never mentions
/// threads. Reductions are deterministic: the index range is cut into blocks
/// whose size does not depend on the number of threads, each block is summed
/// in index order, and the block sums are added in block order. So a run on 1
/// thread and on N threads gives bitwise identical sums.
#include <algorithm>
#include <array>
#include <vector>

#include <omp.h>

#include "core/types.hpp"

namespace gwsim {

/// Number of threads parallel loops will use.
inline int max_threads() { return omp_get_max_threads(); }
/// Set the number of threads for all later parallel loops (n >= 1).
inline void set_threads(int n) { omp_set_num_threads(n); }
/// Processors this process may run on (its CPU affinity mask).
inline int available_processors() { return omp_get_num_procs(); }

/// Block length of deterministic reductions (cells). Fixed, never derived
/// from the thread count.
inline constexpr Index reduction_block = 4096;

/// Loops shorter than this run on the calling thread: entering a parallel
/// region costs microseconds (far more on a loaded machine), more than a
/// short loop's work. The arithmetic is the same either way.
inline constexpr Index min_parallel_length = 16384;

/// f(i) for i in [0, n), statically scheduled. `cells_per_index`: the
/// cells each f(i) works on (ncol for a loop over grid rows, the block
/// length for a loop over blocks), so that the loop runs in parallel by its
/// work, not by its count: a loop over the 900 grid rows of a 270 000-cell
/// model is not short.
template <class F> inline void parallel_for(Index n, F&& f, Index cells_per_index = 1) {
#pragma omp parallel for schedule(static) if (n * cells_per_index >= min_parallel_length)
  for (Index i = 0; i < n; ++i) f(i);
}

/// f(begin, end) over contiguous blocks covering [0, n); lets the callee
/// write a plain inner loop that the compiler vectorises.
template <class F> inline void parallel_for_blocks(Index n, F&& f, Index block = reduction_block) {
  const Index nblock = (n + block - 1) / block;
#pragma omp parallel for schedule(static) if (n >= min_parallel_length)
  for (Index b = 0; b < nblock; ++b) f(b * block, std::min(n, (b + 1) * block));
}

/// Deterministic sum of f(begin, end) over fixed blocks of [0, n).
/// f returns the (double) partial sum of its block.
template <class F> inline double parallel_sum_blocks(Index n, F&& f) {
  const Index nblock = (n + reduction_block - 1) / reduction_block;
  if (nblock <= 1) return n > 0 ? f(Index{0}, n) : 0.0;
  std::vector<double> partial(static_cast<std::size_t>(nblock));
#pragma omp parallel for schedule(static) if (n >= min_parallel_length)
  for (Index b = 0; b < nblock; ++b)
    partial[static_cast<std::size_t>(b)] =
        f(b * reduction_block, std::min(n, (b + 1) * reduction_block));
  double s = 0.0;
  for (double p : partial) s += p;
  return s;
}

/// Deterministic sum of f(i) over [0, n).
template <class F> inline double parallel_sum(Index n, F&& f) {
  return parallel_sum_blocks(n, [&](Index b, Index e) {
    double s = 0.0;
    for (Index i = b; i < e; ++i) s += f(i);
    return s;
  });
}

/// Maximum of f(i) over [0, n) (order-independent, hence deterministic);
/// returns `init` for an empty range.
template <class F> inline double parallel_max(Index n, F&& f, double init = 0.0) {
  double m = init;
#pragma omp parallel for schedule(static) reduction(max : m) if (n >= min_parallel_length)
  for (Index i = 0; i < n; ++i) m = std::max(m, f(i));
  return m;
}

/// f(begin, end) over chunks of `chunk` indices covering [0, n). Runs on the
/// calling thread when there is only one chunk, so small (coarse-grid) loops
/// do not pay for a parallel region. Used with chunk = a number of grid rows.
template <class F> inline void parallel_for_chunks(Index n, Index chunk, F&& f) {
  const Index nchunk = (n + chunk - 1) / chunk;
  if (nchunk <= 1) {
    if (n > 0) f(Index{0}, n);
    return;
  }
#pragma omp parallel for schedule(static)
  for (Index b = 0; b < nchunk; ++b) f(b * chunk, std::min(n, (b + 1) * chunk));
}

/// Deterministic reduction over chunks of [0, n): part_b = f(begin, end) for
/// each chunk, then acc = combine(acc, part_b) in chunk order starting from
/// init. The same for any thread count as long as `chunk` does not depend on
/// it. R is a small value type (e.g. std::array<double, 3> of partial sums).
template <class R, class F, class C>
inline R parallel_reduce_chunks(Index n, Index chunk, R init, F&& f, C&& combine) {
  const Index nchunk = (n + chunk - 1) / chunk;
  if (nchunk <= 1) return n > 0 ? combine(init, f(Index{0}, n)) : init;
  std::vector<R> part(static_cast<std::size_t>(nchunk));
#pragma omp parallel for schedule(static)
  for (Index b = 0; b < nchunk; ++b)
    part[static_cast<std::size_t>(b)] = f(b * chunk, std::min(n, (b + 1) * chunk));
  for (const R& p : part) init = combine(init, p);
  return init;
}

/// Deterministic sums of the positive and of the negative parts of f(i)
/// over [0, n) in one pass, {sum max(f, 0), sum max(-f, 0)}: a budget
/// term's inflow and outflow. Each is the same sum, in the same order, as
/// parallel_sum() of that part.
template <class F> inline std::array<double, 2> parallel_sum_in_out(Index n, F&& f) {
  using Pair = std::array<double, 2>;
  return parallel_reduce_chunks(
      n, reduction_block, Pair{0.0, 0.0},
      [&](Index b, Index e) {
        Pair s{0.0, 0.0};
        for (Index i = b; i < e; ++i) {
          const double q = f(i);
          s[0] += std::max(q, 0.0);
          s[1] += std::max(-q, 0.0);
        }
        return s;
      },
      [](Pair a, const Pair& b) { return Pair{a[0] + b[0], a[1] + b[1]}; });
}

} // namespace gwsim

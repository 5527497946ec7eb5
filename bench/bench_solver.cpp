// Solver benchmarks: STREAM triad (the machine's memory bandwidth, measured
// in the same run), operator application, one multigrid preconditioner
// application, and a full solve, over grid size x threads.
//
// Counters: cells/s, GB/s (bytes the kernel must move, see each benchmark),
// triad_GBps (STREAM triad with the same thread count) and of_triad (the
// ratio). Run: build-mg/bench/bench_solver --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <map>
#include <type_traits>
#include <vector>

#include "core/parallel.hpp"
#include "solver/krylov.hpp"
#include "solver/mg_kernels.hpp"
#include "solver/multigrid.hpp"
#include "synthetic_problems.hpp"

namespace gwsim {
namespace {

/// STREAM triad a = b + s c over arrays far larger than the caches; GB/s
/// counting 24 bytes per element (no write-allocate, as STREAM does).
double triad_kernel_seconds(std::vector<double>& a, const std::vector<double>& b, const std::vector<double>& c) {
  const auto t0 = std::chrono::steady_clock::now();
  const Index n = static_cast<Index>(a.size());
  double* ap = a.data();
  const double* bp = b.data();
  const double* cp = c.data();
  parallel_for_chunks(n, 1 << 16, [&](Index lo, Index hi) {
    for (Index i = lo; i < hi; ++i) ap[i] = bp[i] + 3.0 * cp[i];
  });
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

constexpr Index kTriadElements = Index{1} << 24; // 3 x 128 MiB

/// Triad bandwidth per thread count, once per run: BM_StreamTriad's own
/// median (it runs first), else a median of 15 measured here.
std::map<int, double>& triad_cache() {
  static std::map<int, double> cache;
  return cache;
}

double triad_gbps(int threads) {
  auto& cache = triad_cache();
  if (auto it = cache.find(threads); it != cache.end()) return it->second;
  set_threads(threads);
  std::vector<double> a(kTriadElements, 0.0), b(kTriadElements, 1.0), c(kTriadElements, 2.0);
  triad_kernel_seconds(a, b, c); // first touch
  std::vector<double> t;
  for (int i = 0; i < 15; ++i) t.push_back(triad_kernel_seconds(a, b, c));
  std::sort(t.begin(), t.end());
  const double gbps = 24.0 * static_cast<double>(kTriadElements) / t[t.size() / 2] * 1e-9;
  cache[threads] = gbps;
  return gbps;
}

/// Times each repetition; counters use the median (the machine is shared).
class Timer {
public:
  void start() { t0_ = std::chrono::steady_clock::now(); }
  void stop() { t_.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count()); }
  double last() const { return t_.empty() ? 0.0 : t_.back(); }
  double median() {
    std::sort(t_.begin(), t_.end());
    return t_.empty() ? 0.0 : t_[t_.size() / 2];
  }

private:
  std::chrono::steady_clock::time_point t0_;
  std::vector<double> t_;
};

/// cells/s and GB/s from the median repetition, next to the triad bandwidth
/// with the same thread count and their ratio.
void report(benchmark::State& state, Timer& timer, double cells, double bytes, int threads) {
  const double t = timer.median(), triad = triad_gbps(threads);
  state.counters["cells/s"] = cells / t;
  state.counters["median_ms"] = t * 1e3;
  if (bytes > 0.0) {
    state.counters["GB/s"] = bytes / t * 1e-9;
    state.counters["of_triad"] = bytes / t * 1e-9 / triad;
  }
  state.counters["triad_GBps"] = triad;
}

void BM_StreamTriad(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  set_threads(threads);
  std::vector<double> a(kTriadElements, 0.0), b(kTriadElements, 1.0), c(kTriadElements, 2.0);
  Timer timer;
  for (auto _ : state) {
    timer.start();
    triad_kernel_seconds(a, b, c);
    timer.stop();
    benchmark::DoNotOptimize(a.data());
  }
  // The ratios of the other benchmarks use this median: a second
  // measurement a moment later came out at half of it once (2-thread rows
  // of the 2026-11-27 22:28 table, bench/HISTORY.md).
  triad_cache()[threads] = 24.0 * static_cast<double>(kTriadElements) / timer.median() * 1e-9;
  report(state, timer, static_cast<double>(kTriadElements), 24.0 * static_cast<double>(kTriadElements), threads);
}

synthetic::Spec square(Index n, Index nlay) {
  synthetic::Spec s;
  s.nlay = nlay;
  s.nrow = s.ncol = n;
  return s;
}

/// Times op(x, y) over `cells` cells of A as BM_OperatorApply reports it:
/// 60 repetitions, each the triad, an untimed op and the timed op.
/// Every repetition also runs the triad just before its timed apply:
/// paired_of_triad is the median of the repetitions' own ratios, which
/// does not depend on how busy this shared host was when BM_StreamTriad
/// ran (of_triad: its bandwidth moved by 2x within a day). An untimed
/// apply between them warms the caches as back-to-back applies do.
template <class Op>
void time_operator(benchmark::State& state, const StencilSystem& A, double cells, int threads, Op&& op) {
  std::vector<double> x(static_cast<std::size_t>(A.size()), 1.0), y(x.size());
  // diag, east, south (+ down), x read; y written; 8 bytes each.
  const double bytes_per_cell = 8.0 * (A.nlay > 1 ? 6.0 : 5.0);
  std::vector<double> ta(kTriadElements, 0.0), tb(kTriadElements, 1.0), tc(kTriadElements, 2.0);
  triad_kernel_seconds(ta, tb, tc); // first touch
  Timer timer;
  std::vector<double> ratios;
  for (auto _ : state) {
    const double triad_s = triad_kernel_seconds(ta, tb, tc);
    op(x, y);
    timer.start();
    op(x, y);
    timer.stop();
    state.SetIterationTime(timer.last()); // Time column: the apply alone
    benchmark::DoNotOptimize(y.data());
    ratios.push_back(bytes_per_cell * cells / timer.last() / (24.0 * static_cast<double>(kTriadElements) / triad_s));
  }
  report(state, timer, cells, bytes_per_cell * cells, threads);
  std::sort(ratios.begin(), ratios.end());
  state.counters["paired_of_triad"] = ratios.empty() ? 0.0 : ratios[ratios.size() / 2];
}

/// Args: {nrow = ncol, nlay, threads}.
void BM_OperatorApply(benchmark::State& state) {
  const Index n = state.range(0), nlay = state.range(1);
  const int threads = static_cast<int>(state.range(2));
  const StencilSystem A = synthetic::build(square(n, nlay));
  set_threads(threads);
  time_operator(state, A, static_cast<double>(A.size()), threads,
                [&](const std::vector<double>& x, std::vector<double>& y) { apply(A, x, y); });
}

/// y = A x on the interior rows of each layer (every row but the first and
/// last) as the textbook loop: one plain loop per layer over contiguous
/// cells, the east and west terms taken across row ends (east is zero at
/// the last column), no chunks of rows, no edge cases. A yardstick for
/// apply(): what the compiler and this machine make of the simplest loop
/// over the same arrays. Symmetric systems without rank-one terms only.
void reference_apply(const StencilSystem& A, const std::vector<double>& xv, std::vector<double>& yv) {
  const Index nc = A.ncol, nrc = A.nrow * A.ncol, nl = A.nlay;
  const double* __restrict d = A.diag.data();
  const double* __restrict e = A.east.data();
  const double* __restrict s = A.south.data();
  const double* __restrict dn = A.down.data();
  const double* __restrict x = xv.data();
  double* __restrict y = yv.data();
  for (Index l = 0; l < nl; ++l) {
    const bool up = l > 0, down = l + 1 < nl;
    parallel_for_chunks(nrc - 2 * nc, Index{1} << 16, [&](Index lo, Index hi) {
      const Index b = l * nrc + nc + lo, end = l * nrc + nc + hi;
      auto row = [&](auto vert_up, auto vert_down) {
        GWSIM_INDEPENDENT_ITERATIONS
        for (Index i = b; i < end; ++i) {
          double v = d[i] * x[i] - e[i] * x[i + 1] - e[i - 1] * x[i - 1] - s[i] * x[i + nc] - s[i - nc] * x[i - nc];
          if constexpr (decltype(vert_up)::value) v -= dn[i - nrc] * x[i - nrc];
          if constexpr (decltype(vert_down)::value) v -= dn[i] * x[i + nrc];
          y[i] = v;
        }
      };
      using T = std::true_type;
      using F = std::false_type;
      if (up && down) row(T{}, T{});
      else if (up) row(T{}, F{});
      else if (down) row(F{}, T{});
      else row(F{}, F{});
    });
  }
}

/// Args: {nrow = ncol, nlay, threads}: reference_apply() timed as
/// BM_OperatorApply times apply() (bytes of the interior cells it computes).
void BM_OperatorReferenceLoop(benchmark::State& state) {
  const Index n = state.range(0), nlay = state.range(1);
  const int threads = static_cast<int>(state.range(2));
  const StencilSystem A = synthetic::build(square(n, nlay));
  set_threads(threads);
  // The same product as apply() where it computes: checked once.
  std::vector<double> x(static_cast<std::size_t>(A.size())), y1(x.size()), y2(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 1.0 + 1e-3 * static_cast<double>(i % 97);
  apply(A, x, y1);
  reference_apply(A, x, y2);
  for (Index l = 0; l < A.nlay; ++l)
    for (Index i = l * n * n + n; i < (l + 1) * n * n - n; ++i) {
      const auto k = static_cast<std::size_t>(i);
      if (std::abs(y1[k] - y2[k]) > 1e-9 * (std::abs(y1[k]) + 1.0)) {
        state.SkipWithError("reference_apply differs from apply");
        return;
      }
    }
  time_operator(state, A, static_cast<double>(A.nlay * (n - 2) * n), threads,
                [&](const std::vector<double>& x0, std::vector<double>& y) { reference_apply(A, x0, y); });
}

/// Args: {nrow = ncol, nlay, threads}. Bytes: the finest level's traffic
/// (double r in, double z out, 4 smoothing half-sweeps + 1 zero-guess
/// half-sweep, fused residual/restriction, prolongation, over float
/// coefficients); the coarse levels are not counted.
void BM_PreconditionerApply(benchmark::State& state) {
  const Index n = state.range(0), nlay = state.range(1);
  const int threads = static_cast<int>(state.range(2));
  const StencilSystem A = synthetic::build(square(n, nlay));
  set_threads(threads);
  MultigridPreconditioner mg;
  mg.setup(A);
  std::vector<double> r(A.rhs), z(r.size());
  Timer timer;
  for (auto _ : state) {
    timer.start();
    mg.apply(r, z);
    timer.stop();
    benchmark::DoNotOptimize(z.data());
  }
  const double coef = nlay > 1 ? 4.0 * 5 : 4.0 * 4; // float diag,east,south,inv_w (+down, g)
  const double bytes_per_cell = 12.0 /*r->b*/ + 12.0 /*x->z*/ + 4 * (8.0 + coef) /*sweeps*/ +
                                (8.0 + coef) /*residual*/ + 8.0 /*prolong*/;
  const auto cells = static_cast<double>(A.size());
  report(state, timer, cells, bytes_per_cell * cells, threads);
  state.counters["levels"] = mg.levels();
}

/// Args: {nrow = ncol, nlay, threads}: a full steady solve with default
/// settings from a flat start. GB/s not reported (see the scaling table for
/// time per cell and iterations).
void BM_Solve(benchmark::State& state) {
  const Index n = state.range(0), nlay = state.range(1);
  const int threads = static_cast<int>(state.range(2));
  std::vector<double> h0;
  const StencilSystem A = synthetic::build(square(n, nlay), &h0);
  set_threads(threads);
  SolverSettings set;
  set.kind = SolverKind::multigrid;
  auto solver = make_solver(set);
  int iterations = 0;
  Timer timer;
  std::vector<double> h = h0;
  // The first solve builds the multigrid hierarchy and touches the solver's
  // fresh memory: reported apart (first_ms), so that the timed solves are
  // alike at every size. Google Benchmark times a single solve at 4 M
  // cells; before this, that one was set-up plus solve while the 1 M figure
  // was the median of solves alone, and their ratio came out at 4.8-6.7x.
  Timer first;
  first.start();
  solver->solve(A, h);
  first.stop();
  for (auto _ : state) {
    h = h0;
    timer.start();
    iterations = solver->solve(A, h).iterations;
    timer.stop();
    benchmark::DoNotOptimize(h.data());
  }
  report(state, timer, static_cast<double>(A.size()), 0.0, threads);
  state.counters["iterations"] = iterations;
  state.counters["first_ms"] = first.median() * 1e3;
}

void size_args(benchmark::internal::Benchmark* b) {
  for (int threads : {1, 2})
    for (Index n : {500, 1000, 2000}) b->Args({n, 1, threads});
  for (int threads : {1, 2}) b->Args({577, 3, threads});
  for (int threads : {1, 2}) b->Args({300, 3, threads});
  b->Unit(benchmark::kMillisecond);
}

void sizes(benchmark::internal::Benchmark* b) {
  size_args(b);
  b->UseRealTime();
}

BENCHMARK(BM_StreamTriad)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
// Timed without its triad (manual time); a fixed count, since each
// repetition also costs a triad (10 ms) that manual time does not see.
BENCHMARK(BM_OperatorApply)->Apply(size_args)->UseManualTime()->Iterations(60);
BENCHMARK(BM_OperatorReferenceLoop)->Apply(size_args)->UseManualTime()->Iterations(60);
BENCHMARK(BM_PreconditionerApply)->Apply(sizes);
// At least 3 s per case: a median of several timed solves at 4 M cells too
// (with --benchmark_min_time=0.5 Google Benchmark timed one 1 s solve
// there, against a median of a dozen at 1 M cells).
BENCHMARK(BM_Solve)->Apply(sizes)->MinTime(3.0);

} // namespace
} // namespace gwsim

BENCHMARK_MAIN();

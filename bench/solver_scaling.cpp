// Scaling driver for the multigrid solver: builds synthetic confined
// problems (CHD edges, wells, recharge, a GHB river line; see
// synthetic_problems.hpp), solves them, and prints a Markdown table of
// iterations, time, time per cell and peak memory per cell.
//
//   solver_scaling table [reps]      all cases, each in a fresh process
//   solver_scaling case NAME NLAY NROW NCOL VARIANT THREADS REPS
//
// Each case runs in its own process (this program re-executed) so that its
// peak resident memory (getrusage ru_maxrss) belongs to that case alone.
// Time is the median over REPS solves from the same flat start, including
// the multigrid setup; heads are checked against a tightly converged solve.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/parallel.hpp"
#include "solver/linear_solver.hpp"
#include "synthetic_problems.hpp"

namespace {

using namespace gwsim;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

synthetic::Spec make_spec(Index nlay, Index nrow, Index ncol, const std::string& variant) {
  synthetic::Spec s;
  s.nlay = nlay;
  s.nrow = nrow;
  s.ncol = ncol;
  if (variant == "lognormal") s.field = synthetic::KField::lognormal;
  else if (variant == "zones") s.field = synthetic::KField::zones;
  else if (variant == "inactive") s.inactive = true;
  else if (variant == "aquitard") s.aquitard_layer = nlay / 2;
  else if (variant == "kv1e-4") s.k33_ratio = 1e-4;
  else if (variant == "transient") s.specific_storage = 1e-5;
  else if (variant != "homogeneous") {
    std::fprintf(stderr, "unknown variant %s\n", variant.c_str());
    std::exit(2);
  }
  return s;
}

/// Flat start: 35 m, fixed heads and inactive cells at their values.
void flat_start(const StencilSystem& A, std::vector<double>& h) {
  h.resize(static_cast<std::size_t>(A.size()));
  const Index nc = A.ncol, nrc = A.nrow * A.ncol;
  for (Index i = 0; i < A.size(); ++i) {
    const auto u = static_cast<std::size_t>(i);
    const bool coupled = A.east[u] != 0.0 || A.south[u] != 0.0 || (i % nc > 0 && A.east[u - 1] != 0.0) ||
                         (i >= nc && A.south[u - static_cast<std::size_t>(nc)] != 0.0) ||
                         (A.nlay > 1 && (A.down[u] != 0.0 || (i >= nrc && A.down[u - static_cast<std::size_t>(nrc)] != 0.0)));
    h[u] = !coupled && A.diag[u] == 1.0 ? A.rhs[u] : 35.0;
  }
}

/// One case in this process; prints "iterations seconds max_error_m rss_kb cells".
int run_case(const std::string& variant, Index nlay, Index nrow, Index ncol, int threads, int reps) {
  set_threads(threads);
  const synthetic::Spec spec = make_spec(nlay, nrow, ncol, variant);
  std::vector<double> storage;
  StencilSystem A = synthetic::build(spec, nullptr, variant == "transient" ? &storage : nullptr);
  SolverSettings set;
  set.kind = SolverKind::multigrid;
  auto solver = make_solver(set);
  std::vector<double> h;
  std::vector<double> times;
  int iterations = 0;
  if (variant == "transient") {
    // 10 stress periods x 10 steps of dt = 10 d: rhs = sources + S h_old.
    storage.shrink_to_fit();
    std::vector<double> base = A.rhs;
    for (std::size_t i = 0; i < base.size(); ++i) base[i] -= storage[i] * 35.0;
    for (int rep = 0; rep < reps; ++rep) {
      flat_start(A, h);
      int total = 0;
      const auto t0 = std::chrono::steady_clock::now();
      for (int step = 0; step < 100; ++step) {
        const double pump = 1.0 + 0.5 * static_cast<double>((step / 10) % 2); // wells change by period
        for (std::size_t i = 0; i < base.size(); ++i)
          A.rhs[i] = (base[i] < 0.0 ? pump * base[i] : base[i]) + storage[i] * h[i];
        const SolveStats st = solver->solve(A, h);
        if (!st.converged) std::fprintf(stderr, "step %d did not converge\n", step);
        total += st.iterations;
      }
      times.push_back(seconds_since(t0));
      iterations = total;
    }
  } else {
    for (int rep = 0; rep < reps; ++rep) {
      flat_start(A, h);
      const auto t0 = std::chrono::steady_clock::now();
      const SolveStats st = solver->solve(A, h);
      times.push_back(seconds_since(t0));
      iterations = st.iterations;
      if (!st.converged) std::fprintf(stderr, "%s did not converge\n", variant.c_str());
    }
  }
  // Peak memory of the timed solves, before the reference solve below.
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  // Head error against a tightly converged solve.
  solver.reset();
  double err = 0.0;
  if (variant != "transient") {
    SolverSettings tight = set;
    tight.head_tolerance = 1e-12;
    tight.residual_tolerance = 1e-15;
    tight.max_iterations = 200;
    std::vector<double> href = h;
    make_solver(tight)->solve(A, href);
    for (std::size_t i = 0; i < h.size(); ++i) err = std::max(err, std::abs(h[i] - href[i]));
  }
  std::sort(times.begin(), times.end());
  std::printf("%d %.6f %.3e %ld %ld\n", iterations, times[times.size() / 2], err, ru.ru_maxrss,
              static_cast<long>(A.size()));
  return 0;
}

struct Case {
  std::string label, variant;
  Index nlay, nrow, ncol;
  int threads;
};

int run_table(const char* self, int reps) {
  std::vector<Case> cases;
  for (int threads : {1, 2}) {
    for (Index n : {500, 1000, 2000}) cases.push_back({"1 layer", "homogeneous", 1, n, n, threads});
    for (Index n : {289, 577, 1155}) cases.push_back({"3 layers", "homogeneous", 3, n, n, threads});
  }
  for (const char* v : {"lognormal", "zones", "inactive"})
    cases.push_back({std::string("1 layer, ") + v, v, 1, 1000, 1000, 2});
  cases.push_back({"3 layers, aquitard middle layer", "aquitard", 3, 577, 577, 2});
  cases.push_back({"3 layers, k33 = 1e-4 k", "kv1e-4", 3, 577, 577, 2});
  cases.push_back({"3 layers, lognormal", "lognormal", 3, 577, 577, 2});
  cases.push_back({"transient 100 steps", "transient", 3, 300, 300, 1});
  cases.push_back({"transient 100 steps", "transient", 3, 300, 300, 2});
  std::printf("| problem | grid | cells | threads | iterations | solve time s | ns/cell | head error m | peak memory B/cell |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const Case& c : cases) {
    const std::string cmd = std::string(self) + " case " + c.variant + " " + std::to_string(c.nlay) + " " +
                            std::to_string(c.nrow) + " " + std::to_string(c.ncol) + " " + c.variant + " " +
                            std::to_string(c.threads) + " " + std::to_string(reps);
    FILE* p = popen(cmd.c_str(), "r");
    int it = 0;
    double t = 0.0, err = 0.0;
    long rss = 0, cells = 1;
    const int got = p ? std::fscanf(p, "%d %lf %le %ld %ld", &it, &t, &err, &rss, &cells) : 0;
    if (p) pclose(p);
    if (got != 5) {
      std::printf("| %s | failed |\n", c.label.c_str());
      continue;
    }
    std::printf("| %s | %ld x %ld x %ld | %ld | %d | %d | %.3f | %.1f | %s | %.0f |\n", c.label.c_str(),
                static_cast<long>(c.nlay), static_cast<long>(c.nrow), static_cast<long>(c.ncol), cells, c.threads, it,
                t, t / static_cast<double>(cells) * 1e9,
                c.variant == "transient" ? "-" : (std::to_string(err).substr(0, 8)).c_str(),
                static_cast<double>(rss) * 1024.0 / static_cast<double>(cells));
    std::fflush(stdout);
  }
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "table";
  if (mode == "table") return run_table(argv[0], argc > 2 ? std::atoi(argv[2]) : 5);
  if (mode == "case" && argc == 9)
    return run_case(argv[6], std::atol(argv[3]), std::atol(argv[4]), std::atol(argv[5]), std::atoi(argv[7]),
                    std::atoi(argv[8]));
  std::fprintf(stderr, "usage: %s table [reps] | case NAME NLAY NROW NCOL VARIANT THREADS REPS\n", argv[0]);
  return 64;
}

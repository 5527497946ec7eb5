// Scaling driver for the multigrid solver: builds synthetic confined
// problems (CHD edges, wells, recharge, a GHB river line; see
// synthetic_problems.hpp), solves them, and prints a Markdown table of
// iterations, time, time per cell and peak memory per cell.
//
//   solver_scaling table [reps]      all cases, each in a fresh process
//   solver_scaling case NAME NLAY NROW NCOL VARIANT THREADS REPS
//   solver_scaling growth [pairs]   1 -> 4 M cells, solve alone, paired
//
//   solver_scaling runs GWSIM [reps]  whole `gwsim run` of generated scenarios
//
// Each case runs in its own process (this program re-executed) so that its
// peak resident memory (getrusage ru_maxrss) belongs to that case alone.
// Time is the median over REPS solves from the same flat start, including
// the multigrid setup; heads are checked against a tightly converged solve.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "core/parallel.hpp"
#include "solver/linear_solver.hpp"
#include "solver/solution_projection.hpp"
#include "synthetic_problems.hpp"

namespace {

using namespace gwsim;

/// The median of v (the mean of the middle two for an even count).
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

/// Paired timings of two cases (index 0 and 1): `pairs` pairs back to
/// back, alternating which goes first; time_of(k) times case k once and
/// returns a negative value on failure, which ends the measurement.
struct PairedTimes {
  std::vector<double> times[2]; ///< s, each case's timings
  std::vector<double> ratios;   ///< case 1 / case 0, one per pair
  bool ok = true;
  /// "median | smallest - largest" of the ratios, for a table row.
  std::string ratio_cells() const {
    const auto [lo, hi] = std::minmax_element(ratios.begin(), ratios.end());
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f | %.2f - %.2f", median(ratios), *lo, *hi);
    return buf;
  }
};
template <class F> PairedTimes time_in_pairs(int pairs, F&& time_of) {
  PairedTimes r;
  for (int p = 0; p < pairs && r.ok; ++p) {
    double t[2] = {0.0, 0.0};
    for (int j = 0; j < 2 && r.ok; ++j) {
      const int k = p % 2 == 0 ? j : 1 - j;
      t[k] = time_of(k);
      r.ok = t[k] >= 0.0;
      r.times[k].push_back(t[k]);
    }
    if (r.ok) r.ratios.push_back(t[1] / t[0]);
  }
  return r;
}

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
  else if (variant == "domain100km") { // the grid alone: one 100 km aquifer, finer cells
    s.delr = 100000.0 / static_cast<double>(ncol);
    s.river_width = 100.0;
  }
  else if (variant == "kv1e-4") s.k33_ratio = 1e-4;
  else if (variant == "transient") { // issue #3: an aquitard middle layer
    s.specific_storage = 1e-5;
    s.aquitard_layer = nlay / 2;
  }
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
                         (i + nrc < A.size() && A.down[u] != 0.0) || (i >= nrc && A.down[u - static_cast<std::size_t>(nrc)] != 0.0);
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
    // As the engine: each step solves for the head change, starting from
    // the projection on the last 4 steps' changes (SolutionProjection).
    StencilSystem U = A;
    std::vector<double> dh(A.rhs.size());
    for (int rep = 0; rep < reps; ++rep) {
      flat_start(A, h);
      SolutionProjection projection(4);
      int total = 0;
      const auto t0 = std::chrono::steady_clock::now();
      for (int step = 0; step < 100; ++step) {
        const double pump = 1.0 + 0.5 * static_cast<double>((step / 10) % 2); // wells change by period
        for (std::size_t i = 0; i < base.size(); ++i)
          A.rhs[i] = (base[i] < 0.0 ? pump * base[i] : base[i]) + storage[i] * h[i];
        residual(A, h, U.rhs); // U dh = b - A h
        U.residual_scale = std::sqrt(std::inner_product(A.rhs.begin(), A.rhs.end(), A.rhs.begin(), 0.0));
        projection.guess(U, dh);
        const SolveStats st = solver->solve(U, dh);
        if (!st.converged) std::fprintf(stderr, "step %d did not converge\n", step);
        for (std::size_t i = 0; i < h.size(); ++i) h[i] += dh[i];
        projection.remember(dh);
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
  // The grid alone (as the runs below): the same 100 km aquifer in 100 m
  // and 50 m cells, so that 4 M cells do not also mean a higher recharge
  // mound (a larger domain) under the same absolute 1e-6 m head test.
  for (int threads : {1, 2})
    for (Index n : {1000, 2000}) cases.push_back({"1 layer, 100 km domain", "domain100km", 1, n, n, threads});
  cases.push_back({"transient 100 steps", "transient", 3, 300, 300, 1});
  cases.push_back({"transient 100 steps", "transient", 3, 300, 300, 2});
  std::printf("| problem | grid | cells | threads | iterations | solve time s | ns/cell per solve | head error m | peak memory B/cell |\n");
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
    char err_text[32] = "-";
    if (c.variant != "transient") std::snprintf(err_text, sizeof err_text, "%.1e", err);
    std::printf("| %s | %ld x %ld x %ld | %ld | %d | %d | %.3f | %.1f | %s | %.0f |\n", c.label.c_str(),
                static_cast<long>(c.nlay), static_cast<long>(c.nrow), static_cast<long>(c.ncol), cells, c.threads, it,
                t, t / static_cast<double>(cells) * 1e9, err_text,
                static_cast<double>(rss) * 1024.0 / static_cast<double>(cells));
    std::fflush(stdout);
  }
  return 0;
}

/// Issue #3's "from 1 to 4 million cells time grows at most 4.5 times", solve
/// alone, as paired measurements: the 1 M and 4 M systems of one problem
/// are built and set up in one process and then solved alternately (which
/// one goes first alternates too), so both solves of a pair see the same
/// moment of this shared host; the separate rows of the table above are
/// minutes apart, and the host's bandwidth moves between them (STREAM triad
/// 22-42 GB/s on 1 thread within a day). Each solve from the flat start with
/// the hierarchy already built (as BM_Solve). Prints the median solve times
/// and the median, smallest and largest of the pairs' 4 M / 1 M ratios.
int run_growth(int pairs) {
  pairs = std::max(pairs, 1);
  struct Problem {
    const char* label;
    const char* variant;
    Index nlay, small, large;
  };
  const Problem problems[] = {{"1 layer", "homogeneous", 1, 1000, 2000},
                              {"1 layer, 100 km domain", "domain100km", 1, 1000, 2000},
                              {"3 layers", "homogeneous", 3, 577, 1155}};
  std::printf("| problem | threads | iterations 1 M -> 4 M | solve 1 M s | solve 4 M s | 4 M / 1 M, median of %d pairs | "
              "smallest - largest |\n",
              pairs);
  std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
  for (const Problem& pr : problems) {
    struct Size {
      StencilSystem A;
      std::unique_ptr<LinearSolver> solver;
      std::vector<double> h;
      int iterations = 0;
    };
    std::array<Size, 2> sizes;
    SolverSettings set;
    set.kind = SolverKind::multigrid;
    for (int k = 0; k < 2; ++k) {
      const Index n = k == 0 ? pr.small : pr.large;
      sizes[static_cast<std::size_t>(k)].A = synthetic::build(make_spec(pr.nlay, n, n, pr.variant));
      sizes[static_cast<std::size_t>(k)].solver = make_solver(set);
    }
    for (int threads : {1, 2}) {
      set_threads(threads);
      auto solve = [&](Size& z) {
        flat_start(z.A, z.h);
        const auto t0 = std::chrono::steady_clock::now();
        const SolveStats st = z.solver->solve(z.A, z.h);
        const double t = seconds_since(t0);
        if (!st.converged) std::fprintf(stderr, "%s did not converge\n", pr.label);
        z.iterations = st.iterations;
        return t;
      };
      for (Size& z : sizes) solve(z); // set-up and first touch, untimed
      const PairedTimes pt = time_in_pairs(pairs, [&](int k) { return solve(sizes[static_cast<std::size_t>(k)]); });
      std::printf("| %s | %d | %d -> %d | %.3f | %.3f | %s |\n", pr.label, threads, sizes[0].iterations,
                  sizes[1].iterations, median(pt.times[0]), median(pt.times[1]), pt.ratio_cells().c_str());
      std::fflush(stdout);
    }
  }
  return 0;
}

/// A generated scenario for a whole `gwsim run`.
struct RunCase {
  std::string label;
  Index nlay, nrow, ncol;
  std::string variant; ///< homogeneous | aquitard | lognormal | transient
  int threads;
  /// m, square cells. 100 m everywhere except the fixed-domain rows: a
  /// larger grid of 100 m cells is a wider aquifer whose recharge mound
  /// grows with the square of its width (heads to 1141 m at 1000 x 1000,
  /// 4465 m at 2000 x 2000), so the absolute head tolerance asks more
  /// relative accuracy of the larger grid; the same 100 km domain in finer
  /// cells measures the grid alone.
  double delr = 100.0;
};

/// Write the scenario YAML (and K file) into dir; returns the YAML path.
/// Same layout as the synthetic systems: 100 m cells (c.delr), 20 m layers,
/// CHD on the west (40 m) and east (30 m) edges of the top layer, 4 wells in
/// the bottom layer, recharge 3e-4 m/d, a GHB river line along the middle
/// row (conductance 500 m2/d per metre of river).
std::string write_scenario(const std::string& dir, const RunCase& c) {
  std::string base = dir + "/" + c.variant + "_" + std::to_string(c.nlay) + "x" + std::to_string(c.nrow) + "x" +
                     std::to_string(c.ncol);
  if (c.delr != 100.0) base.append("_").append(std::to_string(static_cast<int>(c.delr))).append("m");
  std::ofstream y(base + ".yaml");
  y << "name: bench " << c.variant << "\n";
  y << "grid:\n  nlay: " << c.nlay << "\n  nrow: " << c.nrow << "\n  ncol: " << c.ncol << "\n  delr: " << c.delr
    << "\n  delc: " << c.delr << "\n  top: 20.0\n  bottom: [";
  for (Index l = 0; l < c.nlay; ++l) y << (l ? ", " : "") << -20.0 * static_cast<double>(l);
  y << "]\naquifer:\n";
  if (c.variant == "lognormal") {
    synthetic::Spec s = make_spec(1, c.nrow, c.ncol, "lognormal");
    const auto k = synthetic::conductivity(s);
    std::ofstream kf(base + "_k.csv");
    for (Index r = 0; r < c.nrow; ++r)
      for (Index col = 0; col < c.ncol; ++col)
        kf << k[static_cast<std::size_t>(r * c.ncol + col)] << (col + 1 < c.ncol ? "," : "\n");
    y << "  k: [{file: " << base << "_k.csv}]\n  k33: [{file: " << base << "_k.csv, factor: 0.1}]\n";
  } else {
    y << "  k: 10.0\n  k33: [";
    for (Index l = 0; l < c.nlay; ++l)
      y << (l ? ", " : "") << ((c.variant == "aquitard" || c.variant == "transient") && l == c.nlay / 2 ? 1e-3 : 1.0);
    y << "]\n";
  }
  y << "  ss: 1.0e-5\ntime:\n  start: 2015-01-01\n  periods:\n";
  if (c.variant == "transient")
    y << "    - {length: 100.0, steps: 10, repeat: 10}\n";
  else
    y << "    - {length: 1.0, steady: true}\n";
  y << "initial_head: 35.0\nstresses:\n  chd:\n";
  y << "    - {name: west, cells: {layer: 1, rows: [1, " << c.nrow << "], col: 1}, head: 40.0}\n";
  y << "    - {name: east, cells: {layer: 1, rows: [1, " << c.nrow << "], col: " << c.ncol << "}, head: 30.0}\n";
  y << "  ghb:\n    - {name: river, cells: {layer: 1, row: " << c.nrow / 2 + 1 << ", cols: [" << c.ncol / 8 + 1
    << ", " << c.ncol - c.ncol / 8 << "]}, head: 33.0, conductance: " << 500.0 * c.delr << "}\n";
  y << "  wel:\n";
  for (int w = 0; w < 4; ++w) {
    const Index r = c.nrow / 4 + (w % 2) * c.nrow / 2 + 1, col = c.ncol / 5 + (w / 2) * (3 * c.ncol / 5) + 1;
    y << "    - {name: w" << w << ", layer: " << c.nlay << ", row: " << r << ", col: " << col << ", rate: ";
    if (c.variant == "transient")
      y << "{1: -2000.0, 3: -3000.0, 5: -2000.0, 7: -3000.0, 9: -2000.0}";
    else
      y << "-2000.0";
    y << "}\n";
  }
  // Uncompressed output: gzip of the heads is the HDF5 writer's cost, not
  // the solver's (about +40% of a 1M-cell steady run at level 4).
  y << "  rch:\n    rate: 0.0003\noutput:\n  file: " << base << ".h5\n  save_heads: period_end\n  compression: 0\n";
  return base + ".yaml";
}

/// Run the command with stdout into `log`; returns wall seconds and the
/// child's peak RSS (KiB).
bool run_child(const std::vector<std::string>& argv, const std::string& log, double& seconds, long& rss_kib) {
  std::fflush(stdout); // or the child inherits the buffered table
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    if (!std::freopen(log.c_str(), "w", stdout)) _exit(127);
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    execv(a[0], a.data());
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  if (pid < 0 || wait4(pid, &status, 0, &ru) != pid) return false;
  seconds = seconds_since(t0);
  rss_kib = ru.ru_maxrss;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int run_whole(const std::string& gwsim, int reps) {
  char tmpl[] = "/tmp/gwsim_bench_XXXXXX";
  const char* dir = mkdtemp(tmpl);
  if (!dir) return 1;
  std::vector<RunCase> cases;
  for (int threads : {1, 2}) {
    cases.push_back({"steady 1 layer", 1, 500, 500, "homogeneous", threads});
    cases.push_back({"steady 1 layer", 1, 1000, 1000, "homogeneous", threads});
    cases.push_back({"steady 1 layer", 1, 2000, 2000, "homogeneous", threads});
    cases.push_back({"steady 3 layers, aquitard middle", 3, 577, 577, "aquitard", threads});
  }
  // 16 M cells: how the whole run's memory per cell falls with size (the
  // 150 M-cell question of issue #3), 2 threads only.
  cases.push_back({"steady 1 layer", 1, 4000, 4000, "homogeneous", 2});
  cases.push_back({"steady 1 layer, lognormal K", 1, 1000, 1000, "lognormal", 2});
  // The grid alone (see RunCase::delr): one 100 km square aquifer in 100 m
  // and in 50 m cells.
  cases.push_back({"steady 1 layer, 100 km domain", 1, 1000, 1000, "homogeneous", 2, 100.0});
  cases.push_back({"steady 1 layer, 100 km domain", 1, 2000, 2000, "homogeneous", 2, 50.0});
  cases.push_back({"transient 10 periods x 10 steps", 3, 300, 300, "transient", 1});
  cases.push_back({"transient 10 periods x 10 steps", 3, 300, 300, "transient", 2});
  std::printf("| scenario | grid | cells | threads | solver iterations | whole run s (median of %d) | peak memory B/cell |\n", reps);
  std::printf("|---|---|---:|---:|---:|---:|---:|\n");
  for (const RunCase& c : cases) {
    const std::string yaml = write_scenario(dir, c);
    std::vector<double> t;
    long rss = 0;
    bool ok = true;
    for (int i = 0; i < reps && ok; ++i) {
      double s = 0.0;
      long r = 0;
      ok = run_child({gwsim, "run", "-q", "-t", std::to_string(c.threads), yaml}, yaml + ".log", s, r);
      t.push_back(s);
      rss = std::max(rss, r);
    }
    const double cells = static_cast<double>(c.nlay * c.nrow * c.ncol);
    std::sort(t.begin(), t.end());
    // gwsim's summary line: "solver   multigrid (N iterations in all)".
    std::string iterations = "?";
    {
      std::ifstream log(yaml + ".log");
      for (std::string line; std::getline(log, line);)
        if (const auto p = line.find(" iterations in all"); p != std::string::npos) {
          const auto q = line.rfind('(', p);
          if (q != std::string::npos) iterations = line.substr(q + 1, p - q - 1);
        }
    }
    if (!ok) {
      std::printf("| %s | %ld x %ld x %ld | failed |\n", c.label.c_str(), static_cast<long>(c.nlay),
                  static_cast<long>(c.nrow), static_cast<long>(c.ncol));
      continue;
    }
    std::printf("| %s | %ld x %ld x %ld | %.0f | %d | %s | %.3f | %.0f |\n", c.label.c_str(), static_cast<long>(c.nlay),
                static_cast<long>(c.nrow), static_cast<long>(c.ncol), cells, c.threads, iterations.c_str(), t[t.size() / 2],
                static_cast<double>(rss) * 1024.0 / cells);
    std::fflush(stdout);
  }
  std::string cleanup = std::string("rm -rf ") + dir;
  return std::system(cleanup.c_str()) == 0 ? 0 : 1;
}

/// Issue #3's 1 -> 4 M cells growth of the whole `gwsim run` as paired
/// measurements: the 1000 x 1000 and 2000 x 2000 steady single-layer
/// scenarios of run_whole() run back to back, alternating which goes first,
/// and the median of the pairs' 4 M / 1 M wall-time ratios, 1 and 2 threads.
/// Table rows of run_whole() are a minute apart, and the shared host's
/// bandwidth moves by 2x within minutes (bench/README.md).
int run_whole_growth(const std::string& gwsim, int pairs) {
  pairs = std::max(pairs, 1);
  char tmpl[] = "/tmp/gwsim_bench_XXXXXX";
  const char* dir = mkdtemp(tmpl);
  if (!dir) return 1;
  std::printf("| scenario | threads | whole run 1 M s | whole run 4 M s | 4 M / 1 M, median of %d pairs | "
              "smallest - largest |\n",
              pairs);
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  int status = 0;
  for (int threads : {1, 2}) {
    const RunCase sizes[2] = {{"", 1, 1000, 1000, "homogeneous", threads}, {"", 1, 2000, 2000, "homogeneous", threads}};
    std::string yaml[2];
    for (int k = 0; k < 2; ++k) yaml[k] = write_scenario(dir, sizes[k]);
    auto run = [&](int k) { // wall seconds, -1 on failure
      double s = 0.0;
      long rss = 0;
      return run_child({gwsim, "run", "-q", "-t", std::to_string(threads), yaml[k]}, yaml[k] + ".log", s, rss) ? s
                                                                                                              : -1.0;
    };
    // Page cache and binary warm, untimed.
    const bool warm = run(0) >= 0.0 && run(1) >= 0.0;
    const PairedTimes pt = warm ? time_in_pairs(pairs, run) : PairedTimes{{}, {}, false};
    if (!pt.ok) {
      std::printf("| steady 1 layer | %d | failed |\n", threads);
      status = 1;
      continue;
    }
    std::printf("| steady 1 layer, 1000 x 1000 -> 2000 x 2000 | %d | %.3f | %.3f | %s |\n", threads,
                median(pt.times[0]), median(pt.times[1]), pt.ratio_cells().c_str());
    std::fflush(stdout);
  }
  std::string cleanup = std::string("rm -rf ") + dir;
  return std::system(cleanup.c_str()) == 0 ? status : 1;
}

} // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "table";
  if (mode == "table") return run_table(argv[0], argc > 2 ? std::atoi(argv[2]) : 5);
  if (mode == "growth") return run_growth(argc > 2 ? std::atoi(argv[2]) : 9);
  if (mode == "runs" && argc >= 3) return run_whole(argv[2], argc > 3 ? std::atoi(argv[3]) : 3);
  if (mode == "run-growth" && argc >= 3) return run_whole_growth(argv[2], argc > 3 ? std::atoi(argv[3]) : 7);
  if (mode == "scenario" && argc == 7) { // write a whole-run scenario (bench/paired_runs.sh)
    const RunCase c{"", std::atol(argv[3]), std::atol(argv[4]), std::atol(argv[5]), argv[2], 2};
    std::error_code ec;
    std::filesystem::create_directories(argv[6], ec);
    const std::string yaml = write_scenario(argv[6], c);
    if (ec || !std::ifstream(yaml)) {
      std::fprintf(stderr, "solver_scaling: cannot write %s\n", yaml.c_str());
      return 1;
    }
    std::printf("%s\n", yaml.c_str());
    return 0;
  }
  if (mode == "case" && argc == 9)
    return run_case(argv[6], std::atol(argv[3]), std::atol(argv[4]), std::atol(argv[5]), std::atoi(argv[7]),
                    std::atoi(argv[8]));
  std::fprintf(stderr,
               "usage: %s table [reps] | growth [pairs] | runs GWSIM [reps] | run-growth GWSIM [pairs] | case NAME NLAY NROW NCOL VARIANT THREADS REPS\n"
               "       | scenario VARIANT NLAY NROW NCOL DIR   (writes DIR/VARIANT_NLAYxNROWxNCOL.yaml)\n",
               argv[0]);
  return 64;
}

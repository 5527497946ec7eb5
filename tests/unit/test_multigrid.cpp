// Multigrid-preconditioned Krylov solver: agreement with the Eigen direct
// solver, bounded iteration counts as the grid grows and for heterogeneous
// and layered aquifers, and bitwise thread-count independence.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "../../bench/synthetic_problems.hpp"
#include "core/parallel.hpp"
#include "solver/direct.hpp"
#include "solver/krylov.hpp"
#include "solver/mg_kernels.hpp"
#include "solver/multigrid.hpp"

namespace gwsim {
namespace {

using synthetic::KField;
using synthetic::Spec;

Spec spec(Index nlay, Index nrow, Index ncol) {
  Spec s;
  s.nlay = nlay;
  s.nrow = nrow;
  s.ncol = ncol;
  return s;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

SolveStats solve_mg(const StencilSystem& A, std::vector<double>& h, SolverSettings set = {}) {
  set.kind = SolverKind::multigrid;
  return make_solver(set)->solve(A, h);
}

std::vector<double> solve_direct(const StencilSystem& A, std::vector<double> h) {
  DirectSolver d;
  d.solve(A, h);
  return h;
}

// Tight tolerances for the comparison with the direct solver (1e-8 m).
SolverSettings tight() {
  SolverSettings s;
  s.head_tolerance = 1e-11;
  s.residual_tolerance = 1e-13;
  return s;
}

struct Case {
  const char* name;
  Spec spec;
};

std::vector<Case> small_cases() {
  std::vector<Case> c;
  Spec s = spec(1, 45, 61);
  s.field = KField::lognormal;
  c.push_back({"lognormal 1 layer", s});
  s = spec(2, 40, 33);
  s.field = KField::zones; // 4 orders of magnitude between zones
  c.push_back({"zones 2 layers", s});
  s = spec(3, 37, 52);
  s.aquitard_layer = 1;
  s.inactive = true;
  s.field = KField::lognormal;
  c.push_back({"aquitard + inactive 3 layers", s});
  s = spec(4, 20, 25);
  s.k33_ratio = 1e-4;
  s.specific_storage = 1e-5;
  c.push_back({"weak vertical coupling, transient", s});
  s = spec(1, 1, 300);
  c.push_back({"one row", s});
  return c;
}

TEST(Multigrid, MatchesDirectSolverOnSmallProblems) {
  for (const Case& k : small_cases()) {
    std::vector<double> h;
    const StencilSystem A = synthetic::build(k.spec, &h);
    const auto ref = solve_direct(A, h);
    const SolveStats st = solve_mg(A, h, tight());
    EXPECT_TRUE(st.converged) << k.name;
    EXPECT_LT(max_abs_diff(h, ref), 1e-8) << k.name << ": m";
  }
}

TEST(Multigrid, GcrWithMultigridMatchesDirectOnNonsymmetricSystem) {
  Spec s = spec(2, 30, 41);
  s.field = KField::lognormal;
  std::vector<double> h;
  StencilSystem A = synthetic::build(s, &h);
  // Perturb the couplings as a Newton linearisation would (upstream
  // weighting), keeping the diagonal dominant.
  synthetic::perturb_like_newton(A, 7, 0.2, 1.5);
  const auto ref = solve_direct(A, h);
  const SolveStats st = solve_mg(A, h, tight());
  EXPECT_TRUE(st.converged);
  EXPECT_LT(st.iterations, 30);
  EXPECT_LT(max_abs_diff(h, ref), 1e-8);
}

// Iteration counts with the default tolerances stay small and do not grow
// with the grid: 64^2 .. 256^2 within 2 of each other, all <= 15.
TEST(Multigrid, IterationCountIndependentOfGridSize) {
  int lo = 1000, hi = 0;
  for (Index n : {64, 128, 256}) {
    std::vector<double> h;
    const StencilSystem A = synthetic::build(spec(1, n, n), &h);
    const SolveStats st = solve_mg(A, h);
    EXPECT_TRUE(st.converged) << n;
    EXPECT_LE(st.iterations, 15) << n << "^2";
    std::printf("%ld^2: %d iterations\n", static_cast<long>(n), st.iterations);
    lo = std::min(lo, st.iterations);
    hi = std::max(hi, st.iterations);
  }
  EXPECT_LE(hi - lo, 2);
}

// Heterogeneous, inactive-cell, aquitard and layered variants need at most
// 1.5 times the iterations of the homogeneous single-layer problem.
TEST(Multigrid, RobustToHeterogeneityAndLayering) {
  std::vector<double> h;
  const StencilSystem A0 = synthetic::build(spec(1, 128, 128), &h);
  const int base = solve_mg(A0, h).iterations;
  std::vector<Case> cases;
  Spec s = spec(1, 128, 128);
  s.field = KField::lognormal;
  cases.push_back({"lognormal sigma 2", s});
  s = spec(1, 128, 128);
  s.field = KField::zones;
  cases.push_back({"zones 1e-2..1e2", s});
  s = spec(1, 128, 128);
  s.inactive = true;
  cases.push_back({"inactive cells", s});
  s = spec(3, 128, 128);
  s.aquitard_layer = 1;
  cases.push_back({"3 layers, aquitard", s});
  s = spec(3, 128, 128);
  s.k33_ratio = 1e-4;
  cases.push_back({"3 layers, k33 = 1e-4 k", s});
  s = spec(2, 128, 128);
  s.k33_ratio = 10.0;
  cases.push_back({"2 layers, strong vertical coupling", s});
  for (const Case& k : cases) {
    const StencilSystem A = synthetic::build(k.spec, &h);
    const SolveStats st = solve_mg(A, h);
    EXPECT_TRUE(st.converged) << k.name;
    EXPECT_LE(st.iterations, static_cast<int>(1.5 * base)) << k.name << " (homogeneous: " << base << ")";
    std::printf("%-36s %2d iterations (homogeneous %d)\n", k.name, st.iterations, base);
  }
}

// The default tolerances give heads to 1e-6 m.
TEST(Multigrid, DefaultSettingsGiveHeadsToOneMicrometre) {
  for (const Case& k : small_cases()) {
    std::vector<double> h;
    const StencilSystem A = synthetic::build(k.spec, &h);
    const auto ref = solve_direct(A, h);
    EXPECT_TRUE(solve_mg(A, h).converged) << k.name;
    EXPECT_LT(max_abs_diff(h, ref), 1e-6) << k.name << ": m";
  }
  Spec s = spec(1, 256, 256);
  s.field = KField::lognormal;
  std::vector<double> h;
  const StencilSystem A = synthetic::build(s, &h);
  std::vector<double> ref = h;
  solve_mg(A, ref, tight());
  solve_mg(A, h);
  EXPECT_LT(max_abs_diff(h, ref), 1e-6) << "m, 256 x 256 lognormal";
}

TEST(Multigrid, FirstGuessWithSmoothErrorIsNotAcceptedOnItsResidual) {
  // A first guess 1 mm off by a smooth bump has a residual far below the
  // relative tolerance when the residual scale is large (as a transient
  // step's head-form norm is: storage times the heads' elevation). The solve
  // must still iterate until a head change is within 1e-6 m.
  Spec s = spec(1, 64, 64);
  std::vector<double> h;
  StencilSystem A = synthetic::build(s, &h);
  const auto ref = solve_direct(A, h);
  std::vector<double> guess = ref;
  for (Index i = 0; i < 64; ++i)
    for (Index j = 0; j < 64; ++j)
      guess[static_cast<std::size_t>(i * 64 + j)] +=
          1e-3 * std::sin(3.14159 * (i + 0.5) / 64) * std::sin(3.14159 * (j + 0.5) / 64);
  std::vector<double> r(guess.size());
  A.residual_scale = 1e4 * residual(A, guess, r) / SolverSettings{}.residual_tolerance;
  const SolveStats st = solve_mg(A, guess);
  EXPECT_TRUE(st.converged);
  EXPECT_GE(st.iterations, 1);
  EXPECT_LT(max_abs_diff(guess, ref), 1e-6) << "m";
}

TEST(Multigrid, KeptPreconditionerStillSolvesTheNewSystem) {
  // Newton's later iterations keep the first iteration's preconditioner; the
  // Krylov iteration uses the new matrix, so the answer is the new system's.
  Spec s = spec(2, 48, 48);
  s.field = KField::lognormal;
  std::vector<double> h1, h2;
  const StencilSystem A1 = synthetic::build(s, &h1);
  StencilSystem A2 = synthetic::build(s, &h2);
  for (double& d : A2.diag) d *= 1.05; // a nearby operator (more storage, say)
  const auto ref = solve_direct(A2, h2);
  SolverSettings set;
  set.kind = SolverKind::multigrid;
  auto solver = make_solver(set);
  EXPECT_TRUE(solver->solve(A1, h1).converged);
  solver->keep_preconditioner(true);
  const SolveStats st = solver->solve(A2, h2);
  EXPECT_TRUE(st.converged);
  EXPECT_LT(max_abs_diff(h2, ref), 1e-6) << "m";
  // A system of another size gets a new preconditioner even while kept.
  std::vector<double> h3;
  const StencilSystem A3 = synthetic::build(spec(1, 32, 32), &h3);
  const auto ref3 = solve_direct(A3, h3);
  EXPECT_TRUE(solver->solve(A3, h3).converged);
  EXPECT_LT(max_abs_diff(h3, ref3), 1e-6) << "m";
}

TEST(Multigrid, SetUpAgainItSolvesAsAFreshPreconditionerWould) {
  // A Newton solve sets the preconditioner up at every iteration, reusing
  // the memory of the last set-up (the symmetric part, the coarsening's
  // work arrays). Whatever came before, including systems of other shapes
  // and a symmetric one, the iterates are those of a preconditioner set up
  // for this system alone: same iterations, same heads bit for bit.
  auto newton_like = [](Index nlay, Index nrow, Index ncol, unsigned seed, double storage) {
    Spec s = spec(nlay, nrow, ncol);
    s.field = KField::lognormal;
    std::vector<double> h;
    StencilSystem A = synthetic::build(s, &h);
    synthetic::perturb_like_newton(A, seed, 0.2, 1.5);
    for (double& d : A.diag) d *= storage; // another time step's storage term
    return std::pair{A, h};
  };
  std::vector<std::pair<StencilSystem, std::vector<double>>> systems = {
      newton_like(2, 40, 52, 3, 1.0), newton_like(3, 24, 30, 5, 1.0), newton_like(2, 40, 52, 9, 1.1),
      newton_like(2, 40, 52, 13, 1.05)};
  {
    std::vector<double> h;
    systems.push_back({synthetic::build(spec(2, 44, 36), &h), h}); // symmetric
  }
  systems.push_back(newton_like(2, 40, 52, 11, 1.2));
  SolverSettings set;
  set.kind = SolverKind::multigrid;
  auto reused = make_solver(set);
  for (std::size_t k = 0; k < systems.size(); ++k) {
    const auto& [A, h0] = systems[k];
    std::vector<double> h_reused = h0, h_fresh = h0;
    const SolveStats a = reused->solve(A, h_reused);
    const SolveStats b = make_solver(set)->solve(A, h_fresh);
    EXPECT_TRUE(a.converged) << "system " << k;
    EXPECT_EQ(a.iterations, b.iterations) << "system " << k;
    EXPECT_EQ(max_abs_diff(h_reused, h_fresh), 0.0) << "system " << k << ": m";
  }
}

TEST(Multigrid, SameIteratesOnOneAndTwoThreads) {
  Spec s = spec(3, 150, 170); // big enough for parallel loops on two levels
  s.field = KField::lognormal;
  s.aquitard_layer = 1;
  s.inactive = true;
  std::vector<double> h0;
  StencilSystem A = synthetic::build(s, &h0);
  const int threads = max_threads();
  std::vector<double> h1 = h0, h2 = h0;
  set_threads(1);
  const SolveStats s1 = solve_mg(A, h1);
  set_threads(2);
  const SolveStats s2 = solve_mg(A, h2);
  // And the nonsymmetric path.
  A.make_nonsymmetric();
  std::vector<double> g1 = h0, g2 = h0;
  set_threads(1);
  const SolveStats n1 = solve_mg(A, g1);
  set_threads(2);
  const SolveStats n2 = solve_mg(A, g2);
  set_threads(threads);
  EXPECT_EQ(s1.iterations, s2.iterations);
  EXPECT_EQ(s1.relative_residual, s2.relative_residual);
  EXPECT_TRUE(h1 == h2) << "heads differ between 1 and 2 threads";
  EXPECT_EQ(n1.iterations, n2.iterations);
  EXPECT_TRUE(g1 == g2) << "GCR heads differ between 1 and 2 threads";
}

// release() gives back the hierarchy and the Krylov vectors (the end of a
// run); a later solve builds them again and repeats the same iterates.
TEST(Multigrid, ReleasedSolverBuildsItsMemoryAgain) {
  Spec s = spec(2, 60, 70);
  s.field = KField::lognormal;
  std::vector<double> h0;
  const StencilSystem A = synthetic::build(s, &h0);
  MultigridPreconditioner mg;
  mg.setup(A);
  EXPECT_GT(mg.memory_bytes(), static_cast<std::size_t>(A.size()) * 8);
  mg.release();
  EXPECT_EQ(mg.memory_bytes(), 0u);
  EXPECT_EQ(mg.levels(), 0);

  SolverSettings set;
  set.kind = SolverKind::multigrid;
  auto solver = make_solver(set);
  std::vector<double> h1 = h0, h2 = h0;
  const SolveStats s1 = solver->solve(A, h1);
  solver->keep_preconditioner(true); // even a kept preconditioner is rebuilt
  solver->release();
  const SolveStats s2 = solver->solve(A, h2);
  EXPECT_TRUE(s1.converged && s2.converged);
  EXPECT_EQ(s1.iterations, s2.iterations);
  EXPECT_TRUE(h1 == h2);
}

// One solver object over a sequence of systems, as in time stepping: the
// hierarchy is kept while the operator is unchanged and rebuilt when it
// changes (here the storage term of a new step length).
TEST(Multigrid, ReusesHierarchyOnlyForTheSameOperator) {
  Spec s = spec(2, 60, 70);
  s.specific_storage = 1e-4;
  std::vector<double> h0;
  StencilSystem A = synthetic::build(s, &h0);
  SolverSettings set = tight();
  set.kind = SolverKind::multigrid;
  auto solver = make_solver(set);
  for (int step = 0; step < 3; ++step) {
    if (step == 2)
      for (std::size_t i = 0; i < A.diag.size(); ++i)
        if (A.diag[i] != 1.0) A.diag[i] += 50.0; // shorter step: more storage
    A.rhs[static_cast<std::size_t>(A.size() / 2)] -= 100.0;
    std::vector<double> h = h0;
    EXPECT_TRUE(solver->solve(A, h).converged) << "step " << step;
    EXPECT_LT(max_abs_diff(h, solve_direct(A, h0)), 1e-8) << "step " << step;
  }
}

TEST(Multigrid, FixedHeadsAndInactiveCellsKeepTheirValues) {
  Spec s = spec(2, 50, 60);
  s.inactive = true;
  std::vector<double> h;
  const StencilSystem A = synthetic::build(s, &h);
  solve_mg(A, h);
  for (std::size_t i = 0; i < h.size(); ++i) {
    if (A.diag[i] == 1.0 && A.east[i] == 0.0 && A.south[i] == 0.0) {
      EXPECT_NEAR(h[i], A.rhs[i], 1e-12);
    }
  }
}

// The paired red-black pass (both colours of the smoother in one pass,
// one band of rows per thread) must give every row's colours in an order
// a two-pass sweep allows, and bands running at the same time must never
// touch what the other reads: row r's colour k reads the other colour of
// rows r-1, r, r+1 and writes its own colour of row r.
TEST(Multigrid, PairedRedBlackPassKeepsTheOrderOfTwoColourSweeps) {
  struct Op {
    Index row;
    int colour; // 0 first, 1 second
  };
  for (Index nr : {1, 2, 3, 4, 5, 8, 13, 38, 300}) {
    for (Index nband : {1, 2, 3, 4, 7}) {
      const Index band = (nr + nband - 1) / nband;
      std::vector<std::vector<std::vector<Op>>> ops(2); // phase, band, ops
      for (int phase = 0; phase < 2; ++phase)
        for (Index r0 = 0; r0 < nr; r0 += band) {
          ops[phase].emplace_back();
          mg::paired_sweep(phase, r0, std::min(nr, r0 + band), nr,
                           [&](Index r, int k) { ops[phase].back().push_back({r, k}); });
        }
      SCOPED_TRACE("nr " + std::to_string(nr) + ", " + std::to_string(ops[0].size()) + " bands");
      // Every colour of every row exactly once, in an order a two-pass
      // sweep allows (bands one after the other).
      std::vector<int> done(static_cast<std::size_t>(2 * nr), 0);
      auto is_done = [&](Index r, int k) { return r >= 0 && r < nr && done[static_cast<std::size_t>(2 * r + k)] > 0; };
      for (const auto& phase : ops)
        for (const auto& b : phase)
          for (const Op& o : b) {
            for (Index r = std::max<Index>(o.row - 1, 0); r <= std::min(o.row + 1, nr - 1); ++r) {
              if (o.colour == 1) {
                EXPECT_TRUE(is_done(r, 0)) << "second colour of row " << o.row << " before the first of row " << r;
              } else {
                EXPECT_FALSE(is_done(r, 1)) << "first colour of row " << o.row << " after the second of row " << r;
              }
            }
            ++done[static_cast<std::size_t>(2 * o.row + o.colour)];
          }
      for (int d : done) EXPECT_EQ(d, 1);
      // Bands of the same phase run at the same time: no conflicts.
      for (const auto& phase : ops)
        for (std::size_t i = 0; i < phase.size(); ++i)
          for (std::size_t j = i + 1; j < phase.size(); ++j)
            for (const Op& a : phase[i])
              for (const Op& b : phase[j])
                EXPECT_FALSE(a.colour != b.colour && std::abs(a.row - b.row) <= 1)
                    << "bands " << i << " and " << j << " touch rows " << a.row << " and " << b.row;
    }
  }
}

// The multigrid preconditioner with the paired pass gives the same values
// as separate colour sweeps: a plain point red-black Gauss-Seidel on a
// 5-point stencil written both ways, bit for bit.
TEST(Multigrid, PairedRedBlackPassEqualsTwoColourSweeps) {
  const Index nr = 37, nc = 23;
  auto at = [&](Index r, Index c) { return static_cast<std::size_t>(r * nc + c); };
  std::vector<float> b(static_cast<std::size_t>(nr * nc)), x0(b.size());
  for (std::size_t i = 0; i < b.size(); ++i) {
    b[i] = static_cast<float>(std::sin(0.37 * static_cast<double>(i)));
    x0[i] = static_cast<float>(std::cos(0.11 * static_cast<double>(i)));
  }
  auto relax = [&](std::vector<float>& x, Index r, int colour) {
    for (Index c = (r + colour) & 1; c < nc; c += 2) {
      float s = b[at(r, c)];
      if (r > 0) s += x[at(r - 1, c)];
      if (r + 1 < nr) s += x[at(r + 1, c)];
      if (c > 0) s += x[at(r, c - 1)];
      if (c + 1 < nc) s += x[at(r, c + 1)];
      x[at(r, c)] = s / 4.5f;
    }
  };
  for (int first : {0, 1}) {
    std::vector<float> two = x0;
    for (int k : {first, 1 - first})
      for (Index r = 0; r < nr; ++r) relax(two, r, k);
    for (Index nband : {1, 2, 3, 5}) {
      const Index band = (nr + nband - 1) / nband;
      std::vector<float> paired = x0;
      for (int phase = 0; phase < 2; ++phase)
        for (Index r0 = 0; r0 < nr; r0 += band)
          mg::paired_sweep(phase, r0, std::min(nr, r0 + band), nr,
                           [&](Index r, int k) { relax(paired, r, k ? 1 - first : first); });
      EXPECT_EQ(paired, two) << nband << " bands, first colour " << first;
    }
  }
}

// Large levels restrict their residual during the pre-smoothing sweep
// (MultigridSettings::fuse_restriction_bytes), each coarse row once the
// fine rows it needs are final, and the rows next to a thread's band after
// the sweep. Fused on every level or on none, the preconditioner must give
// the same values bit for bit: one and several layers, odd and even row
// counts, one row, and on two threads (two bands on the parallel levels).
TEST(Multigrid, RestrictionDuringSmoothingGivesTheSameValues) {
  std::vector<Spec> specs;
  Spec s = spec(3, 150, 170); // parallel loops on two levels
  s.field = KField::lognormal;
  s.aquitard_layer = 1;
  s.inactive = true;
  specs.push_back(s);
  s = spec(1, 301, 97); // odd rows on every level
  s.field = KField::zones;
  specs.push_back(s);
  specs.push_back(spec(2, 64, 256));
  specs.push_back(spec(1, 1, 300));
  const int threads = max_threads();
  for (const Spec& sp : specs)
    for (int t : {1, 2}) {
      set_threads(t);
      const StencilSystem A = synthetic::build(sp);
      std::vector<std::vector<double>> z;
      for (std::size_t bytes : {std::size_t{0}, ~std::size_t{0}}) {
        MultigridSettings set;
        set.fuse_restriction_bytes = bytes;
        MultigridPreconditioner mg(set);
        mg.setup(A);
        z.emplace_back(A.rhs.size());
        mg.apply(A.rhs, z.back());
      }
      set_threads(threads);
      ASSERT_GT(max_abs_diff(z[0], std::vector<double>(z[0].size(), 0.0)), 0.0);
      EXPECT_TRUE(z[0] == z[1]) << sp.nlay << " x " << sp.nrow << " x " << sp.ncol << ", " << t
                                << " threads: fused and separate restriction differ by up to "
                                << max_abs_diff(z[0], z[1]);
    }
}

TEST(Multigrid, RowLoopsSplitAtACacheLineVisitEveryCellOnceInOrder) {
  // mg::split_at_line runs a row loop as two: up to the first 64-byte
  // boundary of the row's arrays, then the vectorised rest. Whatever the
  // row's place within a line and its length (shorter than a line too),
  // every cell of [lo, hi) is visited once, in order.
  alignas(64) static float row[200];
  for (Index shift = 0; shift < 16; ++shift)
    for (Index lo : {0, 1})
      for (Index hi : {lo, lo + 1, Index{7}, Index{17}, Index{150}}) {
        std::vector<Index> seen;
        mg::split_at_line(row + shift, lo, hi, [&](Index c) { seen.push_back(c); });
        std::vector<Index> expected;
        for (Index c = lo; c < hi; ++c) expected.push_back(c);
        EXPECT_EQ(seen, expected) << "shift " << shift << ", [" << lo << ", " << hi << ")";
      }
}

TEST(Multigrid, HierarchyCoarsensRowsAndColumnsOnly) {
  std::vector<double> h;
  const StencilSystem A = synthetic::build(spec(3, 200, 100), &h);
  MultigridPreconditioner mg;
  mg.setup(A);
  ASSERT_GE(mg.levels(), 3);
  EXPECT_EQ(mg.level_cells(1), 3 * 100 * 50);
  EXPECT_LE(mg.level_cells(mg.levels() - 1), MultigridSettings{}.coarsest_cells);
  // Float hierarchy: well under 60 bytes per fine cell.
  EXPECT_LT(static_cast<double>(mg.memory_bytes()) / static_cast<double>(A.size()), 60.0);
}

// The vectorised operator matches the assembled sparse matrix.
TEST(Stencil, ApplyMatchesSparseMatrix) {
  for (Index nlay : {1, 3}) {
    Spec s = spec(nlay, 17, 23);
    s.field = KField::lognormal;
    s.inactive = true;
    StencilSystem A = synthetic::build(s);
    for (bool nonsym : {false, true}) {
      if (nonsym) {
        A.make_nonsymmetric();
        for (std::size_t i = 0; i < A.west.size(); ++i) A.west[i] *= 1.3, A.up[i] *= 0.7;
      }
      std::vector<double> x(static_cast<std::size_t>(A.size())), y(x.size()), r(x.size());
      for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.37 * static_cast<double>(i));
      apply(A, x, y);
      const Eigen::VectorXd ref = to_sparse(A) * Eigen::Map<const Eigen::VectorXd>(x.data(), A.size());
      for (std::size_t i = 0; i < x.size(); ++i) {
        const double e = ref[static_cast<Index>(i)];
        EXPECT_NEAR(y[i], e, 1e-9 * (1.0 + std::abs(e)));
      }
      const double xy = apply_dot(A, x, y);
      EXPECT_NEAR(xy, ref.dot(Eigen::Map<const Eigen::VectorXd>(x.data(), A.size())), 1e-9 * std::abs(xy));
      const double rn = residual(A, x, r);
      const Eigen::VectorXd rr = Eigen::Map<const Eigen::VectorXd>(A.rhs.data(), A.size()) - ref;
      EXPECT_NEAR(rn, rr.norm(), 1e-9 * rr.norm());
    }
  }
}

} // namespace
} // namespace gwsim

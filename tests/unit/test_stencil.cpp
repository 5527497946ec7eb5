// The layered 7-point stencil's operator loops (apply, apply_dot, residual,
// norm_of_sum) against a plain cell-by-cell evaluation of the row formula in
// solver/stencil.hpp, on symmetric and nonsymmetric systems of 1 and 3
// layers (the vertical couplings are stored for the upper layers only), and
// with rank-one terms (ponds) added to the stencil.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/parallel.hpp"
#include "solver/direct.hpp"
#include "solver/stencil.hpp"

namespace gwsim {
namespace {

StencilSystem random_system(Index nl, Index nr, Index nc, bool nonsymmetric, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> coef(0.1, 2.0), val(-1.0, 1.0);
  StencilSystem A;
  A.resize(nl, nr, nc);
  EXPECT_EQ(A.down.size(), static_cast<std::size_t>((nl - 1) * nr * nc));
  const Index n = A.size(), nrc = nr * nc;
  for (Index i = 0; i < n; ++i) {
    const auto u = static_cast<std::size_t>(i);
    if ((i % nc) + 1 < nc) A.east[u] = coef(gen);
    if ((i / nc) % nr + 1 < nr) A.south[u] = coef(gen);
    if (i + nrc < n) A.down[u] = coef(gen);
    A.diag[u] = 8.0 + coef(gen);
    A.rhs[u] = val(gen);
  }
  if (nonsymmetric) {
    A.make_nonsymmetric();
    for (auto* v : {&A.west, &A.north, &A.up})
      for (double& c : *v)
        if (c != 0.0) c *= 1.0 + 0.3 * val(gen);
  }
  return A;
}

/// (A x)[i] from the row formula, neighbour by neighbour.
double row_times(const StencilSystem& A, const std::vector<double>& x, Index i) {
  const Index nc = A.ncol, nr = A.nrow, nrc = nr * nc, n = A.size();
  const auto u = static_cast<std::size_t>(i);
  const bool sym = A.symmetric();
  double y = A.diag[u] * x[u];
  if (i % nc + 1 < nc) y -= A.east[u] * x[u + 1];
  if (i % nc > 0) y -= (sym ? A.east[u - 1] : A.west[u]) * x[u - 1];
  if ((i / nc) % nr + 1 < nr) y -= A.south[u] * x[u + static_cast<std::size_t>(nc)];
  if ((i / nc) % nr > 0) y -= (sym ? A.south[u - static_cast<std::size_t>(nc)] : A.north[u]) * x[u - static_cast<std::size_t>(nc)];
  if (i + nrc < n) y -= A.down[u] * x[u + static_cast<std::size_t>(nrc)];
  if (i >= nrc) y -= (sym ? A.down[u - static_cast<std::size_t>(nrc)] : A.up[u]) * x[u - static_cast<std::size_t>(nrc)];
  return y;
}

/// apply, apply_dot, residual and norm_of_sum of A at random x against
/// `expected(x, i)`, the i-th entry of A x evaluated cell by cell.
template <class Expected> void expect_operator_functions(const StencilSystem& A, Expected&& expected_row) {
  const auto n = static_cast<std::size_t>(A.size());
  std::mt19937 gen(7);
  std::uniform_real_distribution<double> val(-1.0, 1.0);
  std::vector<double> x(n), y(n), r(n), expected(n);
  for (double& v : x) v = val(gen);
  double xy = 0.0, rr = 0.0, ss = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    expected[i] = expected_row(x, static_cast<Index>(i));
    xy += x[i] * expected[i];
    rr += (A.rhs[i] - expected[i]) * (A.rhs[i] - expected[i]);
    ss += (expected[i] + A.rhs[i]) * (expected[i] + A.rhs[i]);
  }
  apply(A, x, y);
  for (std::size_t i = 0; i < n; ++i) ASSERT_NEAR(y[i], expected[i], 1e-12) << "cell " << i;
  std::fill(y.begin(), y.end(), 0.0);
  EXPECT_NEAR(apply_dot(A, x, y), xy, 1e-9 * std::abs(xy));
  for (std::size_t i = 0; i < n; ++i) ASSERT_NEAR(y[i], expected[i], 1e-12) << "cell " << i;
  EXPECT_NEAR(residual(A, x, r), std::sqrt(rr), 1e-9 * std::sqrt(rr));
  for (std::size_t i = 0; i < n; ++i) ASSERT_NEAR(r[i], A.rhs[i] - expected[i], 1e-12) << "cell " << i;
  EXPECT_NEAR(norm_of_sum(A, x), std::sqrt(ss), 1e-9 * std::sqrt(ss));
  StencilSystem B = A;
  EXPECT_NEAR(add_product(B, x), std::sqrt(ss), 1e-9 * std::sqrt(ss));
  for (std::size_t i = 0; i < n; ++i) ASSERT_NEAR(B.rhs[i], A.rhs[i] + expected[i], 1e-12) << "cell " << i;
}

TEST(Stencil, OperatorLoopsMatchTheRowFormula) {
  for (const Index nl : {Index{1}, Index{3}})
    for (const bool nonsym : {false, true})
      // 70 rows: several parallel chunks per layer. 300 columns: rows start
      // at different places in a cache line (the loops in 256-bit vectors);
      // 304: every row and layer starts where the arrays do (the widest).
      for (const Index nc : {Index{300}, Index{304}}) {
        const StencilSystem A = random_system(nl, 70, nc, nonsym, static_cast<unsigned>(nl * 10 + nonsym + nc));
        SCOPED_TRACE(::testing::Message() << nl << " layers of 70 x " << nc << ", "
                                          << (nonsym ? "nonsymmetric" : "symmetric"));
        expect_operator_functions(A, [&](const std::vector<double>& x, Index i) { return row_times(A, x, i); });
      }
}

/// Two rank-one terms sharing a cell, their cells in several parallel
/// chunks and layers.
void add_rank_one_terms(StencilSystem& A) {
  const Index nc = A.ncol, nrc = A.nrow * nc;
  RankOneTerm a, b;
  for (Index i : {Index{5}, 3 * nc + 7, 40 * nc + 299, nrc + 17 * nc + 3}) {
    if (i >= A.size()) continue;
    a.cells.push_back(i);
    a.u.push_back(0.5 + 0.01 * static_cast<double>(i % 13));
  }
  a.gamma = 4.0;
  for (Index i : {3 * nc + 7, 69 * nc + 150}) {
    b.cells.push_back(i);
    b.u.push_back(1.5);
  }
  b.gamma = 3.5;
  A.rank_one = {a, b};
}

/// The rank-one terms' part of (A x)[i], term by term.
double rank_one_times(const StencilSystem& A, const std::vector<double>& x, Index i) {
  double y = 0.0;
  for (const RankOneTerm& t : A.rank_one) {
    double ux = 0.0;
    for (std::size_t k = 0; k < t.cells.size(); ++k) ux += t.u[k] * x[static_cast<std::size_t>(t.cells[k])];
    const std::vector<Index>& rows = t.symmetric() ? t.cells : t.rows;
    const std::vector<double>& v = t.symmetric() ? t.u : t.v;
    for (std::size_t k = 0; k < rows.size(); ++k)
      if (rows[k] == i) y -= v[k] * ux / t.gamma;
  }
  return y;
}

TEST(Stencil, RankOneTermsAreInEveryOperatorFunction) {
  for (const Index nl : {Index{1}, Index{3}})
    for (const bool nonsym : {false, true}) {
      StencilSystem A = random_system(nl, 70, 300, nonsym, static_cast<unsigned>(nl * 10 + nonsym + 100));
      add_rank_one_terms(A);
      // One cell really is in both terms.
      auto has = [](const RankOneTerm& t, Index c) { return std::find(t.cells.begin(), t.cells.end(), c) != t.cells.end(); };
      ASSERT_TRUE(has(A.rank_one[0], 3 * 300 + 7) && has(A.rank_one[1], 3 * 300 + 7));
      SCOPED_TRACE(::testing::Message() << nl << " layers, " << (nonsym ? "nonsymmetric" : "symmetric"));
      expect_operator_functions(A, [&](const std::vector<double>& x, Index i) {
        return row_times(A, x, i) + rank_one_times(A, x, i);
      });
      // The operator fingerprint sees the terms, the stencil's does not.
      const auto stencil_fp = fingerprint(A), whole_fp = operator_fingerprint(A);
      A.rank_one[1].gamma = 3.6;
      EXPECT_EQ(fingerprint(A), stencil_fp);
      EXPECT_NE(operator_fingerprint(A), whole_fp);
    }
}

TEST(Stencil, DirectSolverIncludesRankOneTerms) {
  StencilSystem A = random_system(2, 9, 11, false, 5);
  RankOneTerm t;
  t.cells = {3, 4, 15, 120};
  t.u = {1.0, 2.0, 0.5, 1.5};
  t.gamma = 6.0;
  A.rank_one = {t};
  std::vector<double> h(static_cast<std::size_t>(A.size()), 0.0);
  DirectSolver direct;
  ASSERT_TRUE(direct.solve(A, h).converged);
  for (Index i = 0; i < A.size(); ++i)
    EXPECT_NEAR(row_times(A, h, i) + rank_one_times(A, h, i), A.rhs[static_cast<std::size_t>(i)], 1e-12) << "cell " << i;
}

// A nonsymmetric rank-one term (rows other than its columns, a pond's
// perched or emptying cells) in a nonsymmetric system: the direct solver
// and the operator functions include it row by row.
TEST(Stencil, NonsymmetricRankOneTerms) {
  StencilSystem A = random_system(2, 9, 11, true, 7);
  RankOneTerm t;
  t.cells = {3, 4, 15};
  t.u = {1.0, 2.0, 0.5};
  t.gamma = 6.0;
  t.rows = {3, 4, 15, 16, 120};
  t.v = {0.7, 1.1, 0.2, 0.9, 0.4};
  ASSERT_FALSE(t.symmetric());
  A.rank_one = {t};
  std::vector<double> h(static_cast<std::size_t>(A.size()), 0.0);
  DirectSolver direct;
  ASSERT_TRUE(direct.solve(A, h).converged);
  std::vector<double> y(h.size());
  apply(A, h, y);
  for (Index i = 0; i < A.size(); ++i) {
    const auto k = static_cast<std::size_t>(i);
    const double ax = row_times(A, h, i) + rank_one_times(A, h, i);
    EXPECT_NEAR(ax, A.rhs[k], 1e-12) << "cell " << i;
    EXPECT_NEAR(y[k], ax, 1e-12) << "cell " << i;
  }
  // Row 16 holds the term though it is not one of its columns.
  EXPECT_NE(rank_one_times(A, h, 16), 0.0);
}

TEST(Stencil, ReductionsAreTheSameOnOneAndTwoThreads) {
  StencilSystem A = random_system(3, 70, 300, false, 3);
  add_rank_one_terms(A);
  std::vector<double> x(static_cast<std::size_t>(A.size()), 0.5), y(x.size()), r(x.size());
  const int threads = max_threads();
  set_threads(1);
  const double d1 = apply_dot(A, x, y), r1 = residual(A, x, r), s1 = norm_of_sum(A, x);
  set_threads(2);
  const double d2 = apply_dot(A, x, y), r2 = residual(A, x, r), s2 = norm_of_sum(A, x);
  set_threads(threads);
  EXPECT_EQ(d1, d2);
  EXPECT_EQ(r1, r2);
  EXPECT_EQ(s1, s2);
}

} // namespace
} // namespace gwsim

namespace gwsim {
namespace {

// A fingerprint stored by the assembler stands for the operator until the
// operator is reshaped (every assembly starts with shape()): the
// preconditioner and the first guess then share one pass over it.
TEST(Stencil, KnownFingerprintStandsForTheOperatorUntilItIsReshaped) {
  StencilSystem A = random_system(2, 9, 11, false, 9);
  const std::uint64_t fp = fingerprint(A);
  EXPECT_EQ(stencil_fingerprint(A), fp);
  const std::uint64_t whole = operator_fingerprint(A);
  A.known_fingerprint = fp ^ 0x5555u; // not what a pass would find: shows it is used
  EXPECT_EQ(stencil_fingerprint(A), fp ^ 0x5555u);
  EXPECT_NE(operator_fingerprint(A), whole);
  A.shape(A.nlay, A.nrow, A.ncol); // same shape: the arrays stay, the stored value goes
  EXPECT_EQ(A.known_fingerprint, 0u);
  EXPECT_EQ(stencil_fingerprint(A), fp);
  EXPECT_EQ(operator_fingerprint(A), whole);
  A.known_fingerprint = 1;
  A.make_nonsymmetric();
  EXPECT_EQ(A.known_fingerprint, 0u);
}

} // namespace
} // namespace gwsim

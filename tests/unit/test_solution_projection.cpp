// First guesses from earlier solutions (solver/solution_projection.hpp):
// exact within the span of the kept solutions, never worse than zero in the
// norm they minimise, robust to nearly parallel solutions, and the same for
// any number of threads.
#include <gtest/gtest.h>

#include <cmath>
#include <omp.h>
#include <vector>

#include "../../bench/synthetic_problems.hpp"
#include "solver/solution_projection.hpp"

namespace gwsim {
namespace {

StencilSystem system_3d(bool nonsymmetric) {
  synthetic::Spec s;
  s.nlay = 2;
  s.nrow = 60; // 9600 cells: several chunks of the fixed-chunk sums
  s.ncol = 80;
  s.field = synthetic::KField::lognormal;
  StencilSystem A = synthetic::build(s);
  if (nonsymmetric) synthetic::perturb_like_newton(A, 11, 0.3, 1.6);
  return A;
}

std::vector<double> random_vector(std::size_t n, unsigned seed) {
  synthetic::Normal rng(seed);
  std::vector<double> v(n);
  for (double& x : v) x = rng();
  return v;
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// ||e||_A^2 with e = x - x_true, and ||b - A x||.
double energy_error(const StencilSystem& A, const std::vector<double>& x, const std::vector<double>& x_true) {
  std::vector<double> e(x.size()), Ae(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) e[i] = x[i] - x_true[i];
  apply(A, e, Ae);
  return dot(e, Ae);
}

double residual_norm(const StencilSystem& A, const std::vector<double>& x) {
  std::vector<double> r(x.size());
  return residual(A, x, r);
}

/// v rounded to float, as a projection keeps it.
std::vector<double> as_kept(std::vector<double> v) {
  for (double& x : v) x = static_cast<double>(static_cast<float>(x));
  return v;
}

/// Three random solutions (seeds seed, seed + 1, seed + 2), kept by p; the
/// values p keeps (float) are returned.
std::vector<std::vector<double>> keep_three(SolutionProjection& p, std::size_t n, unsigned seed) {
  std::vector<std::vector<double>> w;
  for (unsigned j = 0; j < 3; ++j) {
    w.push_back(random_vector(n, seed + j));
    p.remember(w.back());
    w.back() = as_kept(w.back());
  }
  return w;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

class Projection : public ::testing::TestWithParam<bool> {};

// A solution that is a combination of the kept ones is recovered to
// rounding (relative 1e-9 of its size), for the Galerkin (symmetric) and
// the minimal-residual (nonsymmetric) projection alike.
TEST_P(Projection, RecoversASolutionInTheSpanOfTheKeptOnes) {
  StencilSystem A = system_3d(GetParam());
  const std::size_t n = A.diag.size();
  SolutionProjection p(4);
  const std::vector<std::vector<double>> w = keep_three(p, n, 100);
  std::vector<double> x_true(n);
  for (std::size_t i = 0; i < n; ++i) x_true[i] = 2.0 * w[0][i] - 0.5 * w[1][i] + 3.0 * w[2][i];
  apply(A, x_true, A.rhs);
  std::vector<double> x(n, 7.0);
  p.guess(A, x);
  double scale = 0.0;
  for (double v : x_true) scale = std::max(scale, std::abs(v));
  EXPECT_LT(max_abs_diff(x, x_true), 1e-9 * scale);
  // The same operator again (the Gram matrix kept), after a fourth
  // solution was added.
  p.remember(random_vector(n, 200));
  std::vector<double> x2(n);
  p.guess(A, x2);
  EXPECT_LT(max_abs_diff(x2, x_true), 1e-9 * scale);
}

// For any right-hand side the guess is no worse than zero: smaller A-norm
// error (symmetric) or residual (nonsymmetric); it is also never worse than
// the newest solution alone, which is in the span.
TEST_P(Projection, NeverWorseThanZeroOrTheLastSolution) {
  StencilSystem A = system_3d(GetParam());
  const std::size_t n = A.diag.size();
  SolutionProjection p(4);
  for (unsigned j = 0; j < 6; ++j) p.remember(random_vector(n, 300 + j)); // the window keeps 4
  EXPECT_EQ(p.size(), 4u);
  const std::vector<double> newest = p.solutions().front();
  const std::vector<double> x_true = random_vector(n, 400);
  apply(A, x_true, A.rhs);
  std::vector<double> x(n);
  p.guess(A, x);
  const std::vector<double> zero(n, 0.0);
  // The best multiple of the newest solution, in the same norm.
  std::vector<double> An(n);
  apply(A, newest, An);
  const double a = GetParam() ? dot(An, A.rhs) / dot(An, An) : dot(newest, A.rhs) / dot(newest, An);
  std::vector<double> scaled(n);
  for (std::size_t i = 0; i < n; ++i) scaled[i] = a * newest[i];
  if (GetParam()) {
    EXPECT_LE(residual_norm(A, x), residual_norm(A, zero));
    EXPECT_LE(residual_norm(A, x), residual_norm(A, scaled) * (1.0 + 1e-12));
  } else {
    EXPECT_LE(energy_error(A, x, x_true), energy_error(A, zero, x_true));
    EXPECT_LE(energy_error(A, x, x_true), energy_error(A, scaled, x_true) * (1.0 + 1e-12));
  }
}

// Two nearly parallel solutions (differing by 1e-13 relative) make the Gram
// matrix singular to rounding; the guess must stay finite and as good as
// the one from either alone.
TEST_P(Projection, NearlyParallelSolutionsDoNotSpoilTheGuess) {
  StencilSystem A = system_3d(GetParam());
  const std::size_t n = A.diag.size();
  const std::vector<double> w = random_vector(n, 500);
  std::vector<double> w2 = w;
  const std::vector<double> noise = random_vector(n, 501);
  for (std::size_t i = 0; i < n; ++i) w2[i] += 1e-13 * noise[i];
  SolutionProjection p(4);
  p.remember(w);
  p.remember(w2);
  std::vector<double> x_true(n);
  for (std::size_t i = 0; i < n; ++i) x_true[i] = -4.0 * static_cast<double>(static_cast<float>(w[i]));
  apply(A, x_true, A.rhs);
  std::vector<double> x(n);
  p.guess(A, x);
  for (double v : x) ASSERT_TRUE(std::isfinite(v));
  EXPECT_LT(max_abs_diff(x, x_true), 1e-6 * 4.0 * 5.0);
}

// A changed operator (another step length) is noticed: the guess is exact
// for the new one too.
TEST_P(Projection, ChangedOperatorIsNoticed) {
  StencilSystem A = system_3d(GetParam());
  const std::size_t n = A.diag.size();
  SolutionProjection p(3);
  const std::vector<double> w = as_kept(random_vector(n, 600));
  p.remember(w);
  p.remember(random_vector(n, 601));
  apply(A, w, A.rhs);
  std::vector<double> x(n);
  p.guess(A, x);
  EXPECT_LT(max_abs_diff(x, w), 1e-9);
  for (std::size_t i = 0; i < n; ++i)
    if (A.diag[i] != 1.0) A.diag[i] += 0.3; // more storage: a shorter step
  apply(A, w, A.rhs);
  p.guess(A, x);
  EXPECT_LT(max_abs_diff(x, w), 1e-9);
}

// Fixed-chunk sums: the guess is bitwise the same with 1 and 2 threads.
TEST_P(Projection, SameGuessForOneAndTwoThreads) {
  StencilSystem A = system_3d(GetParam());
  const std::size_t n = A.diag.size();
  A.rhs = random_vector(n, 700);
  std::vector<std::vector<double>> x(2, std::vector<double>(n));
  const int before = omp_get_max_threads();
  for (int t = 1; t <= 2; ++t) {
    omp_set_num_threads(t);
    SolutionProjection p(4);
    for (unsigned j = 0; j < 4; ++j) p.remember(random_vector(n, 710 + j));
    p.guess(A, x[static_cast<std::size_t>(t - 1)]);
  }
  omp_set_num_threads(before);
  EXPECT_EQ(x[0], x[1]);
}

// A linear model's system for the heads, A h = F + A h0: its first guess is
// the combination taken for the update system A dh = F, added to h0 after
// the heads' right-hand side is formed; that is the update form's guess.
// With nothing kept the heads stay as they are.
TEST(Projection, CombinationAddedToTheHeadsIsTheUpdateGuess) {
  StencilSystem A = system_3d(false);
  const std::size_t n = A.diag.size();
  SolutionProjection p(4);
  const std::vector<std::vector<double>> w = keep_three(p, n, 900);
  std::vector<double> h0 = random_vector(n, 950);
  for (double& v : h0) v = 30.0 + v; // heads of tens of metres, updates of order 1
  // F, the imbalance at h0: mostly the image of a combination of the kept
  // solutions, so that the guess is of order 1.
  std::vector<double> mix(n), Amix(n);
  for (std::size_t i = 0; i < n; ++i) mix[i] = 2.0 * w[0][i] - w[1][i];
  apply(A, mix, Amix);
  A.rhs = random_vector(n, 960);
  for (std::size_t i = 0; i < n; ++i) A.rhs[i] = Amix[i] + 0.1 * A.rhs[i];
  std::vector<double> dh(n);
  p.guess(A, dh);
  const SolutionProjection::Combination comb = p.combination(A);
  ASSERT_EQ(comb.k(), 3u);
  // The heads' system: rhs = F + A h0; the combination is added to h0.
  StencilSystem H = A;
  add_product(H, h0);
  std::vector<double> h = h0;
  p.add(comb, h);
  double scale = 0.0;
  for (double v : dh) scale = std::max(scale, std::abs(v));
  ASSERT_GT(scale, 0.1);
  for (std::size_t i = 0; i < n; ++i) ASSERT_NEAR(h[i] - h0[i], dh[i], 1e-12 * 30.0) << "cell " << i;
  // The update form's guess nearly solves A dh = F (F is mostly in the
  // span): the heads after the guess nearly solve the heads' system.
  std::vector<double> r(n);
  EXPECT_LT(residual(H, h, r), 0.2 * residual(H, h0, r));
  SolutionProjection none(4);
  const SolutionProjection::Combination nothing = none.combination(H);
  EXPECT_EQ(nothing.k(), 0u);
  std::vector<double> same = h0;
  none.add(nothing, same);
  EXPECT_EQ(same, h0);
}

// No kept solution, or capacity 0: the guess is zero.
TEST(Projection, NothingKeptGuessesZero) {
  StencilSystem A = system_3d(false);
  const std::size_t n = A.diag.size();
  A.rhs = random_vector(n, 800);
  std::vector<double> x(n, 1.0);
  SolutionProjection none(0);
  none.remember(random_vector(n, 801));
  none.guess(A, x);
  EXPECT_EQ(x, std::vector<double>(n, 0.0));
  // restore() keeps the newest `capacity` solutions, newest first.
  SolutionProjection p(2);
  SolutionProjection::Saved saved;
  for (unsigned seed : {1u, 2u, 3u}) {
    const std::vector<double> v = random_vector(n, seed);
    saved.newest_first.emplace_back(v.begin(), v.end());
  }
  p.restore(saved);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p.solutions()[0], as_kept(random_vector(n, 1)));
  EXPECT_EQ(p.solutions()[1], as_kept(random_vector(n, 2)));
  // remember_difference(a, b) keeps a - b (in float) as the newest.
  const std::vector<double> a = random_vector(n, 4), b = random_vector(n, 5);
  p.remember_difference(a, b);
  std::vector<double> d(n);
  for (std::size_t i = 0; i < n; ++i) d[i] = a[i] - b[i];
  EXPECT_EQ(p.solutions()[0], as_kept(d));
  EXPECT_EQ(p.solutions()[1], as_kept(random_vector(n, 1)));
}

// A projection restored from a saved state guesses bit for bit as the one
// that was saved, step after step, with the operator unchanged across the
// save: its Gram matrix, built incrementally (one row per new solution), is
// rebuilt in one go with every entry computed the same way.
TEST(Projection, RestoredProjectionGuessesBitForBitAsTheSavedOne) {
  StencilSystem A = system_3d(false);
  const std::size_t n = A.diag.size();
  SolutionProjection p(6);
  std::vector<double> x(n);
  for (unsigned j = 0; j < 8; ++j) { // 8 steps: the window of 6 fills and slides
    A.rhs = random_vector(n, 1000 + j);
    p.guess(A, x);
    p.remember(random_vector(n, 1100 + j));
  }
  SolutionProjection q(6);
  q.restore(p.save());
  for (unsigned j = 0; j < 3; ++j) {
    A.rhs = random_vector(n, 1200 + j);
    const SolutionProjection::Combination a = p.combination(A), b = q.combination(A);
    ASSERT_EQ(a.k(), 6u);
    ASSERT_EQ(b.k(), 6u);
    for (std::size_t i = 0; i < a.k(); ++i) EXPECT_EQ(a.c[i], b.c[i]) << "step " << j << ", solution " << i;
    const std::vector<double> v = random_vector(n, 1300 + j);
    p.remember(v);
    q.remember(v);
  }
  // A restored state whose operator has changed since keeps only the
  // newest few, as the uninterrupted projection does.
  SolutionProjection r(6);
  r.restore(p.save());
  for (std::size_t i = 0; i < n; ++i)
    if (A.diag[i] != 1.0) A.diag[i] *= 1.01;
  EXPECT_EQ(r.combination(A).k(), SolutionProjection::kept_after_change);
  EXPECT_EQ(p.combination(A).k(), SolutionProjection::kept_after_change);
}

// A long window (a repeating stress cycle) keeps its Gram matrix while the
// operator is unchanged: a solution in the span of the oldest kept ones is
// still recovered after many steps; when the operator changes, only the
// newest few stay and the guess is the best over them.
TEST(Projection, LongWindowRecoversOldSolutionsAndShrinksWhenTheOperatorChanges) {
  StencilSystem A = system_3d(false);
  const std::size_t n = A.diag.size();
  SolutionProjection p(24);
  std::vector<std::vector<double>> kept;
  std::vector<double> x(n);
  for (unsigned j = 0; j < 24; ++j) {
    A.rhs = random_vector(n, 2000 + j);
    p.guess(A, x); // one Gram row per step
    kept.push_back(as_kept(random_vector(n, 2100 + j)));
    p.remember(kept.back());
  }
  ASSERT_EQ(p.size(), 24u);
  std::vector<double> x_true(n);
  for (std::size_t i = 0; i < n; ++i) x_true[i] = 1.5 * kept[0][i] - 2.0 * kept[1][i];
  apply(A, x_true, A.rhs);
  p.guess(A, x);
  EXPECT_LT(max_abs_diff(x, x_true), 1e-8);
  for (std::size_t i = 0; i < n; ++i)
    if (A.diag[i] != 1.0) A.diag[i] += 0.3;
  apply(A, kept[23], A.rhs);
  p.guess(A, x);
  EXPECT_EQ(p.size(), SolutionProjection::kept_after_change);
  EXPECT_LT(max_abs_diff(x, kept[23]), 1e-9);
}

/// Feeds `periods` stress periods of `steps` steps of random right-hand
/// sides and solutions (seeds from `seed`) to p; returns the solutions, as
/// kept (float), by period and step.
std::vector<std::vector<std::vector<double>>> feed_periods(SolutionProjection& p, StencilSystem& A, int periods,
                                                           int steps, unsigned seed) {
  const std::size_t n = A.diag.size();
  std::vector<std::vector<std::vector<double>>> sol(static_cast<std::size_t>(periods));
  std::vector<double> x(n);
  for (int per = 0; per < periods; ++per) {
    p.begin_period();
    for (int j = 0; j < steps; ++j) {
      A.rhs = random_vector(n, seed++);
      p.guess(A, x);
      sol[static_cast<std::size_t>(per)].push_back(random_vector(n, seed++));
      p.remember(sol[static_cast<std::size_t>(per)].back());
      sol[static_cast<std::size_t>(per)].back() = as_kept(sol[static_cast<std::size_t>(per)].back());
    }
  }
  return sol;
}

// A schedule that repeats every two periods repeats its response: with the
// last two periods' first steps kept, step j of a period whose solution is
// (a multiple of) step j of the period two before is recovered to rounding,
// while the window of the last 4 solutions alone cannot (it holds only this
// and the last period's steps, random and unrelated here).
TEST(Projection, KeptPeriodsRecoverTheSameStepOfAnEarlierPeriod) {
  StencilSystem A = system_3d(false);
  const std::size_t n = A.diag.size();
  SolutionProjection p(4, 2), window_only(4, 0);
  const auto sol = feed_periods(p, A, 3, 5, 3000);
  feed_periods(window_only, A, 3, 5, 3000);
  p.begin_period();
  window_only.begin_period();
  std::vector<double> x(n), x_true(n);
  for (std::size_t j = 0; j < 5; ++j) {
    for (std::size_t i = 0; i < n; ++i) x_true[i] = -1.5 * sol[1][j][i];
    apply(A, x_true, A.rhs);
    const double zero = energy_error(A, std::vector<double>(n, 0.0), x_true);
    window_only.guess(A, x);
    EXPECT_GT(energy_error(A, x, x_true), 0.5 * zero) << "step " << j;
    const SolutionProjection::Combination c = p.combination(A);
    EXPECT_EQ(c.k(), 6u) << "step " << j << ": the window and one step of each of the two periods before";
    p.write(c, x);
    EXPECT_LT(max_abs_diff(x, x_true), 1e-8 * 1.5 * 3.0) << "step " << j;
    p.remember(x_true);
    window_only.remember(x_true);
  }
}

// Kept periods that do not help (the new solution has nothing of theirs)
// are left out for the rest of the period, and tried again in the next one;
// a period's steps still in the window are not added twice.
TEST(Projection, KeptPeriodsThatDoNotHelpAreLeftOutUntilTheNextPeriod) {
  StencilSystem A = system_3d(false);
  const std::size_t n = A.diag.size();
  SolutionProjection p(4, 2);
  feed_periods(p, A, 3, 5, 4000);
  p.begin_period();
  // Each solution random and its system's right-hand side A x: the kept
  // periods' solutions have nothing of it.
  auto step = [&](unsigned seed) {
    const std::vector<double> x_true = random_vector(n, seed);
    apply(A, x_true, A.rhs);
    const std::size_t k = p.combination(A).k();
    p.remember(x_true);
    return k;
  };
  EXPECT_EQ(step(4100), 6u);
  EXPECT_EQ(step(4101), 4u) << "left out after a step they did not help";
  for (unsigned j = 2; j < 5; ++j) EXPECT_EQ(step(4100 + j), 4u);
  p.begin_period();
  EXPECT_EQ(step(4105), 6u) << "tried again in the next period";

  SolutionProjection q(8, 2); // periods of 2 steps: the last 8 solutions hold them
  feed_periods(q, A, 5, 2, 5000);
  q.begin_period();
  A.rhs = random_vector(n, 5100);
  EXPECT_EQ(q.combination(A).k(), 8u);
}

// A restart point saves the kept periods: the restored projection guesses
// bit for bit as the saved one, the kept periods' solutions included.
TEST(Projection, RestoredKeptPeriodsGuessBitForBitAsTheSavedOnes) {
  StencilSystem A = system_3d(false);
  const std::size_t n = A.diag.size();
  SolutionProjection p(4, 2);
  const auto sol = feed_periods(p, A, 3, 5, 6000);
  SolutionProjection q(4, 2);
  q.restore(p.save());
  p.begin_period();
  q.begin_period();
  std::vector<double> x_true(n);
  for (std::size_t j = 0; j < 3; ++j) {
    for (std::size_t i = 0; i < n; ++i) x_true[i] = 0.5 * sol[1][j][i] + 0.1 * static_cast<double>(j);
    apply(A, x_true, A.rhs);
    const SolutionProjection::Combination a = p.combination(A), b = q.combination(A);
    ASSERT_EQ(a.k(), 6u) << "step " << j;
    ASSERT_EQ(b.k(), a.k()) << "step " << j;
    for (std::size_t i = 0; i < a.k(); ++i) EXPECT_EQ(a.c[i], b.c[i]) << "step " << j << ", solution " << i;
    p.remember(x_true);
    q.remember(x_true);
  }
}

INSTANTIATE_TEST_SUITE_P(SymmetricAndNot, Projection, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "nonsymmetric" : "symmetric"; });

} // namespace
} // namespace gwsim

#include "solver/solution_projection.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <Eigen/Dense>

#include "core/error.hpp"
#include "core/parallel.hpp"

namespace gwsim {

namespace {
/// Cells per chunk of the fused sums and of the combination: fixed, so sums
/// do not depend on the thread count. Long enough (64 KiB of each float
/// solution) for the hardware prefetchers: with a long window, shorter
/// bursts from two dozen solutions ran at a third of the bandwidth.
constexpr Index sum_chunk = 16384;

/// Partial sums per dot product: floating-point sums do not vectorise on
/// their own (16 lanes: two AVX-512 accumulators; without `omp simd` GCC
/// kept them in 16 scalar registers). The order is fixed, so the result is
/// the same for any thread count.
constexpr Index lanes = 16;

/// sum p[c] q[c] over [lo, hi).
template <class P, class Q> double chunk_dot(const P* p, const Q* q, Index lo, Index hi) {
  std::array<double, lanes> a{};
  Index c = lo;
  for (; c + lanes <= hi; c += lanes)
#pragma omp simd
    for (Index j = 0; j < lanes; ++j) a[static_cast<std::size_t>(j)] += double(p[c + j]) * double(q[c + j]);
  double tail = 0.0;
  for (; c < hi; ++c) tail += double(p[c]) * double(q[c]);
  for (double v : a) tail += v;
  return tail;
}

/// {sum p q, sum p r} over [lo, hi), reading p once.
std::array<double, 2> chunk_dots(const float* p, const double* q, const double* r, Index lo, Index hi) {
  std::array<double, lanes> a{}, b{};
  Index c = lo;
  for (; c + lanes <= hi; c += lanes)
#pragma omp simd
    for (Index j = 0; j < lanes; ++j) {
      const double pj = static_cast<double>(p[c + j]);
      a[static_cast<std::size_t>(j)] += pj * q[c + j];
      b[static_cast<std::size_t>(j)] += pj * r[c + j];
    }
  double ta = 0.0, tb = 0.0;
  for (; c < hi; ++c) {
    ta += double(p[c]) * q[c];
    tb += double(p[c]) * r[c];
  }
  for (std::size_t j = 0; j < a.size(); ++j) {
    ta += a[j];
    tb += b[j];
  }
  return {ta, tb};
}

void to_double(const std::vector<float>& w, std::vector<double>& x) {
  x.resize(w.size());
  const float* s = w.data();
  double* d = x.data();
  parallel_for_blocks(static_cast<Index>(w.size()), [&](Index b, Index e) {
    for (Index i = b; i < e; ++i) d[i] = static_cast<double>(s[i]);
  });
}
/// c solving G c = g (G scaled to a unit diagonal) through the
/// eigenvectors whose eigenvalues are not lost to rounding: successive
/// solutions can be nearly parallel, and a plain solve would then amplify
/// rounding into the guess.
Eigen::VectorXd gram_solve(const Eigen::MatrixXd& G, const Eigen::VectorXd& g) {
  const Eigen::Index k = G.rows();
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(G);
  if (es.info() != Eigen::Success) return Eigen::VectorXd::Constant(k, std::nan(""));
  const Eigen::VectorXd& lambda = es.eigenvalues();
  double largest = 0.0;
  for (Eigen::Index i = 0; i < k; ++i) largest = std::max(largest, lambda(i));
  Eigen::VectorXd y = es.eigenvectors().transpose() * g;
  for (Eigen::Index i = 0; i < k; ++i) y(i) = lambda(i) > 1e-10 * largest ? y(i) / lambda(i) : 0.0;
  return es.eigenvectors() * y;
}
} // namespace

SolutionProjection::SolutionProjection(std::size_t capacity, std::size_t periods)
    : capacity_(std::min(capacity, max_capacity)),
      slots_(capacity_ + (capacity_ > 0 ? std::min(periods, max_periods) : 0)),
      periods_(slots_ - capacity_), aligned_(slots_ - capacity_, nullptr), w_(capacity_), fresh_(slots_, false),
      gram_(slots_ * slots_, 0.0) {
  order_.reserve(capacity_);
}

void SolutionProjection::clear() {
  order_.clear();
  std::fill(fresh_.begin(), fresh_.end(), false);
  for (Period& p : periods_) p.count = p.old_count = 0;
  step_in_period_ = 0;
  aligned_off_ = false;
  judge_ = false;
}

void SolutionProjection::begin_period() {
  if (periods_.empty()) return;
  // The oldest period's storage becomes the new current period's, step by
  // step: its step j is still read for step j of this period, and then
  // overwritten by this period's step j.
  std::rotate(periods_.rbegin(), periods_.rbegin() + 1, periods_.rend());
  periods_[0].old_count = periods_[0].count;
  periods_[0].count = 0;
  step_in_period_ = 0;
  aligned_off_ = false;
  judge_ = false;
}

void SolutionProjection::keep_newest(std::size_t keep) {
  if (order_.size() > keep) order_.resize(keep);
}

std::vector<float>& SolutionProjection::newest_slot(std::size_t n) {
  std::size_t slot = 0;
  if (order_.size() == capacity_) {
    slot = order_.back();
    order_.pop_back();
  } else {
    // The lowest slot not in use (keep_newest() may have freed any).
    while (std::find(order_.begin(), order_.end(), slot) != order_.end()) ++slot;
  }
  order_.push_back(slot); // then rotated to the front: newest first
  std::rotate(order_.begin(), order_.end() - 1, order_.end());
  fresh_[slot] = false;
  w_[slot].resize(n);
  return w_[slot];
}

template <class F> void SolutionProjection::keep(std::size_t n, F&& value) {
  if (capacity_ == 0) return;
  float* dst = newest_slot(n).data();
  float* step = nullptr; // this period's copy, early in a period
  if (!periods_.empty() && last_symmetric_ && step_in_period_ < aligned_steps) {
    Period& p = periods_[0];
    if (p.steps.size() <= p.count) {
      p.steps.resize(p.count + 1);
      p.seq.resize(p.count + 1);
    }
    p.steps[p.count].resize(n);
    p.seq[p.count] = remembered_;
    step = p.steps[p.count++].data();
  }
  ++step_in_period_;
  ++remembered_;
  // With the kept periods in the last guess: (b, x) of its system's b and
  // this solution x, in the same pass.
  const float* b = judge_ && rhs_.size() == n ? rhs_.data() : nullptr;
  const double bx = parallel_reduce_chunks(
      static_cast<Index>(n), sum_chunk, 0.0,
      [&](Index lo, Index hi) {
        double sum = 0.0;
        for (Index i = lo; i < hi; ++i) dst[i] = static_cast<float>(value(i));
        if (step)
          for (Index i = lo; i < hi; ++i) step[i] = dst[i];
        if (b) sum = chunk_dot(b, dst, lo, hi);
        return sum;
      },
      [](double a, double c) { return a + c; });
  if (b) {
    // Energy norms of the error of the guess with and without them:
    // (x, A x) - (x0, A x0) for a Galerkin guess x0, with (x, A x) = (b, x).
    // When they did not remove most of it, the rest of the period goes
    // without them (one operator application each per step).
    const double with = bx - energy_, without = bx - window_energy_;
    if (!(with <= 0.0 || without >= min_aligned_gain * with)) aligned_off_ = true;
  }
  judge_ = false;
}

void SolutionProjection::remember(std::span<const double> x) {
  const double* src = x.data();
  keep(x.size(), [src](Index i) { return src[i]; });
}

void SolutionProjection::remember_difference(std::span<const double> after, std::span<const double> before) {
  const double* a = after.data();
  const double* o = before.data();
  keep(after.size(), [a, o](Index i) { return a[i] - o[i]; });
}

SolutionProjection::Saved SolutionProjection::save() const {
  Saved s;
  for (std::size_t slot : order_) s.newest_first.push_back(w_[slot]);
  s.fingerprint = fingerprint_;
  for (const Period& p : periods_) {
    const auto end = static_cast<std::ptrdiff_t>(p.count);
    s.periods.emplace_back(p.steps.begin(), p.steps.begin() + end);
    s.period_seq.emplace_back(p.seq.begin(), p.seq.begin() + end);
  }
  s.step_in_period = static_cast<std::uint32_t>(step_in_period_);
  s.remembered = remembered_;
  return s;
}

void SolutionProjection::restore(const Saved& saved) {
  clear();
  const std::size_t k = std::min(saved.newest_first.size(), capacity_);
  for (std::size_t i = k; i-- > 0;) {
    const std::vector<float>& src = saved.newest_first[i];
    newest_slot(src.size()) = src;
  }
  fingerprint_ = saved.fingerprint; // the same operator next keeps them all
  const std::size_t nperiod = std::min({saved.periods.size(), saved.period_seq.size(), periods_.size()});
  for (std::size_t p = 0; p < nperiod; ++p) {
    const std::size_t count = std::min({saved.periods[p].size(), saved.period_seq[p].size(), aligned_steps});
    const auto end = static_cast<std::ptrdiff_t>(count);
    periods_[p].steps.assign(saved.periods[p].begin(), saved.periods[p].begin() + end);
    periods_[p].seq.assign(saved.period_seq[p].begin(), saved.period_seq[p].begin() + end);
    periods_[p].old_count = 0;
    periods_[p].count = count;
  }
  step_in_period_ = saved.step_in_period;
  remembered_ = saved.remembered;
}

std::vector<std::vector<double>> SolutionProjection::solutions() const {
  std::vector<std::vector<double>> out;
  for (std::size_t s : order_) out.emplace_back(w_[s].begin(), w_[s].end());
  return out;
}

void SolutionProjection::symmetric_sums(const StencilSystem& A, const std::vector<std::size_t>& basis,
                                        std::vector<double>& g) {
  // Gram entries (w_i, A w_j) of the stale solutions, each computed with
  // the newer solution's A w (earlier in the basis): a stale row fills the
  // entries with the solutions that are fresh or later than it.
  const Index n = A.size();
  const std::size_t k = basis.size();
  const double* b = A.rhs.data();
  constexpr std::size_t most = max_capacity + max_periods;
  std::array<const float*, most> w{};
  std::array<bool, most> stale{};
  for (std::size_t i = 0; i < k; ++i) {
    w[i] = solution(basis[i]).data();
    stale[i] = !fresh_[basis[i]];
  }
  using Sums = std::array<double, 2 * most>; // (w_i, b), then (w_j, A w_t)
  auto add = [k](Sums p, const Sums& q) {
    for (std::size_t i = 0; i < 2 * k; ++i) p[i] += q[i];
    return p;
  };
  // One pass per stale solution (its row), the first also summing (w_i, b);
  // a pass for (w_i, b) alone if none is stale.
  std::vector<std::size_t> passes;
  for (std::size_t t = 0; t < k; ++t)
    if (stale[t]) passes.push_back(t);
  if (passes.empty()) passes.push_back(k);
  bool have_g = false;
  for (const std::size_t t : passes) {
    const bool row = t < k;
    if (row) {
      to_double(solution(basis[t]), x_);
      ax_.resize(x_.size());
      apply(A, x_, ax_);
    }
    const double* ax = ax_.data();
    const bool with_g = !have_g;
    const Sums s = parallel_reduce_chunks(
        n, sum_chunk, Sums{},
        [&](Index lo, Index hi) {
          Sums part{};
          for (std::size_t i = 0; i < k; ++i) {
            if (with_g && row) {
              const auto d = chunk_dots(w[i], b, ax, lo, hi);
              part[i] = d[0];
              part[k + i] = d[1];
            } else if (with_g) {
              part[i] = chunk_dot(w[i], b, lo, hi);
            } else {
              part[k + i] = chunk_dot(w[i], ax, lo, hi);
            }
          }
          return part;
        },
        add);
    if (with_g) {
      for (std::size_t i = 0; i < k; ++i) g[i] = s[i];
      have_g = true;
    }
    if (!row) continue;
    const std::size_t st = basis[t];
    for (std::size_t j = 0; j < k; ++j) {
      if (stale[j] && j < t) continue; // newer and stale: its own row has the entry
      const std::size_t sj = basis[j];
      gram_[st * slots_ + sj] = s[k + j];
      gram_[sj * slots_ + st] = s[k + j];
    }
  }
  for (std::size_t i = 0; i < k; ++i) fresh_[basis[i]] = true;
}

void SolutionProjection::nonsymmetric_sums(const StencilSystem& A, const std::vector<std::size_t>& basis,
                                           std::vector<double>& g) {
  // u = A w for every kept solution (the operator changes at every Newton
  // step), then (u_i, b) and the Gram matrix (u_i, u_j) in one pass.
  const Index n = A.size();
  const std::size_t k = basis.size();
  aw_.resize(slots_);
  std::array<const double*, max_capacity + max_periods> u{};
  for (std::size_t i = 0; i < k; ++i) {
    const std::size_t s = basis[i];
    to_double(solution(s), x_);
    aw_[s].resize(x_.size());
    apply(A, x_, aw_[s]);
    u[i] = aw_[s].data();
  }
  const double* b = A.rhs.data();
  const std::vector<double> s = parallel_reduce_chunks(
      n, sum_chunk, std::vector<double>(k + k * k, 0.0),
      [&](Index lo, Index hi) {
        std::vector<double> part(k + k * k, 0.0);
        for (std::size_t i = 0; i < k; ++i) {
          part[i] = chunk_dot(u[i], b, lo, hi);
          for (std::size_t j = i; j < k; ++j) part[k + i * k + j] = chunk_dot(u[i], u[j], lo, hi);
        }
        return part;
      },
      [](std::vector<double> p, const std::vector<double>& q) {
        for (std::size_t i = 0; i < p.size(); ++i) p[i] += q[i];
        return p;
      });
  for (std::size_t i = 0; i < k; ++i) {
    g[i] = s[i];
    for (std::size_t j = i; j < k; ++j) {
      const std::size_t si = basis[i], sj = basis[j];
      gram_[si * slots_ + sj] = s[k + i * k + j];
      gram_[sj * slots_ + si] = s[k + i * k + j];
    }
  }
  // Every row was recomputed for this operator; the next nonsymmetric
  // operator recomputes them again.
  std::fill(fresh_.begin(), fresh_.end(), false);
}

SolutionProjection::Combination SolutionProjection::combination(const StencilSystem& A) {
  const auto size = static_cast<std::size_t>(A.size());
  for (std::size_t s : order_)
    if (w_[s].size() != size) {
      clear(); // a different grid: nothing kept applies
      break;
    }
  const bool sym = A.symmetric();
  last_symmetric_ = sym;
  if (order_.empty()) return {};
  const std::uint64_t fp = operator_fingerprint(A);
  // (The fingerprint covers the nonsymmetric arrays: a change between a
  // symmetric and a nonsymmetric operator is a change of fingerprint.)
  if (fp != fingerprint_) {
    // Another operator: every Gram row is stale, and only the newest few
    // solutions are worth an operator application each.
    keep_newest(kept_after_change);
    std::fill(fresh_.begin(), fresh_.end(), false);
  }
  fingerprint_ = fp;
  // The basis: the kept periods' solutions for this step (symmetric
  // operators; referred to by their slots, new to the Gram matrix), then the
  // window, newest first.
  std::vector<std::size_t> basis;
  const std::size_t step = step_in_period_, nper = periods_.size();
  if (sym && !aligned_off_)
    for (std::size_t q = 1; q <= nper; ++q) { // periods back
      // The period before this one is periods_[1], ...; the oldest is what
      // periods_[0] still holds beyond this period's steps.
      const Period& per = periods_[q % nper];
      const bool have = q < nper ? step < per.count : step >= per.count && step < per.old_count;
      if (!have || per.steps[step].size() != size) continue;
      // Still in the window (periods of a step or two): nothing to add.
      if (remembered_ - per.seq[step] <= order_.size()) continue;
      const std::size_t slot = capacity_ + q - 1;
      aligned_[q - 1] = &per.steps[step];
      fresh_[slot] = false;
      basis.push_back(slot);
    }
  const std::size_t naligned = basis.size();
  basis.insert(basis.end(), order_.begin(), order_.end());
  const std::size_t k = basis.size();
  std::vector<double> sums(k, 0.0);
  if (sym) symmetric_sums(A, basis, sums);
  else nonsymmetric_sums(A, basis, sums);
  const auto kk = static_cast<Eigen::Index>(k);
  Eigen::MatrixXd G(kk, kk);
  Eigen::VectorXd g(kk), scale(kk);
  for (Eigen::Index i = 0; i < kk; ++i) {
    const std::size_t si = basis[static_cast<std::size_t>(i)];
    const double d = gram_[si * slots_ + si];
    scale(i) = d > 0.0 && std::isfinite(d) ? 1.0 / std::sqrt(d) : 0.0;
    g(i) = sums[static_cast<std::size_t>(i)] * scale(i);
  }
  for (Eigen::Index i = 0; i < kk; ++i)
    for (Eigen::Index j = 0; j < kk; ++j)
      G(i, j) = gram_[basis[static_cast<std::size_t>(i)] * slots_ + basis[static_cast<std::size_t>(j)]] *
                scale(i) * scale(j);
  const Eigen::VectorXd cs = gram_solve(G, g);
  const Eigen::VectorXd c = scale.asDiagonal() * cs;
  if (!c.allFinite()) return {};
  judge_ = false;
  if (naligned > 0) {
    // The energy the guess removes, c^T g = (x0, A x0), with and without the
    // kept periods' solutions; judged against the solution's own once it is
    // known (remember()).
    const auto na = static_cast<Eigen::Index>(naligned), nw = kk - na;
    energy_ = cs.dot(g);
    window_energy_ = nw > 0 ? gram_solve(G.bottomRightCorner(nw, nw), g.tail(nw)).dot(g.tail(nw)) : 0.0;
    rhs_.resize(size);
    const double* b = A.rhs.data();
    float* r = rhs_.data();
    parallel_for_blocks(A.size(), [&](Index lo, Index hi) {
      for (Index i = lo; i < hi; ++i) r[i] = static_cast<float>(b[i]);
    });
    judge_ = true;
  }
  Combination w;
  for (std::size_t i = 0; i < k; ++i) {
    w.slot.push_back(basis[i]);
    w.c.push_back(c(static_cast<Eigen::Index>(i)));
  }
  return w;
}

namespace {
/// x = W c (Add: x += W c) over the solutions w.
template <bool Add, class Solution>
void combine(const SolutionProjection::Combination& comb, Solution&& solution, std::span<double> x) {
  double* xp = x.data();
  const std::size_t k = comb.k();
  constexpr std::size_t most = SolutionProjection::max_capacity + SolutionProjection::max_periods;
  std::array<const float*, most> p{};
  std::array<double, most> c{};
  for (std::size_t i = 0; i < k; ++i) {
    p[i] = solution(comb.slot[i]).data();
    c[i] = comb.c[i];
    GWSIM_ASSERT(solution(comb.slot[i]).size() == x.size());
  }
  // One chunk of x at a time (in the L2 cache) gains the solutions one
  // after the other, each streamed contiguously.
  parallel_for_chunks(static_cast<Index>(x.size()), sum_chunk, [&](Index lo, Index hi) {
    if (!Add) std::fill(xp + lo, xp + hi, 0.0);
    for (std::size_t i = 0; i < k; ++i) {
      const float* pi = p[i];
      const double ci = c[i];
      for (Index j = lo; j < hi; ++j) xp[j] += ci * double(pi[j]);
    }
  });
}
} // namespace

void SolutionProjection::write(const Combination& w, std::span<double> x) const {
  combine<false>(w, [this](std::size_t slot) -> const std::vector<float>& { return solution(slot); }, x);
}

void SolutionProjection::add(const Combination& w, std::span<double> x) const {
  if (w.k() > 0)
    combine<true>(w, [this](std::size_t slot) -> const std::vector<float>& { return solution(slot); }, x);
}

} // namespace gwsim

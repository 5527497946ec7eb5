#include "solver/solution_projection.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <Eigen/Dense>

#include "core/error.hpp"
#include "core/parallel.hpp"

namespace gwsim {

namespace {
/// Most solutions a projection keeps (fixes the size of the fused sums).
constexpr std::size_t max_capacity = 8;
/// Cells per chunk of the fused sums: fixed, so sums do not depend on the
/// thread count.
constexpr Index sum_chunk = 4096;
} // namespace

SolutionProjection::SolutionProjection(std::size_t capacity)
    : capacity_(std::min(capacity, max_capacity)), w_(capacity_), aw_(capacity_),
      fresh_(capacity_, false), gram_(capacity_ * capacity_, 0.0) {
  order_.reserve(capacity_);
}

void SolutionProjection::clear() {
  order_.clear();
  std::fill(fresh_.begin(), fresh_.end(), false);
}

std::vector<double>& SolutionProjection::newest_slot(std::size_t n) {
  std::size_t slot = order_.size();
  if (order_.size() == capacity_) {
    slot = order_.back();
    order_.pop_back();
  }
  order_.push_back(slot); // then rotated to the front: newest first
  std::rotate(order_.begin(), order_.end() - 1, order_.end());
  fresh_[slot] = false;
  w_[slot].resize(n);
  return w_[slot];
}

void SolutionProjection::remember(std::span<const double> x) {
  if (capacity_ == 0) return;
  const double* src = x.data();
  double* dst = newest_slot(x.size()).data();
  parallel_for_blocks(static_cast<Index>(x.size()), [&](Index b, Index e) {
    std::copy(src + b, src + e, dst + b);
  });
}

void SolutionProjection::remember_difference(std::span<const double> after, std::span<const double> before) {
  if (capacity_ == 0) return;
  const double* a = after.data();
  const double* o = before.data();
  double* dst = newest_slot(after.size()).data();
  parallel_for_blocks(static_cast<Index>(after.size()), [&](Index b, Index e) {
    for (Index i = b; i < e; ++i) dst[i] = a[i] - o[i];
  });
}

std::vector<std::vector<double>> SolutionProjection::solutions() const {
  std::vector<std::vector<double>> out;
  for (std::size_t s : order_) out.push_back(w_[s]);
  return out;
}

void SolutionProjection::restore(const std::vector<std::vector<double>>& newest_first) {
  clear();
  const std::size_t k = std::min(newest_first.size(), capacity_);
  for (std::size_t i = k; i-- > 0;) remember(newest_first[i]);
}

SolutionProjection::Combination SolutionProjection::combination(const StencilSystem& A) {
  const Index n = A.size();
  const auto size = static_cast<std::size_t>(n);
  Combination none;
  for (std::size_t s : order_)
    if (w_[s].size() != size) {
      clear(); // a different grid: nothing kept applies
      break;
    }
  const std::size_t k = order_.size();
  if (k == 0) return none;
  const std::uint64_t fp = operator_fingerprint(A);
  const bool sym = A.symmetric();
  if (fp != fingerprint_ || sym != symmetric_) {
    std::fill(fresh_.begin(), fresh_.end(), false);
    fingerprint_ = fp;
    symmetric_ = sym;
  }
  // A w for solutions kept since the operator was last seen.
  std::array<std::size_t, max_capacity> stale{};
  std::size_t nstale = 0;
  for (std::size_t s : order_)
    if (!fresh_[s]) {
      aw_[s].resize(size);
      apply(A, w_[s], aw_[s]);
      stale[nstale++] = s;
    }
  // One pass: g_i = (u_i, b) for every kept solution and the Gram entries
  // (A w_s, u_j) of the stale ones, with u = w for a symmetric operator
  // (W^T A W) and u = A w otherwise ((AW)^T AW). Both Gram matrices are
  // symmetric, so a stale row also fills its column.
  std::array<const double*, max_capacity> u{}, as{};
  for (std::size_t i = 0; i < k; ++i) u[i] = sym ? w_[order_[i]].data() : aw_[order_[i]].data();
  for (std::size_t t = 0; t < nstale; ++t) as[t] = aw_[stale[t]].data();
  const double* b = A.rhs.data();
  using Sums = std::array<double, max_capacity + max_capacity * max_capacity>;
  const Sums sums = parallel_reduce_chunks(
      n, sum_chunk, Sums{},
      [&](Index lo, Index hi) {
        // Four partial sums per product: floating-point sums do not
        // vectorise on their own (the order is fixed, so still the same
        // result for any thread count).
        auto dot = [&](const double* p, const double* q) {
          double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
          Index c = lo;
          for (; c + 4 <= hi; c += 4) {
            a0 += p[c] * q[c];
            a1 += p[c + 1] * q[c + 1];
            a2 += p[c + 2] * q[c + 2];
            a3 += p[c + 3] * q[c + 3];
          }
          for (; c < hi; ++c) a0 += p[c] * q[c];
          return (a0 + a1) + (a2 + a3);
        };
        Sums s{};
        for (std::size_t i = 0; i < k; ++i) s[i] = dot(u[i], b);
        for (std::size_t t = 0; t < nstale; ++t)
          for (std::size_t j = 0; j < k; ++j) s[max_capacity + t * max_capacity + j] = dot(as[t], u[j]);
        return s;
      },
      [](Sums p, const Sums& q) {
        for (std::size_t i = 0; i < p.size(); ++i) p[i] += q[i];
        return p;
      });
  for (std::size_t t = 0; t < nstale; ++t) {
    const std::size_t s = stale[t];
    for (std::size_t j = 0; j < k; ++j) {
      const double v = sums[max_capacity + t * max_capacity + j];
      gram_[s * capacity_ + order_[j]] = v;
      gram_[order_[j] * capacity_ + s] = v;
    }
    fresh_[s] = true;
  }
  // Solve G c = g scaled to a unit diagonal, through the eigenvectors whose
  // eigenvalues are not lost to rounding: successive solutions can be
  // nearly parallel, and a plain solve would then amplify rounding into
  // the guess.
  const auto kk = static_cast<Eigen::Index>(k);
  Eigen::MatrixXd G(kk, kk);
  Eigen::VectorXd g(kk), scale(kk);
  for (Eigen::Index i = 0; i < kk; ++i) {
    const std::size_t si = order_[static_cast<std::size_t>(i)];
    const double d = gram_[si * capacity_ + si];
    scale(i) = d > 0.0 && std::isfinite(d) ? 1.0 / std::sqrt(d) : 0.0;
    g(i) = sums[static_cast<std::size_t>(i)] * scale(i);
  }
  for (Eigen::Index i = 0; i < kk; ++i)
    for (Eigen::Index j = 0; j < kk; ++j)
      G(i, j) = gram_[order_[static_cast<std::size_t>(i)] * capacity_ + order_[static_cast<std::size_t>(j)]] *
                scale(i) * scale(j);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(G);
  if (es.info() != Eigen::Success) return none;
  const Eigen::VectorXd& lambda = es.eigenvalues();
  double largest = 0.0;
  for (Eigen::Index i = 0; i < kk; ++i) largest = std::max(largest, lambda(i));
  Eigen::VectorXd y = es.eigenvectors().transpose() * g;
  for (Eigen::Index i = 0; i < kk; ++i) y(i) = lambda(i) > 1e-10 * largest ? y(i) / lambda(i) : 0.0;
  const Eigen::VectorXd c = scale.asDiagonal() * (es.eigenvectors() * y);
  if (!c.allFinite()) return none;
  Combination w;
  w.k = k;
  for (std::size_t i = 0; i < k; ++i) {
    w.slot[i] = order_[i];
    w.c[i] = c(static_cast<Eigen::Index>(i));
  }
  return w;
}

namespace {
/// x = W c (Add: x += W c) over the solutions w.
template <bool Add>
void combine(const SolutionProjection::Combination& comb, const std::vector<std::vector<double>>& w,
             std::span<double> x) {
  double* xp = x.data();
  std::array<const double*, max_capacity> p{};
  for (std::size_t i = 0; i < comb.k; ++i) {
    p[i] = w[comb.slot[i]].data();
    GWSIM_ASSERT(w[comb.slot[i]].size() == x.size());
  }
  const std::size_t k = comb.k;
  parallel_for_blocks(static_cast<Index>(x.size()), [&](Index lo, Index hi) {
    for (Index c = lo; c < hi; ++c) {
      double v = 0.0;
      for (std::size_t i = 0; i < k; ++i) v += comb.c[i] * p[i][c];
      xp[c] = Add ? xp[c] + v : v;
    }
  });
}
} // namespace

void SolutionProjection::write(const Combination& w, std::span<double> x) const { combine<false>(w, w_, x); }

void SolutionProjection::add(const Combination& w, std::span<double> x) const {
  if (w.k > 0) combine<true>(w, w_, x);
}

} // namespace gwsim

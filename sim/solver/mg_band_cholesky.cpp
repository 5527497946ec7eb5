#include "solver/mg_band_cholesky.hpp"

#include <algorithm>
#include <cmath>

namespace gwsim::mg {

void BandCholesky::factor(const SymStencilView& A) {
  nlay_ = A.nlay;
  nrow_ = A.nrow;
  ncol_ = A.ncol;
  n_ = A.size();
  by_row_ = ncol_ <= nrow_;
  bw_ = nlay_ * std::min(nrow_, ncol_);
  factor_.assign(static_cast<std::size_t>(n_ * (bw_ + 1)), 0.0);
  order_.resize(static_cast<std::size_t>(n_));
  work_.resize(static_cast<std::size_t>(n_));
  const Index nc = ncol_, nrc = nrow_ * ncol_;
  // Lower triangle of A in band positions; west, north and up neighbours
  // come earlier in either numbering.
  for (Index l = 0; l < nlay_; ++l)
    for (Index r = 0; r < nrow_; ++r)
      for (Index c = 0; c < ncol_; ++c) {
        const Index n = (l * nrow_ + r) * nc + c, i = position(l, r, c);
        order_[static_cast<std::size_t>(n)] = i;
        at(i, i) = A.diag[n];
        if (c > 0) at(i, position(l, r, c - 1)) = -A.east[n - 1];
        if (r > 0) at(i, position(l, r - 1, c)) = -A.south[n - nc];
        if (l > 0) at(i, position(l - 1, r, c)) = -A.down[n - nrc];
      }
  for (Index i = 0; i < n_; ++i) {
    const Index k0 = std::max<Index>(0, i - bw_);
    const double* li = &factor_[static_cast<std::size_t>(i * (bw_ + 1) - i + bw_)]; // li[k] = L(i,k)
    for (Index j = k0; j <= i; ++j) {
      const double* lj = &factor_[static_cast<std::size_t>(j * (bw_ + 1) - j + bw_)];
      double s = li[j];
      for (Index k = k0; k < j; ++k) s -= li[k] * lj[k];
      if (j < i) {
        at(i, j) = s / lj[j];
      } else {
        const double a = std::abs(li[i]); // still the diagonal of A
        at(i, i) = std::sqrt(s > 1e-12 * std::max(a, 1e-300) ? s : (a > 0.0 ? a : 1.0));
      }
    }
  }
}

void BandCholesky::solve(const float* b, float* x) const {
  double* y = work_.data();
  for (Index n = 0; n < n_; ++n) y[order_[static_cast<std::size_t>(n)]] = static_cast<double>(b[n]);
  const Index w = bw_ + 1;
  for (Index i = 0; i < n_; ++i) {
    const double* li = &factor_[static_cast<std::size_t>(i * w - i + bw_)];
    // Eight partial sums: a single running sum keeps the subtractions in
    // order, one after another (the compiler may not reorder them), and
    // this serial solve runs on one thread while the others wait.
    double p[8] = {};
    Index k = std::max<Index>(0, i - bw_);
    for (; k + 8 <= i; k += 8)
      for (int j = 0; j < 8; ++j) p[j] += li[k + j] * y[k + j];
    double s = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
    for (; k < i; ++k) s += li[k] * y[k];
    y[i] = (y[i] - s) / li[i];
  }
  for (Index i = n_ - 1; i >= 0; --i) {
    const double* li = &factor_[static_cast<std::size_t>(i * w - i + bw_)];
    y[i] /= li[i];
    const double yi = y[i];
    for (Index k = std::max<Index>(0, i - bw_); k < i; ++k) y[k] -= li[k] * yi;
  }
  for (Index n = 0; n < n_; ++n) x[n] = static_cast<float>(y[order_[static_cast<std::size_t>(n)]]);
}

} // namespace gwsim::mg

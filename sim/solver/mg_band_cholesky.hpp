#pragma once
/// Banded Cholesky factorisation of a small layered 7-point stencil: the
/// exact solve on the coarsest multigrid level.
///
/// Cells are numbered with the layers of a column adjacent and the shorter of
/// rows/columns innermost, so the half bandwidth is nlay * min(nrow, ncol)
/// and the factor costs n * bw^2 / 2 flops.
#include <vector>

#include "core/types.hpp"

namespace gwsim::mg {

/// A symmetric layered stencil in double with owned or borrowed arrays
/// (as in StencilSystem: east/south/down are the couplings to the next
/// column/row/layer, zero on the last one; down may be null with one layer).
struct SymStencilView {
  Index nlay = 0, nrow = 0, ncol = 0;
  const double* diag = nullptr;
  const double* east = nullptr;
  const double* south = nullptr;
  const double* down = nullptr;
  Index size() const { return nlay * nrow * ncol; }
};

class BandCholesky {
public:
  /// Factorise A. A non-positive pivot (a floating, singular part of the
  /// model) is replaced by the diagonal so the solve stays finite.
  void factor(const SymStencilView& A);
  /// x = A^{-1} b in double arithmetic.
  void solve(const float* b, float* x) const;
  std::size_t memory_bytes() const { return (factor_.size() + work_.size()) * sizeof(double); }

private:
  Index position(Index l, Index r, Index c) const {
    return (by_row_ ? (r * ncol_ + c) : (c * nrow_ + r)) * nlay_ + l;
  }
  double& at(Index i, Index j) { return factor_[static_cast<std::size_t>(i * (bw_ + 1) + (j - i + bw_))]; }

  Index n_ = 0, bw_ = 0, nlay_ = 0, nrow_ = 0, ncol_ = 0;
  bool by_row_ = true;
  std::vector<double> factor_;       ///< lower band, row i holds columns i-bw .. i
  std::vector<Index> order_;         ///< band position of cell n
  mutable std::vector<double> work_; ///< permuted right-hand side / solution
};

} // namespace gwsim::mg

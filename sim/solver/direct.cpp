#include "solver/direct.hpp"

#include <Eigen/SparseCholesky>
#include <Eigen/SparseLU>
#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace gwsim {

Eigen::SparseMatrix<double> to_sparse(const StencilSystem& A) {
  const Index n = A.size(), nc = A.ncol, nrc = A.nrow * A.ncol;
  std::vector<Eigen::Triplet<double>> t;
  t.reserve(static_cast<std::size_t>(7 * n));
  const bool sym = A.symmetric();
  for (Index i = 0; i < n; ++i) {
    const auto u = static_cast<std::size_t>(i);
    t.emplace_back(i, i, A.diag[u]);
    auto add = [&](Index j, double c) {
      if (c != 0.0) t.emplace_back(i, j, -c);
    };
    if (i + 1 < n) add(i + 1, A.east[u]);
    if (i + nc < n) add(i + nc, A.south[u]);
    if (i + nrc < n) add(i + nrc, A.down[u]);
    if (i >= 1) add(i - 1, sym ? A.east[u - 1] : A.west[u]);
    if (i >= nc) add(i - nc, sym ? A.south[u - static_cast<std::size_t>(nc)] : A.north[u]);
    if (i >= nrc) add(i - nrc, sym ? A.down[u - static_cast<std::size_t>(nrc)] : A.up[u]);
  }
  // Rank-one terms (ponds): a dense block over their cells (duplicate
  // entries are summed by setFromTriplets).
  for (const RankOneTerm& r : A.rank_one)
    for (std::size_t j = 0; j < r.cells.size(); ++j) {
      const std::vector<Index>& rows = r.symmetric() ? r.cells : r.rows;
      const std::vector<double>& v = r.symmetric() ? r.u : r.v;
      for (std::size_t i = 0; i < rows.size(); ++i) t.emplace_back(rows[i], r.cells[j], -v[i] * r.u[j] / r.gamma);
    }
  Eigen::SparseMatrix<double> M(n, n);
  M.setFromTriplets(t.begin(), t.end());
  return M;
}

SolveStats DirectSolver::solve(const StencilSystem& A, std::span<double> h) {
  const auto M = to_sparse(A);
  const Eigen::Map<const Eigen::VectorXd> b(A.rhs.data(), A.size());
  Eigen::VectorXd x;
  if (A.symmetric()) {
    Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>> f(M);
    if (f.info() != Eigen::Success) throw ConvergenceError("direct solver: factorisation failed");
    x = f.solve(b);
  } else {
    Eigen::SparseLU<Eigen::SparseMatrix<double>> f(M);
    if (f.info() != Eigen::Success) throw ConvergenceError("direct solver: factorisation failed");
    x = f.solve(b);
  }
  SolveStats st;
  st.iterations = 1;
  for (Index i = 0; i < A.size(); ++i) {
    st.max_head_change = std::max(st.max_head_change, std::abs(x[i] - h[i]));
    h[i] = x[i];
  }
  st.relative_residual = (b - M * x).norm() / std::max(b.norm(), 1e-300);
  st.converged = std::isfinite(st.relative_residual);
  return st;
}

} // namespace gwsim

#pragma once
/// Reference solver: assemble the stencil into an Eigen sparse matrix and
/// factorise it (SimplicialLDLT if symmetric, SparseLU otherwise). Meant for
/// tests and small models; memory grows much faster than with the iterative
/// solvers.
#include <Eigen/SparseCore>

#include "solver/linear_solver.hpp"

namespace gwsim {

/// The stencil as an explicit sparse matrix (used by tests and this solver).
Eigen::SparseMatrix<double> to_sparse(const StencilSystem& A);

class DirectSolver final : public LinearSolver {
public:
  SolveStats solve(const StencilSystem& A, std::span<double> h) override;
  std::string name() const override { return "direct"; }
};

} // namespace gwsim

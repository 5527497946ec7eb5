#pragma once
/// Krylov solvers on the matrix-free stencil: PCG for symmetric systems and
/// restarted GCR for the nonsymmetric Newton systems, both with a pluggable
/// preconditioner (Jacobi by default).
#include <functional>
#include <vector>

#include "solver/linear_solver.hpp"

namespace gwsim {

/// z = M^{-1} r. Must be deterministic and thread-count independent.
class Preconditioner {
public:
  virtual ~Preconditioner() = default;
  virtual void setup(const StencilSystem& A) = 0;
  virtual void apply(std::span<const double> r, std::span<double> z) const = 0;
  /// Optional single-precision result: z = M^{-1} r in float storage owned
  /// by the preconditioner, valid until the next call; nullptr when not
  /// offered (then apply() is used). Saves a double vector and its traffic
  /// in the outer iteration.
  virtual const float* apply_float(std::span<const double> /*r*/) const { return nullptr; }
  /// Whether apply_float() is offered.
  virtual bool offers_float() const { return false; }
  /// Where apply_float() stores its input r in float (after setup(); one
  /// value per cell), or nullptr. A caller that has written float(r) there
  /// itself calls apply_float_input() instead of apply_float(r): the same
  /// result without the pass that reads r (the flexible CG writes it while
  /// it updates r, see krylov.cpp).
  virtual float* float_input() { return nullptr; }
  /// apply_float() of the r already stored at float_input().
  virtual const float* apply_float_input() const { return nullptr; }
  /// Free what setup() built; setup() must be called again before use.
  virtual void release() {}
};

/// Diagonal scaling.
class JacobiPreconditioner final : public Preconditioner {
public:
  void setup(const StencilSystem& A) override;
  void apply(std::span<const double> r, std::span<double> z) const override;
  void release() override { std::vector<double>().swap(inv_diag_); }

private:
  std::vector<double> inv_diag_;
};

/// Preconditioned CG (symmetric A) or GCR (nonsymmetric A), chosen by
/// A.symmetric().
class KrylovSolver final : public LinearSolver {
public:
  KrylovSolver(SolverSettings settings, std::unique_ptr<Preconditioner> pre, std::string name);
  SolveStats solve(const StencilSystem& A, std::span<double> h) override;
  std::string name() const override { return name_; }
  void keep_preconditioner(bool keep) override { keep_ = keep; }
  void release() override;

private:
  SolveStats pcg(const StencilSystem& A, std::span<double> h);
  /// Flexible CG with the preconditioned residual z in Z (float or double).
  template <class Z> SolveStats fcg(const StencilSystem& A, std::span<double> h, bool float_z);
  SolveStats gcr(const StencilSystem& A, std::span<double> h);
  /// Directions GCR keeps before it restarts (2 vectors each).
  static constexpr int gcr_restart = 5;

  SolverSettings settings_;
  std::unique_ptr<Preconditioner> pre_;
  std::string name_;
  bool keep_ = false;     ///< reuse the preconditioner of an earlier system
  Index prepared_ = -1;   ///< size of the system the preconditioner was built for
  std::vector<double> r_, z_, p_, q_;
  std::vector<std::vector<double>> zs_, qs_; ///< GCR directions and their images A z
};

} // namespace gwsim

#pragma once
/// The linear-solver interface: every solver takes a StencilSystem and
/// improves a head vector in place.
#include <memory>
#include <span>
#include <string>

#include "solver/stencil.hpp"

namespace gwsim {

enum class SolverKind {
  pcg,       ///< conjugate gradient (GCR if nonsymmetric), Jacobi preconditioner
  direct,    ///< Eigen sparse direct factorisation (reference, small models)
  multigrid  ///< flexible CG (GCR if nonsymmetric), aggregation multigrid preconditioner
};

/// Convergence settings of the linear solve. A solve has converged when both
/// tests hold, so that slow convergence cannot pass on a small head change
/// alone.
///
/// The defaults give heads to 1e-6 m with the multigrid solver: it reduces
/// the error by a factor of about 4 per iteration, so the error left after
/// an iteration that changed heads by at most head_tolerance is about a
/// third of it. Slowly converging solvers (pcg with its Jacobi
/// preconditioner) need a smaller head_tolerance for the same accuracy.
struct SolverSettings {
  SolverKind kind = SolverKind::multigrid;
  /// Largest head change of the last iteration, m.
  double head_tolerance = 1e-6;
  /// 2-norm of the residual b - A h relative to the 2-norm of b: a
  /// safeguard against stopping on a small head change while the residual
  /// is still large. (The simulation solves for head updates, whose
  /// right-hand side is itself a residual, so this is a relative reduction.)
  double residual_tolerance = 1e-8;
  int max_iterations = 2000;
  /// Head changes of earlier time steps kept for first guesses
  /// (SolutionProjection, 4 B per cell each); -1: the model's default.
  int first_guess_changes = -1;
  /// The default for linear and Newton models alike. A long window pays
  /// only when the stress schedule repeats within it, while its two passes
  /// per step over the kept changes are paid always (bench/HISTORY.md,
  /// 2026-11-28, paired runs on 2 threads): 24 instead of 4 made the
  /// transient benchmark, whose wells change every second period, 12%
  /// faster (359 -> 224 iterations) and the same model with a schedule
  /// that never repeats 7.5% slower. Newton models recompute A w of every
  /// kept change at every step.
  static constexpr int default_first_guess_changes = 4;
  /// Earlier stress periods whose first steps' head changes a step of a new
  /// period also takes for its first guess, step j for step j
  /// (SolutionProjection: 4 B per cell for each of the first
  /// SolutionProjection::aligned_steps steps of each; linear models only);
  /// -1: the default. A schedule that alternates between two states, or
  /// repeats every two periods, repeats the response to its changes a
  /// period or two later (bench/HISTORY.md, 2026-11-28: the transient
  /// benchmark 0.92 of its time, a schedule that never repeats 1.03-1.05).
  int first_guess_periods = -1;
  static constexpr int default_first_guess_periods = 2;
};

struct SolveStats {
  int iterations = 0;
  double relative_residual = 0.0; ///< ||b - A h|| / ||b||
  double max_head_change = 0.0;   ///< m, last iteration
  bool converged = false;
};

class LinearSolver {
public:
  virtual ~LinearSolver() = default;
  /// Solve A h = b starting from the given h (warm start).
  virtual SolveStats solve(const StencilSystem& A, std::span<double> h) = 0;
  virtual std::string name() const = 0;
  /// While true, solves keep the preconditioner built for an earlier system
  /// instead of building one for the new A (the iteration still uses the new
  /// A, so only the convergence rate can suffer). For the later Newton
  /// iterations of a time step, whose Jacobians differ little.
  virtual void keep_preconditioner(bool /*keep*/) {}
  /// Give back the work memory (vectors, preconditioner); a later solve
  /// builds it again. For the end of a run, whose last phases (result,
  /// restart point) then do not add to the solve's peak.
  virtual void release() {}
};

std::unique_ptr<LinearSolver> make_solver(const SolverSettings& settings);
const char* to_string(SolverKind kind);

} // namespace gwsim

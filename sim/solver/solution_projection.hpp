#pragma once
/// First guesses for a sequence of solves from the earlier solutions.
///
/// A transient run solves one system per time step, and the steps' head
/// changes are close relatives: the slow modes (drainage through an
/// aquitard, a spreading cone) change little from step to step. The first
/// guess of a new solve A x = b is the combination W c of the last k
/// solutions W = [w_1 .. w_k] closest to the new solution:
///
///  - symmetric A: closest in the A-norm (Galerkin, W^T A W c = W^T b), the
///    norm conjugate gradients minimise;
///  - nonsymmetric A (Newton systems): smallest residual
///    ((AW)^T AW c = (AW)^T b).
///
/// Either way the guess is never worse than zero in that norm, whatever the
/// stresses did. This is the projection of Fischer (1998, Comput. Methods
/// Appl. Mech. Engrg. 163, "Projection techniques for iterative solution of
/// Ax = b with successive right-hand sides") over a sliding window of
/// solutions. A W and the small Gram matrix are kept while the operator's
/// fingerprint is unchanged (constant step length: one operator application
/// per step for the newest solution), and recomputed when it changes.
///
/// Every sum is a fixed-chunk reduction: the guess is the same for any
/// number of threads.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "solver/stencil.hpp"

namespace gwsim {

class SolutionProjection {
public:
  /// Keep at most `capacity` solutions (0: always guess zero).
  explicit SolutionProjection(std::size_t capacity);

  /// Most solutions a projection keeps.
  static constexpr std::size_t max_capacity = 8;
  /// A combination W c of the kept solutions (their slots and
  /// coefficients); k = 0: none.
  struct Combination {
    std::size_t k = 0;
    std::array<std::size_t, max_capacity> slot{};
    std::array<double, max_capacity> c{};
  };
  /// The combination of the kept solutions closest to the solution of
  /// A x = A.rhs (k = 0 if none are kept).
  Combination combination(const StencilSystem& A);
  /// x = W c. Valid until the next remember().
  void write(const Combination& w, std::span<double> x) const;
  /// x += W c: a linear model solved for its heads, A h = F + A h0, takes
  /// the combination for the update system A dh = F (before F + A h0 is
  /// formed) and adds it to h0.
  void add(const Combination& w, std::span<double> x) const;
  /// x = the combination closest to the solution of A x = A.rhs (zero if
  /// none are kept).
  void guess(const StencilSystem& A, std::span<double> x) { write(combination(A), x); }
  /// Keep x (a solution of some earlier system) as the newest; the oldest
  /// is dropped when the window is full.
  void remember(std::span<const double> x);
  /// remember(after - before) without a temporary (a step's head change).
  void remember_difference(std::span<const double> after, std::span<const double> before);
  void clear();

  std::size_t size() const { return order_.size(); }
  std::size_t capacity() const { return capacity_; }
  /// The kept solutions, newest first (what a restart point saves).
  std::vector<std::vector<double>> solutions() const;
  /// Replace the kept solutions (newest first; at most capacity() are kept).
  void restore(const std::vector<std::vector<double>>& newest_first);

private:
  /// The slot for a new newest solution (the oldest one's when full).
  std::vector<double>& newest_slot(std::size_t n);

  std::size_t capacity_;
  /// Slots of the kept solutions, newest first.
  std::vector<std::size_t> order_;
  std::vector<std::vector<double>> w_;  ///< solutions, by slot
  std::vector<std::vector<double>> aw_; ///< A w, by slot (valid if fresh_)
  std::vector<bool> fresh_;             ///< aw_ and the Gram row are for fingerprint_
  std::vector<double> gram_;            ///< capacity^2, by slot: (u_i, A w_j)
  std::uint64_t fingerprint_ = 0;
  bool symmetric_ = true;
};

} // namespace gwsim

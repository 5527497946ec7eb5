#pragma once
/// First guesses for a sequence of solves from the earlier solutions.
///
/// A transient run solves one system per time step, and the steps' head
/// changes are close relatives: the slow modes (drainage through an
/// aquitard, a spreading cone) change little from step to step, and a stress
/// schedule that repeats (a well switched on every season) repeats the
/// response. The first guess of a new solve A x = b is the combination W c
/// of the last k solutions W = [w_1 .. w_k] closest to the new solution:
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
/// solutions.
///
/// Cost and memory: the solutions are kept in float (4 B per cell each; a
/// guess is a guess: float rounding puts it 1e-7 of the change off, which
/// the solver removes with everything else). For a symmetric operator the
/// Gram matrix W^T A W is kept while the operator's fingerprint is unchanged
/// (constant step length), so a step costs one operator application (for
/// the newest solution) and two passes over the kept solutions, and a long
/// window (a whole repeating stress cycle) is affordable. When the operator
/// changes, only the newest `kept_after_change` solutions stay (each needs
/// an operator application again). Nonsymmetric (Newton) operators change
/// at every step: A w is recomputed for every kept solution, so their window
/// should stay short.
///
/// Stress periods that repeat: the response to a change of stresses is a
/// sequence of head changes over the steps after it, and a schedule that
/// alternates (a well on in one period and off in the next, or a cycle of
/// two periods) repeats it, negated or not, one or two periods later. With
/// `periods` > 0 the projection also keeps the changes of the first
/// `aligned_steps` steps of each of the last `periods` stress periods (the
/// current period's overwrite the oldest's step by step), and
/// step j of a period adds step j of each of those periods to the window
/// (symmetric operators only). A larger space never makes the Galerkin
/// guess worse; each such solution costs one operator application per
/// step, since it is new to the Gram matrix.
///
/// Every sum is a fixed-chunk reduction: the guess is the same for any
/// number of threads, and a Gram entry (w_i, A w_j) is always computed with
/// the newer solution's A w (whether kept from an earlier step or computed
/// afresh after restore()), so a restored projection guesses bit for bit as
/// the one it was saved from.
#include <cstdint>
#include <span>
#include <vector>

#include "solver/stencil.hpp"

namespace gwsim {

class SolutionProjection {
public:
  /// Keep at most `capacity` solutions (0: always guess zero) and the
  /// first steps' solutions of the last `periods` stress periods.
  explicit SolutionProjection(std::size_t capacity, std::size_t periods = 0);

  /// Most solutions a projection keeps, and most periods.
  static constexpr std::size_t max_capacity = 64;
  static constexpr std::size_t max_periods = 8;
  /// Steps of each period whose solutions are kept for the later periods
  /// (the first steps after a change of stresses take the most iterations).
  static constexpr std::size_t aligned_steps = 6;
  /// Solutions that stay when the operator changes.
  static constexpr std::size_t kept_after_change = 4;
  /// A combination W c of the kept solutions (their slots and
  /// coefficients); empty: none.
  struct Combination {
    std::vector<std::size_t> slot;
    std::vector<double> c;
    std::size_t k() const { return slot.size(); }
  };
  /// The combination of the kept solutions closest to the solution of
  /// A x = A.rhs (empty if none are kept).
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
  /// A new stress period starts: the period just ended joins the kept
  /// periods (the oldest is dropped) and the step count starts again.
  void begin_period();

  std::size_t size() const { return order_.size(); }
  std::size_t capacity() const { return capacity_; }
  std::size_t periods() const { return periods_.size(); }

  /// What a restart point saves: the kept solutions (newest first), the
  /// fingerprint of the operator last seen, and the kept periods' first
  /// steps (the current period first, with their numbers among all kept
  /// solutions), the current period's step count and that number.
  struct Saved {
    std::vector<std::vector<float>> newest_first;
    std::uint64_t fingerprint = 0;
    std::vector<std::vector<std::vector<float>>> periods;
    std::vector<std::vector<std::uint64_t>> period_seq;
    std::uint32_t step_in_period = 0;
    std::uint64_t remembered = 0;
  };
  Saved save() const;
  /// Continue from a saved state (at most capacity() solutions are kept).
  /// The next combination() with the same operator keeps them all and
  /// computes their Gram matrix as the saved projection had it.
  void restore(const Saved& saved);
  /// The kept solutions, newest first, in double (tests).
  std::vector<std::vector<double>> solutions() const;

private:
  /// The slot for a new newest solution (the oldest one's when full).
  std::vector<float>& newest_slot(std::size_t n);
  /// Drop all but the newest `keep` solutions.
  void keep_newest(std::size_t keep);
  /// (u_i, b) for the basis (u = w, or A w when nonsymmetric) and, for each
  /// stale slot, its Gram row; fills g (basis order).
  void symmetric_sums(const StencilSystem& A, const std::vector<std::size_t>& basis, std::vector<double>& g);
  void nonsymmetric_sums(const StencilSystem& A, const std::vector<std::size_t>& basis, std::vector<double>& g);
  /// Keep x (double, or after - before) as the newest solution and, early
  /// in a period, as this period's step.
  template <class F> void keep(std::size_t n, F&& value);

  std::size_t capacity_;
  /// Slots capacity_ .. slots_ - 1 are the kept periods' solutions for the
  /// current step (aligned_, from combination() to write()/add()).
  std::size_t slots_;
  /// The kept periods' first steps, a ring of `periods`: periods_[0] the
  /// current period, whose first `count` steps are recorded; beyond them it
  /// still holds the steps of the period `periods` back (up to old_count);
  /// periods_[1] the period before, ...
  struct Period {
    std::vector<std::vector<float>> steps;
    std::vector<std::uint64_t> seq; ///< each step's number among all solutions kept
    std::size_t count = 0, old_count = 0;
  };
  std::uint64_t remembered_ = 0; ///< solutions kept so far
  /// The last combination() was for a symmetric operator: only then are a
  /// period's first steps recorded (Newton models never use them).
  bool last_symmetric_ = false;
  std::vector<Period> periods_;
  std::vector<const std::vector<float>*> aligned_;
  const std::vector<float>& solution(std::size_t slot) const {
    return slot < capacity_ ? w_[slot] : *aligned_[slot - capacity_];
  }
  std::size_t step_in_period_ = 0;
  /// The kept periods' solutions must make the error energy of a guess at
  /// least this many times smaller than the window alone (about one solver
  /// iteration, for the operator applications they cost) to stay in the
  /// guesses of the rest of the period.
  static constexpr double min_aligned_gain = 4.0;
  bool aligned_off_ = false; ///< not for the rest of this period
  /// The last guess had kept periods' solutions: its energies (x0, A x0)
  /// with and without them, and its right-hand side, to judge them by.
  bool judge_ = false;
  double energy_ = 0.0, window_energy_ = 0.0;
  std::vector<float> rhs_;
  /// Slots of the kept solutions, newest first.
  std::vector<std::size_t> order_;
  std::vector<std::vector<float>> w_;  ///< window solutions, by slot
  std::vector<bool> fresh_;            ///< the Gram row is for fingerprint_
  std::vector<double> gram_;           ///< slots^2, by slot: (u_i, A w_j)
  std::uint64_t fingerprint_ = 0;
  /// Work vectors: a kept solution in double and its image A w; A w of
  /// every kept solution, by slot, for nonsymmetric operators.
  std::vector<double> x_, ax_;
  std::vector<std::vector<double>> aw_;
};

} // namespace gwsim

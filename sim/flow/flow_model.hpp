#pragma once
/// Internal flow between cells and storage: builds the part of the linear
/// system that comes from the aquifer itself, before the stress packages add
/// their terms, and computes the storage and constant-head budget terms.
#include <span>
#include <vector>

#include "flow/aquifer.hpp"
#include "flow/budget.hpp"
#include "grid/grid.hpp"
#include "solver/stencil.hpp"

namespace gwsim {

/// Role of each cell in a solve.
enum class CellRole : char {
  free = 0,     ///< head is solved for
  fixed = 1,    ///< constant head (CHD)
  inactive = 2  ///< no flow, not part of the solve
};

class FlowModel {
public:
  FlowModel(const Grid& grid, const AquiferProperties& aquifer);

  /// Fill A with the conductance couplings and, for a transient step, the
  /// storage terms S/dt on the diagonal and S/dt h_old in rhs.
  /// dt in d; steady means no storage.
  void assemble(StencilSystem& A, std::span<const double> h_old, double dt, bool steady) const;

  /// Turn fixed and inactive cells into identity rows holding h, and move
  /// their couplings to the right-hand side of their free neighbours.
  /// Stress packages must have added their terms before this.
  void fix_heads(StencilSystem& A, std::span<const CellRole> role, std::span<const double> h) const;

  /// Storage term: S/dt (h_old - h) summed over free cells; "in" when water
  /// is released from storage (falling heads), as in MODFLOW.
  void storage_budget(BudgetTerm& term, std::span<const double> h, std::span<const double> h_old,
                      double dt, bool steady, std::span<const CellRole> role) const;

  /// Constant-head term: flow from fixed cells into free neighbours.
  void fixed_head_budget(BudgetTerm& term, std::span<const double> h,
                         std::span<const CellRole> role) const;

  const Grid& grid() const { return grid_; }
  /// Conductance between n and n+1 / n+ncol / n+nrow*ncol, m2/d.
  const std::vector<double>& east() const { return east_; }
  const std::vector<double>& south() const { return south_; }
  const std::vector<double>& down() const { return down_; }

private:
  const Grid& grid_;
  std::vector<double> east_, south_, down_;
  std::vector<double> storage_; ///< m2, confined storage capacity S per cell
};

} // namespace gwsim

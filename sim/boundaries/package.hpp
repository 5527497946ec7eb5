#pragma once
/// Stress packages: each adds its terms to the cell equations of a solve and
/// reports its budget term. A package adds a head-dependent part to the
/// diagonal (hcof, m2/d) and a known flow to the right-hand side (m3/d), as
/// in MODFLOW: the flow into cell n is q = rhs_n - hcof_n h_n.
///
/// Terms in fixed (CHD) or inactive cells are skipped, as MODFLOW 6 does, so
/// the budget of the solved cells closes.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "boundaries/stresses.hpp"
#include "flow/budget.hpp"
#include "flow/flow_model.hpp"
#include "grid/grid.hpp"
#include "solver/stencil.hpp"

namespace gwsim {

class Package {
public:
  virtual ~Package() = default;
  /// Budget term name, also the HDF5/Python name ("wel", "rch", ...).
  virtual std::string name() const = 0;
  /// Resolve the values in force in this stress period (zero-based).
  virtual void start_period(int period) = 0;
  /// Add hcof to A.diag and the known flow to A.rhs of free cells.
  virtual void add_to(StencilSystem& A, std::span<const CellRole> role) const = 0;
  /// Flow into the aquifer through this package at heads h.
  virtual BudgetTerm budget(std::span<const double> h, std::span<const CellRole> role) const = 0;
};

/// Constant heads are not a Package: they decide which cells are solved for.
/// This resolves them per stress period.
class ConstantHeads {
public:
  explicit ConstantHeads(const std::vector<ConstantHead>& chd) : chd_(chd) {}
  /// Mark fixed cells in `role` (free <-> fixed as the schedule says; inactive
  /// cells stay inactive) and set their heads in h.
  void start_period(int period, std::span<CellRole> role, std::span<double> h,
                    const Grid& grid) const;

private:
  const std::vector<ConstantHead>& chd_;
};

std::unique_ptr<Package> make_wells(const std::vector<Well>& wells);
std::unique_ptr<Package> make_general_heads(const std::vector<GeneralHead>& ghb);
std::unique_ptr<Package> make_recharge(const Recharge& rch, const Grid& grid);

} // namespace gwsim

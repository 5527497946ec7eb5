#pragma once
/// Stress packages: each adds its flow Q_n(h) into the aquifer (m3/d) to the
/// Newton right-hand side F and -dQ_n/dh_n (m2/d) to the diagonal of J (see
/// flow/flow_model.hpp), and reports its budget term.
///
/// Terms in fixed (CHD) or inactive cells are skipped, as MODFLOW 6 does, so
/// the budget of the solved cells closes.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "boundaries/stresses.hpp"
#include "core/date.hpp"
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
  /// Before each time step: its length (d) and the calendar date of its
  /// midpoint, for stresses that depend on them (pond connections,
  /// irrigation).
  virtual void start_step(double /*dt*/, const Date& /*midpoint*/) {}
  /// After a converged step at heads h (commit states such as pond volumes
  /// and the use of yearly allotments).
  virtual void end_step(std::span<const double> /*h*/, std::span<const CellRole> /*role*/) {}
  /// True if the package's flow is not linear in the heads (RIV below its
  /// bed, DRN, EVT, ponds), so the step needs outer iterations.
  virtual bool nonlinear() const { return false; }
  /// Add Q(h) to A.rhs and -dQ/dh to A.diag of free cells.
  virtual void add_to(StencilSystem& A, std::span<const double> h,
                      std::span<const CellRole> role) const = 0;
  /// Flow into the aquifer through this package at heads h.
  virtual BudgetTerm budget(std::span<const double> h, std::span<const CellRole> role) const = 0;
  /// For packages on a short list of cells (wells, GHB, RIV, DRN): append
  /// every cell add_to() may write (repeats allowed) and return true, so a
  /// zone budget visits those cells only. Packages that may touch any cell
  /// of the top (RCH, EVT, irrigation) return false.
  virtual bool cells(std::vector<Index>& /*out*/) const { return false; }
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

/// WEL. Pumping from a convertible cell is reduced smoothly as its head
/// falls within `reduction_fraction` of the cell thickness above its bottom
/// (MODFLOW 6 AUTO_FLOW_REDUCE); the budget term carries the requested rate.
std::unique_ptr<Package> make_wells(const std::vector<Well>& wells, const FlowModel& flow,
                                    double reduction_fraction = 0.1);
std::unique_ptr<Package> make_general_heads(const std::vector<GeneralHead>& ghb);
std::unique_ptr<Package> make_recharge(const Recharge& rch, const Grid& grid);
std::unique_ptr<Package> make_drains(const std::vector<Drain>& drn);
std::unique_ptr<Package> make_evapotranspiration(const Evapotranspiration& evt, const Grid& grid);

} // namespace gwsim

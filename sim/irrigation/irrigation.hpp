#pragma once
/// Irrigation districts in the time loop: each step, every district's crop
/// water need becomes a gross field demand, met first by surface water from
/// a canal (or an import) and then by groundwater pumping spread over its
/// cells; losses percolate back as return flow. Pumping from drying cells is
/// reduced as for wells, and what is not delivered is reported as unmet.
///
/// Three stress packages share one IrrigationModel: "irr_wel" (pumping),
/// "irr_rch" (return flow from the fields) and "irr_canal" (conveyance
/// losses seeping from the canals), so that each is its own budget term.
#include <memory>
#include <span>
#include <vector>

#include "boundaries/package.hpp"
#include "boundaries/surface_water.hpp"
#include "flow/flow_model.hpp"
#include "irrigation/district.hpp"

namespace gwsim {

/// One district over one time step; rates in m3/d (averaged over the step).
struct DistrictBalance {
  double irrigated_area = 0.0;          ///< m2 (fallowed area excluded)
  double crop_water_use = 0.0;          ///< crop ET on the irrigated area
  double effective_precipitation = 0.0; ///< the part of it met by rain
  double net_requirement = 0.0;         ///< crop water use - effective precipitation
  double gross_demand = 0.0;            ///< net requirement / method efficiency
  double surface_water_diverted = 0.0;  ///< at the canal head
  double surface_water_delivered = 0.0; ///< at the fields (after conveyance losses)
  double conveyance_loss = 0.0;         ///< diverted - delivered
  double pumping_requested = 0.0;
  double pumping_actual = 0.0;
  double unmet = 0.0;                   ///< gross demand - delivered - pumping actual
  double return_flow = 0.0;             ///< field losses reaching the water table
  double conveyance_recharge = 0.0;     ///< conveyance losses reaching the water table
};

/// What an IrrigationModel carries from step to step: the use of the yearly
/// allotments (restart points save it).
struct AllotmentUse {
  int year = -1;                         ///< calendar year counted (-1: none yet)
  std::vector<double> sw_used, gw_used;  ///< m3 used this year, per district
};

class IrrigationModel {
public:
  IrrigationModel(const IrrigationData& data, const FlowModel& flow, const RiverPackage* rivers,
                  double well_reduction_fraction);

  /// Demand and supply of every district for a step of dt days whose
  /// midpoint is `midpoint` (allotments count by calendar year).
  void start_step(double dt, const Date& midpoint);
  AllotmentUse allotment_use() const { return {year_, sw_used_, gw_used_}; }
  /// Restore a state saved by allotment_use() (sizes must match the districts).
  void set_allotment_use(const AllotmentUse& u) {
    year_ = u.year;
    sw_used_ = u.sw_used;
    gw_used_ = u.gw_used;
  }
  /// Commit the step's use of the allotments.
  void end_step(std::span<const double> h, std::span<const CellRole> role);

  /// Pumping of cell n (m3/d, < 0) and its derivative with respect to h_n,
  /// at heads h; cells are those of `pump_cells()`.
  const std::vector<Index>& pump_cells() const { return pump_cell_; }
  /// No cell appears twice in pump_cells(): loops that add to each pump
  /// cell may then run in parallel.
  bool pump_cells_distinct() const { return pump_cells_distinct_; }
  double pumping(std::size_t i, std::span<const double> h, double* dq_dh) const;
  /// Return-flow recharge (m3/d, > 0) into recharge_cells()[i]: each
  /// district's total, given its actual pumping at heads h (return_totals),
  /// shared among its cells (return_flow). Per district rather than per cell,
  /// so that the Newton loop allocates nothing of the size of the fields.
  const std::vector<Index>& recharge_cells() const { return recharge_cell_; }
  std::vector<double> return_totals(std::span<const double> h, std::span<const CellRole> role) const;
  double return_flow(std::size_t i, const std::vector<double>& totals) const {
    return totals[recharge_district_[i]] * recharge_weight_[i];
  }
  /// Conveyance-loss recharge (m3/d) into each of canal_cells().
  const std::vector<Index>& canal_cells() const { return canal_cell_; }
  const std::vector<double>& canal_recharge() const { return canal_q_; }

  /// District balances at heads h (after a converged step).
  std::vector<DistrictBalance> balances(std::span<const double> h, std::span<const CellRole> role) const;
  /// Irrigation pumping and return flow per column as depths, m/d (maps).
  void maps(std::span<const double> h, std::span<const CellRole> role, std::vector<double>& pumping,
            std::vector<double>& return_flow) const;

private:
  /// Actual pumping (m3/d, > 0 = pumped) of each district at heads h.
  std::vector<double> actual_pumping(std::span<const double> h, std::span<const CellRole> role) const;

  const IrrigationData& data_;
  const FlowModel& flow_;
  const RiverPackage* rivers_;
  double reduction_fraction_;
  int year_ = -1;
  double dt_ = 1.0;
  std::vector<double> sw_used_, gw_used_;  ///< m3 this calendar year, per district
  std::vector<DistrictBalance> demand_;    ///< head-independent part, per district
  std::vector<double> return_share_;       ///< return flow per m3/d applied, per district
  // Pumping: one entry per (district, cell, layer).
  std::vector<Index> pump_cell_;
  std::vector<std::size_t> pump_district_;
  std::vector<double> pump_weight_;        ///< share of the district's pumping
  std::vector<double> pump_request_;       ///< m3/d (> 0 = pumped)
  std::vector<double> pump_bottom_;        ///< m, the cell's bottom
  std::vector<double> pump_per_depth_;     ///< 1 / reduction depth, 1/m; 0: confined, never reduced
  bool pump_cells_distinct_ = true;
  /// Work space of actual_pumping(): each entry's pumping (m3/d, <= 0),
  /// computed in parallel and then summed per district in entry order.
  mutable std::vector<double> pump_q_;
  // Return flow: one entry per (district, column), into the uppermost active cell.
  std::vector<Index> recharge_cell_;
  std::vector<std::size_t> recharge_district_;
  std::vector<double> recharge_weight_;
  // Conveyance losses: per canal cell (or district cell for imports).
  std::vector<Index> canal_cell_;
  std::vector<double> canal_q_;
};

/// The three packages over one shared model.
std::vector<std::unique_ptr<Package>> make_irrigation_packages(std::shared_ptr<IrrigationModel> model);

} // namespace gwsim

#pragma once
/// Zone budgets (as MODFLOW's ZONEBUDGET): every budget term per zone
/// (county) and per aquifer (group of layers), plus the flow exchanged with
/// the other zone-aquifer units, so that each unit's budget closes.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "boundaries/package.hpp"
#include "flow/flow_model.hpp"
#include "model/model_data.hpp"

namespace gwsim {

/// One step's zone budget: rates in m3/d, "in" entering the unit.
struct ZoneBudgetStep {
  std::size_t nzone = 0, naquifer = 0;
  std::vector<std::string> zone_names, aquifer_names;
  std::vector<std::string> terms; ///< the model's budget terms, then "other_units"
  std::vector<double> in, out;    ///< [(term * nzone + zone) * naquifer + aquifer]
  double& at(std::vector<double>& v, std::size_t t, std::size_t z, std::size_t a) {
    return v[(t * nzone + z) * naquifer + a];
  }
};

class ZoneBudget {
public:
  ZoneBudget(const ModelData& model, const FlowModel& flow);
  std::size_t nzone() const { return nzone_; }
  std::size_t naquifer() const { return naquifer_; }

  /// The zone budget of a converged step: storage, constant heads, every
  /// package's cell flows (from its add_to() into an empty system) and the
  /// flows across faces between units. `scratch` is a system of the grid's
  /// size whose diag and rhs are overwritten (the step's solved system: no
  /// second pair of cell arrays).
  /// `storage` gets the water budget's storage term (all free cells) from
  /// the same pass over the storage flows.
  ZoneBudgetStep compute(std::span<const double> h, std::span<const double> h_old, double dt, bool steady,
                         std::span<const CellRole> role,
                         const std::vector<std::unique_ptr<Package>>& packages, StencilSystem& scratch,
                         BudgetTerm& storage) const;

private:
  /// Unit index (zone * naquifer + aquifer) of cell n, or -1.
  int unit(Index n) const { return unit_[static_cast<std::size_t>(n)]; }

  /// Cells [begin, end) of one grid row, all in one unit: the passes over
  /// cells sum each run in registers and add it to its unit once.
  struct Run {
    Index begin, end;
    int unit;
  };
  /// Faces {n0 + i, dir}, i < count, whose cells n are all in unit un and
  /// whose neighbours are all in unit um, of one kind: both cells free
  /// ("other_units" of both units), only n free, or only the neighbour free
  /// (constant head into the free one).
  struct FaceRun {
    FlowModel::Face first;
    Index count;
    int un, um;
    enum Kind { both_free, n_free, m_free } kind;
  };

  const Grid& grid_;
  const FlowModel& flow_;
  std::size_t nzone_ = 0, naquifer_ = 0;
  std::vector<std::int16_t> unit_; ///< per cell; -1: in no unit (max_budget_units)
  std::vector<std::string> zone_names_, aquifer_names_;
  std::vector<Run> runs_;            ///< unit runs of every grid row, in cell order
  std::vector<std::size_t> row_runs_; ///< runs of grid row lr: [row_runs_[lr], row_runs_[lr + 1])
  mutable std::vector<FaceRun> faces_; ///< faces between units or at constant heads, in runs
  mutable std::vector<CellRole> faces_role_;   ///< the roles faces_ was listed for
  mutable std::vector<Index> cells_;           ///< a listed package's cells
};

} // namespace gwsim

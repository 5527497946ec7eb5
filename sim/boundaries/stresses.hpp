#pragma once
/// Plain descriptions of the stress packages (CHD, WEL, GHB, RCH) as read
/// from a scenario: cells, and values by stress period.
#include <string>
#include <vector>

#include "core/types.hpp"

namespace gwsim {

/// A value that changes by stress period: entry i holds from period
/// start_period[i] (zero-based) until the next entry. Before the first entry
/// the stress is off.
template <class T> struct Schedule {
  std::vector<int> start_period;
  std::vector<T> value;

  /// Value in force in `period`, or nullptr while the stress is off.
  const T* at(int period) const {
    const T* v = nullptr;
    for (std::size_t i = 0; i < start_period.size() && start_period[i] <= period; ++i)
      v = &value[i];
    return v;
  }
  void set(int period, T v) {
    start_period.push_back(period);
    value.push_back(std::move(v));
  }
  bool empty() const { return start_period.empty(); }
};

/// CHD: a named group of cells held at a head.
struct ConstantHead {
  std::string name;
  std::vector<Index> cells;  ///< flat cell indices
  Schedule<double> head;     ///< m
};

/// WEL: a named well; rate > 0 injects, rate < 0 pumps.
struct Well {
  std::string name;
  Index cell = 0;
  Schedule<double> rate; ///< m3/d
};

/// GHB: a named group of cells connected to an external head through a
/// conductance, flow into the aquifer = C (head - h).
struct GeneralHead {
  std::string name;
  std::vector<Index> cells;
  Schedule<double> head;        ///< m
  Schedule<double> conductance; ///< m2/d per cell
};

/// RCH: areal recharge applied to the uppermost active cell of each column.
struct Recharge {
  Schedule<std::vector<double>> rate; ///< m/d, nrow*ncol
};

/// RIV: a named river or canal reach, exchanging C (stage - h) with the
/// aquifer while the head is above the bed bottom and C (stage - bottom)
/// below it (MODFLOW's RIV). A reach with no water (stage not in force, or
/// depth <= 0) exchanges nothing.
struct RiverReach {
  std::string name;
  std::vector<Index> cells;
  std::vector<double> length;      ///< m of reach in each cell
  std::vector<double> conductance; ///< m2/d per cell: bed K * width * length / bed thickness
  std::vector<double> bed_bottom;  ///< m per cell (MODFLOW's RBOT)
  std::vector<double> bed_top;     ///< m per cell: bed bottom + bed thickness
  /// Water level: absolute stage (m), or, if `stage_is_depth`, water depth
  /// above the bed top (m), which follows the bed slope.
  Schedule<double> stage;
  bool stage_is_depth = false;
};

/// DRN: outflow C (elevation - h) while h > elevation, nothing below.
struct Drain {
  std::string name;
  std::vector<Index> cells;
  std::vector<double> elevation;  ///< m per cell
  Schedule<double> conductance;   ///< m2/d per cell
};

/// EVT: evapotranspiration from the water table in the uppermost active
/// cell: the maximum rate at or above `surface`, falling linearly to zero
/// at `surface - extinction_depth` (MODFLOW's EVT).
struct Evapotranspiration {
  Schedule<std::vector<double>> rate;    ///< m/d maximum, nrow*ncol
  std::vector<double> surface;           ///< m, nrow*ncol
  std::vector<double> extinction_depth;  ///< m, nrow*ncol
};

/// A pond or lake: a water body over a set of cells with its own water
/// balance, seeping through its bed to the aquifer:
///   dV/dt = inflow + connections + (rain - evaporation) A(stage) - seepage - spill.
struct Pond {
  std::string name;
  std::vector<Index> cells;
  std::vector<double> conductance; ///< m2/d per cell: bed K * cell area / bed thickness
  double bed_bottom = 0.0;         ///< m; below it the head no longer increases seepage
  /// Stage-area-volume table (m, m2, m3), stage increasing, volume 0 at the
  /// first stage (the pond floor).
  std::vector<double> table_stage, table_area, table_volume;
  double max_stage = 0.0;          ///< m, spill level
  double initial_stage = 0.0;      ///< m
  Schedule<double> rain;           ///< m/d on the water surface
  Schedule<double> evaporation;    ///< m/d from the water surface
  Schedule<double> inflow;         ///< m3/d from outside the model (floods, transfers)
};

/// A pond fed from a canal: in the listed months, while the canal has
/// water, up to max_rate flows into the pond. What does not fit either
/// spills from the pond or stays in the canal.
struct Connection {
  std::string name;
  std::size_t canal = 0;      ///< index into Stresses::riv
  std::size_t pond = 0;       ///< index into Stresses::ponds
  std::vector<int> months;    ///< 1-12
  double max_rate = 0.0;      ///< m3/d
  bool spill_excess = false;  ///< true: excess spills from the pond; false: it stays in the canal
  Schedule<double> enabled;   ///< 1 = on, 0 = off, by stress period (default on)
};

struct Stresses {
  std::vector<ConstantHead> chd;
  std::vector<Well> wel;
  std::vector<GeneralHead> ghb;
  Recharge rch;
  std::vector<RiverReach> riv;
  std::vector<Drain> drn;
  Evapotranspiration evt;
  std::vector<Pond> ponds;
  std::vector<Connection> connections;
};

} // namespace gwsim

#pragma once
/// The plain description of one model run, in SI units of metres and days.
///
/// io/config reads and validates a YAML scenario into a ModelData; the
/// physics and the solver see only these structs, never YAML. Every field
/// here has already been checked (sizes, ranges, cells inside the grid and
/// active), so the engine trusts it.
#include <map>
#include <string>
#include <vector>

#include "core/date.hpp"
#include "core/types.hpp"
#include "grid/grid.hpp"
#include "solver/linear_solver.hpp"

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

enum class LayerType {
  confined,   ///< transmissivity from the full cell thickness, storage Ss*b
  convertible ///< water-table physics (issue: water-table physics)
};

/// Hydraulic properties per cell (ncell each).
struct AquiferProperties {
  std::vector<LayerType> layer_type; ///< nlay
  std::vector<double> k;             ///< horizontal hydraulic conductivity, m/d
  std::vector<double> k33;           ///< vertical hydraulic conductivity, m/d
  std::vector<double> ss;            ///< specific storage, 1/m
  std::vector<double> sy;            ///< specific yield, - (convertible layers)
};

struct StressPeriod {
  double length = 1.0;      ///< d
  int steps = 1;            ///< number of time steps
  double multiplier = 1.0;  ///< ratio of successive time-step lengths
  bool steady = false;      ///< steady state: no storage term
};

struct TimeDiscretization {
  Date start;                      ///< calendar date of time zero
  std::vector<StressPeriod> periods;
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

struct Stresses {
  std::vector<ConstantHead> chd;
  std::vector<Well> wel;
  std::vector<GeneralHead> ghb;
  Recharge rch;
};

/// A point whose head is recorded every time step.
struct Observation {
  std::string name;
  Index cell = 0; ///< flat cell index
  double x = 0.0; ///< m, model coordinates (cell centre if given by row/col)
  double y = 0.0;
};

enum class SaveHeads { every_step, period_end, none };

struct OutputOptions {
  std::string file;           ///< result path (absolute, or relative to the working directory)
  SaveHeads save_heads = SaveHeads::period_end;
  int compression = 4;        ///< gzip level 0-9
};

struct ModelData {
  std::string name;
  std::string source_file;  ///< the scenario file path, as given
  std::string source_text;  ///< the full scenario text (stored in the result)
  Grid grid;
  AquiferProperties aquifer;
  TimeDiscretization time;
  std::vector<double> initial_head; ///< m, ncell
  Stresses stresses;
  std::vector<Observation> observations;
  OutputOptions output;
  SolverSettings solver;
};

} // namespace gwsim

#pragma once
/// The plain description of one model run, in SI units of metres and days.
///
/// io/config reads and validates a YAML scenario into a ModelData; the
/// physics and the solver see only these structs, never YAML. Every field
/// here has already been checked (sizes, ranges, cells inside the grid and
/// active), so the engine trusts it.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "core/date.hpp"
#include "core/types.hpp"
#include "boundaries/stresses.hpp"
#include "flow/aquifer.hpp"
#include "grid/grid.hpp"
#include "irrigation/district.hpp"
#include "solver/linear_solver.hpp"

namespace gwsim {

struct StressPeriod {
  double length = 1.0;      ///< d
  int steps = 1;            ///< number of time steps
  double multiplier = 1.0;  ///< ratio of successive time-step lengths
  bool steady = false;      ///< steady state: no storage term
};

struct TimeDiscretization {
  Date start;                      ///< calendar date of time zero
  std::vector<StressPeriod> periods;
  /// Time steps of all periods.
  int total_steps() const {
    int n = 0;
    for (const StressPeriod& p : periods) n += p.steps;
    return n;
  }
};

/// A point whose head is recorded every time step.
struct Observation {
  std::string name;
  Index cell = 0; ///< flat cell index
  double x = 0.0; ///< m, model coordinates (cell centre if given by row/col)
  double y = 0.0;
};

/// When heads are written to the result: every time step, at the end of
/// every stress period, at the first step end on or after each 1 January
/// and at the end of the run (year_end: long monthly runs), or never.
enum class SaveHeads { every_step, period_end, year_end, none };

struct OutputOptions {
  std::string file;           ///< result path (absolute, or relative to the working directory)
  SaveHeads save_heads = SaveHeads::period_end;
  int compression = 4;        ///< gzip level 0-9
};

/// Outer (Newton-Raphson) iteration settings; used when any layer is
/// convertible. Confined models are linear and need one solve per step.
struct NewtonSettings {
  int max_iterations = 100;        ///< outer iterations per time step
  double head_tolerance = 1e-6;    ///< m, largest head change of a full Newton update
  int backtracking = 6;            ///< times a step may be halved when the residual grows
  int time_step_cuts = 0;          ///< times a failing step may be halved and retried
  double well_reduction_fraction = 0.1; ///< AUTO_FLOW_REDUCE fraction of cell thickness
};

/// Zones (counties, districts) that results and comparisons are summed
/// over: one zone id per column of cells.
struct Zones {
  std::vector<int> id;            ///< nrow*ncol, row-major; 0 = in no zone
  std::vector<int> ids;           ///< the zone ids in use, ascending, each >= 1
  std::vector<std::string> names; ///< name of each entry of `ids`
};

/// Zone budgets number each (zone, aquifer) pair with a 16-bit integer per
/// cell: at most this many pairs.
inline constexpr std::size_t max_budget_units = 32767;

/// A named group of model layers (an aquifer made of several layers), for
/// zone results and comparisons.
struct AquiferGroup {
  std::string name;
  std::vector<Index> layers; ///< zero-based layer numbers, ascending
};

struct ModelData {
  std::string name;
  std::string source_file;  ///< the scenario file path, as given
  std::string source_text;  ///< the full scenario text (stored in the result)
  /// FNV-1a digest of the data files the reader read (rasters, CSV arrays,
  /// time series), path and bytes; 0 when none (restart points check it).
  std::uint64_t input_files_digest = 0;
  Grid grid;
  AquiferProperties aquifer;
  TimeDiscretization time;
  /// m, ncell. Emptied by Simulation::free_inputs(), as are aquifer.k, k33
  /// and leakance (and ss, sy in all-steady runs, and grid.top, bottom in
  /// all-steady runs without convertible cells) once the run has started
  /// (gwsim run frees them).
  std::vector<double> initial_head;
  Stresses stresses;
  IrrigationData irrigation;
  std::vector<Observation> observations;
  OutputOptions output;
  SolverSettings solver;
  NewtonSettings newton;
  /// Empty: one zone "model" over every column with an active cell, and one
  /// aquifer per layer "layer_1", ... (io/config_zones.hpp fills them).
  Zones zones;
  std::vector<AquiferGroup> aquifers;
};

} // namespace gwsim

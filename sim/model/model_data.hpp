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
#include "boundaries/stresses.hpp"
#include "flow/aquifer.hpp"
#include "grid/grid.hpp"
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

#pragma once
/// The `stresses:` and `observations:` sections of a scenario: cell
/// selections, by-stress-period schedules and the CHD/WEL/GHB/RCH packages.
#include <string>
#include <vector>

#include "io/yaml_reader.hpp"
#include "model/model_data.hpp"

namespace gwsim {

/// Read `stresses:`; every cell is checked to be inside `grid` and active,
/// every schedule key to be a period in 1..nper.
Stresses read_stresses(const ConfigNode& node, const Grid& grid, int nper);

std::vector<Observation> read_observations(const ConfigNode& node, const Grid& grid);

/// `cells:` (triples, a block or a mask) as flat indices. `owner` labels
/// messages, e.g. "stresses.chd[0] (name 'west_edge')".
std::vector<Index> read_cells(const ConfigNode& node, const Grid& grid, const std::string& owner);

/// A number (from period 1 on) or {period: number, ...} (one-based periods).
Schedule<double> read_schedule(const ConfigNode& node, int nper, const Bound& bound);

} // namespace gwsim

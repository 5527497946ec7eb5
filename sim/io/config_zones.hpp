#pragma once
/// Zones and aquifer groups of a scenario, the units results are summed over.
///
///   zones:
///     map: {file: counties.asc}       # 2-D array of whole-number zone ids, 0 = in no zone
///     names: {1: Taocheng, 2: Jizhou} # every id in the map needs a name
///   aquifers:                         # named groups of one-based layers
///     shallow: [1]
///     deep: [3, 4]
///
/// Without `zones` there is one zone "model" over every column with an
/// active cell; without `aquifers` one aquifer per layer ("layer_1", ...).
#include <optional>
#include <vector>

#include "grid/grid.hpp"
#include "io/yaml_reader.hpp"
#include "model/model_data.hpp"

namespace gwsim {

Zones read_zones(const std::optional<ConfigNode>& node, const Grid& grid);
std::vector<AquiferGroup> read_aquifer_groups(const std::optional<ConfigNode>& node, const Grid& grid);

/// One zone, id 1 "model", over every column of cells with an active cell.
Zones default_zones(const Grid& grid);
/// One aquifer per layer: "layer_1", "layer_2", ...
std::vector<AquiferGroup> default_aquifer_groups(const Grid& grid);

} // namespace gwsim

#pragma once
/// Reading the surface-water stresses of a scenario: rivers and canals
/// (riv), drains (drn), evapotranspiration (evt), ponds and their canal
/// connections. Part of the one place YAML is read (see config.cpp).
#include <vector>

#include "io/yaml_reader.hpp"
#include "model/model_data.hpp"

namespace gwsim {

/// `stage` (or `depth`) may also be a time series file {file: levels.csv}
/// of "YYYY-MM-DD,value" lines, averaged over each stress period.
std::vector<RiverReach> read_riv(const ConfigNode& list, const Grid& g, const TimeDiscretization& time);
std::vector<Drain> read_drn(const ConfigNode& list, const Grid& g, int nper);
Evapotranspiration read_evt(const ConfigNode& node, const Grid& g, int nper);
std::vector<Pond> read_ponds(const ConfigNode& list, const Grid& g, int nper);
/// Connections name a reach of `riv` and a pond of `ponds`.
std::vector<Connection> read_connections(const ConfigNode& list, const std::vector<RiverReach>& riv,
                                         const std::vector<Pond>& ponds, int nper);

} // namespace gwsim

#pragma once
/// Reading the `irrigation:` section of a scenario (districts, crops,
/// methods, climate) into IrrigationData. Part of the one place YAML is
/// read (see config.cpp).
#include "io/yaml_reader.hpp"
#include "model/model_data.hpp"

namespace gwsim {

/// `riv` resolves canal names; `nper` is for future by-period values.
IrrigationData read_irrigation(const ConfigNode& node, const Grid& g, const std::vector<RiverReach>& riv);

} // namespace gwsim

#pragma once
/// Hydraulic properties of the aquifer system, per cell, in m and d.
#include <vector>

namespace gwsim {

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

} // namespace gwsim

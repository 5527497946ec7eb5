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
  /// Optional vertical leakance between layer k and k+1, 1/d ((nlay-1) *
  /// nrow * ncol values, indexed like the upper cell): the vertical
  /// conductance is then leakance * area, as MODFLOW-2005's VCONT, for an
  /// aquitard that is not a model layer (Kv'/b' of the aquitard). Empty:
  /// from k33 and the half-cell thicknesses.
  std::vector<double> leakance;
};

} // namespace gwsim

#pragma once
/// Scenario comparison: what a measure did, per zone (county) and aquifer,
/// relative to a base run.
///
/// For each OTHER result against BASE, at every time saved in both, and for
/// each zone x aquifer of BASE (its /zones and /aquifers):
///   head_difference  m   area-weighted mean of h_other - h_base over the
///                        cells active in both (> 0: the water table is higher)
///   volume_saved     m3  sum over those cells of A (V(h_other) - V(h_base)),
///                        V the water stored per unit area: Ss b h in confined
///                        layers, Sy b S(h) + Ss b max(h - top, 0) in
///                        convertible ones (flow/water_table.hpp), each
///                        result with its own properties
///   recovery_area    m2  plan area of the columns of cells where the head,
///                        averaged over the aquifer's active layers, is higher
///                        than in BASE by more than the threshold (0.01 m)
/// Both results must have the same grid.
#include <cstddef>
#include <string>
#include <vector>

namespace gwsim {

struct Comparison {
  std::string base;                     ///< base result path
  std::vector<std::string> scenarios;   ///< other result paths
  std::vector<std::string> names;       ///< file stem of each scenario
  std::vector<double> time;             ///< d, the base's saved times
  std::string time_units;               ///< CF units, e.g. "days since 2015-01-01 00:00:00"
  std::vector<int> zone_ids;
  std::vector<std::string> zone_names;
  std::vector<std::string> aquifer_names;
  double recovery_threshold = 0.01;     ///< m
  /// (scenario, time, zone, aquifer), row-major; NaN at times a scenario did not save.
  std::vector<double> head_difference, volume_saved, recovery_area;
  /// Per scenario: index into `time` of the last time saved in both, or -1.
  std::vector<long> last_common;

  std::size_t at(std::size_t s, std::size_t t, std::size_t z, std::size_t a) const {
    return ((s * time.size() + t) * zone_ids.size() + z) * aquifer_names.size() + a;
  }
};

/// Compare each of `others` with `base`. Throws InputError (naming the file)
/// if a file is not a gwsim result, the grids differ, or the time units differ.
Comparison compare_results(const std::string& base, const std::vector<std::string>& others,
                           double recovery_threshold = 0.01);

/// comparison.h5, netCDF-4/CF: dimensions scenario, time, zone, aquifer.
void write_comparison(const Comparison& c, const std::string& path);

/// For each scenario, the zones ranked by groundwater volume saved (all
/// aquifers together) at the last common time, one row per zone x aquifer.
std::string format_ranking(const Comparison& c);

} // namespace gwsim

#pragma once
/// Gridded input values of a scenario: 2-D arrays (one value per row and
/// column) and 3-D arrays (one value per cell), inline or from raster files.
///
///   2-D: a number | a list of nrow lists of ncol numbers
///        | {file: name.asc|name.csv, factor: f}
///   3-D: a number | a list of nlay 2-D arrays
///
/// Each value is checked against a Bound as it is read, so a message names
/// the exact list item or raster cell.
#include <string>
#include <vector>

#include "grid/grid.hpp"
#include "io/yaml_reader.hpp"

namespace gwsim {

struct ArraySpec {
  Bound bound = Bound::any();
  /// NODATA cells of an .asc file read as 0 (grid.active only); otherwise
  /// NODATA is an error.
  bool nodata_is_zero = false;
};

/// nrow*ncol values, row-major. `layer` (zero-based, or -1 for a true 2-D
/// array) only labels messages.
std::vector<double> read_array2d(const ConfigNode& node, const Grid& grid, const ArraySpec& spec,
                                 Index layer = -1);

/// ncell values, layer by layer.
std::vector<double> read_array3d(const ConfigNode& node, const Grid& grid, const ArraySpec& spec);

/// True if `node` is a 2-D array given as a file mapping ({file: ...}).
bool is_file_array(const ConfigNode& node);

/// "layer 2, row 3, col 4" from zero-based indices (-1 leaves a part out).
std::string cell_label(Index layer, Index row, Index col);

} // namespace gwsim

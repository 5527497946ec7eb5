#pragma once
/// Readers for 2-D arrays stored in files: ESRI ASCII grids (.asc) and CSV
/// matrices (.csv). Values come back row-major with row 0 the northern edge,
/// matching Grid's (row, col) order.
///
/// Every problem is an InputError located in the raster file itself
/// (`k.asc:9:14: 'abc' is not a number`); the scenario reader adds the YAML
/// key that referred to the file.
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/types.hpp"

namespace gwsim {

/// What the caller expects of a raster.
struct RasterOptions {
  Index nrow = 0; ///< expected number of rows
  Index ncol = 0; ///< expected number of columns
  /// Value given to NODATA cells of an .asc file. Unset: a NODATA cell is an
  /// error (the value is needed everywhere).
  std::optional<double> nodata_fill;
};

/// Header of an ESRI ASCII grid. Coordinates in m.
struct AscHeader {
  Index ncols = 0;
  Index nrows = 0;
  double xll = 0.0;
  double yll = 0.0;
  bool xll_is_center = false; ///< xllcenter given instead of xllcorner
  bool yll_is_center = false;
  double cellsize = 0.0;
  std::optional<double> nodata_value;
};

struct Raster {
  Index nrow = 0;
  Index ncol = 0;
  std::vector<double> values; ///< nrow*ncol, row-major, row 0 north
  std::optional<AscHeader> header; ///< .asc files only
};

/// ESRI ASCII grid: header lines `ncols`, `nrows`, `xllcorner|xllcenter`,
/// `yllcorner|yllcenter`, `cellsize`, optional `NODATA_value` (any case),
/// then nrows*ncols numbers, north row first.
Raster read_asc(const std::string& path, const RasterOptions& options);

/// CSV matrix: nrow lines of ncol comma-separated numbers, no header.
/// Spaces around values and trailing blank lines are allowed.
Raster read_csv(const std::string& path, const RasterOptions& options);

/// read_asc or read_csv by the file's extension (case-insensitive).
Raster read_raster(const std::string& path, const RasterOptions& options);

} // namespace gwsim

#pragma once
/// Layered structured grid (MODFLOW's DIS): nlay x nrow x ncol cells.
///
/// Row 0 is the northern edge and column 0 the western edge, as in MODFLOW;
/// layer 0 is on top. Fields are stored as flat arrays indexed by
/// n = (layer * nrow + row) * ncol + col, so the column index runs fastest
/// and a 2-D (row, col) plane of one layer is contiguous.
///
/// Distributed-memory note: a later MPI decomposition gives each process a
/// block of rows and columns plus one halo cell on each side. The physics
/// kernels take (layer, row, col) or flat indices plus neighbour strides
/// (1, ncol, nrow*ncol) from this struct, so a process-local Grid whose
/// nrow/ncol include its halo runs the same kernels unchanged.
#include <cstdint>
#include <vector>

#include "core/types.hpp"

namespace gwsim {

/// For each column (row * ncol + col), its uppermost active cell, or -1 if
/// it has none: where areal stresses (RCH, EVT, irrigation return flow)
/// apply. Stored as the layer
/// (2 bytes per column), and not at all when every column's uppermost active
/// cell is in the first layer (the usual case).
struct TopActive {
  Index ncolumn = 0;               ///< nrow * ncol
  std::vector<std::int16_t> layer; ///< per column, -1: none; empty: all layer 0
  Index size() const { return ncolumn; }
  Index cell(Index c) const {
    if (layer.empty()) return c;
    const int l = layer[static_cast<std::size_t>(c)];
    return l < 0 ? -1 : l * ncolumn + c;
  }
};

struct Grid {
  Index nlay = 0;
  Index nrow = 0;
  Index ncol = 0;
  std::vector<double> delr;   ///< column widths along x, m (ncol)
  std::vector<double> delc;   ///< row widths along y, m (nrow)
  double xorigin = 0.0;       ///< x of the grid's lower-left corner, m
  double yorigin = 0.0;       ///< y of the grid's lower-left corner, m
  std::vector<double> top;    ///< model top elevation, m (nrow*ncol)
  std::vector<double> bottom; ///< cell bottom elevation, m (ncell)
  std::vector<std::int8_t> active; ///< 1 = active, 0 = inactive (ncell)

  Index ncell() const { return nlay * nrow * ncol; }
  Index ncell_layer() const { return nrow * ncol; }
  Index index(Index layer, Index row, Index col) const { return (layer * nrow + row) * ncol + col; }
  Index layer_of(Index n) const { return n / (nrow * ncol); }
  Index row_of(Index n) const { return (n / ncol) % nrow; }
  Index col_of(Index n) const { return n % ncol; }

  /// Top elevation of cell n, m: the model top for layer 0, else the
  /// bottom of the cell above.
  double cell_top(Index n) const {
    const Index nl = ncell_layer();
    return n < nl ? top[static_cast<std::size_t>(n)] : bottom[static_cast<std::size_t>(n - nl)];
  }
  double cell_bottom(Index n) const { return bottom[static_cast<std::size_t>(n)]; }
  double thickness(Index n) const { return cell_top(n) - cell_bottom(n); }
  /// Plan area of a cell in (row, col), m2.
  double area(Index row, Index col) const {
    return delr[static_cast<std::size_t>(col)] * delc[static_cast<std::size_t>(row)];
  }
  double area_of(Index n) const { return area(row_of(n), col_of(n)); }
  bool is_active(Index n) const { return active[static_cast<std::size_t>(n)] != 0; }

  /// Cell-centre x coordinates, m (ncol).
  std::vector<double> x_centers() const;
  /// Cell-centre y coordinates, m (nrow), decreasing with row.
  std::vector<double> y_centers() const;
  /// Total extent, m.
  double width() const;
  double height() const;
  /// For each column, its uppermost active cell: where areal stresses (RCH,
  /// EVT, irrigation return flow) apply.
  TopActive top_active() const;
  /// Row and column containing model point (x, y); false if outside.
  bool locate(double x, double y, Index& row, Index& col) const;

  /// A polyline (x, y vertices, m) cut into the cells it crosses: for each
  /// (row * ncol + col), the length of line inside it (m) and the distance
  /// along the line to the middle of that piece (m), in the order the line
  /// visits them. Parts outside the grid are dropped.
  struct LinePiece {
    Index column_cell; ///< row * ncol + col
    double length;     ///< m
    double along;      ///< m from the first vertex to the middle of the piece
  };
  std::vector<LinePiece> trace(const std::vector<std::pair<double, double>>& polyline) const;
};

} // namespace gwsim

#include "grid/grid.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.hpp"

namespace gwsim {

std::vector<double> Grid::x_centers() const {
  std::vector<double> x(delr.size());
  double edge = xorigin;
  for (std::size_t j = 0; j < delr.size(); ++j) {
    x[j] = edge + 0.5 * delr[j];
    edge += delr[j];
  }
  return x;
}

std::vector<double> Grid::y_centers() const {
  std::vector<double> y(delc.size());
  double edge = yorigin + height();
  for (std::size_t i = 0; i < delc.size(); ++i) {
    y[i] = edge - 0.5 * delc[i];
    edge -= delc[i];
  }
  return y;
}

double Grid::width() const { return std::accumulate(delr.begin(), delr.end(), 0.0); }
double Grid::height() const { return std::accumulate(delc.begin(), delc.end(), 0.0); }

bool Grid::locate(double x, double y, Index& row, Index& col) const {
  if (x < xorigin || y < yorigin) return false;
  double edge = xorigin;
  col = -1;
  for (std::size_t j = 0; j < delr.size(); ++j) {
    edge += delr[j];
    if (x <= edge) {
      col = static_cast<Index>(j);
      break;
    }
  }
  edge = yorigin + height();
  row = -1;
  for (std::size_t i = 0; i < delc.size(); ++i) {
    const double lower = edge - delc[i];
    if (y >= lower) {
      row = static_cast<Index>(i);
      break;
    }
    edge = lower;
  }
  return row >= 0 && col >= 0;
}

TopActive Grid::top_active() const {
  TopActive t;
  t.ncolumn = ncell_layer();
  bool all_first = true;
  for (Index c = 0; c < t.ncolumn && all_first; ++c) all_first = is_active(c);
  if (all_first) return t;
  if (nlay > 32767) throw Error("top_active: more than 32767 layers");
  t.layer.assign(static_cast<std::size_t>(t.ncolumn), -1);
  for (Index c = 0; c < t.ncolumn; ++c)
    for (Index k = 0; k < nlay; ++k)
      if (is_active(k * t.ncolumn + c)) {
        t.layer[static_cast<std::size_t>(c)] = static_cast<std::int16_t>(k);
        break;
      }
  return t;
}

std::vector<Grid::LinePiece> Grid::trace(const std::vector<std::pair<double, double>>& line) const {
  // Cell edges along x and y.
  std::vector<double> xe{xorigin}, ye{yorigin + height()};
  for (double w : delr) xe.push_back(xe.back() + w);
  for (double w : delc) ye.push_back(ye.back() - w);
  std::vector<LinePiece> pieces;
  double start = 0.0; // distance along the line at the current vertex
  for (std::size_t v = 0; v + 1 < line.size(); ++v) {
    const auto [x0, y0] = line[v];
    const auto [x1, y1] = line[v + 1];
    const double dx = x1 - x0, dy = y1 - y0, len = std::hypot(dx, dy);
    if (len == 0.0) continue;
    // Parameters where the segment crosses a cell edge.
    std::vector<double> t{0.0, 1.0};
    if (dx != 0.0)
      for (double e : xe) {
        const double s = (e - x0) / dx;
        if (s > 0.0 && s < 1.0) t.push_back(s);
      }
    if (dy != 0.0)
      for (double e : ye) {
        const double s = (e - y0) / dy;
        if (s > 0.0 && s < 1.0) t.push_back(s);
      }
    std::sort(t.begin(), t.end());
    for (std::size_t k = 0; k + 1 < t.size(); ++k) {
      const double piece = (t[k + 1] - t[k]) * len;
      if (piece <= 1e-9 * len) continue;
      const double tm = 0.5 * (t[k] + t[k + 1]);
      Index row = 0, col = 0;
      if (!locate(x0 + tm * dx, y0 + tm * dy, row, col)) continue;
      const Index c = row * ncol + col;
      const double along = start + tm * len;
      if (!pieces.empty() && pieces.back().column_cell == c) {
        // Same cell as the previous piece: merge, keeping the middle.
        LinePiece& p = pieces.back();
        p.along = (p.along * p.length + along * piece) / (p.length + piece);
        p.length += piece;
      } else {
        pieces.push_back({c, piece, along});
      }
    }
    start += len;
  }
  return pieces;
}

} // namespace gwsim

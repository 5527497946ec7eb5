#include "grid/grid.hpp"

#include <numeric>

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

} // namespace gwsim

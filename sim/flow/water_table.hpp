#pragma once
/// Water-table kernels for convertible layers (MODFLOW 6 Newton-Raphson
/// formulation, Niswonger et al. 2011, MODFLOW-NWT): a smooth saturated
/// fraction of a cell and its derivative. Small inline functions, no loops.

namespace gwsim {

/// Width of the quadratic smoothing at the bottom and top of a cell, as a
/// fraction of its thickness. Small enough that transmissivity is within
/// 0.1% of K (h - bottom) away from the ends, large enough to keep the
/// Newton Jacobian well behaved as a cell dries.
inline constexpr double saturation_smoothing = 1e-3;

/// Smallest saturated fraction a face conductance is weighted with. A dry
/// cell keeps a vanishing conductance (1e-6 of saturated) so its row never
/// becomes singular; its head then follows its neighbours below its bottom.
inline constexpr double minimum_saturation = 1e-6;

/// Saturated fraction S of a cell for relative head x = (h - bottom) /
/// thickness: 0 below the bottom, 1 above the top, linear with slope
/// 1/(1-w) in between, joined by quadratics over a width w at both ends so
/// that S and dS/dx are continuous.
inline double saturated_fraction(double x, double w = saturation_smoothing) {
  const double m = 1.0 / (1.0 - w);
  if (x <= 0.0) return 0.0;
  if (x < w) return 0.5 * m * x * x / w;
  if (x <= 1.0 - w) return m * (x - 0.5 * w);
  if (x < 1.0) return 1.0 - 0.5 * m * (1.0 - x) * (1.0 - x) / w;
  return 1.0;
}

/// dS/dx of saturated_fraction.
inline double saturated_fraction_slope(double x, double w = saturation_smoothing) {
  const double m = 1.0 / (1.0 - w);
  if (x <= 0.0 || x >= 1.0) return 0.0;
  if (x < w) return m * x / w;
  if (x <= 1.0 - w) return m;
  return m * (1.0 - x) / w;
}

/// Saturated fraction of a cell with head h (m) between bottom and top (m),
/// and its derivative with respect to h (1/m).
struct Saturation {
  double s;
  double ds_dh;
};
inline Saturation cell_saturation(double h, double top, double bottom) {
  const double b = top - bottom;
  const double x = (h - bottom) / b;
  return {saturated_fraction(x), saturated_fraction_slope(x) / b};
}

/// Water stored in a convertible cell above its bottom, per unit plan area,
/// m: Sy b S(h) below the top, plus elastic storage Ss b (h - top) above it.
/// Storage flow over a step is A (V(h_old) - V(h)) / dt, so the budget is
/// exactly conservative whatever the switch between Sy and Ss.
struct StoredWater {
  double v;     ///< m3 per m2 of plan area
  double dv_dh; ///< -
};
inline StoredWater convertible_storage(double h, double top, double bottom, double sy, double ss) {
  const Saturation sat = cell_saturation(h, top, bottom);
  const double b = top - bottom;
  StoredWater w{sy * b * sat.s, sy * b * sat.ds_dh};
  if (h > top) {
    w.v += ss * b * (h - top);
    w.dv_dh += ss * b;
  }
  return w;
}

} // namespace gwsim

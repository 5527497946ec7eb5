#pragma once
/// Per-face conductance formulas of the block-centred finite-difference
/// method, as in MODFLOW (McDonald and Harbaugh, 1988; MODFLOW 6 NPF).
/// Small inline kernels, free of loops and threads.

namespace gwsim {

/// Horizontal conductance between two adjacent cells, m2/d: the harmonic
/// mean of the transmissivities over the two half-cells,
///   C = 2 w T1 T2 / (T1 L2 + T2 L1),
/// with T = K b (m2/d) of each cell, L the cell lengths along the flow
/// direction (m) and w the face width (m). Zero if either T is zero.
inline double horizontal_conductance(double t1, double t2, double l1, double l2, double w) {
  const double denom = t1 * l2 + t2 * l1;
  return denom > 0.0 ? 2.0 * w * t1 * t2 / denom : 0.0;
}

/// Vertical conductance between a cell and the one below it, m2/d: the two
/// half-cell resistances in series,
///   C = A / (b1 / (2 Kv1) + b2 / (2 Kv2)),
/// with A the plan area (m2), b the cell thicknesses (m) and Kv the vertical
/// hydraulic conductivities (m/d).
inline double vertical_conductance(double area, double b1, double kv1, double b2, double kv2) {
  const double resistance = 0.5 * b1 / kv1 + 0.5 * b2 / kv2;
  return resistance > 0.0 ? area / resistance : 0.0;
}

/// Confined storage capacity of a cell, m2: S = Ss b A, so that the storage
/// flow over a step is S (h_old - h) / dt in m3/d.
inline double confined_storage(double ss, double thickness, double area) {
  return ss * thickness * area;
}

} // namespace gwsim

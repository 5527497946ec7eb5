#pragma once
/// Analytic solutions used by the verification tests. Independent of gwsim's
/// code: these are the textbook formulas.
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace gwsim::test {

/// Exponential integral E1(u) = Theis well function W(u), u > 0.
/// Power series for u < 1 (Abramowitz and Stegun 5.1.11), continued
/// fraction (modified Lentz) for u >= 1; both to about 1e-15 relative.
inline double well_function(double u) {
  if (!(u > 0.0)) throw std::domain_error("W(u) needs u > 0");
  if (u < 1.0) {
    double sum = 0.0, term = 1.0;
    for (int k = 1; k < 200; ++k) {
      term *= -u / k;              // (-u)^k / k!
      const double add = -term / k; // (-1)^(k+1) u^k / (k k!)
      sum += add;
      if (std::abs(add) < 1e-17 * std::abs(sum)) break;
    }
    return -std::numbers::egamma - std::log(u) + sum;
  }
  // E1(u) = exp(-u) / (u + 1 - 1/(u + 3 - 4/(u + 5 - ...)))
  double b = u + 1.0, c = 1e300, d = 1.0 / b, h = d;
  for (int i = 1; i < 500; ++i) {
    const double a = -static_cast<double>(i) * i;
    b += 2.0;
    d = 1.0 / (a * d + b);
    c = b + a / c;
    const double del = c * d;
    h *= del;
    if (std::abs(del - 1.0) < 1e-16) break;
  }
  return h * std::exp(-u);
}

/// Theis drawdown, m: s = Q / (4 pi T) W(r^2 S / (4 T t)), Q > 0 pumping (m3/d).
inline double theis_drawdown(double Q, double T, double S, double r, double t) {
  return Q / (4.0 * std::numbers::pi * T) * well_function(r * r * S / (4.0 * T * t));
}

/// Thiem drawdown difference between radii r1 < r2, m: Q/(2 pi T) ln(r2/r1).
inline double thiem_difference(double Q, double T, double r1, double r2) {
  return Q / (2.0 * std::numbers::pi * T) * std::log(r2 / r1);
}

} // namespace gwsim::test

namespace gwsim::test {

/// Hantush-Jacob leaky well function W(u, beta) = integral from u to infinity
/// of exp(-y - beta^2 / (4 y)) / y dy, by composite Simpson in t = ln y
/// (the integrand is smooth and decays double-exponentially in t).
inline double leaky_well_function(double u, double beta) {
  const double a = std::log(u), b = std::log(u + 60.0);
  const int n = 40000; // even
  const double h = (b - a) / n;
  auto f = [&](double t) {
    const double y = std::exp(t);
    return std::exp(-y - beta * beta / (4.0 * y));
  };
  double s = f(a) + f(b);
  for (int i = 1; i < n; ++i) s += (i % 2 ? 4.0 : 2.0) * f(a + i * h);
  return s * h / 3.0;
}

/// Hantush-Jacob transient drawdown, m: Q/(4 pi T) W(u, r/B).
inline double hantush_drawdown(double Q, double T, double S, double B, double r, double t) {
  return Q / (4.0 * std::numbers::pi * T) * leaky_well_function(r * r * S / (4.0 * T * t), r / B);
}

/// Steady leaky drawdown (de Glee / Hantush-Jacob), m: Q/(2 pi T) K0(r/B).
inline double leaky_steady_drawdown(double Q, double T, double B, double r) {
  return Q / (2.0 * std::numbers::pi * T) * std::cyl_bessel_k(0.0, r / B);
}

/// Dupuit head between fixed heads h1 (x = 0) and h2 (x = L) with uniform
/// recharge W on an aquifer of conductivity K over a horizontal base at 0:
/// h^2 = h1^2 - (h1^2 - h2^2) x / L + (W / K) x (L - x).
inline double dupuit_head(double h1, double h2, double L, double W, double K, double x) {
  return std::sqrt(h1 * h1 - (h1 * h1 - h2 * h2) * x / L + (W / K) * x * (L - x));
}

/// Hantush's (1967) F(alpha, beta) = integral over (0, 1) of
/// erf(alpha / sqrt(tau)) erf(beta / sqrt(tau)) d tau, by Simpson's rule in
/// s = sqrt(tau) (2 s erf(alpha / s) erf(beta / s) ds, smooth at 0).
inline double hantush_f(double alpha, double beta) {
  const int n = 4000; // even
  const double h = 1.0 / n;
  auto f = [&](double s) { return s > 0.0 ? 2.0 * s * std::erf(alpha / s) * std::erf(beta / s) : 0.0; };
  double sum = f(0.0) + f(1.0);
  for (int i = 1; i < n; ++i) sum += (i % 2 ? 4.0 : 2.0) * f(i * h);
  return sum * h / 3.0;
}

/// Head rise under a rectangular recharge basin (half-widths l along x, a
/// along y, centred at the origin) at (x, y) after time t, for the
/// linearised equation Sy ds/dt = K b lap(s) + w (Hantush 1967):
/// s = w t / (4 Sy) [F(al+, be+) + F(al+, be-) + F(al-, be+) + F(al-, be-)],
/// al+- = (l +- x) / sqrt(4 nu t), be+- = (a +- y) / sqrt(4 nu t), nu = K b / Sy.
inline double hantush_basin_rise(double w, double K, double b, double Sy, double l, double a, double x,
                                 double y, double t) {
  const double r = std::sqrt(4.0 * K * b / Sy * t);
  const double ap = (l + x) / r, am = (l - x) / r, bp = (a + y) / r, bm = (a - y) / r;
  return w * t / (4.0 * Sy) * (hantush_f(ap, bp) + hantush_f(ap, bm) + hantush_f(am, bp) + hantush_f(am, bm));
}

} // namespace gwsim::test

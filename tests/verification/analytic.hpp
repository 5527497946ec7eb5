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

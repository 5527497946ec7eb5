#pragma once
/// Synthetic confined-flow systems for the solver benchmarks and tests,
/// assembled directly as StencilSystems (no scenario file, no model code):
/// a layered aquifer with CHD edges, wells, areal recharge and a
/// general-head (river) line, optionally heterogeneous, with an aquitard,
/// inactive cells, or storage (one transient step).
///
/// Assembly follows stencil.hpp: horizontal conductance is the harmonic
/// mean of the two transmissivities times delc/delr, vertical conductance
/// area / (b1/(2 k33_1) + b2/(2 k33_2)); fixed-head and inactive cells
/// become identity rows with their couplings removed (a fixed head's known
/// flow moves into the neighbour's rhs).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <limits>
#include <vector>

#include "solver/stencil.hpp"

namespace gwsim::synthetic {

enum class KField {
  uniform,   ///< k everywhere
  lognormal, ///< correlated lognormal field, sigma of ln K given
  zones      ///< 16 x 16-cell zones with K from 1e-2 k to 1e2 k (4 orders)
};

struct Spec {
  Index nlay = 1, nrow = 100, ncol = 100;
  double delr = 100.0;      ///< m, cell size (square cells)
  double thickness = 20.0;  ///< m per layer
  double k = 10.0;          ///< m/d horizontal hydraulic conductivity
  double k33_ratio = 0.1;   ///< k33 / k
  KField field = KField::uniform;
  double sigma_lnk = 2.0;        ///< lognormal field
  Index correlation_cells = 8;   ///< lognormal field: smoothing length, cells
  Index aquitard_layer = -1;     ///< this layer gets k33 = aquitard_ratio * k
  double aquitard_ratio = 1e-4;
  bool inactive = false;         ///< irregular active domain (ellipse with holes)
  double recharge = 3e-4;        ///< m/d on the top layer
  int wells = 4;                 ///< wells pumping from the bottom layer
  double well_rate = -2000.0;    ///< m3/d each
  bool river = true;             ///< GHB line along the middle row of the top layer
  double river_width = 0.0;      ///< m; 0: as wide as a cell (the same river is then
                                 ///< less conductive per metre in finer cells)
  double specific_storage = 0.0; ///< 1/m; > 0 adds storage for a step of `dt`
  double dt = 10.0;              ///< d
  unsigned seed = 1;
};

/// Deterministic standard normal numbers (Box-Muller on mt19937_64), the
/// same on every platform.
class Normal {
public:
  explicit Normal(unsigned seed) : gen_(seed) {}
  double operator()() {
    const double u1 = (static_cast<double>(gen_() >> 11) + 0.5) * 0x1.0p-53;
    const double u2 = static_cast<double>(gen_() >> 11) * 0x1.0p-53;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  std::mt19937_64& engine() { return gen_; }

private:
  std::mt19937_64 gen_;
};

/// ln K field of one layer: white noise smoothed by repeated box filters,
/// scaled to the requested standard deviation.
inline std::vector<double> lognormal_layer(Index nr, Index nc, double sigma, Index len, Normal& rng) {
  std::vector<double> f(static_cast<std::size_t>(nr * nc)), t(f.size());
  for (double& v : f) v = rng();
  const Index h = std::max<Index>(1, len / 2);
  for (int pass = 0; pass < 2; ++pass) {
    for (Index r = 0; r < nr; ++r) { // along rows
      double s = 0.0;
      Index cnt = 0;
      for (Index c = 0; c < std::min(nc, h + 1); ++c, ++cnt) s += f[static_cast<std::size_t>(r * nc + c)];
      for (Index c = 0; c < nc; ++c) {
        t[static_cast<std::size_t>(r * nc + c)] = s / static_cast<double>(cnt);
        if (c + h + 1 < nc) s += f[static_cast<std::size_t>(r * nc + c + h + 1)], ++cnt;
        if (c - h >= 0) s -= f[static_cast<std::size_t>(r * nc + c - h)], --cnt;
      }
    }
    for (Index c = 0; c < nc; ++c) { // along columns
      double s = 0.0;
      Index cnt = 0;
      for (Index r = 0; r < std::min(nr, h + 1); ++r, ++cnt) s += t[static_cast<std::size_t>(r * nc + c)];
      for (Index r = 0; r < nr; ++r) {
        f[static_cast<std::size_t>(r * nc + c)] = s / static_cast<double>(cnt);
        if (r + h + 1 < nr) s += t[static_cast<std::size_t>((r + h + 1) * nc + c)], ++cnt;
        if (r - h >= 0) s -= t[static_cast<std::size_t>((r - h) * nc + c)], --cnt;
      }
    }
  }
  double mean = 0.0, var = 0.0;
  for (double v : f) mean += v;
  mean /= static_cast<double>(f.size());
  for (double v : f) var += (v - mean) * (v - mean);
  const double sd = std::sqrt(var / static_cast<double>(f.size()));
  for (double& v : f) v = (v - mean) / (sd > 0.0 ? sd : 1.0) * sigma;
  return f;
}

/// Horizontal hydraulic conductivity per cell, m/d.
inline std::vector<double> conductivity(const Spec& s) {
  const Index nrc = s.nrow * s.ncol;
  std::vector<double> k(static_cast<std::size_t>(s.nlay * nrc), s.k);
  Normal rng(s.seed);
  for (Index l = 0; l < s.nlay; ++l) {
    if (s.field == KField::lognormal) {
      const auto f = lognormal_layer(s.nrow, s.ncol, s.sigma_lnk, s.correlation_cells, rng);
      for (Index i = 0; i < nrc; ++i) k[static_cast<std::size_t>(l * nrc + i)] = s.k * std::exp(f[static_cast<std::size_t>(i)]);
    } else if (s.field == KField::zones) {
      const Index zr = (s.nrow + 15) / 16, zc = (s.ncol + 15) / 16;
      std::vector<double> zk(static_cast<std::size_t>(zr * zc));
      for (double& v : zk) v = s.k * std::pow(10.0, static_cast<double>(rng.engine()() % 5) - 2.0);
      for (Index r = 0; r < s.nrow; ++r)
        for (Index c = 0; c < s.ncol; ++c)
          k[static_cast<std::size_t>(l * nrc + r * s.ncol + c)] = zk[static_cast<std::size_t>((r / 16) * zc + c / 16)];
    }
  }
  return k;
}

/// 1 for active cells: an ellipse touching the grid edges with a few
/// inactive holes (or everything when !s.inactive).
inline std::vector<char> active_cells(const Spec& s) {
  const Index nrc = s.nrow * s.ncol;
  std::vector<char> act(static_cast<std::size_t>(s.nlay * nrc), 1);
  if (!s.inactive) return act;
  const double cr = 0.5 * static_cast<double>(s.nrow - 1), cc = 0.5 * static_cast<double>(s.ncol - 1);
  for (Index l = 0; l < s.nlay; ++l)
    for (Index r = 0; r < s.nrow; ++r)
      for (Index c = 0; c < s.ncol; ++c) {
        const double y = (static_cast<double>(r) - cr) / (cr + 0.5), x = (static_cast<double>(c) - cc) / (cc + 0.5);
        bool on = x * x + y * y <= 1.0;
        // Holes (inactive islands) and a notch cut into the domain.
        const double hx = x - 0.3, hy = y + 0.2;
        if (hx * hx + hy * hy < 0.02) on = false;
        if (x < -0.2 && x > -0.3 && y > 0.0) on = false;
        act[static_cast<std::size_t>(l * nrc + r * s.ncol + c)] = on;
      }
  return act;
}

/// Assemble the system; h0 receives the starting heads (fixed heads set),
/// storage the storage coefficient Ss b area / dt of each cell (m2/d; zero
/// on identity rows), for stepping a transient run.
inline StencilSystem build(const Spec& s, std::vector<double>* h0 = nullptr,
                           std::vector<double>* storage = nullptr) {
  StencilSystem A;
  A.resize(s.nlay, s.nrow, s.ncol);
  const Index nl = s.nlay, nr = s.nrow, nc = s.ncol, nrc = nr * nc, n = A.size();
  const auto k = conductivity(s);
  const auto act = active_cells(s);
  const double area = s.delr * s.delr, b = s.thickness;
  auto idx = [&](Index l, Index r, Index c) { return static_cast<std::size_t>((l * nr + r) * nc + c); };
  auto k33 = [&](std::size_t i, Index l) {
    return k[i] * (l == s.aquitard_layer ? s.aquitard_ratio : s.k33_ratio);
  };
  // Fixed heads: the west and east edges of the top layer (40 m and 30 m),
  // and the north/south edges of all layers at a linear head.
  std::vector<double> fixed(static_cast<std::size_t>(n), std::numeric_limits<double>::quiet_NaN());
  for (Index l = 0; l < nl; ++l)
    for (Index r = 0; r < nr; ++r)
      for (Index c = 0; c < nc; ++c) {
        const double head = 40.0 - 10.0 * static_cast<double>(c) / static_cast<double>(std::max<Index>(nc - 1, 1));
        const bool edge = (l == 0 && (c == 0 || c == nc - 1)) || r == 0 || r == nr - 1;
        if (edge && act[idx(l, r, c)]) fixed[idx(l, r, c)] = head;
      }
  // Couplings between cells that are both active.
  for (Index l = 0; l < nl; ++l)
    for (Index r = 0; r < nr; ++r)
      for (Index c = 0; c < nc; ++c) {
        const auto i = idx(l, r, c);
        if (!act[i]) continue;
        const double ti = k[i] * b;
        if (c + 1 < nc && act[i + 1]) {
          const double tj = k[i + 1] * b;
          A.east[i] = 2.0 * ti * tj / (ti + tj);
        }
        if (r + 1 < nr && act[i + static_cast<std::size_t>(nc)]) {
          const double tj = k[i + static_cast<std::size_t>(nc)] * b;
          A.south[i] = 2.0 * ti * tj / (ti + tj);
        }
        if (l + 1 < nl && act[i + static_cast<std::size_t>(nrc)]) {
          const auto j = i + static_cast<std::size_t>(nrc);
          A.down[i] = area / (0.5 * b / k33(i, l) + 0.5 * b / k33(j, l + 1));
        }
      }
  // Diagonal = sum of couplings; sources.
  for (Index i = 0; i < n; ++i) {
    const auto u = static_cast<std::size_t>(i);
    const Index c = i % nc, r = (i / nc) % nr, l = i / nrc;
    double d = A.east[u] + A.south[u];
    if (c > 0) d += A.east[u - 1];
    if (r > 0) d += A.south[u - static_cast<std::size_t>(nc)];
    if (l + 1 < nl) d += A.down[u];
    if (l > 0) d += A.down[u - static_cast<std::size_t>(nrc)];
    A.diag[u] = d;
    if (act[u] && l == 0) A.rhs[u] += s.recharge * area;
    if (act[u] && s.specific_storage > 0.0) {
      const double sc = s.specific_storage * b * area / s.dt;
      A.diag[u] += sc;
      A.rhs[u] += sc * 35.0; // previous head 35 m
    }
  }
  if (s.river) {
    const Index r = nr / 2;
    for (Index c = nc / 8; c < nc - nc / 8; ++c) {
      const auto u = idx(0, r, c);
      if (!act[u]) continue;
      const double width = s.river_width > 0.0 ? s.river_width : s.delr;
      const double cond = 0.5 * k[u] * s.delr * width / 1.0; // riverbed 1 m thick
      A.diag[u] += cond;
      A.rhs[u] += cond * 33.0;
    }
  }
  for (int w = 0; w < s.wells; ++w) {
    const Index r = nr / 4 + (w % 2) * nr / 2, c = nc / 5 + (w / 2) * (3 * nc / 5) % nc;
    const auto u = idx(nl - 1, std::min(r, nr - 1), std::min(c, nc - 1));
    if (act[u]) A.rhs[u] += s.well_rate;
  }
  // Fixed-head and inactive cells become identity rows.
  auto decouple = [&](std::size_t i, std::size_t j, double& coupling) {
    // i fixed/inactive, j its neighbour; coupling belongs to the pair.
    if (coupling == 0.0) return;
    if (act[j] && std::isnan(fixed[j])) {
      if (!std::isnan(fixed[i])) A.rhs[j] += coupling * fixed[i];
    }
    coupling = 0.0;
  };
  for (Index i = 0; i < n; ++i) {
    const auto u = static_cast<std::size_t>(i);
    if (act[u] && std::isnan(fixed[u])) continue;
    const Index c = i % nc, r = (i / nc) % nr, l = i / nrc;
    const auto snc = static_cast<std::size_t>(nc), snrc = static_cast<std::size_t>(nrc);
    if (c + 1 < nc) decouple(u, u + 1, A.east[u]);
    if (c > 0) decouple(u, u - 1, A.east[u - 1]);
    if (r + 1 < nr) decouple(u, u + snc, A.south[u]);
    if (r > 0) decouple(u, u - snc, A.south[u - snc]);
    if (l + 1 < nl) decouple(u, u + snrc, A.down[u]);
    if (l > 0) decouple(u, u - snrc, A.down[u - snrc]);
  }
  // Inactive neighbours take no flow: remove their share from the diagonal,
  // which was summed over active pairs only, so nothing to do there; fixed
  // rows become identities.
  for (Index i = 0; i < n; ++i) {
    const auto u = static_cast<std::size_t>(i);
    if (!act[u]) {
      A.diag[u] = 1.0;
      A.rhs[u] = 0.0;
    } else if (!std::isnan(fixed[u])) {
      A.diag[u] = 1.0;
      A.rhs[u] = fixed[u];
    }
  }
  if (storage) {
    storage->assign(static_cast<std::size_t>(n), 0.0);
    if (s.specific_storage > 0.0)
      for (Index i = 0; i < n; ++i) {
        const auto u = static_cast<std::size_t>(i);
        if (act[u] && std::isnan(fixed[u])) (*storage)[u] = s.specific_storage * b * area / s.dt;
      }
  }
  if (h0) {
    h0->assign(static_cast<std::size_t>(n), 35.0);
    for (Index i = 0; i < n; ++i) {
      const auto u = static_cast<std::size_t>(i);
      if (!act[u]) (*h0)[u] = 0.0;
      else if (!std::isnan(fixed[u])) (*h0)[u] = fixed[u];
    }
  }
  return A;
}

/// Make A nonsymmetric as a Newton linearisation would (upstream
/// weighting): couplings scaled by 1 + spread |N(0,1)| (seeded), and the
/// diagonal of free rows by `dominance` so that it stays dominant.
inline void perturb_like_newton(StencilSystem& A, unsigned seed, double spread, double dominance) {
  A.make_nonsymmetric();
  Normal rng(seed);
  for (auto* v : {&A.east, &A.west, &A.south, &A.north})
    for (double& c : *v) c *= 1.0 + spread * std::abs(rng());
  for (std::size_t i = 0; i < A.diag.size(); ++i)
    if (A.diag[i] != 1.0) A.diag[i] *= dominance;
}

} // namespace gwsim::synthetic

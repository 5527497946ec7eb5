#include "solver/stencil.hpp"

#include <cmath>

#include "core/parallel.hpp"

namespace gwsim {

void StencilSystem::resize(Index nl, Index nr, Index nc) {
  nlay = nl;
  nrow = nr;
  ncol = nc;
  const auto n = static_cast<std::size_t>(size());
  for (auto* v : {&diag, &east, &south, &down, &rhs}) v->assign(n, 0.0);
  west.clear();
  north.clear();
  up.clear();
}

void StencilSystem::make_nonsymmetric() {
  if (!symmetric()) return;
  const Index n = size(), nc = ncol, nrc = nrow * ncol;
  west.assign(static_cast<std::size_t>(n), 0.0);
  north.assign(static_cast<std::size_t>(n), 0.0);
  up.assign(static_cast<std::size_t>(n), 0.0);
  for (Index i = 0; i < n; ++i) {
    const auto u = static_cast<std::size_t>(i);
    if (i % nc != 0) west[u] = east[u - 1];
    if ((i / nc) % nrow != 0) north[u] = south[u - static_cast<std::size_t>(nc)];
    if (i >= nrc) up[u] = down[u - static_cast<std::size_t>(nrc)];
  }
}

namespace {

/// Row n of A x for the symmetric storage. Boundary couplings are zero, so
/// the out-of-range neighbour is guarded only to avoid reading outside x.
inline double row_symmetric(const StencilSystem& A, const double* x, Index n, Index nc, Index nrc,
                            Index ntot) {
  const double* e = A.east.data();
  const double* s = A.south.data();
  const double* d = A.down.data();
  double y = A.diag[static_cast<std::size_t>(n)] * x[n];
  if (n + 1 < ntot) y -= e[n] * x[n + 1];
  if (n >= 1) y -= e[n - 1] * x[n - 1];
  if (n + nc < ntot) y -= s[n] * x[n + nc];
  if (n >= nc) y -= s[n - nc] * x[n - nc];
  if (n + nrc < ntot) y -= d[n] * x[n + nrc];
  if (n >= nrc) y -= d[n - nrc] * x[n - nrc];
  return y;
}

inline double row_general(const StencilSystem& A, const double* x, Index n, Index nc, Index nrc,
                          Index ntot) {
  double y = A.diag[static_cast<std::size_t>(n)] * x[n];
  if (n + 1 < ntot) y -= A.east[n] * x[n + 1];
  if (n >= 1) y -= A.west[n] * x[n - 1];
  if (n + nc < ntot) y -= A.south[n] * x[n + nc];
  if (n >= nc) y -= A.north[n] * x[n - nc];
  if (n + nrc < ntot) y -= A.down[n] * x[n + nrc];
  if (n >= nrc) y -= A.up[n] * x[n - nrc];
  return y;
}

} // namespace

void apply(const StencilSystem& A, std::span<const double> x, std::span<double> y) {
  const Index ntot = A.size(), nc = A.ncol, nrc = A.nrow * A.ncol;
  const double* xp = x.data();
  double* yp = y.data();
  if (A.symmetric()) {
    parallel_for_blocks(ntot, [&](Index b, Index e) {
      for (Index n = b; n < e; ++n) yp[n] = row_symmetric(A, xp, n, nc, nrc, ntot);
    });
  } else {
    parallel_for_blocks(ntot, [&](Index b, Index e) {
      for (Index n = b; n < e; ++n) yp[n] = row_general(A, xp, n, nc, nrc, ntot);
    });
  }
}

double residual(const StencilSystem& A, std::span<const double> x, std::span<double> r) {
  apply(A, x, r);
  const double* b = A.rhs.data();
  double* rp = r.data();
  const double ss = parallel_sum_blocks(A.size(), [&](Index lo, Index hi) {
    double s = 0.0;
    for (Index n = lo; n < hi; ++n) {
      rp[n] = b[n] - rp[n];
      s += rp[n] * rp[n];
    }
    return s;
  });
  return std::sqrt(ss);
}

} // namespace gwsim

#include "solver/multigrid.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <type_traits>

#include "core/parallel.hpp"
#include "solver/mg_band_cholesky.hpp"
#include "solver/mg_kernels.hpp"

namespace gwsim {

namespace {

using mg::SymStencilView;

/// Levels smaller than this run on the calling thread: a parallel region
/// costs more than the work.
constexpr Index kSerialCells = 16384;
/// Target cells per parallel chunk.
constexpr Index kChunkCells = 4096;

/// An owned symmetric stencil in double: the coarse operators while the
/// hierarchy is built, and the symmetric part of a nonsymmetric system.
struct SymStencil {
  Index nlay = 0, nrow = 0, ncol = 0;
  std::vector<double> diag, east, south, down;
  SymStencilView view() const {
    return {nlay, nrow, ncol, diag.data(), east.data(), south.data(), down.empty() ? nullptr : down.data()};
  }
};

/// Sum of the couplings of cell (l, r, c) and whether it has any.
struct Couplings {
  double sum = 0.0;
  bool any = false;
};

Couplings couplings(const SymStencilView& A, Index l, Index r, Index c) {
  const Index nc = A.ncol, nrc = A.nrow * nc, n = (l * A.nrow + r) * nc + c;
  double t[6] = {c + 1 < nc ? A.east[n] : 0.0, c > 0 ? A.east[n - 1] : 0.0,
                 r + 1 < A.nrow ? A.south[n] : 0.0, r > 0 ? A.south[n - nc] : 0.0,
                 l + 1 < A.nlay ? A.down[n] : 0.0, l > 0 ? A.down[n - nrc] : 0.0};
  Couplings k;
  for (double v : t) {
    k.sum += v;
    k.any = k.any || v != 0.0;
  }
  return k;
}

/// Galerkin coarse operator P^T A P of 2 x 2 aggregation (layers kept).
/// Cells without couplings (fixed heads, inactive cells) are left out of
/// their aggregate; an aggregate of such cells only becomes an identity row.
SymStencil coarsen(const SymStencilView& F) {
  SymStencil C;
  C.nlay = F.nlay;
  C.nrow = (F.nrow + 1) / 2;
  C.ncol = (F.ncol + 1) / 2;
  const auto n = static_cast<std::size_t>(C.nlay * C.nrow * C.ncol);
  C.diag.assign(n, 0.0);
  C.east.assign(n, 0.0);
  C.south.assign(n, 0.0);
  if (C.nlay > 1) C.down.assign(n, 0.0);
  std::vector<char> any(n, 0);
  const Index nrf = F.nrow, ncf = F.ncol, ncc = C.ncol, nrcc = C.nrow * ncc;
  const Index crows = C.nlay * C.nrow;
  parallel_for_chunks(crows, std::max<Index>(1, kChunkCells / ncc), [&](Index b, Index e) {
    for (Index gr = b; gr < e; ++gr) {
      const Index l = gr / C.nrow, R = gr % C.nrow;
      for (Index Cc = 0; Cc < ncc; ++Cc) {
        const auto m = static_cast<std::size_t>(gr * ncc + Cc);
        double excess = 0.0, east = 0.0, south = 0.0, down = 0.0;
        bool has = false;
        for (Index r = 2 * R; r < std::min(2 * R + 2, nrf); ++r)
          for (Index c = 2 * Cc; c < std::min(2 * Cc + 2, ncf); ++c) {
            const Index f = (l * nrf + r) * ncf + c;
            const Couplings k = couplings(F, l, r, c);
            if (k.any) {
              excess += F.diag[f] - k.sum;
              has = true;
            }
            if (c == 2 * Cc + 1 && c + 1 < ncf) east += F.east[f];
            if (r == 2 * R + 1 && r + 1 < nrf) south += F.south[f];
            if (l + 1 < F.nlay) down += F.down[f];
          }
        C.diag[m] = excess; // the excess for now
        C.east[m] = east;
        C.south[m] = south;
        if (C.nlay > 1) C.down[m] = down;
        any[m] = has;
      }
    }
  });
  // Diagonal = excess + all coarse couplings; identity for empty aggregates.
  parallel_for_chunks(crows, std::max<Index>(1, kChunkCells / ncc), [&](Index b, Index e) {
    for (Index gr = b; gr < e; ++gr) {
      const Index l = gr / C.nrow, R = gr % C.nrow;
      for (Index Cc = 0; Cc < ncc; ++Cc) {
        const auto m = static_cast<std::size_t>(gr * ncc + Cc);
        const double d = C.diag[m] + couplings(C.view(), l, R, Cc).sum;
        C.diag[m] = any[m] && d > 0.0 ? d : 1.0;
      }
    }
  });
  (void)nrcc;
  return C;
}

/// The symmetric part of a nonsymmetric stencil.
SymStencil symmetric_part(const StencilSystem& A) {
  SymStencil S;
  S.nlay = A.nlay;
  S.nrow = A.nrow;
  S.ncol = A.ncol;
  const Index n = A.size(), nc = A.ncol, nrc = A.nrow * nc;
  S.diag = A.diag;
  S.east.assign(static_cast<std::size_t>(n), 0.0);
  S.south.assign(static_cast<std::size_t>(n), 0.0);
  if (A.nlay > 1) S.down.assign(static_cast<std::size_t>(n), 0.0);
  parallel_for_blocks(n, [&](Index b, Index e) {
    for (Index i = b; i < e; ++i) {
      const auto u = static_cast<std::size_t>(i);
      if ((i % nc) + 1 < nc) S.east[u] = 0.5 * (A.east[u] + A.west[u + 1]);
      if ((i / nc) % A.nrow + 1 < A.nrow) S.south[u] = 0.5 * (A.south[u] + A.north[u + static_cast<std::size_t>(nc)]);
      if (A.nlay > 1 && i + nrc < n) S.down[u] = 0.5 * (A.down[u] + A.up[u + static_cast<std::size_t>(nrc)]);
    }
  });
  return S;
}

/// One level of the hierarchy, in float.
struct Level {
  Index nlay = 0, nrow = 0, ncol = 0;
  Index chunk2d = 1;   ///< 2-D rows per parallel chunk (smoother)
  Index chunk_rows = 1; ///< grid rows (layer, row) per parallel chunk
  Index chunk_cells = 1;
  std::vector<float> diag, east, south, down; ///< operator (down only with layers)
  std::vector<float> inv_w, g;                ///< vertical line factors (g only with layers)
  std::vector<float> b, x, v1, c2;            ///< right-hand side, solution, K-cycle work
  std::vector<float> zeros;                   ///< one row of zeros
  Index size() const { return nlay * nrow * ncol; }
  bool layered() const { return nlay > 1; }

  void set_shape(Index nl, Index nr, Index nc) {
    nlay = nl;
    nrow = nr;
    ncol = nc;
    const Index n = size();
    const bool serial = n < kSerialCells;
    chunk2d = serial ? nr : std::max<Index>(1, kChunkCells / (nc * nl));
    chunk_rows = serial ? nl * nr : std::max<Index>(1, kChunkCells / nc);
    chunk_cells = serial ? std::max<Index>(n, 1) : kChunkCells;
    zeros.assign(static_cast<std::size_t>(nc) + 1, 0.0f);
  }

  mg::CoefRows<float> coef_rows(Index l, Index r) const {
    const Index nc = ncol, nrc = nrow * ncol, base = (l * nrow + r) * nc;
    const float* z = zeros.data();
    const bool has_n = r > 0, has_s = r + 1 < nrow, has_u = l > 0, has_d = l + 1 < nlay;
    return {diag.data() + base,
            east.data() + base,
            has_s ? south.data() + base : z,
            has_n ? south.data() + base - nc : z,
            has_d ? down.data() + base : z,
            has_u ? down.data() + base - nrc : z};
  }
  mg::VecRows<float> vec_rows(const float* v, Index l, Index r) const {
    const Index nc = ncol, nrc = nrow * ncol, base = (l * nrow + r) * nc;
    const float* z = zeros.data();
    return {v + base, r > 0 ? v + base - nc : z, r + 1 < nrow ? v + base + nc : z,
            l > 0 ? v + base - nrc : z, l + 1 < nlay ? v + base + nrc : z};
  }
  std::size_t bytes() const {
    std::size_t s = 0;
    for (const auto* v : {&diag, &east, &south, &down, &inv_w, &g, &b, &x, &v1, &c2, &zeros})
      s += v->capacity() * sizeof(float);
    return s;
  }
};

/// Call f(std::true_type) or f(std::false_type): the kernels' Vert flag.
template <class F> void with_layers(bool layered, F&& f) {
  if (layered)
    f(std::true_type{});
  else
    f(std::false_type{});
}

template <std::size_t K> std::array<double, K> add(std::array<double, K> a, const std::array<double, K>& b) {
  for (std::size_t i = 0; i < K; ++i) a[i] += b[i];
  return a;
}

/// Store the operator of `A` in float on level L and factor its vertical
/// lines (Thomas algorithm in double, per column of cells).
void fill_level(const SymStencilView& A, Level& L) {
  const Index n = A.size(), nc = A.ncol, nr = A.nrow, nl = A.nlay, nrc = nr * nc;
  const auto un = static_cast<std::size_t>(n);
  L.diag.resize(un);
  L.east.resize(un);
  L.south.resize(un);
  L.inv_w.resize(un);
  if (nl > 1) {
    L.down.resize(un);
    L.g.resize(un);
  } else {
    L.down.clear();
    L.g.clear();
  }
  auto diag_of = [&](Index i) { return A.diag[i] > 0.0 ? A.diag[i] : 1.0; };
  parallel_for_chunks(nl * nr, L.chunk_rows, [&](Index b, Index e) {
    for (Index gr = b; gr < e; ++gr) {
      const Index r = gr % nr, l = gr / nr, base = gr * nc;
      for (Index c = 0; c < nc; ++c) {
        const Index i = base + c;
        L.diag[static_cast<std::size_t>(i)] = static_cast<float>(diag_of(i));
        L.east[static_cast<std::size_t>(i)] = c + 1 < nc ? static_cast<float>(A.east[i]) : 0.0f;
        L.south[static_cast<std::size_t>(i)] = r + 1 < nr ? static_cast<float>(A.south[i]) : 0.0f;
        if (nl > 1) L.down[static_cast<std::size_t>(i)] = l + 1 < nl ? static_cast<float>(A.down[i]) : 0.0f;
      }
    }
  });
  parallel_for_chunks(nrc, L.chunk_cells, [&](Index b, Index e) {
    for (Index i = b; i < e; ++i) {
      double w = diag_of(i);
      L.inv_w[static_cast<std::size_t>(i)] = static_cast<float>(1.0 / w);
      for (Index l = 1; l < nl; ++l) {
        const Index j = i + l * nrc;
        const double dn = A.down[j - nrc];
        L.g[static_cast<std::size_t>(j - nrc)] = static_cast<float>(dn / w);
        const double wn = diag_of(j) - dn * dn / w;
        w = wn > 0.0 ? wn : diag_of(j);
        L.inv_w[static_cast<std::size_t>(j)] = static_cast<float>(1.0 / w);
      }
      if (nl > 1) L.g[static_cast<std::size_t>(i + (nl - 1) * nrc)] = 0.0f;
    }
  });
}

} // namespace

struct MultigridPreconditioner::Impl {
  MultigridSettings settings;
  std::vector<Level> lev;
  mg::BandCholesky coarsest;
  SymStencil sym0; ///< symmetric part of a nonsymmetric system

  int nlev() const { return static_cast<int>(lev.size()); }

  /// One red-black colour of the line Gauss-Seidel smoother.
  void smooth(const Level& L, const float* b, float* x, int color, bool zero_guess) const {
    const Index nl = L.nlay, nr = L.nrow, nc = L.ncol, nrc = nr * nc;
    const float* z = L.zeros.data();
    parallel_for_chunks(nr, L.chunk2d, [&](Index r0, Index r1) {
      for (Index r = r0; r < r1; ++r) {
        const Index c0 = (r + color) & 1;
        for (Index l = 0; l < nl; ++l) {
          const Index base = (l * nr + r) * nc;
          const mg::CoefRows<float> a = L.coef_rows(l, r);
          const float* xn = r > 0 ? x + base - nc : z;
          const float* xs = r + 1 < nr ? x + base + nc : z;
          const float* iw = L.inv_w.data() + base;
          if (l == 0) {
            if (zero_guess)
              mg::gs_row<false, true>(nc, c0, iw, a, b + base, z, z, xn, xs, x + base);
            else
              mg::gs_row<false, false>(nc, c0, iw, a, b + base, z, z, xn, xs, x + base);
          } else {
            const float* dp = L.down.data() + base - nrc;
            const float* xp = x + base - nrc;
            if (zero_guess)
              mg::gs_row<true, true>(nc, c0, iw, a, b + base, dp, xp, xn, xs, x + base);
            else
              mg::gs_row<true, false>(nc, c0, iw, a, b + base, dp, xp, xn, xs, x + base);
          }
        }
        for (Index l = nl - 2; l >= 0; --l) {
          const Index base = (l * nr + r) * nc;
          mg::line_back_row(nc, c0, L.g.data() + base, x + base + nrc, x + base);
        }
      }
    });
  }

  /// Coarse right-hand side: the fine residual b - A x summed over each
  /// aggregate (P^T r), without storing the fine residual.
  void restrict_residual(const Level& F, const float* b, const float* x, Level& C) const {
    const Index ncf = F.ncol, nrf = F.nrow, ncc = C.ncol, nrc_rows = C.nrow;
    float* bc = C.b.data();
    with_layers(F.layered(), [&](auto vert) {
      constexpr bool V = decltype(vert)::value;
      parallel_for_chunks(C.nlay * nrc_rows, C.chunk_rows, [&](Index b0, Index b1) {
        std::vector<float> t0(static_cast<std::size_t>(ncf)), t1(static_cast<std::size_t>(ncf));
        for (Index gr = b0; gr < b1; ++gr) {
          const Index l = gr / nrc_rows, R = gr % nrc_rows, r0 = 2 * R;
          const Index base0 = (l * nrf + r0) * ncf;
          mg::stencil_row<V, true>(ncf, F.coef_rows(l, r0), F.vec_rows(x, l, r0), b + base0, t0.data());
          const bool two = r0 + 1 < nrf;
          if (two)
            mg::stencil_row<V, true>(ncf, F.coef_rows(l, r0 + 1), F.vec_rows(x, l, r0 + 1), b + base0 + ncf,
                                     t1.data());
          mg::aggregate_row(ncf, ncc, t0.data(), two ? t1.data() : nullptr, bc + gr * ncc);
        }
      });
    });
  }

  /// x += P xc.
  void prolong(const Level& F, const Level& C, const float* xc, float* x) const {
    const Index nrf = F.nrow, ncf = F.ncol, ncc = C.ncol, nrcc = C.nrow * ncc;
    parallel_for_chunks(F.nlay * nrf, F.chunk_rows, [&](Index b, Index e) {
      for (Index gr = b; gr < e; ++gr) {
        const Index l = gr / nrf, r = gr % nrf;
        mg::prolong_row(ncf, xc + l * nrcc + (r / 2) * ncc, x + gr * ncf);
      }
    });
  }

  /// y = A x on level L; returns {x.y, x.w}.
  std::array<double, 2> apply_dots(const Level& L, const float* x, float* y, const float* w) const {
    const Index nr = L.nrow, nc = L.ncol;
    std::array<double, 2> out{0.0, 0.0};
    with_layers(L.layered(), [&](auto vert) {
      constexpr bool V = decltype(vert)::value;
      out = parallel_reduce_chunks(
          L.nlay * nr, L.chunk_rows, std::array<double, 2>{0.0, 0.0},
          [&](Index b, Index e) {
            std::array<double, 2> s{0.0, 0.0};
            for (Index gr = b; gr < e; ++gr) {
              const Index l = gr / nr, r = gr % nr, base = gr * nc;
              mg::stencil_row<V, false>(nc, L.coef_rows(l, r), L.vec_rows(x, l, r), static_cast<const float*>(nullptr), y + base);
              double s0 = 0.0, s1 = 0.0;
              for (Index c = base; c < base + nc; ++c) {
                s0 += static_cast<double>(x[c] * y[c]);
                s1 += static_cast<double>(x[c] * w[c]);
              }
              s[0] += s0;
              s[1] += s1;
            }
            return s;
          },
          add<2>);
    });
    return out;
  }

  /// With v = A x (not stored): returns {x.u, x.v, x.w}.
  std::array<double, 3> apply_dots3(const Level& L, const float* x, const float* u, const float* w) const {
    const Index nr = L.nrow, nc = L.ncol;
    std::array<double, 3> out{0.0, 0.0, 0.0};
    with_layers(L.layered(), [&](auto vert) {
      constexpr bool V = decltype(vert)::value;
      out = parallel_reduce_chunks(
          L.nlay * nr, L.chunk_rows, std::array<double, 3>{0.0, 0.0, 0.0},
          [&](Index b, Index e) {
            std::vector<float> v(static_cast<std::size_t>(nc));
            std::array<double, 3> s{0.0, 0.0, 0.0};
            for (Index gr = b; gr < e; ++gr) {
              const Index l = gr / nr, r = gr % nr, base = gr * nc;
              mg::stencil_row<V, false>(nc, L.coef_rows(l, r), L.vec_rows(x, l, r), static_cast<const float*>(nullptr), v.data());
              double s0 = 0.0, s1 = 0.0, s2 = 0.0;
              for (Index c = 0; c < nc; ++c) {
                const float xc = x[base + c];
                s0 += static_cast<double>(xc * u[base + c]);
                s1 += static_cast<double>(xc * v[static_cast<std::size_t>(c)]);
                s2 += static_cast<double>(xc * w[base + c]);
              }
              s[0] += s0;
              s[1] += s1;
              s[2] += s2;
            }
            return s;
          },
          add<3>);
    });
    return out;
  }

  /// b -= a v; returns {|b|^2 before, |b|^2 after}.
  std::array<double, 2> update_residual(const Level& L, float* b, const float* v, double a) const {
    const auto af = static_cast<float>(a);
    return parallel_reduce_chunks(
        L.size(), L.chunk_cells, std::array<double, 2>{0.0, 0.0},
        [&](Index lo, Index hi) {
          double s0 = 0.0, s1 = 0.0;
          for (Index i = lo; i < hi; ++i) {
            s0 += static_cast<double>(b[i] * b[i]);
            b[i] -= af * v[i];
            s1 += static_cast<double>(b[i] * b[i]);
          }
          return std::array<double, 2>{s0, s1};
        },
        add<2>);
  }

  /// x = a x + c y.
  void combine(const Level& L, float* x, double a, const float* y, double c) const {
    const auto af = static_cast<float>(a), cf = static_cast<float>(c);
    parallel_for_chunks(L.size(), L.chunk_cells, [&](Index lo, Index hi) {
      if (y)
        for (Index i = lo; i < hi; ++i) x[i] = af * x[i] + cf * y[i];
      else
        for (Index i = lo; i < hi; ++i) x[i] *= af;
    });
  }

  /// x = B_k b: pre-smoothing, coarse correction, post-smoothing.
  void cycle(int k, const float* b, float* x) {
    Level& L = lev[static_cast<std::size_t>(k)];
    Level& C = lev[static_cast<std::size_t>(k + 1)];
    smooth(L, b, x, 0, true);
    smooth(L, b, x, 1, false);
    for (int i = 1; i < settings.sweeps; ++i) {
      smooth(L, b, x, 0, false);
      smooth(L, b, x, 1, false);
    }
    restrict_residual(L, b, x, C);
    solve_level(k + 1);
    prolong(L, C, C.x.data(), x);
    for (int i = 0; i < settings.sweeps; ++i) {
      smooth(L, b, x, 1, false);
      smooth(L, b, x, 0, false);
    }
  }

  /// lev[k].x ~= A_k^{-1} lev[k].b (k >= 1): exact on the coarsest level,
  /// else one or two flexible-CG steps preconditioned by the cycle (K-cycle).
  /// lev[k].b is overwritten.
  void solve_level(int k) {
    Level& L = lev[static_cast<std::size_t>(k)];
    float* b = L.b.data();
    float* c1 = L.x.data();
    if (k == nlev() - 1) {
      coarsest.solve(b, c1);
      return;
    }
    cycle(k, b, c1);
    if (!settings.kcycle) return;
    const auto [rho1, alpha1] = apply_dots(L, c1, L.v1.data(), b);
    if (!(rho1 > 0.0)) return;
    const double a1 = alpha1 / rho1;
    const auto [bb, rr] = update_residual(L, b, L.v1.data(), a1);
    const double t = settings.kcycle_threshold;
    if (rr <= t * t * bb) {
      combine(L, c1, a1, nullptr, 0.0);
      return;
    }
    float* c2 = L.c2.data();
    cycle(k, b, c2);
    const auto [gamma, beta, alpha2] = apply_dots3(L, c2, L.v1.data(), b);
    const double rho2 = beta - gamma * gamma / rho1;
    if (!(rho2 > 0.0)) {
      combine(L, c1, a1, nullptr, 0.0);
      return;
    }
    combine(L, c1, a1 - gamma * alpha2 / (rho1 * rho2), c2, alpha2 / rho2);
  }
};

MultigridPreconditioner::MultigridPreconditioner(MultigridSettings settings)
    : settings_(settings), impl_(std::make_unique<Impl>()) {
  impl_->settings = settings;
}

MultigridPreconditioner::~MultigridPreconditioner() = default;

int MultigridPreconditioner::levels() const { return impl_->nlev(); }

Index MultigridPreconditioner::level_cells(int k) const {
  return impl_->lev[static_cast<std::size_t>(k)].size();
}

std::size_t MultigridPreconditioner::memory_bytes() const {
  std::size_t s = impl_->coarsest.memory_bytes();
  for (const Level& L : impl_->lev) s += L.bytes();
  return s;
}

void MultigridPreconditioner::setup(const StencilSystem& A) {
  Impl& m = *impl_;
  SymStencilView view{A.nlay, A.nrow, A.ncol, A.diag.data(), A.east.data(), A.south.data(),
                      A.nlay > 1 ? A.down.data() : nullptr};
  if (!A.symmetric()) {
    m.sym0 = symmetric_part(A);
    view = m.sym0.view();
  } else {
    m.sym0 = SymStencil{};
  }
  SymStencil owned; // the current coarse operator in double
  std::size_t k = 0;
  for (;; ++k) {
    if (m.lev.size() <= k) m.lev.emplace_back();
    Level& L = m.lev[k];
    L.set_shape(view.nlay, view.nrow, view.ncol);
    const auto n = static_cast<std::size_t>(view.size());
    L.b.resize(n);
    L.x.resize(n);
    const bool last = view.size() <= settings_.coarsest_cells || (view.nrow == 1 && view.ncol == 1);
    if (last) {
      m.coarsest.factor(view);
      for (auto* v : {&L.diag, &L.east, &L.south, &L.down, &L.inv_w, &L.g, &L.v1, &L.c2}) {
        v->clear();
        v->shrink_to_fit();
      }
      break;
    }
    fill_level(view, L);
    if (k > 0 && settings_.kcycle) {
      L.v1.resize(n);
      L.c2.resize(n);
    }
    SymStencil next = coarsen(view);
    owned = std::move(next);
    view = owned.view();
  }
  m.lev.resize(k + 1);
}

void MultigridPreconditioner::apply(std::span<const double> r, std::span<double> z) const {
  Impl& m = *impl_;
  Level& L = m.lev.front();
  float* b = L.b.data();
  float* x = L.x.data();
  const double* rp = r.data();
  double* zp = z.data();
  parallel_for_chunks(L.size(), L.chunk_cells, [&](Index lo, Index hi) {
    for (Index i = lo; i < hi; ++i) b[i] = static_cast<float>(rp[i]);
  });
  if (m.nlev() == 1)
    m.coarsest.solve(b, x);
  else
    m.cycle(0, b, x);
  parallel_for_chunks(L.size(), L.chunk_cells, [&](Index lo, Index hi) {
    for (Index i = lo; i < hi; ++i) zp[i] = static_cast<double>(x[i]);
  });
}

} // namespace gwsim

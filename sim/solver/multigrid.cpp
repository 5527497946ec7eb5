#include "solver/multigrid.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
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
/// A parallel level is cut into a multiple of this many chunks, so that
/// static scheduling gives 1, 2, 4 or 8 threads equal shares: 5 chunks of
/// the 75 x 75 x 3 level of a 300 x 300 x 3 model gave one of 2 threads
/// 3/5 of its work. Fixed, never the thread count (reductions sum by chunk).
constexpr Index kChunkMultiple = 8;

/// Chunk length for n items (grid rows or cells) of `cells_per_item` cells:
/// about kChunkCells cells per chunk, a multiple of kChunkMultiple chunks.
Index balanced_chunk(Index n, Index cells_per_item) {
  const Index target = std::max<Index>(1, kChunkCells / cells_per_item);
  Index nchunk = (n + target - 1) / target;
  nchunk = std::min(n, (nchunk + kChunkMultiple - 1) / kChunkMultiple * kChunkMultiple);
  return (n + nchunk - 1) / std::max<Index>(nchunk, 1);
}

/// An owned symmetric stencil in double: the symmetric part of a
/// nonsymmetric system, and the coarsest operator for its factorisation.
struct SymStencil {
  Index nlay = 0, nrow = 0, ncol = 0;
  std::vector<double> diag, east, south, down;
  SymStencilView view() const {
    return {nlay, nrow, ncol, diag.data(), east.data(), south.data(), down.empty() ? nullptr : down.data()};
  }
};

/// Read access to a symmetric layered stencil with coefficients of type C:
/// the system itself (double) or a coarse level (float). `excess` holds each
/// cell's diagonal minus its couplings (storage, GHB, couplings to fixed
/// heads); null means "compute it from diag", done on the finest level only,
/// in double, where the subtraction may cancel.
template <class C> struct StencilRef {
  Index nlay, nrow, ncol;
  const C* diag;
  const C* east;
  const C* south;
  const C* down; ///< null with one layer
  const float* excess;
};

/// Sum of the couplings of cell (l, r, c) and whether it has any.
struct Couplings {
  double sum = 0.0;
  bool any = false;
};

template <class C> Couplings couplings(const StencilRef<C>& A, Index l, Index r, Index c) {
  const Index nc = A.ncol, nrc = A.nrow * nc, n = (l * A.nrow + r) * nc + c;
  const double t[6] = {c + 1 < nc ? double(A.east[n]) : 0.0, c > 0 ? double(A.east[n - 1]) : 0.0,
                       r + 1 < A.nrow ? double(A.south[n]) : 0.0, r > 0 ? double(A.south[n - nc]) : 0.0,
                       l + 1 < A.nlay ? double(A.down[n]) : 0.0, l > 0 ? double(A.down[n - nrc]) : 0.0};
  Couplings k;
  for (double v : t) {
    k.sum += v;
    k.any = k.any || v != 0.0;
  }
  return k;
}

/// The symmetric part of a nonsymmetric stencil, into S. Its vectors are
/// reused (a Newton solve sets the preconditioner up at every iteration):
/// fresh memory for them each time cost more than computing them on a VM
/// whose page faults take 10 us (bench/HISTORY.md), and every element is
/// written, so they are not cleared first.
void symmetric_part(const StencilSystem& A, SymStencil& S) {
  S.nlay = A.nlay;
  S.nrow = A.nrow;
  S.ncol = A.ncol;
  const Index n = A.size(), nc = A.ncol, nrc = A.nrow * nc;
  const auto un = static_cast<std::size_t>(n);
  S.diag.assign(A.diag.begin(), A.diag.end());
  S.east.resize(un);
  S.south.resize(un);
  S.down.resize(A.nlay > 1 ? un : 0);
  parallel_for_blocks(n, [&](Index b, Index e) {
    for (Index i = b; i < e; ++i) {
      const auto u = static_cast<std::size_t>(i);
      S.east[u] = (i % nc) + 1 < nc ? 0.5 * (A.east[u] + A.west[u + 1]) : 0.0;
      S.south[u] =
          (i / nc) % A.nrow + 1 < A.nrow ? 0.5 * (A.south[u] + A.north[u + static_cast<std::size_t>(nc)]) : 0.0;
      if (A.nlay > 1) S.down[u] = i + nrc < n ? 0.5 * (A.down[u] + A.up[u + static_cast<std::size_t>(nrc)]) : 0.0;
    }
  });
}

/// One level of the hierarchy, in float.
struct Level {
  Index nlay = 0, nrow = 0, ncol = 0;
  Index chunk2d = 1;   ///< 2-D rows per parallel chunk (smoother)
  Index chunk_rows = 1; ///< grid rows (layer, row) per parallel chunk
  Index chunk_cells = 1;
  std::vector<float> diag, east, south, down; ///< operator (down only with layers)
  std::vector<float> inv_w;                   ///< vertical line factors 1 / w (only with layers)
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
    chunk_rows = serial ? nl * nr : balanced_chunk(nl * nr, nc);
    // Cell chunks start on 64-float boundaries (vector loads, no cache line
    // written by two threads).
    chunk_cells = serial ? std::max<Index>(n, 1) : (balanced_chunk(n, 1) + 63) / 64 * 64;
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
  /// Bytes of the arrays a smoothing sweep or the restriction reads.
  std::size_t stream_bytes() const {
    return static_cast<std::size_t>(size()) * sizeof(float) * (layered() ? 7 : 5);
  }
  std::size_t bytes() const {
    std::size_t s = 0;
    for (const auto* v : {&diag, &east, &south, &down, &inv_w, &b, &x, &v1, &c2, &zeros})
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

/// Store the system's operator in float on the finest level.
void store_operator(const SymStencilView& A, Level& L) {
  const Index nc = A.ncol, nr = A.nrow, nl = A.nlay;
  const auto un = static_cast<std::size_t>(A.size());
  L.diag.resize(un);
  L.east.resize(un);
  L.south.resize(un);
  L.down.resize(nl > 1 ? un : 0);
  parallel_for_chunks(nl * nr, L.chunk_rows, [&](Index b, Index e) {
    for (Index gr = b; gr < e; ++gr) {
      const Index r = gr % nr, l = gr / nr, base = gr * nc;
      for (Index i = base; i < base + nc; ++i) {
        const auto u = static_cast<std::size_t>(i);
        L.diag[u] = A.diag[i] > 0.0 ? static_cast<float>(A.diag[i]) : 1.0f;
        L.east[u] = i + 1 < base + nc ? static_cast<float>(A.east[i]) : 0.0f;
        L.south[u] = r + 1 < nr ? static_cast<float>(A.south[i]) : 0.0f;
        if (nl > 1) L.down[u] = l + 1 < nl ? static_cast<float>(A.down[i]) : 0.0f;
      }
    }
  });
}

/// Galerkin coarse operator P^T A P of 2 x 2 aggregation (layers kept),
/// stored on C (whose shape is set here), and the coarse excess. Cells
/// without couplings (fixed heads, inactive cells) are left out of their
/// aggregate; an aggregate of such cells only becomes an identity row.
/// Coarse diagonal = summed excess + coarse couplings: a sum of
/// non-negative terms, so float storage loses nothing to cancellation.
template <class T>
void coarsen(const StencilRef<T>& F, Level& C, std::vector<float>& excess) {
  C.set_shape(F.nlay, (F.nrow + 1) / 2, (F.ncol + 1) / 2);
  const auto n = static_cast<std::size_t>(C.size());
  C.diag.resize(n);
  C.east.resize(n);
  C.south.resize(n);
  C.down.resize(C.nlay > 1 ? n : 0);
  excess.resize(n);
  const Index nrf = F.nrow, ncf = F.ncol, ncc = C.ncol, crows = C.nlay * C.nrow;
  parallel_for_chunks(crows, C.chunk_rows, [&](Index b, Index e) {
    for (Index gr = b; gr < e; ++gr) {
      const Index l = gr / C.nrow, R = gr % C.nrow;
      for (Index Cc = 0; Cc < ncc; ++Cc) {
        const auto m = static_cast<std::size_t>(gr * ncc + Cc);
        double ex = 0.0, east = 0.0, south = 0.0, down = 0.0;
        bool has = false;
        for (Index r = 2 * R; r < std::min(2 * R + 2, nrf); ++r)
          for (Index c = 2 * Cc; c < std::min(2 * Cc + 2, ncf); ++c) {
            const Index f = (l * nrf + r) * ncf + c;
            const Couplings k = couplings(F, l, r, c);
            if (k.any) {
              ex += F.excess ? double(F.excess[f]) : std::max(0.0, double(F.diag[f]) - k.sum);
              has = true;
            }
            if (c == 2 * Cc + 1 && c + 1 < ncf) east += double(F.east[f]);
            if (r == 2 * R + 1 && r + 1 < nrf) south += double(F.south[f]);
            if (l + 1 < F.nlay) down += double(F.down[f]);
          }
        excess[m] = has ? static_cast<float>(ex) : -1.0f; // -1: no coupled cell
        C.east[m] = static_cast<float>(east);
        C.south[m] = static_cast<float>(south);
        if (C.nlay > 1) C.down[m] = static_cast<float>(down);
      }
    }
  });
  const StencilRef<float> cref{C.nlay, C.nrow, C.ncol, C.diag.data(), C.east.data(), C.south.data(),
                               C.nlay > 1 ? C.down.data() : nullptr, nullptr};
  parallel_for_chunks(crows, C.chunk_rows, [&](Index b, Index e) {
    for (Index gr = b; gr < e; ++gr) {
      const Index l = gr / C.nrow, R = gr % C.nrow;
      for (Index Cc = 0; Cc < ncc; ++Cc) {
        const auto m = static_cast<std::size_t>(gr * ncc + Cc);
        const double d = double(excess[m]) + couplings(cref, l, R, Cc).sum;
        const bool ok = excess[m] >= 0.0f && d > 0.0;
        C.diag[m] = ok ? static_cast<float>(d) : 1.0f;
        if (!ok) excess[m] = 0.0f;
      }
    }
  });
}

/// Vertical line factors of a layered level (Thomas algorithm in double
/// per column of cells): inv_w = 1/w, g = down/w.
void factor_lines(Level& L) {
  const Index nl = L.nlay, nrc = L.nrow * L.ncol;
  if (nl == 1) {
    L.inv_w.clear();
    return;
  }
  const auto un = static_cast<std::size_t>(L.size());
  L.inv_w.resize(un);
  parallel_for_chunks(nrc, L.chunk_cells, [&](Index b, Index e) {
    for (Index i = b; i < e; ++i) {
      double w = static_cast<double>(L.diag[static_cast<std::size_t>(i)]);
      L.inv_w[static_cast<std::size_t>(i)] = static_cast<float>(1.0 / w);
      for (Index l = 1; l < nl; ++l) {
        const auto j = static_cast<std::size_t>(i + l * nrc), up = j - static_cast<std::size_t>(nrc);
        const double dn = static_cast<double>(L.down[up]), d = static_cast<double>(L.diag[j]);
        const double wn = d - dn * dn / w;
        w = wn > 1e-6 * d ? wn : d;
        L.inv_w[j] = static_cast<float>(1.0 / w);
      }
    }
  });
}

/// The coarsest level's operator in double, for the band factorisation.
SymStencil to_double(const Level& L) {
  SymStencil S;
  S.nlay = L.nlay;
  S.nrow = L.nrow;
  S.ncol = L.ncol;
  S.diag.assign(L.diag.begin(), L.diag.end());
  S.east.assign(L.east.begin(), L.east.end());
  S.south.assign(L.south.begin(), L.south.end());
  S.down.assign(L.down.begin(), L.down.end());
  return S;
}

} // namespace

struct MultigridPreconditioner::Impl {
  MultigridSettings settings;
  std::vector<Level> lev;
  mg::BandCholesky coarsest;
  SymStencil sym0; ///< symmetric part of a nonsymmetric system
  /// Aggregation excess of the level being coarsened and of the next
  /// (setup()), kept between set-ups like the levels.
  std::vector<float> excess, next_excess;
  void free_excess() {
    std::vector<float>().swap(excess);
    std::vector<float>().swap(next_excess);
  }
  std::uint64_t fingerprint = 0; ///< of the operator the hierarchy was built for

  int nlev() const { return static_cast<int>(lev.size()); }

  /// Both red-black colours of the line Gauss-Seidel smoother (colour
  /// `first` first) in one pass over the level (mg::paired_sweep): the same
  /// result bit for bit as two colour sweeps, with the coefficients read
  /// once instead of twice. ZeroGuess: x starts at zero.
  ///
  /// With C (the next coarser level): also restrict_residual(L, b, x, C),
  /// each coarse row as soon as the fine rows its residual needs are final
  /// (two rows behind the smoother, while they are still in the cache), the
  /// rows next to another band after the sweep. The same values bit for bit
  /// as the separate pass, which reads the level's coefficients, b and x
  /// from memory once more.
  void smooth_pair(const Level& L, const float* b, float* x, int first, bool zero_guess,
                   Level* C = nullptr) const {
    const Index nr = L.nrow;
    // One band of rows per thread on parallel levels (the arithmetic does
    // not depend on the bands), the whole level on serial ones.
    const Index nband = L.chunk2d >= nr ? 1 : std::clamp<Index>(max_threads(), 1, std::max<Index>(1, nr / 4));
    const Index band = (nr + nband - 1) / nband;
    // Coarse rows restricted during the sweep (each by one band).
    std::vector<char> restricted(C ? static_cast<std::size_t>(C->nrow) : 0, 0);
    for (int phase = 0; phase < (band < nr ? 2 : 1); ++phase)
      parallel_for_chunks(nr, band, [&](Index r0, Index r1) {
        std::vector<float> tmp(static_cast<std::size_t>(L.ncol) + 64 / sizeof(float)); // mg::gs_row()
        RestrictRows rr(L, C, b, x);
        // Rows final in phase 0 (mg::paired_sweep): [lo, hi); coarse row R
        // needs fine rows 2R - 1 .. 2R + 2 (those in the grid) final.
        const Index lo = r0 > 0 ? r0 + 1 : r0;
        Index next = lo == 0 ? 0 : (lo + 2) / 2; // first coarse row with 2R - 1 >= lo
        auto restrict_upto = [&](Index q) {        // rows [lo, q] are final
          for (; C && next < C->nrow && std::min(2 * next + 2, nr - 1) <= q; ++next) {
            rr(next);
            restricted[static_cast<std::size_t>(next)] = 1;
          }
        };
        mg::paired_sweep(phase, r0, r1, nr, [&](Index r, int second) {
          smooth_row(L, b, x, r, second ? 1 - first : first, zero_guess && !second, tmp.data());
          if (C && phase == 0 && second) restrict_upto(r);
        });
      });
    if (!C) return;
    // The rest: coarse rows next to a band edge (a few per band).
    std::vector<Index> rest;
    for (Index R = 0; R < C->nrow; ++R)
      if (!restricted[static_cast<std::size_t>(R)]) rest.push_back(R);
    parallel_for_chunks(static_cast<Index>(rest.size()), 1, [&](Index i0, Index i1) {
      RestrictRows rr(L, C, b, x);
      for (Index i = i0; i < i1; ++i) rr(rest[static_cast<std::size_t>(i)]);
    });
  }

  /// Restriction of single coarse 2-D rows (all layers), as
  /// restrict_residual(); holds the two fine-row residual buffers.
  struct RestrictRows {
    const Level& F;
    Level* C;
    const float* b;
    const float* x;
    std::vector<float> t0, t1;
    RestrictRows(const Level& f, Level* c, const float* bb, const float* xx)
        : F(f), C(c), b(bb), x(xx), t0(c ? static_cast<std::size_t>(f.ncol) : 0), t1(t0.size()) {}
    void operator()(Index R) {
      with_layers(F.layered(), [&](auto vert) {
        for (Index l = 0; l < F.nlay; ++l)
          restrict_one<decltype(vert)::value>(F, b, x, *C, l, R, t0.data(), t1.data());
      });
    }
  };

  /// Coarse row (l, R) of restrict_residual(): the fine residual of rows 2R
  /// and 2R + 1 of layer l, summed over each aggregate.
  template <bool V>
  static void restrict_one(const Level& F, const float* b, const float* x, Level& C, Index l, Index R, float* t0,
                           float* t1) {
    const Index ncf = F.ncol, nrf = F.nrow, ncc = C.ncol;
    const Index r0 = 2 * R, base0 = (l * nrf + r0) * ncf;
    mg::stencil_row<V, true>(ncf, F.coef_rows(l, r0), F.vec_rows(x, l, r0), b + base0, t0);
    const bool two = r0 + 1 < nrf;
    if (two) mg::stencil_row<V, true>(ncf, F.coef_rows(l, r0 + 1), F.vec_rows(x, l, r0 + 1), b + base0 + ncf, t1);
    mg::aggregate_row(ncf, ncc, t0, two ? t1 : nullptr, C.b.data() + (l * C.nrow + R) * ncc);
  }

  /// One colour of the line Gauss-Seidel smoother on 2-D row r: the forward
  /// pass of each column's vertical line solve, then the back substitution.
  void smooth_row(const Level& L, const float* b, float* x, Index r, int color, bool zero_guess,
                  float* tmp) const {
    const Index nl = L.nlay, nr = L.nrow, nc = L.ncol, nrc = nr * nc;
    const float* z = L.zeros.data();
    const Index c0 = (r + color) & 1;
    for (Index l = 0; l < nl; ++l) {
      const Index base = (l * nr + r) * nc;
      const mg::CoefRows<float> a = L.coef_rows(l, r);
      const float* xn = r > 0 ? x + base - nc : z;
      const float* xs = r + 1 < nr ? x + base + nc : z;
      const float* iw = nl > 1 ? L.inv_w.data() + base : nullptr;
      if (nl == 1) {
        if (zero_guess)
          mg::gs_row<false, true, true>(nc, c0, iw, a, b + base, z, z, xn, xs, x + base, tmp);
        else
          mg::gs_row<false, false, true>(nc, c0, iw, a, b + base, z, z, xn, xs, x + base, tmp);
      } else if (l == 0) {
        if (zero_guess)
          mg::gs_row<false, true, false>(nc, c0, iw, a, b + base, z, z, xn, xs, x + base, tmp);
        else
          mg::gs_row<false, false, false>(nc, c0, iw, a, b + base, z, z, xn, xs, x + base, tmp);
      } else {
        const float* dp = L.down.data() + base - nrc;
        const float* xp = x + base - nrc;
        if (zero_guess)
          mg::gs_row<true, true, false>(nc, c0, iw, a, b + base, dp, xp, xn, xs, x + base, tmp);
        else
          mg::gs_row<true, false, false>(nc, c0, iw, a, b + base, dp, xp, xn, xs, x + base, tmp);
      }
    }
    for (Index l = nl - 2; l >= 0; --l) {
      const Index base = (l * nr + r) * nc;
      mg::line_back_row(nc, c0, L.down.data() + base, L.inv_w.data() + base, x + base + nrc, x + base);
    }
  }

  /// Coarse right-hand side: the fine residual b - A x summed over each
  /// aggregate (P^T r), without storing the fine residual.
  void restrict_residual(const Level& F, const float* b, const float* x, Level& C) const {
    const Index ncf = F.ncol, nrc_rows = C.nrow;
    with_layers(F.layered(), [&](auto vert) {
      constexpr bool V = decltype(vert)::value;
      parallel_for_chunks(C.nlay * nrc_rows, C.chunk_rows, [&](Index b0, Index b1) {
        std::vector<float> t0(static_cast<std::size_t>(ncf)), t1(static_cast<std::size_t>(ncf));
        for (Index gr = b0; gr < b1; ++gr)
          restrict_one<V>(F, b, x, C, gr / nrc_rows, gr % nrc_rows, t0.data(), t1.data());
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
    // Large levels restrict during the last pre-smoothing sweep, smaller
    // ones in a separate pass, which then reads the level from the cache.
    // Measured on the AMD EPYC of bench/HISTORY.md (32 MiB L3, 2026-11-29),
    // solves fused against unfused, alternated: one layer of 4 M cells (80
    // MB) 5-9% faster on 1 and 2 threads, three layers of 1 M cells (28 MB)
    // 4-6% faster on 2 threads and the same on 1, one layer of 1 M cells
    // (20 MB) 0-2% slower; every level fused, also the coarse ones in the
    // cache, made the 1 M-cell solve 2% slower.
    const bool fused = L.stream_bytes() >= settings.fuse_restriction_bytes;
    const int pre = std::max(settings.sweeps, 1); // the first from a zero guess
    for (int i = 0; i < pre; ++i) smooth_pair(L, b, x, 0, i == 0, fused && i + 1 == pre ? &C : nullptr);
    if (!fused) restrict_residual(L, b, x, C);
    solve_level(k + 1);
    prolong(L, C, C.x.data(), x);
    for (int i = 0; i < settings.sweeps; ++i) smooth_pair(L, b, x, 1, false);
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

void MultigridPreconditioner::release() {
  auto& m = *impl_;
  std::vector<Level>().swap(m.lev);
  m.coarsest = mg::BandCholesky{};
  m.sym0 = SymStencil{};
  m.free_excess();
  m.fingerprint = 0;
}

void MultigridPreconditioner::setup(const StencilSystem& A) {
  Impl& m = *impl_;
  const std::uint64_t fp = stencil_fingerprint(A);
  if (!m.lev.empty() && fp == m.fingerprint) return; // same operator: keep the hierarchy
  m.fingerprint = fp;
  SymStencilView view{A.nlay, A.nrow, A.ncol, A.diag.data(), A.east.data(), A.south.data(),
                      A.nlay > 1 ? A.down.data() : nullptr};
  if (!A.symmetric()) {
    symmetric_part(A, m.sym0);
    view = m.sym0.view();
  } else {
    m.sym0 = SymStencil{};
  }
  // Level shapes first, so that the level vector is not resized while its
  // elements are referenced.
  auto is_last = [&](Index nl, Index nr, Index nc) {
    return nl * nr * nc <= settings_.coarsest_cells || (nr == 1 && nc == 1);
  };
  std::size_t nlev = 1;
  for (Index nr = A.nrow, nc = A.ncol; !is_last(A.nlay, nr, nc); nr = (nr + 1) / 2, nc = (nc + 1) / 2) ++nlev;
  m.lev.resize(nlev);
  auto clear = [](std::initializer_list<std::vector<float>*> vs) {
    for (auto* v : vs) {
      v->clear();
      v->shrink_to_fit();
    }
  };
  Level& L0 = m.lev[0];
  L0.set_shape(A.nlay, A.nrow, A.ncol);
  L0.b.resize(static_cast<std::size_t>(L0.size()));
  L0.x.resize(static_cast<std::size_t>(L0.size()));
  clear({&L0.v1, &L0.c2});
  if (nlev == 1) {
    m.coarsest.factor(view);
    clear({&L0.diag, &L0.east, &L0.south, &L0.down, &L0.inv_w});
    return;
  }
  store_operator(view, L0);
  factor_lines(L0);
  std::vector<float>& excess = m.excess;
  std::vector<float>& next_excess = m.next_excess;
  coarsen(StencilRef<double>{view.nlay, view.nrow, view.ncol, view.diag, view.east, view.south, view.down, nullptr},
          m.lev[1], next_excess);
  for (std::size_t k = 1; k < nlev; ++k) {
    Level& L = m.lev[k];
    const auto n = static_cast<std::size_t>(L.size());
    L.b.resize(n);
    L.x.resize(n);
    if (k + 1 == nlev) {
      m.coarsest.factor(to_double(L).view());
      clear({&L.diag, &L.east, &L.south, &L.down, &L.inv_w, &L.v1, &L.c2});
      break;
    }
    factor_lines(L);
    if (settings_.kcycle) {
      L.v1.resize(n);
      L.c2.resize(n);
    } else {
      clear({&L.v1, &L.c2});
    }
    std::swap(excess, next_excess);
    coarsen(StencilRef<float>{L.nlay, L.nrow, L.ncol, L.diag.data(), L.east.data(), L.south.data(),
                              L.nlay > 1 ? L.down.data() : nullptr, excess.data()},
            m.lev[k + 1], next_excess);
  }
  // Kept for the next set-up of a Newton solve only; a symmetric operator
  // is set up again only when it changes (1.25 B/cell at the solve's peak).
  if (A.symmetric()) m.free_excess();
}

const float* MultigridPreconditioner::apply_float(std::span<const double> r) const {
  Level& L = impl_->lev.front();
  float* b = L.b.data();
  const double* rp = r.data();
  parallel_for_chunks(L.size(), L.chunk_cells, [&](Index lo, Index hi) {
    for (Index i = lo; i < hi; ++i) b[i] = static_cast<float>(rp[i]);
  });
  return apply_float_input();
}

float* MultigridPreconditioner::float_input() { return impl_->lev.front().b.data(); }

const float* MultigridPreconditioner::apply_float_input() const {
  Impl& m = *impl_;
  Level& L = m.lev.front();
  float* b = L.b.data();
  float* x = L.x.data();
  if (m.nlev() == 1)
    m.coarsest.solve(b, x);
  else
    m.cycle(0, b, x);
  return x;
}

void MultigridPreconditioner::apply(std::span<const double> r, std::span<double> z) const {
  const float* x = apply_float(r);
  double* zp = z.data();
  parallel_for_chunks(static_cast<Index>(z.size()), impl_->lev.front().chunk_cells, [&](Index lo, Index hi) {
    for (Index i = lo; i < hi; ++i) zp[i] = static_cast<double>(x[i]);
  });
}

} // namespace gwsim

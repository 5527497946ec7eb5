#pragma once
/// Per-row kernels of the layered 7-point stencil, shared by the operator
/// application (stencil.cpp) and the multigrid preconditioner
/// (multigrid.cpp). The loops over rows, layers and threads live in those
/// files; here is only what happens inside one grid row.
///
/// A grid row is (layer l, row r): ncol consecutive cells. A row's
/// neighbours to the north/south (r -+ 1) and up/down (l -+ 1) are whole rows
/// too, so each kernel takes pointers to them. A missing neighbour row (first
/// or last row, top or bottom layer) is passed as a row of zeros, which keeps
/// the inner loops free of branches; only the first and last column are
/// handled apart. C is the coefficient type, T the vector type (float in the
/// multigrid hierarchy, double in the outer Krylov solver).
#include <algorithm>
#include <cstdint>

#include "core/types.hpp"

/// Before a loop whose iterations read nothing another iteration writes:
/// lets the compiler vectorise it without run-time overlap checks of its
/// pointers (see stencil_row()).
#if defined(__clang__)
#define GWSIM_INDEPENDENT_ITERATIONS _Pragma("clang loop vectorize(assume_safety)")
#elif defined(__GNUC__)
#define GWSIM_INDEPENDENT_ITERATIONS _Pragma("GCC ivdep")
#else
#define GWSIM_INDEPENDENT_ITERATIONS
#endif

namespace gwsim::mg {

/// The first index in [lo, hi) at which p + c starts a 64-byte cache line
/// (hi if none).
template <class T> inline Index first_on_line(const T* p, Index lo, Index hi) {
  constexpr Index per_line = static_cast<Index>(64 / sizeof(T));
  const auto mis = static_cast<Index>((reinterpret_cast<std::uintptr_t>(p + lo) % 64) / sizeof(T));
  return std::min(hi, lo + (per_line - mis) % per_line);
}

/// f(c) for c in [lo, hi), in two loops split where p + c reaches a 64-byte
/// boundary, so that the second (vectorised) loop's loads of every array
/// indexed like p are whole cache lines. A 64-byte vector load that crosses
/// two lines cost about twice as much on the AMD EPYC of bench/HISTORY.md,
/// and rows start wherever the grid puts them. Every cell array of the solver
/// starts on a cache line (sim/core/staggered_new.cpp), so one pointer tells
/// the alignment of all of them at the same index.
template <class T, class F> inline void split_at_line(const T* p, Index lo, Index hi, F&& f) {
  const Index mid = first_on_line(p, lo, hi);
  for (Index c = lo; c < mid; ++c) f(c);
  GWSIM_INDEPENDENT_ITERATIONS
  for (Index c = mid; c < hi; ++c) f(c);
}

/// split_at_line() with software prefetching: the vectorised part runs one
/// cache line at a time, and before each line prefetch(c) is called with the
/// line's first index, to ask for the lines kPrefetchBytes ahead of it.
template <class T, class P, class F>
inline void split_at_line_prefetched(const T* p, Index lo, Index hi, P&& prefetch, F&& f) {
  constexpr Index per_line = static_cast<Index>(64 / sizeof(T));
  const Index mid = first_on_line(p, lo, hi);
  for (Index c = lo; c < mid; ++c) f(c);
  Index c = mid;
  for (; c + per_line <= hi; c += per_line) {
    prefetch(c);
    GWSIM_INDEPENDENT_ITERATIONS
    for (Index k = c; k < c + per_line; ++k) f(k);
  }
  for (; c < hi; ++c) f(c);
}

/// How far ahead the operator's streams are prefetched: 2 KiB, 32 lines.
/// One core of the AMD EPYC of bench/HISTORY.md did not keep enough lines
/// in flight on its own for the 3-layer operator's streams (6 from memory,
/// 3 from L2): 64% of the STREAM triad without, 85% with this prefetch
/// (one layer 1 M cells 81 -> 96-99%, 4 M 89-92 -> 95-96%). 1 KiB ahead
/// did about as well, 4 KiB hardly helped the 3-layer operator (67-69%).
inline constexpr std::uintptr_t kPrefetchBytes = 2048;

/// Prefetch the line kPrefetchBytes after p[c] into L1. The address is
/// formed as an integer: it may lie past the end of the array, which a
/// prefetch, unlike a load, may name. On x86-64 an asm statement: GCC
/// drops __builtin_prefetch from loops it vectorises, and it vectorised the
/// loop over lines here (no prefetch was left in the code).
template <class T> inline void prefetch_ahead(const T* p, Index c) {
  const auto a = reinterpret_cast<std::uintptr_t>(p + c) + kPrefetchBytes;
#if defined(__GNUC__) && defined(__x86_64__)
  asm volatile("prefetcht0 (%0)" : : "r"(a));
#else
  __builtin_prefetch(reinterpret_cast<const void*>(a), 0, 3);
#endif
}

/// Symmetric coefficient rows of one grid row: d diagonal, e east (coupling
/// c <-> c+1), s south (this row <-> next row), sn the south row of the
/// northern neighbour row (its coupling to this row), dn down (this layer <->
/// next), up the down row of the layer above.
template <class C> struct CoefRows {
  const C* d;
  const C* e;
  const C* s;
  const C* sn;
  const C* dn;
  const C* up;
};

/// Vector rows: x this row, xn/xs northern/southern rows, xu/xd the rows in
/// the layers above/below.
template <class T> struct VecRows {
  const T* x;
  const T* xn;
  const T* xs;
  const T* xu;
  const T* xd;
};

/// Sum of the coupling terms c_ij x_j of cell c except east/west, which the
/// callers add with their own edge handling.
template <bool Vert, class C, class T>
inline T ns_terms(Index c, const CoefRows<C>& a, const VecRows<T>& v) {
  T t = T(a.s[c]) * v.xs[c] + T(a.sn[c]) * v.xn[c];
  if constexpr (Vert) t += T(a.dn[c]) * v.xd[c] + T(a.up[c]) * v.xu[c];
  return t;
}

/// out = A x (Residual = false) or out = b - A x (Residual = true) on one
/// row of the symmetric stencil.
template <bool Vert, bool Residual, class C, class T, bool Prefetch = false>
inline void stencil_row(Index nc, const CoefRows<C>& a, const VecRows<T>& v, const T* __restrict b,
                        T* __restrict out) {
  const C* __restrict d = a.d;
  const C* __restrict e = a.e;
  const C* __restrict s = a.s;
  const C* __restrict sn = a.sn;
  const C* __restrict dn = a.dn;
  const C* __restrict up = a.up;
  const T* __restrict x = v.x;
  const T* __restrict xn = v.xn;
  const T* __restrict xs = v.xs;
  const T* __restrict xu = v.xu;
  const T* __restrict xd = v.xd;
  auto finish = [&](Index c, T ax) { out[c] = Residual ? b[c] - ax : ax; };
  auto edge = [&](Index c) {
    T ax = T(d[c]) * x[c] - ns_terms<Vert>(c, a, v);
    if (c > 0) ax -= T(e[c - 1]) * x[c - 1];
    if (c + 1 < nc) ax -= T(e[c]) * x[c + 1];
    finish(c, ax);
  };
  edge(0);
  // No iteration reads what another writes (out is none of the inputs):
  // without saying so (split_at_line's second loop does), GCC gives up
  // vectorising the layered rows (too many pointers to check for overlap at
  // run time) and runs them scalar.
  auto inner = [&](Index c) {
    T ax = T(d[c]) * x[c] - T(e[c]) * x[c + 1] - T(e[c - 1]) * x[c - 1] - T(s[c]) * xs[c] -
           T(sn[c]) * xn[c];
    if constexpr (Vert) ax -= T(dn[c]) * xd[c] + T(up[c]) * xu[c];
    out[c] = Residual ? b[c] - ax : ax;
  };
  if constexpr (Prefetch) {
    // The streams met for the first time in this row (or last read a layer
    // ago, in L2): the coefficients, the row south, b, and the rows above
    // and below. x, xn and sn were read with the row before and are in L1.
    split_at_line_prefetched(
        x, 1, nc - 1,
        [&](Index c) {
          prefetch_ahead(d, c);
          prefetch_ahead(e, c);
          prefetch_ahead(s, c);
          prefetch_ahead(xs, c);
          if constexpr (Residual) prefetch_ahead(b, c);
          if constexpr (Vert) {
            prefetch_ahead(dn, c);
            prefetch_ahead(xd, c);
            prefetch_ahead(up, c);
            prefetch_ahead(xu, c);
          }
        },
        inner);
  } else {
    split_at_line(x, 1, nc - 1, inner);
  }
  if (nc > 1) edge(nc - 1);
}

/// Row pointers of the nonsymmetric couplings (row n's own coefficients to
/// its west, north and upper neighbours).
template <class C> struct GeneralRows {
  const C* d;
  const C* e;
  const C* w;
  const C* s;
  const C* n;
  const C* dn;
  const C* up;
};

/// out = A x on one row of the general (nonsymmetric) stencil.
template <bool Vert, class C, class T>
inline void general_row(Index nc, const GeneralRows<C>& a, const VecRows<T>& v, T* __restrict out) {
  const C* __restrict d = a.d;
  const C* __restrict e = a.e;
  const C* __restrict w = a.w;
  const C* __restrict s = a.s;
  const C* __restrict no = a.n;
  const C* __restrict dn = a.dn;
  const C* __restrict up = a.up;
  const T* __restrict x = v.x;
  const T* __restrict xn = v.xn;
  const T* __restrict xs = v.xs;
  const T* __restrict xu = v.xu;
  const T* __restrict xd = v.xd;
  auto edge = [&](Index c) {
    T ax = T(d[c]) * x[c] - T(s[c]) * xs[c] - T(no[c]) * xn[c];
    if constexpr (Vert) ax -= T(dn[c]) * xd[c] + T(up[c]) * xu[c];
    if (c > 0) ax -= T(w[c]) * x[c - 1];
    if (c + 1 < nc) ax -= T(e[c]) * x[c + 1];
    out[c] = ax;
  };
  edge(0);
  // Whole-line loads, as stencil_row().
  split_at_line(x, 1, nc - 1, [&](Index c) {
    T ax = T(d[c]) * x[c] - T(e[c]) * x[c + 1] - T(w[c]) * x[c - 1] - T(s[c]) * xs[c] -
           T(no[c]) * xn[c];
    if constexpr (Vert) ax -= T(dn[c]) * xd[c] + T(up[c]) * xu[c];
    out[c] = ax;
  });
  if (nc > 1) edge(nc - 1);
}

/// One colour of a red-black Gauss-Seidel sweep on one row, as the forward
/// pass of a vertical line solve: for the cells c of the colour (c = c0,
/// c0+2, ...)
///   x[c] = (b[c] + horizontal couplings * x + dprev[c] * xprev[c]) * inv_w[c]
/// where the horizontal neighbours have the other colour, and dprev/xprev
/// (Prev = true) are the down coupling and the forward-pass value of the
/// same column in the layer above. Div (one layer): divide by the diagonal
/// instead, plain Gauss-Seidel without a stored inverse. ZeroGuess: the
/// other colour is zero (first sweep).
///
/// The new values are computed for the whole row into `tmp` (contiguous
/// loads) and then stored with a colour mask, which the compiler turns into
/// masked vector stores: the other colour is never written, not even with
/// its own value, so neighbouring rows on other threads may read it; and
/// the neighbouring rows are read only at this colour's cells, which no
/// other thread writes during the sweep (race-free by the memory model).
template <bool Prev, bool ZeroGuess, bool Div, class C, class T>
inline void gs_row(Index nc, Index c0, const C* __restrict inv_w, const CoefRows<C>& a,
                   const T* __restrict b, const C* __restrict dprev, const T* __restrict xprev,
                   const T* __restrict xn, const T* __restrict xs, T* __restrict x, T* __restrict tmp) {
  const C* __restrict d = a.d;
  const C* __restrict e = a.e;
  const C* __restrict s = a.s;
  const C* __restrict sn = a.sn;
  auto finish = [&](Index c, T t) {
    if constexpr (Prev) t += T(dprev[c]) * xprev[c];
    return Div ? t / T(d[c]) : t * T(inv_w[c]);
  };
  // tmp holds nc + 64 / sizeof(T) values from a cache line: shifted to x's
  // place within a line, so that both are read and written in whole lines.
  tmp += (reinterpret_cast<std::uintptr_t>(x) % 64) / sizeof(T);
  if constexpr (ZeroGuess) {
    for (Index c = 0; c < nc; ++c)
      if (((c ^ c0) & 1) == 0) x[c] = finish(c, b[c]);
    return;
  }
  // The north and south rows are read only at the cells of this colour:
  // their other cells belong to rows other threads update in this same
  // sweep (a conditional load, which the compiler turns into a masked one).
  auto vertical = [&](Index c) {
    return ((c ^ c0) & 1) == 0 ? T(s[c]) * xs[c] + T(sn[c]) * xn[c] : T(0);
  };
  auto edge = [&](Index c) {
    T t = b[c] + vertical(c);
    if (c > 0) t += T(e[c - 1]) * x[c - 1];
    if (c + 1 < nc) t += T(e[c]) * x[c + 1];
    tmp[c] = finish(c, t);
  };
  edge(0);
  split_at_line(x, 1, nc - 1, [&](Index c) {
    tmp[c] = finish(c, b[c] + T(e[c]) * x[c + 1] + T(e[c - 1]) * x[c - 1] + vertical(c));
  });
  if (nc > 1) edge(nc - 1);
  split_at_line(x, 0, nc, [&](Index c) {
    if (((c ^ c0) & 1) == 0) x[c] = tmp[c];
  });
}

/// The order of a paired red-black pass: both colours of a Gauss-Seidel
/// sweep in one pass over the 2-D rows, for a band [r0, r1) of the nr rows
/// (one band per thread). f(r, 0) applies the first colour to row r, f(r,
/// 1) the second. Phase 0: the first colour of each row, each followed by
/// the second colour of the row before, whose first-colour neighbours
/// (rows r - 2, r - 1, r) are then final, so every cell sees the values of
/// two separate colour sweeps. The second colour of a row next to another
/// band waits for phase 1, which starts when every band has finished phase
/// 0 (the neighbouring band reads that row's second colour, as old values,
/// and writes the first colour it needs). One band: phase 1 is empty.
template <class F> inline void paired_sweep(int phase, Index r0, Index r1, Index nr, F&& f) {
  const Index lo = r0 > 0 ? r0 + 1 : r0; // second colour in phase 0: rows [lo, hi)
  const Index hi = r1 < nr ? r1 - 1 : r1;
  if (phase == 0) {
    for (Index r = r0; r < r1; ++r) {
      f(r, 0);
      if (r - 1 >= lo && r - 1 < hi) f(r - 1, 1);
    }
    if (hi == r1 && r1 - 1 >= lo) f(r1 - 1, 1);
    return;
  }
  for (Index r = r0; r < (lo < r1 ? lo : r1); ++r) f(r, 1);
  for (Index r = (hi > lo ? hi : lo); r < r1; ++r) f(r, 1);
}

/// Back substitution of the vertical line solve for one colour of one row:
/// x[c] += (down[c] / w[c]) xbelow[c] of the Thomas factorisation, with
/// inv_w = 1 / w. The factor is formed here rather than stored: the forward
/// pass of the same row has just read down and inv_w (they are in the L1
/// cache), while a stored factor is one more array from memory per sweep.
template <class C, class T>
inline void line_back_row(Index nc, Index c0, const C* __restrict down, const C* __restrict inv_w,
                          const T* __restrict xbelow, T* __restrict x) {
  for (Index c = 0; c < nc; ++c)
    if (((c ^ c0) & 1) == 0) x[c] += T(down[c]) * T(inv_w[c]) * xbelow[c];
}

/// Restriction by 2x2 aggregation of one coarse row from its one or two fine
/// rows: out[C] = sum of the fine values in columns 2C and 2C+1.
template <class T>
inline void aggregate_row(Index ncf, Index ncc, const T* __restrict f0, const T* __restrict f1,
                          T* __restrict out) {
  const Index pairs = ncf / 2;
  if (f1) {
    for (Index C = 0; C < pairs; ++C) out[C] = (f0[2 * C] + f0[2 * C + 1]) + (f1[2 * C] + f1[2 * C + 1]);
    if (ncc > pairs) out[pairs] = f0[ncf - 1] + f1[ncf - 1];
  } else {
    for (Index C = 0; C < pairs; ++C) out[C] = f0[2 * C] + f0[2 * C + 1];
    if (ncc > pairs) out[pairs] = f0[ncf - 1];
  }
}

/// Piecewise-constant prolongation of one fine row: x[c] += xc[c/2].
template <class T>
inline void prolong_row(Index ncf, const T* __restrict xc, T* __restrict x) {
  for (Index c = 0; c < ncf; ++c) x[c] += xc[c >> 1];
}

} // namespace gwsim::mg

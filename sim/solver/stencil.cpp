#include "solver/stencil.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <utility>

#include "core/parallel.hpp"
#include "solver/mg_kernels.hpp"

namespace gwsim {

std::uint64_t fingerprint(const StencilSystem& A) {
  using U = std::uint64_t;
  using Sums = std::array<U, 2>;
  U h = static_cast<U>(A.nlay) * 0x9E3779B97F4A7C15ull ^ static_cast<U>(A.nrow) * 0xC2B2AE3D27D4EB4Full ^
        static_cast<U>(A.ncol) * 0x165667B19E3779F9ull;
  for (const auto* v : {&A.diag, &A.east, &A.south, &A.down, &A.west, &A.north, &A.up}) {
    const double* x = v->data();
    const Sums s = parallel_reduce_chunks(
        static_cast<Index>(v->size()), 1 << 15, Sums{0, 0},
        [&](Index lo, Index hi) {
          U a = 0, b = 0;
          for (Index i = lo; i < hi; ++i) {
            const U w = std::bit_cast<U>(x[i]);
            a += w;
            b += w * (static_cast<U>(i) * 0x9E3779B97F4A7C15ull + 1);
          }
          return Sums{a, b};
        },
        [](Sums p, Sums q) { return Sums{p[0] + q[0], p[1] + q[1]}; });
    h = (h ^ s[0]) * 0xC2B2AE3D27D4EB4Full;
    h = (h ^ s[1]) * 0x165667B19E3779F9ull;
    h ^= static_cast<U>(v->size());
  }
  return h;
}

std::uint64_t stencil_fingerprint(const StencilSystem& A) {
  return A.known_fingerprint != 0 ? A.known_fingerprint : fingerprint(A);
}

std::uint64_t operator_fingerprint(const StencilSystem& A) {
  using U = std::uint64_t;
  U h = stencil_fingerprint(A);
  for (const RankOneTerm& t : A.rank_one) {
    h = (h ^ std::bit_cast<U>(t.gamma)) * 0xC2B2AE3D27D4EB4Full;
    for (std::size_t i = 0; i < t.cells.size(); ++i) {
      h = (h ^ static_cast<U>(t.cells[i])) * 0x165667B19E3779F9ull;
      h = (h ^ std::bit_cast<U>(t.u[i])) * 0x9E3779B97F4A7C15ull;
    }
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      h = (h ^ static_cast<U>(t.rows[i])) * 0x27D4EB2F165667C5ull;
      h = (h ^ std::bit_cast<U>(t.v[i])) * 0x94D049BB133111EBull;
    }
  }
  return h;
}

void StencilSystem::resize(Index nl, Index nr, Index nc) {
  known_fingerprint = 0;
  nlay = nl;
  nrow = nr;
  ncol = nc;
  const auto n = static_cast<std::size_t>(size());
  for (auto* v : {&diag, &east, &south, &rhs}) v->assign(n, 0.0);
  down.assign(static_cast<std::size_t>(upper_cells()), 0.0);
  west.clear();
  north.clear();
  up.clear();
  rank_one.clear();
}

void StencilSystem::shape(Index nl, Index nr, Index nc) {
  known_fingerprint = 0;
  rank_one.clear(); // added afresh by the packages of each assembly
  if (nl == nlay && nr == nrow && nc == ncol && diag.size() == static_cast<std::size_t>(size()) &&
      rhs.size() == diag.size() && east.size() == diag.size() && south.size() == diag.size() &&
      down.size() == static_cast<std::size_t>(upper_cells()))
    return;
  resize(nl, nr, nc);
}

void StencilSystem::make_nonsymmetric() {
  known_fingerprint = 0;
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

/// Grid rows per parallel chunk: about 4096 cells, never thread-dependent
/// (the residual norm is summed per chunk).
Index rows_per_chunk(Index ncol) { return std::max<Index>(1, 4096 / std::max<Index>(ncol, 1)); }

/// The rank-one terms' part of A x, (cell, value) in ascending cell order
/// (a cell in two terms: in term order), for adding into the rows of an
/// operator loop. Empty without rank-one terms.
using RankOneParts = std::vector<std::pair<Index, double>>;
RankOneParts rank_one_parts(const StencilSystem& A, const double* x) {
  RankOneParts parts;
  for (const RankOneTerm& t : A.rank_one) {
    double ux = 0.0;
    for (std::size_t i = 0; i < t.cells.size(); ++i) ux += t.u[i] * x[t.cells[i]];
    const double f = ux / t.gamma;
    if (t.symmetric())
      for (std::size_t i = 0; i < t.cells.size(); ++i) parts.emplace_back(t.cells[i], -t.u[i] * f);
    else
      for (std::size_t i = 0; i < t.rows.size(); ++i) parts.emplace_back(t.rows[i], -t.v[i] * f);
  }
  std::stable_sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return parts;
}

/// f(cell, value) for the parts of cells [begin, end).
template <class F> void for_parts_in(const RankOneParts& parts, Index begin, Index end, F&& f) {
  if (parts.empty()) return;
  auto it = std::lower_bound(parts.begin(), parts.end(), begin, [](const auto& p, Index c) { return p.first < c; });
  for (; it != parts.end() && it->first < end; ++it) f(it->first, it->second);
}

/// y (or r = b - y) = A x over grid rows [row_begin, row_end) of a symmetric
/// or general stencil. `zeros` is a row of ncol zeros standing in for missing
/// neighbour rows. RowOut: y is one row of ncol values that every row is
/// written to (for reductions that need no vector of their own).
template <bool Residual, bool RowOut>
[[gnu::always_inline]] inline void rows_apply_body(const StencilSystem& A, const double* x, double* y_all,
                                                   const double* zeros, Index row_begin, Index row_end) {
  const Index nc = A.ncol, nr = A.nrow, nl = A.nlay, nrc = nr * nc;
  const bool vert = nl > 1;
  for (Index gr = row_begin; gr < row_end; ++gr) {
    const Index l = gr / nr, r = gr % nr, base = gr * nc;
    double* out = RowOut ? y_all : y_all + base; // this row's output
    const bool has_n = r > 0, has_s = r + 1 < nr, has_u = l > 0, has_d = l + 1 < nl;
    mg::VecRows<double> v{x + base, has_n ? x + base - nc : zeros, has_s ? x + base + nc : zeros,
                          has_u ? x + base - nrc : zeros, has_d ? x + base + nrc : zeros};
    const double* down = A.down.data();
    if (A.symmetric()) {
      const double* south = A.south.data();
      mg::CoefRows<double> a{A.diag.data() + base,
                             A.east.data() + base,
                             has_s ? south + base : zeros,
                             has_n ? south + base - nc : zeros,
                             has_d ? down + base : zeros,
                             has_u ? down + base - nrc : zeros};
      if (vert)
        mg::stencil_row<true, Residual, double, double, true>(nc, a, v, A.rhs.data() + base, out);
      else
        mg::stencil_row<false, Residual, double, double, true>(nc, a, v, A.rhs.data() + base, out);
    } else {
      mg::GeneralRows<double> a{A.diag.data() + base,
                                A.east.data() + base,
                                A.west.data() + base,
                                has_s ? A.south.data() + base : zeros,
                                has_n ? A.north.data() + base : zeros,
                                has_d ? down + base : zeros,
                                has_u ? A.up.data() + base : zeros};
      if (vert)
        mg::general_row<true>(nc, a, v, out);
      else
        mg::general_row<false>(nc, a, v, out);
      if constexpr (Residual) {
        const double* b = A.rhs.data() + base;
        for (Index c = 0; c < nc; ++c) out[c] = b[c] - out[c];
      }
    }
  }
}

/// rows_apply_body() compiled for 256-bit vectors (GCC on x86-64; elsewhere
/// the compiler's choice, the same as rows_apply_body()).
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define GWSIM_256_BIT_VECTORS __attribute__((noinline, flatten, target("prefer-vector-width=256")))
#else
#define GWSIM_256_BIT_VECTORS
#endif
template <bool Residual, bool RowOut>
GWSIM_256_BIT_VECTORS void rows_apply_256(const StencilSystem& A, const double* x, double* y_all,
                                          const double* zeros, Index row_begin, Index row_end) {
  rows_apply_body<Residual, RowOut>(A, x, y_all, zeros, row_begin, row_end);
}

/// Whether every grid row of the system's arrays starts at the same place in
/// a 64-byte cache line as the arrays do (ncol, and with layers the layer
/// size, a multiple of 8 doubles). Only then are the loads of the rows
/// north, south, above and below whole lines in the vectorised loop; else
/// every 64-byte load of them splits over two lines and costs about twice
/// as much on the AMD EPYC of bench/HISTORY.md, every other 32-byte one.
bool rows_share_alignment(const StencilSystem& A) {
  constexpr Index per_line = 64 / sizeof(double);
  return A.ncol % per_line == 0 && (A.nlay == 1 || (A.nrow * A.ncol) % per_line == 0);
}

/// rows_apply_body() in the machine's widest vectors when the rows share
/// their alignment, else in 256-bit vectors: measured on that machine
/// (bench/HISTORY.md, 2026-11-28), 256-bit vectors made the operator 38%
/// faster on 500 x 500 cells, 19% on 300 x 300 x 3, 15% on 577 x 577 x 3,
/// and 4-9% slower on the aligned 1000 x 1000 and 2000 x 2000.
template <bool Residual, bool RowOut = false>
void rows_apply(const StencilSystem& A, const double* x, double* y_all, const double* zeros,
                Index row_begin, Index row_end) {
  if (rows_share_alignment(A))
    rows_apply_body<Residual, RowOut>(A, x, y_all, zeros, row_begin, row_end);
  else
    rows_apply_256<Residual, RowOut>(A, x, y_all, zeros, row_begin, row_end);
}

} // namespace

/// The chunks of the operator loops: blocks of rows_per_chunk() rows of the
/// plan, each with the same rows of every layer, taken layer by layer. A
/// layer's rows then find the rows of x above and below them still in cache
/// (computed a moment before) instead of reading x from memory three times.
/// f(first grid row, end grid row) for each layer of chunk [r0, r1).
template <class F> void for_layers_of(const StencilSystem& A, Index r0, Index r1, F&& f) {
  for (Index l = 0; l < A.nlay; ++l) f(l * A.nrow + r0, l * A.nrow + r1);
}

void apply(const StencilSystem& A, std::span<const double> x, std::span<double> y) {
  const std::vector<double> zeros(static_cast<std::size_t>(A.ncol), 0.0);
  const RankOneParts parts = rank_one_parts(A, x.data());
  const Index nc = A.ncol;
  parallel_for_chunks(A.nrow, rows_per_chunk(A.ncol), [&](Index r0, Index r1) {
    for_layers_of(A, r0, r1, [&](Index b, Index e) {
      rows_apply<false>(A, x.data(), y.data(), zeros.data(), b, e);
      for_parts_in(parts, b * nc, e * nc, [&](Index c, double v) { y[static_cast<std::size_t>(c)] += v; });
    });
  });
}

/// Deterministic sum over the chunks of for_layers_of(): add(b, e, s) adds
/// grid rows [b, e) of each layer to the chunk's running sum s; the chunk
/// sums are added in chunk order, for any number of threads.
template <class Add> double sum_over_layers(const StencilSystem& A, Add&& add) {
  return parallel_reduce_chunks(
      A.nrow, rows_per_chunk(A.ncol), 0.0,
      [&](Index r0, Index r1) {
        double s = 0.0;
        for_layers_of(A, r0, r1, [&](Index b, Index e) { add(b, e, s); });
        return s;
      },
      [](double acc, double part) { return acc + part; });
}

double apply_dot(const StencilSystem& A, std::span<const double> x, std::span<double> y) {
  const std::vector<double> zeros(static_cast<std::size_t>(A.ncol), 0.0);
  const RankOneParts parts = rank_one_parts(A, x.data());
  const Index nc = A.ncol;
  return sum_over_layers(A, [&](Index b, Index e, double& s) {
    rows_apply<false>(A, x.data(), y.data(), zeros.data(), b, e);
    for_parts_in(parts, b * nc, e * nc, [&](Index c, double v) { y[static_cast<std::size_t>(c)] += v; });
    for (Index i = b * nc; i < e * nc; ++i) s += x[static_cast<std::size_t>(i)] * y[static_cast<std::size_t>(i)];
  });
}

double residual(const StencilSystem& A, std::span<const double> x, std::span<double> r) {
  const std::vector<double> zeros(static_cast<std::size_t>(A.ncol), 0.0);
  const RankOneParts parts = rank_one_parts(A, x.data());
  const Index nc = A.ncol;
  return std::sqrt(sum_over_layers(A, [&](Index b, Index e, double& s) {
    rows_apply<true>(A, x.data(), r.data(), zeros.data(), b, e);
    for_parts_in(parts, b * nc, e * nc, [&](Index c, double v) { r[static_cast<std::size_t>(c)] -= v; });
    for (Index i = b * nc; i < e * nc; ++i) s += r[static_cast<std::size_t>(i)] * r[static_cast<std::size_t>(i)];
  }));
}

namespace {
/// ||A x + rhs||, and (out not null) out = A x + rhs, row by row.
double product_plus_rhs(const StencilSystem& A, std::span<const double> x, double* out) {
  const std::vector<double> zeros(static_cast<std::size_t>(A.ncol), 0.0);
  const RankOneParts parts = rank_one_parts(A, x.data());
  const Index nc = A.ncol;
  const double ss = parallel_reduce_chunks(
      A.nlay * A.nrow, rows_per_chunk(nc), 0.0,
      [&](Index b, Index e) {
        std::vector<double> row(static_cast<std::size_t>(nc));
        double s = 0.0;
        for (Index gr = b; gr < e; ++gr) {
          rows_apply<false, true>(A, x.data(), row.data(), zeros.data(), gr, gr + 1);
          for_parts_in(parts, gr * nc, (gr + 1) * nc,
                       [&](Index c, double v) { row[static_cast<std::size_t>(c - gr * nc)] += v; });
          const double* f = A.rhs.data() + gr * nc;
          for (Index c = 0; c < nc; ++c) {
            const double v = row[static_cast<std::size_t>(c)] + f[c];
            s += v * v;
            if (out) out[gr * nc + c] = v;
          }
        }
        return s;
      },
      [](double acc, double part) { return acc + part; });
  return std::sqrt(ss);
}
} // namespace

double norm_of_sum(const StencilSystem& A, std::span<const double> x) { return product_plus_rhs(A, x, nullptr); }

double add_product(StencilSystem& A, std::span<const double> x) {
  // Each row's rhs is read and written by the same chunk only.
  return product_plus_rhs(A, x, A.rhs.data());
}

} // namespace gwsim

#pragma once
/// The linear system of one flow solve, stored matrix-free as a layered
/// 7-point stencil.
///
/// Row n of A h = b reads
///   diag[n] h[n] - east[n] h[n+1] - west[n] h[n-1] - south[n] h[n+ncol]
///   - north[n] h[n-ncol] - down[n] h[n+nrc] - up[n] h[n-nrc] = rhs[n],
/// with nrc = nrow*ncol. The off-diagonal coefficients are conductances in
/// m2/d (positive); rhs is in m3/d.
///
/// For the symmetric (confined, Picard) case only east/south/down are
/// stored and west[n] = east[n-1], north[n] = south[n-ncol], up[n] =
/// down[n-nrc]: one face coefficient per cell and direction, so an operator
/// application streams 5 arrays plus x and y. The Newton systems of
/// convertible layers are nonsymmetric and also fill west/north/up.
///
/// Fixed-head and inactive cells are identity rows (diag 1, rhs = head) with
/// every coupling to them removed (their known flow moved into rhs), so the
/// symmetric case stays symmetric positive definite.
#include <cstdint>
#include <span>
#include <vector>

#include "core/types.hpp"

namespace gwsim {

/// A rank-one term of the operator over a few cells: J gains -v u^T / gamma,
/// that is row rows[i] gains -v[i] (u . x) / gamma with u over `cells`.
/// Symmetric (rows empty): the rows are `cells` and v = u. A pond whose
/// stage follows the heads of its bed cells couples all of them this way
/// (the stage rises by dt C_j / g'(s) per metre of head in cell j, and every
/// cell's seepage follows the stage), which a 7-point stencil cannot hold.
struct RankOneTerm {
  std::vector<Index> cells; ///< free cells x is read at (and the rows, if symmetric)
  std::vector<double> u;    ///< m2/d
  double gamma = 1.0;       ///< m2/d (symmetric: > sum of u)
  /// Nonsymmetric terms only (nonsymmetric systems): the rows and their
  /// coefficients, dimensionless or m2/d as gamma.
  std::vector<Index> rows;
  std::vector<double> v;
  bool symmetric() const { return rows.empty(); }
};

struct StencilSystem {
  Index nlay = 0, nrow = 0, ncol = 0;
  std::vector<double> diag;  ///< m2/d
  std::vector<double> east;  ///< coupling n <-> n+1, zero on the last column
  std::vector<double> south; ///< coupling n <-> n+ncol, zero on the last row
  /// coupling n <-> n+nrow*ncol: (nlay-1)*nrow*ncol entries, none for the
  /// last layer (a single-layer model stores no vertical coupling at all)
  std::vector<double> down;
  std::vector<double> west;  ///< nonsymmetric only: row n's coupling to n-1
  std::vector<double> north; ///< nonsymmetric only: row n's coupling to n-ncol
  std::vector<double> up;    ///< nonsymmetric only: row n's coupling to n-nrow*ncol (ncell entries)
  std::vector<double> rhs;   ///< m3/d
  /// Rank-one terms added to the stencil (ponds); the operator functions
  /// below include them, the multigrid hierarchy is built without them.
  std::vector<RankOneTerm> rank_one;
  /// Norm the residual tolerance is relative to; 0 means ||rhs||. A Newton
  /// update system (rhs = imbalance) sets it to ||A h + rhs||, the norm of
  /// the right-hand side of the same step written for the heads, so that a
  /// warm step is not asked to cut a small imbalance by another 1e-8.
  double residual_scale = 0.0;
  /// fingerprint(*this), when the assembler has computed it once for the
  /// preconditioner and the first guess to share (0: unknown, computed on
  /// demand). Whoever sets it resets it before changing the operator;
  /// resize(), shape() and make_nonsymmetric() reset it too.
  std::uint64_t known_fingerprint = 0;

  Index size() const { return nlay * nrow * ncol; }
  /// Cells above the last layer: the length of `down`.
  Index upper_cells() const { return nlay > 0 ? (nlay - 1) * nrow * ncol : 0; }
  bool symmetric() const { return west.empty(); }
  /// Size the symmetric arrays for a grid and zero them.
  void resize(Index nl, Index nr, Index nc);
  /// Size the arrays for a grid without clearing them when the size is
  /// unchanged (for assemblers that write every entry); a new size zeroes
  /// everything and drops the nonsymmetric arrays, as resize(). Either way
  /// the rank-one terms are dropped: an assembly's packages add their own.
  void shape(Index nl, Index nr, Index nc);
  /// Add the west/north/up arrays (copies of the symmetric couplings), making
  /// the system nonsymmetric-capable.
  void make_nonsymmetric();
};

/// Fingerprint of the operator (shape and coefficient bits, not rhs):
/// position-weighted wrapping sums, so any summation order gives the same
/// value. Time-stepping with a constant step size solves with the same
/// matrix many times; an unchanged fingerprint lets the multigrid hierarchy
/// and the first-guess projection keep what they computed for it. (A
/// collision would only cost convergence speed: the Krylov solver always
/// works with the true operator.)
std::uint64_t fingerprint(const StencilSystem& A);
/// A.known_fingerprint if set, else fingerprint(A).
std::uint64_t stencil_fingerprint(const StencilSystem& A);
/// The same for the stencil and its rank-one terms (the whole operator).
std::uint64_t operator_fingerprint(const StencilSystem& A);

/// y = A x, threaded through parallel_for_blocks.
void apply(const StencilSystem& A, std::span<const double> x, std::span<double> y);

/// y = A x; returns the dot product x . y (deterministic reduction).
double apply_dot(const StencilSystem& A, std::span<const double> x, std::span<double> y);

/// ||A x + rhs||, 2-norm, without storing A x (deterministic reduction):
/// the norm of a Newton update system's right-hand side written for the
/// heads (StencilSystem::residual_scale).
double norm_of_sum(const StencilSystem& A, std::span<const double> x);

/// rhs += A x, returns the new ||rhs|| (deterministic reduction): an update
/// system A dh = rhs rewritten for the heads, A (x + dh) = rhs + A x.
double add_product(StencilSystem& A, std::span<const double> x);

/// r = b - A x; returns the 2-norm of r (deterministic reduction).
double residual(const StencilSystem& A, std::span<const double> x, std::span<double> r);

} // namespace gwsim

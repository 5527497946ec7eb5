#pragma once
/// Aggregation multigrid preconditioner for the layered 7-point stencil.
///
/// Hierarchy: cells are aggregated 2 x 2 in rows and columns, layer by layer
/// (layers are never merged), with piecewise-constant prolongation P and
/// Galerkin coarse operators P^T A P. For this stencil P^T A P is again a
/// layered 7-point stencil: a coarse face conductance is the sum of the fine
/// conductances across the aggregate face, and the coarse diagonal is the sum
/// of the fine "excess" terms (storage, GHB, couplings to fixed heads) plus
/// the coarse conductances. Heterogeneity therefore enters the coarse grids
/// exactly as it is, whatever the contrast between neighbouring zones.
///
/// Smoother: red-black Gauss-Seidel over the vertical columns of cells, each
/// column solved together (tridiagonal line solve), so weak or strong
/// vertical coupling (aquitards, thin layers) does not hurt; one sweep
/// before and one after the coarse correction, in reverse colour order so
/// that one cycle is a symmetric operator.
///
/// Cycle: a K-cycle (Notay & Vassilevski 2008): on every coarse level the
/// correction is found by one or two steps of flexible CG preconditioned by
/// the next cycle, which keeps the iteration count independent of the grid
/// size despite the simple aggregation. The coarsest level (a few thousand
/// cells) is solved with a banded Cholesky factorisation.
///
/// Fixed-head and inactive cells (identity rows, no couplings) take no part
/// in aggregation; the smoother solves them exactly.
///
/// The hierarchy is stored in float: 4 floats per cell on the finest level
/// plus 2 vectors; the outer Krylov solver stays in double. Nonsymmetric
/// systems (Newton) get the hierarchy of their symmetric part.
#include <cstddef>
#include <memory>
#include <vector>

#include "solver/krylov.hpp"

namespace gwsim {

struct MultigridSettings {
  /// Stop coarsening at or below this many cells; that level is factorised.
  Index coarsest_cells = 1500;
  /// K-cycle: take a second flexible-CG step on a coarse level when the first
  /// reduced the residual norm by less than this factor.
  double kcycle_threshold = 0.25;
  /// Red-black sweeps before and after the coarse correction.
  int sweeps = 1;
  /// false: plain V-cycle (for comparison; less robust).
  bool kcycle = true;
  /// Levels whose arrays read by a smoothing sweep (coefficients, b, x)
  /// take at least this many bytes restrict their residual during the last
  /// pre-smoothing sweep instead of in a pass of its own; the same values
  /// bit for bit. 24 MiB: above that the fused pass was faster on the
  /// machine of bench/HISTORY.md (32 MiB L3), below it the separate pass
  /// finds the level in the cache (multigrid.cpp).
  std::size_t fuse_restriction_bytes = std::size_t{24} << 20;
};

class MultigridPreconditioner final : public Preconditioner {
public:
  explicit MultigridPreconditioner(MultigridSettings settings = {});
  ~MultigridPreconditioner() override;
  MultigridPreconditioner(const MultigridPreconditioner&) = delete;
  MultigridPreconditioner& operator=(const MultigridPreconditioner&) = delete;

  void setup(const StencilSystem& A) override;
  void apply(std::span<const double> r, std::span<double> z) const override;
  const float* apply_float(std::span<const double> r) const override;
  bool offers_float() const override { return true; }
  float* float_input() override;
  const float* apply_float_input() const override;
  void release() override;

  /// Number of levels, finest first (1: the system is factorised directly).
  int levels() const;
  /// Cells on level k.
  Index level_cells(int k) const;
  /// Bytes held by the hierarchy (coefficients, work vectors, factor).
  std::size_t memory_bytes() const;

private:
  struct Impl;
  MultigridSettings settings_;
  std::unique_ptr<Impl> impl_;
};

} // namespace gwsim

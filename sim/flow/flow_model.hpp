#pragma once
/// Internal flow between cells and storage, in the Newton-Raphson form of
/// MODFLOW 6 (which reduces to the usual linear system for confined layers).
///
/// For heads h, each free cell n has the flow imbalance (m3/d)
///   F_n(h) = sum_m q_nm(h) + (V_n(h_old) - V_n(h)) A_n / dt + Q_n(h),
/// with q_nm the flow from neighbour m into n, V the stored water per unit
/// area and Q the stress packages. A time step solves F(h) = 0 by Newton:
///   J dh = F(h), J = -dF/dh, h <- h + dh.
/// Horizontal flow between convertible cells uses the saturated fraction of
/// the upstream cell (upstream weighting), so cells dry and rewet smoothly.
/// Confined-only models give a symmetric J (stored symmetric, solved by
/// PCG) and converge in one Newton step.
#include <array>
#include <span>
#include <utility>
#include <vector>

#include "flow/aquifer.hpp"
#include "flow/budget.hpp"
#include "flow/water_table.hpp"
#include "grid/grid.hpp"
#include "solver/stencil.hpp"

namespace gwsim {

/// Role of each cell in a solve.
enum class CellRole : char {
  free = 0,     ///< head is solved for
  fixed = 1,    ///< constant head (CHD)
  inactive = 2  ///< no flow, not part of the solve
};

class FlowModel {
public:
  FlowModel(const Grid& grid, const AquiferProperties& aquifer);

  /// True if any active cell is convertible (water-table physics).
  bool nonlinear() const { return nonlinear_; }
  bool convertible(Index n) const { return nonlinear_ && convertible_[static_cast<std::size_t>(n)] != 0; }

  /// Fill A with J and A.rhs with F for the internal flow and storage terms
  /// at heads h. dt in d; steady means no storage. Stress packages add their
  /// terms afterwards; fix_rows() comes last.
  void assemble(StencilSystem& A, std::span<const double> h, std::span<const double> h_old,
                double dt, bool steady, std::span<const CellRole> role) const;

  /// assemble() for models without convertible cells (linear flow terms).
  void assemble_confined(StencilSystem& A, std::span<const double> h, std::span<const double> h_old,
                         double dt, bool steady, std::span<const CellRole> role) const;

  /// The cells whose role is not free, ascending.
  struct NotFree {
    std::vector<Index> fixed;    ///< constant heads
    std::vector<Index> inactive; ///< no flow
  };
  static NotFree not_free(std::span<const CellRole> role);
  /// The same into `list`, whose vectors keep their memory (every stress
  /// period: growing fresh lists by push_back was 1.4% of a Hengshui run).
  static void not_free(std::span<const CellRole> role, NotFree& list);

  /// Make fixed and inactive rows identities with zero right-hand side
  /// (their head change is zero) and cut every coupling to them. Inactive
  /// cells have no coupling in any system the assembly writes (their
  /// conductances are zero and their rows are never assembled), so only
  /// their diagonal and right-hand side are set, which others may use as
  /// scratch (the zone budget).
  void fix_rows(StencilSystem& A, const NotFree& cells) const;

  /// Confined models: lend the conductance arrays to A as its couplings
  /// for one solve, moved rather than copied (a copy adds 16 B per cell in
  /// one layer, 24 in several, to the solver's peak memory). assemble() and
  /// fix_rows() then work on them in place; the couplings to the constant
  /// heads of `cells` that fix_rows() cuts are kept here. Until
  /// take_back_conductances() only A has the conductances: no other member
  /// may be used.
  void lend_conductances(StencilSystem& A, const NotFree& cells);
  /// Move the conductances back from A (whose couplings are left empty),
  /// the cut couplings restored.
  void take_back_conductances(StencilSystem& A);
  bool lent() const { return lent_; }

  /// Constant-head term: flow from the fixed cells (`fixed`: every cell
  /// whose role is fixed, as not_free() lists them) into free neighbours.
  void fixed_head_budget(BudgetTerm& term, std::span<const double> h, std::span<const CellRole> role,
                         std::span<const Index> fixed) const;

  /// Storage flow of free cell n of plan area `area` (m2) between top and
  /// bot (m), m3/d (> 0 released from storage).
  double storage_flow(Index n, double area, double top, double bot, double h, double h_old, double dt) const {
    return area * (stored(n, top, bot, h_old).v - stored(n, top, bot, h).v) / dt;
  }

  /// f(n, m, q) for every face between two active cells of which at least
  /// one is free and n in [begin, end), with q the flow into n from m
  /// (m3/d), m the east, south or lower neighbour of n. Serial over the
  /// range (zone budgets call it per block).
  template <class F>
  void for_each_face(std::span<const double> h, std::span<const CellRole> role, Index begin, Index end,
                     F f) const {
    for_each_face_slot(role, begin, end, [&](Index n, Index m, int dir) {
      f(n, m, flow_into(Face{n, dir}, h));
    });
  }

  /// Storage flows of the cells of grid row lr (= layer * nrow + row) into
  /// q[0, ncol), m3/d (> 0 released from storage), 0 for cells that are not
  /// free; each the value of storage_flow(). Storage term of the water
  /// budget: A (V(h_old) - V(h)) / dt summed over free cells, "in" when water
  /// is released (falling heads), as in MODFLOW (summed by the zone budget's
  /// pass, which visits every cell's storage flow anyway).
  void storage_flows(Index lr, std::span<const double> h, std::span<const double> h_old, double dt,
                     std::span<const CellRole> role, double* q) const;

  /// A face between cell n and its east (dir 0), south (1) or lower (2)
  /// neighbour.
  struct Face {
    Index n;
    int dir;
  };
  Index neighbour(const Face& f) const {
    return f.n + (f.dir == 0 ? 1 : f.dir == 1 ? grid_.ncol : grid_.ncell_layer());
  }
  /// The faces for_each_face() visits, in its order, for which keep(n, m)
  /// is true.
  template <class Keep> std::vector<Face> faces(std::span<const CellRole> role, Keep keep) const {
    std::vector<Face> out;
    for_each_face_slot(role, 0, grid_.ncell(), [&](Index n, Index m, int dir) {
      if (keep(n, m)) out.push_back({n, dir});
    });
    return out;
  }
  /// Flow into f.n from its neighbour at heads h, m3/d (as for_each_face).
  double flow_into(const Face& f, std::span<const double> h) const {
    const auto k = static_cast<std::size_t>(f.n);
    const double c = f.dir == 0 ? east_[k] : f.dir == 1 ? south_[k] : down_[k];
    return face_flow(c, f.n, neighbour(f), f.dir != 2, h);
  }
  /// flow_into() of the `count` faces {first.n + i, first.dir} into q: a
  /// plain loop that vectorises in models without convertible cells.
  void flows_into(const Face& first, Index count, std::span<const double> h, double* q) const;

  /// Number of active convertible cells whose head is below their bottom.
  Index dry_cells(std::span<const double> h) const;

  const Grid& grid() const { return grid_; }

private:
  /// f(d, k) for the couplings fix_rows() cuts in the symmetric arrays:
  /// coupling k of east (d = 0), south (1) or down (2), for each constant
  /// head's own couplings and its lower-index neighbours' couplings to it.
  template <class F> void for_each_cut_coupling(const NotFree& cells, F f) const {
    const Index ntot = grid_.ncell(), nc = grid_.ncol, nrc = grid_.ncell_layer();
    for (const Index n : cells.fixed) {
      f(0, n);
      f(1, n);
      if (n + nrc < ntot) f(2, n);
      if (n >= 1) f(0, n - 1);
      if (n >= nc) f(1, n - nc);
      if (n >= nrc) f(2, n - nrc);
    }
  }
  /// f(n, m, dir) for the faces of for_each_face().
  template <class F>
  void for_each_face_slot(std::span<const CellRole> role, Index begin, Index end, F f) const {
    const Index ntot = grid_.ncell(), nc = grid_.ncol, nrc = grid_.ncell_layer();
    auto counts = [&](Index a, Index b) {
      return role[static_cast<std::size_t>(a)] == CellRole::free || role[static_cast<std::size_t>(b)] == CellRole::free;
    };
    for (Index n = begin; n < end; ++n) {
      const auto k = static_cast<std::size_t>(n);
      if (role[k] == CellRole::inactive) continue;
      if (east_[k] > 0.0 && counts(n, n + 1)) f(n, n + 1, 0);
      if (south_[k] > 0.0 && counts(n, n + nc)) f(n, n + nc, 1);
      if (n + nrc < ntot && down_[k] > 0.0 && counts(n, n + nrc)) f(n, n + nrc, 2);
    }
  }
  /// Flow into n from its neighbour m through a face of saturated
  /// conductance c, m3/d, and its derivatives with respect to h_n and h_m.
  struct FaceFlow {
    double q, dq_dhn, dq_dhm;
  };
  FaceFlow horizontal_flow(double c, Index n, Index m, std::span<const double> h) const {
    const double dh = h[static_cast<std::size_t>(m)] - h[static_cast<std::size_t>(n)];
    const Index up = dh > 0.0 ? m : n;
    double s = 1.0, ds = 0.0;
    if (convertible(up)) {
      const Saturation sat = cell_saturation(h[static_cast<std::size_t>(up)], grid_.cell_top(up), grid_.cell_bottom(up));
      if (sat.s > minimum_saturation) {
        s = sat.s;
        ds = sat.ds_dh;
      } else {
        s = minimum_saturation;
      }
    }
    FaceFlow f{c * s * dh, -c * s, c * s};
    if (up == n) f.dq_dhn += c * ds * dh;
    else f.dq_dhm += c * ds * dh;
    return f;
  }
  /// Flow into n from m through a face of saturated conductance c, m3/d.
  double face_flow(double c, Index n, Index m, bool horizontal, std::span<const double> h) const {
    return horizontal && nonlinear_ ? horizontal_flow(c, n, m, h).q
                                    : c * (h[static_cast<std::size_t>(m)] - h[static_cast<std::size_t>(n)]);
  }
  /// Stored water of cell n (between top and bot, m) per unit plan area,
  /// m, and its derivative: elastic storage of the full thickness in
  /// confined cells, Sy and Ss in convertible ones (water_table.hpp).
  StoredWater stored(Index n, double top, double bot, double h) const {
    const auto k = static_cast<std::size_t>(n);
    if (!convertible(n)) {
      const double c = aquifer_.ss[k] * (top - bot);
      return {c * h, c};
    }
    return convertible_storage(h, top, bot, aquifer_.sy[k], aquifer_.ss[k]);
  }
  /// Tops of the cells of grid row lr = layer * nrow + row (ncol values):
  /// the model top for the first layer, else the bottoms of the layer above.
  const double* row_top(Index lr) const {
    const Index n0 = lr * grid_.ncol, nrc = grid_.ncell_layer();
    return n0 < nrc ? grid_.top.data() + n0 : grid_.bottom.data() + (n0 - nrc);
  }

  const Grid& grid_;
  const AquiferProperties& aquifer_;
  bool nonlinear_ = false;
  std::vector<char> convertible_; ///< per cell; empty when no cell is convertible
  /// Saturated (full-thickness) conductances between n and n+1, n+ncol and
  /// n+nrow*ncol, m2/d; zero across an edge or to an inactive cell. down_
  /// has no entries for the last layer.
  std::vector<double> east_, south_, down_;
  /// While lent: the couplings fix_rows() cuts, (index, conductance), for
  /// east_, south_ and down_.
  bool lent_ = false;
  std::array<std::vector<std::pair<Index, double>>, 3> cut_;
};

} // namespace gwsim

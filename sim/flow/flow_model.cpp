#include "flow/flow_model.hpp"

#include "core/parallel.hpp"
#include "flow/conductance.hpp"

namespace gwsim {

FlowModel::FlowModel(const Grid& grid, const AquiferProperties& aq) : grid_(grid) {
  const Index n = grid.ncell(), nc = grid.ncol, nr = grid.nrow, nrc = nr * nc;
  east_.assign(static_cast<std::size_t>(n), 0.0);
  south_.assign(static_cast<std::size_t>(n), 0.0);
  down_.assign(static_cast<std::size_t>(n), 0.0);
  storage_.assign(static_cast<std::size_t>(n), 0.0);
  // Confined transmissivity uses the full cell thickness (MODFLOW's
  // confined layer type); convertible layers are handled by the water-table
  // formulation.
  auto trans = [&](Index m) { return aq.k[static_cast<std::size_t>(m)] * grid.thickness(m); };
  parallel_for(n, [&](Index m) {
    const auto u = static_cast<std::size_t>(m);
    if (!grid.is_active(m)) return;
    const Index i = grid.row_of(m), j = grid.col_of(m);
    storage_[u] = confined_storage(aq.ss[u], grid.thickness(m), grid.area(i, j));
    if (j + 1 < nc && grid.is_active(m + 1))
      east_[u] = horizontal_conductance(trans(m), trans(m + 1), grid.delr[static_cast<std::size_t>(j)],
                                        grid.delr[static_cast<std::size_t>(j + 1)],
                                        grid.delc[static_cast<std::size_t>(i)]);
    if (i + 1 < nr && grid.is_active(m + nc))
      south_[u] = horizontal_conductance(trans(m), trans(m + nc), grid.delc[static_cast<std::size_t>(i)],
                                         grid.delc[static_cast<std::size_t>(i + 1)],
                                         grid.delr[static_cast<std::size_t>(j)]);
    if (m + nrc < n && grid.is_active(m + nrc))
      down_[u] = vertical_conductance(grid.area(i, j), grid.thickness(m), aq.k33[u],
                                      grid.thickness(m + nrc), aq.k33[u + static_cast<std::size_t>(nrc)]);
  });
}

void FlowModel::assemble(StencilSystem& A, std::span<const double> h_old, double dt,
                         bool steady) const {
  const Index n = grid_.ncell(), nc = grid_.ncol, nrc = grid_.ncell_layer();
  A.resize(grid_.nlay, grid_.nrow, grid_.ncol);
  A.east = east_;
  A.south = south_;
  A.down = down_;
  const double inv_dt = steady ? 0.0 : 1.0 / dt;
  parallel_for(n, [&](Index m) {
    const auto u = static_cast<std::size_t>(m);
    double d = east_[u] + south_[u] + down_[u];
    if (m >= 1) d += east_[u - 1];
    if (m >= nc) d += south_[u - static_cast<std::size_t>(nc)];
    if (m >= nrc) d += down_[u - static_cast<std::size_t>(nrc)];
    const double s = storage_[u] * inv_dt;
    A.diag[u] = d + s;
    A.rhs[u] = s * h_old[u];
  });
}

void FlowModel::fix_heads(StencilSystem& A, std::span<const CellRole> role,
                          std::span<const double> h) const {
  const Index n = grid_.ncell(), nc = grid_.ncol, nrc = grid_.ncell_layer();
  auto is_free = [&](Index m) { return role[static_cast<std::size_t>(m)] == CellRole::free; };
  // Each free row gathers the known flow from its fixed neighbours; rows
  // are independent, so this is a plain parallel loop.
  parallel_for(n, [&](Index m) {
    const auto u = static_cast<std::size_t>(m);
    if (!is_free(m)) return;
    double q = 0.0;
    if (m + 1 < n && !is_free(m + 1)) q += A.east[u] * h[u + 1];
    if (m >= 1 && !is_free(m - 1)) q += A.east[u - 1] * h[u - 1];
    if (m + nc < n && !is_free(m + nc)) q += A.south[u] * h[u + static_cast<std::size_t>(nc)];
    if (m >= nc && !is_free(m - nc)) q += A.south[u - static_cast<std::size_t>(nc)] * h[u - static_cast<std::size_t>(nc)];
    if (m + nrc < n && !is_free(m + nrc)) q += A.down[u] * h[u + static_cast<std::size_t>(nrc)];
    if (m >= nrc && !is_free(m - nrc)) q += A.down[u - static_cast<std::size_t>(nrc)] * h[u - static_cast<std::size_t>(nrc)];
    A.rhs[u] += q;
  });
  // Then cut every coupling that touches a fixed cell, and make fixed rows
  // identities.
  parallel_for(n, [&](Index m) {
    const auto u = static_cast<std::size_t>(m);
    const bool f = is_free(m);
    if (!f || (m + 1 < n && !is_free(m + 1))) A.east[u] = 0.0;
    if (!f || (m + nc < n && !is_free(m + nc))) A.south[u] = 0.0;
    if (!f || (m + nrc < n && !is_free(m + nrc))) A.down[u] = 0.0;
    if (!f) {
      A.diag[u] = 1.0;
      A.rhs[u] = h[u];
    }
  });
}

void FlowModel::storage_budget(BudgetTerm& term, std::span<const double> h,
                               std::span<const double> h_old, double dt, bool steady,
                               std::span<const CellRole> role) const {
  if (steady) return;
  const Index n = grid_.ncell();
  // Separate deterministic sums of inflow and outflow.
  auto flow = [&](Index m) {
    const auto u = static_cast<std::size_t>(m);
    return role[u] == CellRole::free ? storage_[u] / dt * (h_old[u] - h[u]) : 0.0;
  };
  term.in += parallel_sum(n, [&](Index m) { return std::max(flow(m), 0.0); });
  term.out += parallel_sum(n, [&](Index m) { return std::max(-flow(m), 0.0); });
}

void FlowModel::fixed_head_budget(BudgetTerm& term, std::span<const double> h,
                                  std::span<const CellRole> role) const {
  const Index n = grid_.ncell(), nc = grid_.ncol, nrc = grid_.ncell_layer();
  // Flow from each fixed cell into its free neighbours, m3/d (> 0 into the
  // aquifer). Flow between two fixed cells never enters the solved domain.
  auto flow = [&](Index m) {
    const auto u = static_cast<std::size_t>(m);
    if (role[u] != CellRole::fixed) return 0.0;
    auto free = [&](Index k) { return role[static_cast<std::size_t>(k)] == CellRole::free; };
    double q = 0.0;
    if (m + 1 < n && free(m + 1)) q += east_[u] * (h[u] - h[u + 1]);
    if (m >= 1 && free(m - 1)) q += east_[u - 1] * (h[u] - h[u - 1]);
    if (m + nc < n && free(m + nc)) q += south_[u] * (h[u] - h[u + static_cast<std::size_t>(nc)]);
    if (m >= nc && free(m - nc)) q += south_[u - static_cast<std::size_t>(nc)] * (h[u] - h[u - static_cast<std::size_t>(nc)]);
    if (m + nrc < n && free(m + nrc)) q += down_[u] * (h[u] - h[u + static_cast<std::size_t>(nrc)]);
    if (m >= nrc && free(m - nrc)) q += down_[u - static_cast<std::size_t>(nrc)] * (h[u] - h[u - static_cast<std::size_t>(nrc)]);
    return q;
  };
  term.in += parallel_sum(n, [&](Index m) { return std::max(flow(m), 0.0); });
  term.out += parallel_sum(n, [&](Index m) { return std::max(-flow(m), 0.0); });
}

} // namespace gwsim

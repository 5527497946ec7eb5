#include "flow/flow_model.hpp"

#include <algorithm>
#include <array>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "flow/conductance.hpp"
#include "flow/water_table.hpp"

namespace gwsim {

namespace {
inline std::size_t u(Index n) { return static_cast<std::size_t>(n); }
} // namespace

FlowModel::FlowModel(const Grid& grid, const AquiferProperties& aq) : grid_(grid), aquifer_(aq) {
  const Index n = grid.ncell(), nc = grid.ncol, nr = grid.nrow, nrc = nr * nc;
  east_.assign(u(n), 0.0);
  south_.assign(u(n), 0.0);
  down_.assign(u(n - nrc), 0.0); // no face below the last layer
  convertible_.assign(u(n), 0);
  for (Index m = 0; m < n; ++m)
    if (grid.is_active(m) && aq.layer_type[u(grid.layer_of(m))] == LayerType::convertible) {
      convertible_[u(m)] = 1;
      nonlinear_ = true;
    }
  if (!nonlinear_) std::vector<char>().swap(convertible_); // no cell is: convertible() is false
  // Saturated conductances from the full cell thickness; convertible cells
  // scale them by the upstream saturated fraction at every Newton iteration.
  auto trans = [&](Index m) { return aq.k[u(m)] * grid.thickness(m); };
  parallel_for(n, [&](Index m) {
    if (!grid.is_active(m)) return;
    const Index i = grid.row_of(m), j = grid.col_of(m);
    if (j + 1 < nc && grid.is_active(m + 1))
      east_[u(m)] = horizontal_conductance(trans(m), trans(m + 1), grid.delr[u(j)],
                                           grid.delr[u(j + 1)], grid.delc[u(i)]);
    if (i + 1 < nr && grid.is_active(m + nc))
      south_[u(m)] = horizontal_conductance(trans(m), trans(m + nc), grid.delc[u(i)],
                                            grid.delc[u(i + 1)], grid.delr[u(j)]);
    if (m + nrc < n && grid.is_active(m + nrc))
      down_[u(m)] = aq.leakance.empty()
                        ? vertical_conductance(grid.area(i, j), grid.thickness(m), aq.k33[u(m)],
                                               grid.thickness(m + nrc), aq.k33[u(m + nrc)])
                        : aq.leakance[u(m)] * grid.area(i, j);
  });
}

void FlowModel::assemble(StencilSystem& A, std::span<const double> h, std::span<const double> h_old,
                         double dt, bool steady, std::span<const CellRole> role) const {
  const Index nc = grid_.ncol, nr = grid_.nrow, nrc = grid_.ncell_layer(), ntot = grid_.ncell();
  A.shape(grid_.nlay, grid_.nrow, grid_.ncol); // every entry is written below or by fix_rows()
  GWSIM_ASSERT(!lent_ || !nonlinear_);
  if (!nonlinear_) {
    assemble_confined(A, h, h_old, dt, steady, role);
    return;
  }
  // Convertible cells: upstream-weighted horizontal faces make J
  // nonsymmetric. One grid row per task: layer, row and plan area come from
  // the loop indices instead of divisions per cell.
  A.make_nonsymmetric();
  parallel_for(grid_.nlay * nr, [&](Index lr) {
    const Index i = lr % nr;
    const double delc = grid_.delc[u(i)];
    const double delc_per_dt = steady ? 0.0 : delc / dt; // no division per cell (as assemble_confined)
    const double* top = row_top(lr);
    const double* bot = grid_.bottom.data() + lr * nc;
    for (Index n = lr * nc, j = 0; j < nc; ++n, ++j) {
      if (role[u(n)] != CellRole::free) continue;
      double F = 0.0, diag = 0.0;
      // One face: flow into n from m through saturated conductance c; the
      // coefficient of h_m in row n is stored positive (the stencil's sign
      // convention), in `coef`.
      auto face = [&](double c, Index m, bool horizontal, double& coef) {
        if (c == 0.0) {
          coef = 0.0;
          return;
        }
        if (horizontal) {
          const FaceFlow f = horizontal_flow(c, n, m, h);
          F += f.q;
          diag -= f.dq_dhn;
          coef = f.dq_dhm;
        } else {
          F += c * (h[u(m)] - h[u(n)]);
          diag += c;
          coef = c;
        }
      };
      face(east_[u(n)], n + 1, true, A.east[u(n)]);
      face(south_[u(n)], n + nc, true, A.south[u(n)]);
      if (n + nrc < ntot) face(down_[u(n)], n + nrc, false, A.down[u(n)]);
      if (n >= 1) face(east_[u(n - 1)], n - 1, true, A.west[u(n)]);
      if (n >= nc) face(south_[u(n - nc)], n - nc, true, A.north[u(n)]);
      if (n >= nrc) face(down_[u(n - nrc)], n - nrc, false, A.up[u(n)]);
      if (!steady) {
        const double area_per_dt = grid_.delr[u(j)] * delc_per_dt; // m2/d
        const StoredWater now = stored(n, top[j], bot[j], h[u(n)]);
        F += area_per_dt * (stored(n, top[j], bot[j], h_old[u(n)]).v - now.v);
        diag += area_per_dt * now.dv_dh;
      }
      A.diag[u(n)] = diag;
      A.rhs[u(n)] = F;
    }
  }, nc);
}

void FlowModel::assemble_confined(StencilSystem& A, std::span<const double> h,
                                  std::span<const double> h_old, double dt, bool steady,
                                  std::span<const CellRole> role) const {
  // The same terms as the general loop with the saturation factors at 1:
  // plain loads and stores, so the loop runs near memory speed.
  const Index nc = grid_.ncol, nr = grid_.nrow, nrc = grid_.ncell_layer();
  const Index upper_rows = (grid_.nlay - 1) * nr; // grid rows with a layer below
  // Lent conductances (lend_conductances()) are A's couplings already.
  const bool copy = !lent_;
  const double *E = copy ? east_.data() : A.east.data(), *S = copy ? south_.data() : A.south.data(),
               *D = copy ? down_.data() : A.down.data();
  const double *H = h.data(), *HO = h_old.data(), *ss = aquifer_.ss.data();
  const CellRole* R = role.data();
  double *ae = A.east.data(), *as = A.south.data(), *ad = A.down.data();
  double *diag = A.diag.data(), *rhs = A.rhs.data();
  parallel_for(grid_.nlay * nr, [&](Index lr) {
    const double delc = grid_.delc[u(lr % nr)];
    // Storage conductance area Ss b / dt without a division per cell (a
    // scalar division was a third of this loop's time).
    const double delc_per_dt = steady ? 0.0 : delc / dt;
    // Elevations enter the storage term only (a steady run may have freed
    // them: Simulation::free_inputs).
    const double* top = steady ? nullptr : row_top(lr);
    const double* bot = steady ? nullptr : grid_.bottom.data() + lr * nc;
    const bool below = lr < upper_rows;
    for (Index n = lr * nc, j = 0; j < nc; ++n, ++j) {
      if (R[n] != CellRole::free) continue;
      const double hn = H[n];
      double F = 0.0, d = 0.0;
      const double ce = E[n], cs = S[n], cd = below ? D[n] : 0.0;
      if (ce != 0.0) { F += ce * (H[n + 1] - hn); d += ce; }
      if (cs != 0.0) { F += cs * (H[n + nc] - hn); d += cs; }
      if (cd != 0.0) { F += cd * (H[n + nrc] - hn); d += cd; }
      if (copy) {
        ae[n] = ce;
        as[n] = cs;
        if (below) ad[n] = cd;
      }
      if (n >= 1 && E[n - 1] != 0.0) { F += E[n - 1] * (H[n - 1] - hn); d += E[n - 1]; }
      if (n >= nc && S[n - nc] != 0.0) { F += S[n - nc] * (H[n - nc] - hn); d += S[n - nc]; }
      if (n >= nrc && D[n - nrc] != 0.0) { F += D[n - nrc] * (H[n - nrc] - hn); d += D[n - nrc]; }
      if (!steady) {
        const double sc = grid_.delr[u(j)] * delc_per_dt * (ss[n] * (top[j] - bot[j])); // m2/d
        F += sc * (HO[n] - hn);
        d += sc;
      }
      diag[n] = d;
      rhs[n] = F;
    }
  }, nc);
}

void FlowModel::fix_rows(StencilSystem& A, const NotFree& cells) const {
  // Only the rows of non-free cells and the couplings of their neighbours
  // change: a pass over the (precomputed) non-free cells instead of all.
  const Index ntot = grid_.ncell(), nc = grid_.ncol, nrc = grid_.ncell_layer();
  const bool sym = A.symmetric();
  const Index* inactive = cells.inactive.data();
  double *diag = A.diag.data(), *rhs = A.rhs.data();
  parallel_for_blocks(static_cast<Index>(cells.inactive.size()), [&](Index b, Index e) {
    for (Index i = b; i < e; ++i) {
      diag[inactive[i]] = 1.0;
      rhs[inactive[i]] = 0.0;
    }
  });
  // Constant heads: their neighbours' couplings to them too (few cells,
  // neighbouring ones share couplings: one thread).
  std::array<double*, 3> coupling{A.east.data(), A.south.data(), A.down.data()};
  for_each_cut_coupling(cells, [&](int d, Index k) { coupling[u(d)][k] = 0.0; });
  for (const Index n : cells.fixed) {
    const auto k = u(n);
    A.diag[k] = 1.0;
    A.rhs[k] = 0.0;
    if (!sym) {
      A.west[k] = A.north[k] = A.up[k] = 0.0;
      if (n + 1 < ntot) A.west[k + 1] = 0.0;
      if (n + nc < ntot) A.north[k + u(nc)] = 0.0;
      if (n + nrc < ntot) A.up[k + u(nrc)] = 0.0;
    }
  }
}

void FlowModel::lend_conductances(StencilSystem& A, const NotFree& cells) {
  GWSIM_ASSERT(!nonlinear_ && !lent_);
  const Index ntot = grid_.ncell();
  // The couplings fix_rows() will cut, with their conductances.
  for (auto& c : cut_) c.clear();
  const std::array<const std::vector<double>*, 3> own{&east_, &south_, &down_};
  for_each_cut_coupling(cells, [&](int d, Index k) {
    const double c = (*own[u(d)])[u(k)];
    if (c != 0.0) cut_[u(d)].emplace_back(k, c);
  });
  // A's diagonal and right-hand side sized first, so that assemble()'s
  // shape() finds a complete system and keeps the lent arrays.
  const auto size = u(ntot);
  if (A.nlay != grid_.nlay || A.nrow != grid_.nrow || A.ncol != grid_.ncol || A.diag.size() != size ||
      A.rhs.size() != size) {
    A.nlay = grid_.nlay;
    A.nrow = grid_.nrow;
    A.ncol = grid_.ncol;
    A.diag.assign(size, 0.0);
    A.rhs.assign(size, 0.0);
  }
  for (auto* v : {&A.west, &A.north, &A.up}) std::vector<double>().swap(*v);
  std::vector<double>().swap(A.east);
  std::vector<double>().swap(A.south);
  std::vector<double>().swap(A.down);
  A.east.swap(east_);
  A.south.swap(south_);
  A.down.swap(down_);
  lent_ = true;
}

void FlowModel::take_back_conductances(StencilSystem& A) {
  GWSIM_ASSERT(lent_);
  east_.swap(A.east);
  south_.swap(A.south);
  down_.swap(A.down); // A keeps the empty vectors lend_conductances() left here
  for (int d = 0; d < 3; ++d) {
    auto& a = d == 0 ? east_ : d == 1 ? south_ : down_;
    for (const auto& [k, c] : cut_[u(d)]) a[u(k)] = c;
  }
  lent_ = false;
}

FlowModel::NotFree FlowModel::not_free(std::span<const CellRole> role) {
  NotFree list;
  not_free(role, list);
  return list;
}

void FlowModel::not_free(std::span<const CellRole> role, NotFree& list) {
  list.fixed.clear();
  list.inactive.clear();
  for (std::size_t n = 0; n < role.size(); ++n) {
    if (role[n] == CellRole::fixed) list.fixed.push_back(static_cast<Index>(n));
    if (role[n] == CellRole::inactive) list.inactive.push_back(static_cast<Index>(n));
  }
}

void FlowModel::storage_flows(Index lr, std::span<const double> h, std::span<const double> h_old, double dt,
                              std::span<const CellRole> role, double* q) const {
  const Index nc = grid_.ncol, n0 = lr * nc;
  const double delc = grid_.delc[u(lr % grid_.nrow)];
  const double* top = row_top(lr);
  const double* bot = grid_.bottom.data() + n0;
  const double* dr = grid_.delr.data();
  const double *H = h.data() + n0, *HO = h_old.data() + n0, *ss = aquifer_.ss.data() + n0;
  const CellRole* R = role.data() + n0;
  if (convertible_.empty()) {
    // storage_flow() of a confined cell, term by term (the same values),
    // without its branch: the loop vectorises.
    for (Index j = 0; j < nc; ++j) {
      const double c = ss[j] * (top[j] - bot[j]);
      const double v = dr[j] * delc * (c * HO[j] - c * H[j]) / dt;
      q[j] = R[j] == CellRole::free ? v : 0.0;
    }
    return;
  }
  for (Index j = 0; j < nc; ++j)
    q[j] = R[j] == CellRole::free ? storage_flow(n0 + j, dr[j] * delc, top[j], bot[j], H[j], HO[j], dt) : 0.0;
}

void FlowModel::fixed_head_budget(BudgetTerm& term, std::span<const double> h, std::span<const CellRole> role,
                                  std::span<const Index> fixed) const {
  const Index ntot = grid_.ncell(), nc = grid_.ncol, nrc = grid_.ncell_layer();
  // Flow from each fixed cell into its free neighbours, m3/d (> 0 into the
  // aquifer), with the same face flows as the free cells' equations. Flow
  // between two fixed cells never enters the solved domain.
  auto flow = [&](Index n) {
    if (role[u(n)] != CellRole::fixed) return 0.0;
    auto free = [&](Index m) { return role[u(m)] == CellRole::free; };
    double q = 0.0;
    auto face = [&](double c, Index m, bool horizontal) {
      if (c == 0.0 || !free(m)) return;
      // Flow out of n into m is minus the flow into n from m.
      q -= (horizontal && nonlinear_) ? horizontal_flow(c, n, m, h).q : c * (h[u(m)] - h[u(n)]);
    };
    face(east_[u(n)], n + 1, true);
    face(south_[u(n)], n + nc, true);
    if (n + nrc < ntot) face(down_[u(n)], n + nrc, false);
    if (n >= 1) face(east_[u(n - 1)], n - 1, true);
    if (n >= nc) face(south_[u(n - nc)], n - nc, true);
    if (n >= nrc) face(down_[u(n - nrc)], n - nrc, false);
    return q;
  };
  // Over the fixed cells only (a few edges of a 270 000-cell model, not a
  // pass over every cell's role).
  const auto [in, out] = parallel_sum_in_out(static_cast<Index>(fixed.size()),
                                             [&](Index i) { return flow(fixed[u(i)]); });
  term.in += in;
  term.out += out;
}

void FlowModel::flows_into(const Face& first, Index count, std::span<const double> h, double* q) const {
  const Index n0 = first.n, m0 = neighbour(first);
  const double* c = (first.dir == 0 ? east_ : first.dir == 1 ? south_ : down_).data() + n0;
  if (nonlinear_ && first.dir != 2) {
    for (Index i = 0; i < count; ++i) q[i] = face_flow(c[i], n0 + i, m0 + i, true, h);
    return;
  }
  const double *hn = h.data() + n0, *hm = h.data() + m0;
  for (Index i = 0; i < count; ++i) q[i] = c[i] * (hm[i] - hn[i]);
}

Index FlowModel::dry_cells(std::span<const double> h) const {
  if (!nonlinear_) return 0;
  const double count = parallel_sum(grid_.ncell(), [&](Index n) {
    return convertible(n) && h[u(n)] <= grid_.cell_bottom(n) ? 1.0 : 0.0;
  });
  return static_cast<Index>(count);
}

} // namespace gwsim

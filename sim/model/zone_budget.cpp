#include "model/zone_budget.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/parallel.hpp"

namespace gwsim {

namespace {
inline std::size_t u(Index n) { return static_cast<std::size_t>(n); }
} // namespace

ZoneBudget::ZoneBudget(const ModelData& model, const FlowModel& flow)
    : grid_(model.grid), flow_(flow) {
  const Grid& g = grid_;
  // Models built without the scenario reader may have no zones or aquifers:
  // then one zone covers the model and each layer is an aquifer, as the
  // reader's defaults.
  const bool zoned = !model.zones.ids.empty() && model.zones.id.size() == static_cast<std::size_t>(g.ncell_layer());
  zone_names_ = zoned ? model.zones.names : std::vector<std::string>{"model"};
  std::vector<int> aquifer_of_layer(static_cast<std::size_t>(g.nlay), -1);
  if (model.aquifers.empty()) {
    for (Index k = 0; k < g.nlay; ++k) {
      aquifer_of_layer[u(k)] = static_cast<int>(k);
      aquifer_names_.push_back("layer_" + std::to_string(k + 1));
    }
  } else {
    for (std::size_t a = 0; a < model.aquifers.size(); ++a) {
      aquifer_names_.push_back(model.aquifers[a].name);
      for (Index k : model.aquifers[a].layers) aquifer_of_layer[u(k)] = static_cast<int>(a);
    }
  }
  nzone_ = zone_names_.size();
  naquifer_ = aquifer_names_.size();
  GWSIM_ASSERT(nzone_ * naquifer_ <= max_budget_units); // the scenario reader checks it
  unit_.assign(u(g.ncell()), -1);
  for (Index n = 0; n < g.ncell(); ++n) {
    if (!g.is_active(n)) continue;
    int zone = 0;
    if (zoned) {
      const int id = model.zones.id[u(n % g.ncell_layer())];
      // ids ascending (the reader sorts them)
      const auto it = std::lower_bound(model.zones.ids.begin(), model.zones.ids.end(), id);
      if (it == model.zones.ids.end() || *it != id) continue;
      zone = static_cast<int>(it - model.zones.ids.begin());
    }
    const int a = aquifer_of_layer[u(g.layer_of(n))];
    if (a >= 0) unit_[u(n)] = static_cast<std::int16_t>(zone * static_cast<int>(naquifer_) + a);
  }
}

ZoneBudgetStep ZoneBudget::compute(std::span<const double> h, std::span<const double> h_old, double dt,
                                   bool steady, std::span<const CellRole> role,
                                   const std::vector<std::unique_ptr<Package>>& packages,
                                   StencilSystem& scratch) const {
  ZoneBudgetStep zb;
  zb.nzone = nzone_;
  zb.naquifer = naquifer_;
  zb.zone_names = zone_names_;
  zb.aquifer_names = aquifer_names_;
  zb.terms = {"storage", "chd"};
  for (const auto& p : packages) zb.terms.push_back(p->name());
  zb.terms.push_back("other_units");
  const std::size_t nunit = nzone_ * naquifer_;
  zb.in.assign(zb.terms.size() * nunit, 0.0);
  zb.out.assign(zb.terms.size() * nunit, 0.0);
  const Index ncell = grid_.ncell();
  // One pass over items [0, count) (cells or faces) for the terms in
  // `slots` (term indices); body(b, e, add) calls add(slot, unit, q) for
  // items in [b, e). Items are summed in fixed blocks (at most 256, never
  // sized by the thread count), each block into its own in/out rows, and
  // the blocks are added in order: deterministic, and the same for any
  // number of threads.
  // `per_item`: cells per counted item (ncol when the items are grid rows).
  auto pass = [&](Index count, Index per_item, const std::vector<std::size_t>& slots, auto&& body) {
    const Index block = std::max<Index>(std::max<Index>(1, reduction_block / per_item), (count + 255) / 256);
    const Index nblock = (count + block - 1) / block;
    const std::size_t width = 2 * slots.size() * nunit;
    std::vector<double> part(static_cast<std::size_t>(nblock) * width, 0.0);
    parallel_for(nblock, [&](Index b) {
      double* acc = part.data() + static_cast<std::size_t>(b) * width;
      auto add = [&](std::size_t slot, int unit, double q) {
        if (unit < 0) return;
        const std::size_t k = 2 * (slot * nunit + static_cast<std::size_t>(unit));
        if (q > 0.0) acc[k] += q;
        else acc[k + 1] -= q;
      };
      body(b * block, std::min(count, (b + 1) * block), add);
    }, block * per_item);
    for (Index b = 0; b < nblock; ++b) {
      const double* acc = part.data() + static_cast<std::size_t>(b) * width;
      for (std::size_t sl = 0; sl < slots.size(); ++sl)
        for (std::size_t un = 0; un < nunit; ++un) {
          const std::size_t k = slots[sl] * nunit + un;
          zb.in[k] += acc[2 * (sl * nunit + un)];
          zb.out[k] += acc[2 * (sl * nunit + un) + 1];
        }
    }
  };
  auto free = [&](Index n) { return role[u(n)] == CellRole::free; };
  // Storage of every free cell, by blocks of grid rows.
  if (!steady)
    pass(grid_.nlay * grid_.nrow, grid_.ncol, {0}, [&](Index b, Index e, auto& add) {
      flow_.for_each_storage_flow(h, h_old, dt, role, b, e, [&](Index n, double q) { add(0, unit(n), q); });
    });
  // Faces: from a constant head into a free cell is "chd"; between free
  // cells of different units "other_units"; faces inside a unit add
  // nothing, so only the others are visited (listed again when the roles
  // change, at most once per stress period).
  if (faces_role_.size() != role.size() || !std::equal(role.begin(), role.end(), faces_role_.begin())) {
    faces_role_.assign(role.begin(), role.end());
    faces_ = flow_.faces(role, [&](Index n, Index m) { return !(free(n) && free(m)) || unit(n) != unit(m); });
  }
  const std::size_t other = zb.terms.size() - 1;
  pass(static_cast<Index>(faces_.size()), 1, {1, other}, [&](Index b, Index e, auto& add) {
    for (Index i = b; i < e; ++i) {
      const FlowModel::Face& f = faces_[u(i)];
      const Index n = f.n, m = flow_.neighbour(f);
      const double q_into_n = flow_.flow_into(f, h);
      if (free(n) && free(m)) {
        add(1, unit(n), q_into_n);
        add(1, unit(m), -q_into_n);
      } else if (free(n)) {
        add(0, unit(n), q_into_n);
      } else {
        add(0, unit(m), -q_into_n);
      }
    }
  });
  // Each package's flow into every cell: what its add_to() puts in an
  // otherwise empty right-hand side (packages write only diag and rhs).
  // `scratch` is cleared where the package writes, then read: the whole of
  // it for packages that may touch any cell, the listed cells otherwise.
  GWSIM_ASSERT(scratch.diag.size() == u(ncell) && scratch.rhs.size() == u(ncell));
  double* d = scratch.diag.data();
  double* r = scratch.rhs.data();
  for (std::size_t p = 0; p < packages.size(); ++p) {
    cells_.clear();
    if (packages[p]->cells(cells_)) {
      // A short list: summed serially in cell order.
      std::sort(cells_.begin(), cells_.end());
      cells_.erase(std::unique(cells_.begin(), cells_.end()), cells_.end());
      for (Index n : cells_) r[n] = d[n] = 0.0;
      packages[p]->add_to(scratch, h, role);
      const std::size_t t = 2 + p;
      for (Index n : cells_) {
        const double q = r[n];
        const int un = unit(n);
        if (!free(n) || q == 0.0 || un < 0) continue;
        if (q > 0.0) zb.in[t * nunit + static_cast<std::size_t>(un)] += q;
        else zb.out[t * nunit + static_cast<std::size_t>(un)] -= q;
      }
    } else {
      // Only the right-hand side is read back: the diagonal the package adds
      // to may keep whatever (finite) values the solved system left there.
      parallel_for_blocks(ncell, [&](Index b, Index e) { std::fill(r + b, r + e, 0.0); });
      packages[p]->add_to(scratch, h, role);
      pass(ncell, 1, {2 + p}, [&](Index b, Index e, auto& add) {
        for (Index n = b; n < e; ++n)
          if (free(n) && r[n] != 0.0) add(0, unit(n), r[n]);
      });
    }
  }
  scratch.rank_one.clear(); // added by ponds; not part of any flow
  return zb;
}

} // namespace gwsim

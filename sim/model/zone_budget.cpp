#include "model/zone_budget.hpp"

#include <algorithm>

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
  unit_.assign(u(g.ncell()), -1);
  for (Index n = 0; n < g.ncell(); ++n) {
    if (!g.is_active(n)) continue;
    int zone = 0;
    if (zoned) {
      const int id = model.zones.id[u(n % g.ncell_layer())];
      const auto it = std::find(model.zones.ids.begin(), model.zones.ids.end(), id);
      if (it == model.zones.ids.end()) continue;
      zone = static_cast<int>(it - model.zones.ids.begin());
    }
    const int a = aquifer_of_layer[u(g.layer_of(n))];
    if (a >= 0) unit_[u(n)] = zone * static_cast<int>(naquifer_) + a;
  }
}

ZoneBudgetStep ZoneBudget::compute(std::span<const double> h, std::span<const double> h_old, double dt,
                                   bool steady, std::span<const CellRole> role,
                                   const std::vector<std::unique_ptr<Package>>& packages) const {
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
  // Cells are summed in fixed blocks (at most 256, never sized by the thread
  // count), each block into its own in/out rows, and the blocks are added in
  // order: deterministic, and the same for any number of threads.
  const Index block = std::max<Index>(reduction_block, (ncell + 255) / 256);
  const Index nblock = (ncell + block - 1) / block;
  // One pass over the cells for the terms in `slots` (term indices);
  // cell(b, e, add) calls add(slot, unit, q) for cells in [b, e).
  auto pass = [&](const std::vector<std::size_t>& slots, auto&& cell) {
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
      cell(b * block, std::min(ncell, (b + 1) * block), add);
    });
    for (Index b = 0; b < nblock; ++b) {
      const double* acc = part.data() + static_cast<std::size_t>(b) * width;
      for (std::size_t s = 0; s < slots.size(); ++s)
        for (std::size_t un = 0; un < nunit; ++un) {
          const std::size_t k = slots[s] * nunit + un;
          zb.in[k] += acc[2 * (s * nunit + un)];
          zb.out[k] += acc[2 * (s * nunit + un) + 1];
        }
    }
  };
  // Storage, constant heads and flows between units. Faces: from a
  // constant head into a free cell is "chd"; between free cells of
  // different units is "other_units".
  const std::size_t other = zb.terms.size() - 1;
  pass({0, 1, other}, [&](Index b, Index e, auto& add) {
    if (!steady)
      for (Index n = b; n < e; ++n)
        if (role[u(n)] == CellRole::free) add(0, unit(n), flow_.storage_flow(n, h[u(n)], h_old[u(n)], dt));
    flow_.for_each_face(h, role, b, e, [&](Index n, Index m, double q_into_n) {
      const bool fn = role[u(n)] == CellRole::free, fm = role[u(m)] == CellRole::free;
      if (fn && fm) {
        if (unit(n) != unit(m)) {
          add(2, unit(n), q_into_n);
          add(2, unit(m), -q_into_n);
        }
      } else if (fn) {
        add(1, unit(n), q_into_n);
      } else if (fm) {
        add(1, unit(m), -q_into_n);
      }
    });
  });
  // Each package's flow into every cell: what its add_to() puts in an
  // otherwise empty right-hand side (packages write only diag and rhs).
  for (std::size_t p = 0; p < packages.size(); ++p) {
    scratch_.nlay = grid_.nlay;
    scratch_.nrow = grid_.nrow;
    scratch_.ncol = grid_.ncol;
    scratch_.diag.resize(u(ncell));
    scratch_.rhs.resize(u(ncell));
    double* d = scratch_.diag.data();
    double* r = scratch_.rhs.data();
    parallel_for_blocks(ncell, [&](Index b, Index e) {
      std::fill(d + b, d + e, 0.0);
      std::fill(r + b, r + e, 0.0);
    });
    packages[p]->add_to(scratch_, h, role);
    pass({2 + p}, [&](Index b, Index e, auto& add) {
      for (Index n = b; n < e; ++n)
        if (role[u(n)] == CellRole::free && r[n] != 0.0) add(0, unit(n), r[n]);
    });
  }
  return zb;
}

} // namespace gwsim

#include "model/zone_budget.hpp"

#include <algorithm>

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
  auto add = [&](std::size_t term, int unit, double q) {
    if (unit < 0) return;
    const std::size_t k = term * nunit + static_cast<std::size_t>(unit);
    if (q > 0.0) zb.in[k] += q;
    else zb.out[k] -= q;
  };
  const Index ncell = grid_.ncell();
  // Storage, cell by cell.
  std::vector<double> q(u(ncell), 0.0);
  flow_.storage_flows(h, h_old, dt, steady, role, q);
  for (Index n = 0; n < ncell; ++n) add(0, unit(n), q[u(n)]);
  // Faces: from a constant head into a free cell is "chd"; between free
  // cells of different units is "other_units".
  const std::size_t other = zb.terms.size() - 1;
  flow_.for_each_face(h, role, [&](Index n, Index m, double q_into_n) {
    const bool fn = role[u(n)] == CellRole::free, fm = role[u(m)] == CellRole::free;
    if (fn && fm) {
      if (unit(n) != unit(m)) {
        add(other, unit(n), q_into_n);
        add(other, unit(m), -q_into_n);
      }
    } else if (fn) {
      add(1, unit(n), q_into_n);
    } else if (fm) {
      add(1, unit(m), -q_into_n);
    }
  });
  // Each package's flow into every cell: what its add_to() puts in an
  // otherwise empty right-hand side.
  for (std::size_t p = 0; p < packages.size(); ++p) {
    scratch_.resize(grid_.nlay, grid_.nrow, grid_.ncol);
    packages[p]->add_to(scratch_, h, role);
    for (Index n = 0; n < ncell; ++n)
      if (role[u(n)] == CellRole::free) add(2 + p, unit(n), scratch_.rhs[u(n)]);
  }
  return zb;
}

} // namespace gwsim

#include "model/zone_budget.hpp"

#include <algorithm>
#include <array>

#include "core/error.hpp"
#include "core/parallel.hpp"

namespace gwsim {

namespace {
inline std::size_t u(Index n) { return static_cast<std::size_t>(n); }

/// Longest run of faces the zone budget sums at once (8 KB of flows).
constexpr Index max_face_run = 1024;

/// {sum of max(q, 0), sum of max(-q, 0)} over q[0, n): inflow and outflow
/// in 8 partial sums each (vectorised), always added in the same order, so
/// the same for any thread count.
std::array<double, 2> in_out(const double* q, Index n) {
  constexpr Index lanes = 8;
  std::array<double, lanes> a{}, b{};
  Index i = 0;
  for (; i + lanes <= n; i += lanes)
#pragma omp simd
    for (Index j = 0; j < lanes; ++j) {
      const double v = q[i + j]; // values, not std::max's references: GCC vectorises selects of values only
      a[u(j)] += v > 0.0 ? v : 0.0;
      b[u(j)] += v < 0.0 ? -v : 0.0;
    }
  double in = 0.0, out = 0.0;
  for (; i < n; ++i) {
    in += q[i] > 0.0 ? q[i] : 0.0;
    out += q[i] < 0.0 ? -q[i] : 0.0;
  }
  for (std::size_t j = 0; j < a.size(); ++j) {
    in += a[j];
    out += b[j];
  }
  return {in, out};
}
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
  // Runs of one unit along each grid row (one per row when zones are not
  // given: the whole row is one layer's unit).
  const Index nc = g.ncol;
  row_runs_.assign(u(g.nlay * g.nrow + 1), 0);
  for (Index lr = 0; lr < g.nlay * g.nrow; ++lr) {
    for (Index j = 0; j < nc;) {
      const Index n = lr * nc + j;
      Index e = j + 1;
      while (e < nc && unit_[u(lr * nc + e)] == unit_[u(n)]) ++e;
      if (unit(n) >= 0) runs_.push_back({j, e, unit(n)});
      j = e;
    }
    row_runs_[u(lr + 1)] = runs_.size();
  }
}

ZoneBudgetStep ZoneBudget::compute(std::span<const double> h, std::span<const double> h_old, double dt,
                                   bool steady, std::span<const CellRole> role,
                                   const std::vector<std::unique_ptr<Package>>& packages,
                                   StencilSystem& scratch, BudgetTerm& storage) const {
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
  const Index ncell = grid_.ncell(), nc = grid_.ncol, nrows = grid_.nlay * grid_.nrow;
  // One pass over items [0, count) (grid rows or face runs) for the terms in
  // `slots` (term indices); body(b, e, add) calls add(slot, unit, in, out)
  // for items in [b, e), slot a position in `slots`. unit == nunit stands
  // for all free cells (the water budget's term): returned, summed over
  // the slots. Items are summed in fixed blocks (at most 256, never sized by
  // the thread count), each block into its own in/out rows, and the blocks
  // are added in order: deterministic, and the same for any number of
  // threads. `per_item`: cells per item (ncol for grid rows).
  auto pass = [&](Index count, Index per_item, const std::vector<std::size_t>& slots, auto&& body) {
    std::array<double, 2> all{0.0, 0.0};
    const Index block = std::max<Index>(std::max<Index>(1, reduction_block / per_item), (count + 255) / 256);
    const Index nblock = (count + block - 1) / block;
    const std::size_t units = nunit + 1, width = 2 * slots.size() * units;
    std::vector<double> part(static_cast<std::size_t>(nblock) * width, 0.0);
    parallel_for(nblock, [&](Index b) {
      double* acc = part.data() + static_cast<std::size_t>(b) * width;
      auto add = [&](std::size_t slot, int unit, double in, double out) {
        GWSIM_ASSERT(slot < slots.size() && unit >= 0 && static_cast<std::size_t>(unit) < units);
        const std::size_t k = 2 * (slot * units + static_cast<std::size_t>(unit));
        acc[k] += in;
        acc[k + 1] += out;
      };
      body(b * block, std::min(count, (b + 1) * block), add);
    }, block * per_item);
    for (Index b = 0; b < nblock; ++b) {
      const double* acc = part.data() + static_cast<std::size_t>(b) * width;
      for (std::size_t sl = 0; sl < slots.size(); ++sl) {
        for (std::size_t un = 0; un < nunit; ++un) {
          const std::size_t k = slots[sl] * nunit + un;
          zb.in[k] += acc[2 * (sl * units + un)];
          zb.out[k] += acc[2 * (sl * units + un) + 1];
        }
        all[0] += acc[2 * (sl * units + nunit)];
        all[1] += acc[2 * (sl * units + nunit) + 1];
      }
    }
    return all;
  };
  // Sum the row's values q (0 where a cell is not free) over each unit run
  // of grid row lr, and over the whole row when `total`, into `slot`.
  auto add_row = [&](Index lr, const double* q, std::size_t slot, bool total, auto& add) {
    for (std::size_t i = row_runs_[u(lr)]; i < row_runs_[u(lr + 1)]; ++i) {
      const Run& r = runs_[i];
      const auto [in, out] = in_out(q + r.begin, r.end - r.begin);
      add(slot, r.unit, in, out);
    }
    if (total) {
      const auto [in, out] = in_out(q, nc);
      add(slot, static_cast<int>(nunit), in, out);
    }
  };
  // Storage of every free cell, by blocks of grid rows; the model's storage
  // term from the same flows.
  if (!steady) {
    const auto all = pass(nrows, nc, {0}, [&](Index b, Index e, auto& add) {
      std::vector<double> q(u(nc));
      for (Index lr = b; lr < e; ++lr) {
        flow_.storage_flows(lr, h, h_old, dt, role, q.data());
        add_row(lr, q.data(), 0, true, add);
      }
    });
    storage.in += all[0];
    storage.out += all[1];
  }
  // Faces: from a constant head into a free cell is "chd"; between free
  // cells of different units "other_units"; faces inside a unit add
  // nothing, so only the others are visited (listed again when the roles
  // change, at most once per stress period), in runs of consecutive cells.
  auto free = [&](Index n) { return role[u(n)] == CellRole::free; };
  if (faces_role_.size() != role.size() || !std::equal(role.begin(), role.end(), faces_role_.begin())) {
    faces_role_.assign(role.begin(), role.end());
    faces_.clear();
    for (const FlowModel::Face& f : flow_.faces(role, [&](Index n, Index m) {
           return !(free(n) && free(m)) || unit(n) != unit(m);
         })) {
      const Index m = flow_.neighbour(f);
      const FaceRun::Kind kind = free(f.n) && free(m) ? FaceRun::both_free
                                 : free(f.n)                ? FaceRun::n_free
                                                            : FaceRun::m_free;
      // At most max_face_run faces per run: a run is the unit of parallel
      // work, and its flows are summed from a buffer of that length.
      FaceRun* last = faces_.empty() ? nullptr : &faces_.back();
      if (last && last->first.dir == f.dir && last->first.n + last->count == f.n && last->kind == kind &&
          last->un == unit(f.n) && last->um == unit(m) && last->count < max_face_run)
        ++last->count;
      else
        faces_.push_back({f, 1, unit(f.n), unit(m), kind});
    }
  }
  const std::size_t other = zb.terms.size() - 1;
  Index nfaces = 0;
  for (const FaceRun& r : faces_) nfaces += r.count;
  // Blocks of runs sized by their faces (without zones the faces between
  // two layers make runs of max_face_run), so that the pass runs in
  // parallel by its work.
  const Index faces_per_run = std::max<Index>(1, nfaces / std::max<Index>(1, static_cast<Index>(faces_.size())));
  pass(static_cast<Index>(faces_.size()), faces_per_run, {1, other}, [&](Index b, Index e, auto& add) {
    std::vector<double> q(u(max_face_run));
    for (Index i = b; i < e; ++i) {
      const FaceRun& r = faces_[u(i)];
      flow_.flows_into(r.first, r.count, h, q.data());
      const auto [in, out] = in_out(q.data(), r.count); // into the run's cells n
      // A run's cells outside every unit (un or um < 0) add nothing.
      switch (r.kind) {
      case FaceRun::both_free:
        if (r.un >= 0) add(1, r.un, in, out);
        if (r.um >= 0) add(1, r.um, out, in);
        break;
      case FaceRun::n_free:
        if (r.un >= 0) add(0, r.un, in, out);
        break;
      case FaceRun::m_free:
        if (r.um >= 0) add(0, r.um, out, in);
        break;
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
      pass(nrows, nc, {2 + p}, [&](Index b, Index e, auto& add) {
        std::vector<double> q(u(nc));
        for (Index lr = b; lr < e; ++lr) {
          const Index n0 = lr * nc;
          for (Index j = 0; j < nc; ++j) q[u(j)] = free(n0 + j) ? r[n0 + j] : 0.0;
          add_row(lr, q.data(), 0, false, add);
        }
      });
    }
  }
  scratch.rank_one.clear(); // added by ponds; not part of any flow
  return zb;
}

} // namespace gwsim

#include "boundaries/package.hpp"

#include "core/parallel.hpp"
#include "flow/water_table.hpp"

namespace gwsim {

namespace {

bool is_free(std::span<const CellRole> role, Index n) {
  return role[static_cast<std::size_t>(n)] == CellRole::free;
}

/// WEL: specified flow, m3/d (> 0 injection), reduced in drying
/// convertible cells.
class WellPackage final : public Package {
public:
  WellPackage(const std::vector<Well>& w, const FlowModel& flow, double fraction)
      : wells_(w), flow_(flow), fraction_(fraction), rate_(w.size(), 0.0) {}
  std::string name() const override { return "wel"; }
  void start_period(int period) override {
    for (std::size_t i = 0; i < wells_.size(); ++i) {
      const double* q = wells_[i].rate.at(period);
      rate_[i] = q ? *q : 0.0;
    }
  }
  void add_to(StencilSystem& A, std::span<const double> h,
              std::span<const CellRole> role) const override {
    for (std::size_t i = 0; i < wells_.size(); ++i) {
      const Index n = wells_[i].cell;
      if (!is_free(role, n)) continue;
      const Actual a = actual(i, h);
      A.rhs[static_cast<std::size_t>(n)] += a.q;
      A.diag[static_cast<std::size_t>(n)] -= a.dq_dh;
    }
  }
  bool cells(std::vector<Index>& out) const override {
    for (const Well& w : wells_) out.push_back(w.cell);
    return true;
  }
  BudgetTerm budget(std::span<const double> h, std::span<const CellRole> role) const override {
    BudgetTerm t{name()};
    for (std::size_t i = 0; i < wells_.size(); ++i)
      if (is_free(role, wells_[i].cell)) {
        t.add(actual(i, h).q);
        if (rate_[i] < 0.0) t.requested_out -= rate_[i];
      }
    return t;
  }

private:
  struct Actual {
    double q, dq_dh;
  };
  /// Pumping times a smooth 0..1 factor of the head's height above the cell
  /// bottom relative to fraction * thickness.
  Actual actual(std::size_t i, std::span<const double> h) const {
    const Index n = wells_[i].cell;
    const double q = rate_[i];
    if (q >= 0.0 || !flow_.convertible(n)) return {q, 0.0};
    const Grid& g = flow_.grid();
    const double bot = g.cell_bottom(n), span = fraction_ * g.thickness(n);
    const Saturation f = cell_saturation(h[static_cast<std::size_t>(n)], bot + span, bot);
    return {q * f.s, q * f.ds_dh};
  }
  const std::vector<Well>& wells_;
  const FlowModel& flow_;
  double fraction_;
  std::vector<double> rate_;
};

/// GHB: flow into the aquifer C (H - h), m3/d.
class GeneralHeadPackage final : public Package {
public:
  explicit GeneralHeadPackage(const std::vector<GeneralHead>& g) : ghb_(g), head_(g.size()), cond_(g.size()) {}
  std::string name() const override { return "ghb"; }
  void start_period(int period) override {
    for (std::size_t i = 0; i < ghb_.size(); ++i) {
      const double* h = ghb_[i].head.at(period);
      const double* c = ghb_[i].conductance.at(period);
      // Off until both a head and a conductance are in force.
      head_[i] = h ? *h : 0.0;
      cond_[i] = (h && c) ? *c : 0.0;
    }
  }
  void add_to(StencilSystem& A, std::span<const double> h,
              std::span<const CellRole> role) const override {
    for (std::size_t i = 0; i < ghb_.size(); ++i)
      for (Index n : ghb_[i].cells)
        if (is_free(role, n)) {
          A.diag[static_cast<std::size_t>(n)] += cond_[i];
          A.rhs[static_cast<std::size_t>(n)] += cond_[i] * (head_[i] - h[static_cast<std::size_t>(n)]);
        }
  }
  bool cells(std::vector<Index>& out) const override {
    for (const GeneralHead& g : ghb_) out.insert(out.end(), g.cells.begin(), g.cells.end());
    return true;
  }
  BudgetTerm budget(std::span<const double> h, std::span<const CellRole> role) const override {
    BudgetTerm t{name()};
    for (std::size_t i = 0; i < ghb_.size(); ++i)
      for (Index n : ghb_[i].cells)
        if (is_free(role, n)) t.add(cond_[i] * (head_[i] - h[static_cast<std::size_t>(n)]));
    return t;
  }

private:
  const std::vector<GeneralHead>& ghb_;
  std::vector<double> head_, cond_;
};

/// RCH: rate (m/d) times the cell's plan area, applied to the uppermost
/// active cell of each column (MODFLOW's "highest active cell" option).
class RechargePackage final : public Package {
public:
  RechargePackage(const Recharge& r, const Grid& g)
      : rch_(r), grid_(g), target_(g.top_active()) {}
  std::string name() const override { return "rch"; }
  void start_period(int period) override { rate_ = rch_.rate.at(period); }
  void add_to(StencilSystem& A, std::span<const double>,
              std::span<const CellRole> role) const override {
    if (!rate_) return;
    // By grid rows: the plan area from the loop indices, not from a
    // division per column (flow() is for the budget's single columns).
    const Index nc = grid_.ncol;
    const double* rate = rate_->data();
    double* rhs = A.rhs.data();
    parallel_for(grid_.nrow, [&](Index i) {
      for (Index c = i * nc, j = 0; j < nc; ++c, ++j) {
        const Index n = target_.cell(c);
        if (n >= 0 && is_free(role, n)) rhs[n] += rate[c] * grid_.area(i, j);
      }
    }, nc);
  }
  BudgetTerm budget(std::span<const double>, std::span<const CellRole> role) const override {
    BudgetTerm t{name()};
    if (!rate_) return t;
    auto q = [&](Index c) {
      const Index n = target_.cell(c);
      return n >= 0 && is_free(role, n) ? flow(c) : 0.0;
    };
    const auto [in, out] = parallel_sum_in_out(target_.size(), q);
    t.in = in;
    t.out = out;
    return t;
  }

private:
  double flow(Index c) const {
    return (*rate_)[static_cast<std::size_t>(c)] * grid_.area(c / grid_.ncol, c % grid_.ncol);
  }
  const Recharge& rch_;
  const Grid& grid_;
  TopActive target_; ///< uppermost active cell per column, -1 if none
  const std::vector<double>* rate_ = nullptr;
};

/// DRN: outflow C (h - elevation) while h > elevation.
class DrainPackage final : public Package {
public:
  explicit DrainPackage(const std::vector<Drain>& d) : drains_(d), cond_(d.size(), 0.0) {}
  std::string name() const override { return "drn"; }
  bool nonlinear() const override { return true; }
  void start_period(int period) override {
    for (std::size_t i = 0; i < drains_.size(); ++i) {
      const double* c = drains_[i].conductance.at(period);
      cond_[i] = c ? *c : 0.0;
    }
  }
  void add_to(StencilSystem& A, std::span<const double> h,
              std::span<const CellRole> role) const override {
    for (std::size_t i = 0; i < drains_.size(); ++i)
      for (std::size_t c = 0; c < drains_[i].cells.size(); ++c) {
        const auto n = static_cast<std::size_t>(drains_[i].cells[c]);
        if (!is_free(role, drains_[i].cells[c]) || h[n] <= drains_[i].elevation[c]) continue;
        A.rhs[n] += cond_[i] * (drains_[i].elevation[c] - h[n]);
        A.diag[n] += cond_[i];
      }
  }
  bool cells(std::vector<Index>& out) const override {
    for (const Drain& d : drains_) out.insert(out.end(), d.cells.begin(), d.cells.end());
    return true;
  }
  BudgetTerm budget(std::span<const double> h, std::span<const CellRole> role) const override {
    BudgetTerm t{name()};
    for (std::size_t i = 0; i < drains_.size(); ++i)
      for (std::size_t c = 0; c < drains_[i].cells.size(); ++c) {
        const auto n = static_cast<std::size_t>(drains_[i].cells[c]);
        if (is_free(role, drains_[i].cells[c]) && h[n] > drains_[i].elevation[c])
          t.add(cond_[i] * (drains_[i].elevation[c] - h[n]));
      }
    return t;
  }

private:
  const std::vector<Drain>& drains_;
  std::vector<double> cond_;
};

/// EVT: rate * area * f(h) out of the uppermost active cell, f = 1 at or
/// above the surface, 0 at or below surface - extinction depth, linear
/// between.
class EvapotranspirationPackage final : public Package {
public:
  EvapotranspirationPackage(const Evapotranspiration& e, const Grid& g)
      : evt_(e), grid_(g), target_(g.top_active()) {}
  std::string name() const override { return "evt"; }
  bool nonlinear() const override { return true; }
  void start_period(int period) override { rate_ = evt_.rate.at(period); }
  void add_to(StencilSystem& A, std::span<const double> h,
              std::span<const CellRole> role) const override {
    if (!rate_) return;
    parallel_for(target_.size(), [&](Index c) {
      const Index n = target_.cell(c);
      if (n < 0 || !is_free(role, n)) return;
      const Flow f = flow(c, h[static_cast<std::size_t>(n)]);
      A.rhs[static_cast<std::size_t>(n)] += f.q;
      A.diag[static_cast<std::size_t>(n)] -= f.dq_dh;
    });
  }
  BudgetTerm budget(std::span<const double> h, std::span<const CellRole> role) const override {
    BudgetTerm t{name()};
    if (!rate_) return t;
    t.out = parallel_sum(target_.size(), [&](Index c) {
      const Index n = target_.cell(c);
      return n >= 0 && is_free(role, n) ? -flow(c, h[static_cast<std::size_t>(n)]).q : 0.0;
    });
    return t;
  }

private:
  struct Flow {
    double q, dq_dh;
  };
  Flow flow(Index c, double h) const {
    const auto k = static_cast<std::size_t>(c);
    const double qmax = (*rate_)[k] * grid_.area(c / grid_.ncol, c % grid_.ncol);
    const double ext = evt_.extinction_depth[k], surface = evt_.surface[k];
    if (h >= surface) return {-qmax, 0.0};
    if (h <= surface - ext) return {0.0, 0.0};
    return {-qmax * (h - (surface - ext)) / ext, -qmax / ext};
  }
  const Evapotranspiration& evt_;
  const Grid& grid_;
  TopActive target_; ///< uppermost active cell per column, -1 if none
  const std::vector<double>* rate_ = nullptr;
};

} // namespace

void ConstantHeads::start_period(int period, std::span<CellRole> role, std::span<double> h,
                                 const Grid& grid) const {
  for (Index n = 0; n < grid.ncell(); ++n)
    role[static_cast<std::size_t>(n)] = grid.is_active(n) ? CellRole::free : CellRole::inactive;
  for (const auto& c : chd_) {
    const double* head = c.head.at(period);
    if (!head) continue;
    for (Index n : c.cells) {
      role[static_cast<std::size_t>(n)] = CellRole::fixed;
      h[static_cast<std::size_t>(n)] = *head;
    }
  }
}

std::unique_ptr<Package> make_wells(const std::vector<Well>& w, const FlowModel& flow,
                                    double reduction_fraction) {
  return std::make_unique<WellPackage>(w, flow, reduction_fraction);
}
std::unique_ptr<Package> make_general_heads(const std::vector<GeneralHead>& g) {
  return std::make_unique<GeneralHeadPackage>(g);
}
std::unique_ptr<Package> make_recharge(const Recharge& r, const Grid& g) {
  return std::make_unique<RechargePackage>(r, g);
}
std::unique_ptr<Package> make_drains(const std::vector<Drain>& d) {
  return std::make_unique<DrainPackage>(d);
}
std::unique_ptr<Package> make_evapotranspiration(const Evapotranspiration& e, const Grid& g) {
  return std::make_unique<EvapotranspirationPackage>(e, g);
}

} // namespace gwsim

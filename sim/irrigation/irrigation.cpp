#include "irrigation/irrigation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/parallel.hpp"
#include "flow/water_table.hpp"

namespace gwsim {

namespace {
inline std::size_t u(Index n) { return static_cast<std::size_t>(n); }
bool is_free(std::span<const CellRole> role, Index n) { return role[u(n)] == CellRole::free; }
} // namespace

IrrigationModel::IrrigationModel(const IrrigationData& data, const FlowModel& flow,
                                 const RiverPackage* rivers, double well_reduction_fraction)
    : data_(data), flow_(flow), rivers_(rivers), reduction_fraction_(well_reduction_fraction),
      sw_used_(data.districts.size(), 0.0), gw_used_(data.districts.size(), 0.0),
      demand_(data.districts.size()), return_share_(data.districts.size(), 0.0) {
  const Grid& g = flow.grid();
  const Index nrc = g.ncell_layer();
  const TopActive top_cell = g.top_active();
  for (std::size_t d = 0; d < data.districts.size(); ++d) {
    const District& dist = data.districts[d];
    const std::size_t ncol = dist.columns.size();
    // Pumping and return flow are spread over the district in proportion to
    // each cell's cropped area.
    std::vector<double> cropped(ncol, 0.0);
    for (std::size_t c = 0; c < ncol; ++c) {
      for (std::size_t k = 0; k < data.crops.size(); ++k) cropped[c] += dist.crop_fraction[k * ncol + c];
      cropped[c] *= g.area(dist.columns[c] / g.ncol, dist.columns[c] % g.ncol);
    }
    const std::size_t first_pump = pump_cell_.size(), first_recharge = recharge_cell_.size();
    for (std::size_t c = 0; c < ncol; ++c) {
      if (cropped[c] <= 0.0) continue;
      const Index col = dist.columns[c];
      for (std::size_t l = 0; l < dist.pumping_layers.size(); ++l) {
        const Index n = dist.pumping_layers[l] * nrc + col;
        if (!g.is_active(n)) continue;
        pump_cell_.push_back(n);
        pump_district_.push_back(d);
        pump_weight_.push_back(cropped[c] * dist.pumping_shares[l]);
      }
      if (const Index n = top_cell.cell(col); n >= 0) {
        recharge_cell_.push_back(n);
        recharge_district_.push_back(d);
        recharge_weight_.push_back(cropped[c]);
      }
    }
    auto normalise = [](std::vector<double>& w, std::size_t from) {
      double sum = 0.0;
      for (std::size_t i = from; i < w.size(); ++i) sum += w[i];
      for (std::size_t i = from; i < w.size(); ++i) w[i] = sum > 0.0 ? w[i] / sum : 0.0;
    };
    normalise(pump_weight_, first_pump);
    normalise(recharge_weight_, first_recharge);
  }
  pump_request_.assign(pump_cell_.size(), 0.0);
  pump_q_.assign(pump_cell_.size(), 0.0);
  {
    std::vector<Index> sorted = pump_cell_;
    std::sort(sorted.begin(), sorted.end());
    pump_cells_distinct_ = std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end();
  }
  // Each pump cell's reduction depth, once: pumping() runs for every pump
  // cell several times per Newton iteration.
  pump_bottom_.resize(pump_cell_.size());
  pump_per_depth_.resize(pump_cell_.size());
  for (std::size_t i = 0; i < pump_cell_.size(); ++i) {
    const Index n = pump_cell_[i];
    pump_bottom_[i] = g.cell_bottom(n);
    pump_per_depth_[i] = flow.convertible(n) ? 1.0 / (reduction_fraction_ * g.thickness(n)) : 0.0;
  }
}

void IrrigationModel::start_step(double dt, const Date& mid) {
  dt_ = dt;
  if (mid.year != year_) {
    // Allotments are per calendar year.
    std::fill(sw_used_.begin(), sw_used_.end(), 0.0);
    std::fill(gw_used_.begin(), gw_used_.end(), 0.0);
    year_ = mid.year;
  }
  const Grid& g = flow_.grid();
  const auto m = static_cast<std::size_t>(mid.month - 1);
  const double et0 = data_.reference_et[m], rain = data_.precipitation[m];
  std::vector<double> district_canal_recharge(data_.districts.size(), 0.0);
  for (std::size_t d = 0; d < data_.districts.size(); ++d) {
    const District& dist = data_.districts[d];
    const std::size_t ncol = dist.columns.size();
    DistrictBalance b;
    for (std::size_t k = 0; k < data_.crops.size(); ++k) {
      double fallow = 0.0;
      for (const Fallowing& f : dist.fallowing)
        if (f.crop == k && std::find(f.months.begin(), f.months.end(), mid.month) != f.months.end() &&
            (f.years.empty() || std::find(f.years.begin(), f.years.end(), mid.year) != f.years.end()))
          fallow += f.share;
      double area = 0.0;
      for (std::size_t c = 0; c < ncol; ++c)
        area += dist.crop_fraction[k * ncol + c] * g.area(dist.columns[c] / g.ncol, dist.columns[c] % g.ncol);
      area *= std::max(0.0, 1.0 - fallow);
      const double etc = data_.crops[k].kc[m] * et0; // m/d
      if (etc <= 0.0) continue;                        // not in the field this month
      const double pe = std::min(data_.effective_precipitation * rain, etc);
      b.irrigated_area += area;
      b.crop_water_use += etc * area;
      b.effective_precipitation += pe * area;
    }
    b.net_requirement = b.crop_water_use - b.effective_precipitation;
    // Gross demand with the year's method mix: each method irrigates its
    // share of the area at its own efficiency.
    const MethodMix* mix = &dist.methods.front();
    for (const MethodMix& mm : dist.methods)
      if (mm.from_year <= mid.year) mix = &mm;
    double percolating = 0.0;
    for (std::size_t k = 0; k < data_.methods.size(); ++k) {
      const IrrigationMethod& meth = data_.methods[k];
      const double gross = mix->share[k] * b.net_requirement / meth.efficiency;
      b.gross_demand += gross;
      percolating += gross * (1.0 - meth.efficiency) * meth.percolation;
    }
    return_share_[d] = b.gross_demand > 0.0 ? percolating / b.gross_demand : 0.0;
    // Surface water first.
    const bool has_supply = dist.imported || (dist.canal >= 0 && rivers_ && rivers_->has_water(std::size_t(dist.canal)));
    if (has_supply && b.gross_demand > 0.0) {
      double diversion = b.gross_demand / dist.conveyance_efficiency;
      if (dist.sw_capacity > 0.0) diversion = std::min(diversion, dist.sw_capacity);
      if (dist.sw_allotment > 0.0) diversion = std::min(diversion, std::max(0.0, dist.sw_allotment - sw_used_[d]) / dt);
      b.surface_water_diverted = diversion;
      b.surface_water_delivered = diversion * dist.conveyance_efficiency;
      b.conveyance_loss = diversion - b.surface_water_delivered;
      b.conveyance_recharge = b.conveyance_loss * dist.conveyance_percolation;
      district_canal_recharge[d] = b.conveyance_recharge;
    }
    // Groundwater for the rest, up to the allotment if the district must
    // irrigate short.
    double need = std::max(0.0, b.gross_demand - b.surface_water_delivered);
    if (dist.gw_allotment >= 0.0 && dist.irrigate_short)
      need = std::min(need, std::max(0.0, dist.gw_allotment - gw_used_[d]) / dt);
    b.pumping_requested = need;
    demand_[d] = b;
  }
  for (std::size_t i = 0; i < pump_cell_.size(); ++i)
    pump_request_[i] = demand_[pump_district_[i]].pumping_requested * pump_weight_[i];
  // Conveyance losses seep along the canal (by reach length), or under the
  // district's fields for imported water.
  canal_cell_.clear();
  canal_q_.clear();
  for (std::size_t d = 0; d < data_.districts.size(); ++d) {
    const double q = district_canal_recharge[d];
    if (q <= 0.0) continue;
    const District& dist = data_.districts[d];
    if (dist.canal >= 0 && rivers_) {
      const RiverReach& reach = rivers_->reach(std::size_t(dist.canal));
      double total = 0.0;
      for (double l : reach.length) total += l;
      for (std::size_t c = 0; c < reach.cells.size(); ++c) {
        canal_cell_.push_back(reach.cells[c]);
        canal_q_.push_back(q * reach.length[c] / total);
      }
    } else {
      for (std::size_t i = 0; i < recharge_cell_.size(); ++i)
        if (recharge_district_[i] == d) {
          canal_cell_.push_back(recharge_cell_[i]);
          canal_q_.push_back(q * recharge_weight_[i]);
        }
    }
  }
}

double IrrigationModel::pumping(std::size_t i, std::span<const double> h, double* dq_dh) const {
  const double req = pump_request_[i], per_depth = pump_per_depth_[i];
  if (req <= 0.0 || per_depth == 0.0) {
    if (dq_dh) *dq_dh = 0.0;
    return -req;
  }
  // Reduced smoothly as the head falls towards the cell bottom, as for wells
  // (cell_saturation() over the reduction depth).
  const double x = (h[u(pump_cell_[i])] - pump_bottom_[i]) * per_depth;
  if (dq_dh) *dq_dh = -req * saturated_fraction_slope(x) * per_depth;
  return -req * saturated_fraction(x);
}

std::vector<double> IrrigationModel::actual_pumping(std::span<const double> h, std::span<const CellRole> role) const {
  // Each entry's pumping in parallel (0 where the cell is not free), then
  // one pass over the entries for all districts: each district's cells are
  // summed in cell-list order, as a pass per district would, so the totals
  // do not depend on the thread count.
  double* qi = pump_q_.data();
  parallel_for(static_cast<Index>(pump_cell_.size()), [&](Index i) {
    const auto k = u(i);
    qi[k] = is_free(role, pump_cell_[k]) ? pumping(k, h, nullptr) : 0.0;
  });
  std::vector<double> q(data_.districts.size(), 0.0);
  for (std::size_t i = 0; i < pump_cell_.size(); ++i) q[pump_district_[i]] -= qi[i];
  return q;
}

std::vector<double> IrrigationModel::return_totals(std::span<const double> h,
                                                   std::span<const CellRole> role) const {
  std::vector<double> total = actual_pumping(h, role);
  for (std::size_t d = 0; d < total.size(); ++d)
    total[d] = return_share_[d] * (demand_[d].surface_water_delivered + total[d]);
  return total;
}

std::vector<DistrictBalance> IrrigationModel::balances(std::span<const double> h,
                                                       std::span<const CellRole> role) const {
  std::vector<DistrictBalance> out = demand_;
  const std::vector<double> pumped = actual_pumping(h, role);
  for (std::size_t d = 0; d < out.size(); ++d) {
    DistrictBalance& b = out[d];
    b.pumping_actual = pumped[d];
    b.return_flow = return_share_[d] * (b.surface_water_delivered + b.pumping_actual);
    b.unmet = b.gross_demand - b.surface_water_delivered - b.pumping_actual;
    // Rounding of the supply terms is not unmet demand.
    if (b.unmet < 1e-12 * b.gross_demand) b.unmet = 0.0;
  }
  return out;
}

void IrrigationModel::end_step(std::span<const double> h, std::span<const CellRole> role) {
  const std::vector<double> pumped = actual_pumping(h, role);
  for (std::size_t d = 0; d < demand_.size(); ++d) {
    sw_used_[d] += demand_[d].surface_water_diverted * dt_;
    gw_used_[d] += pumped[d] * dt_;
  }
}

void IrrigationModel::maps(std::span<const double> h, std::span<const CellRole> role,
                           std::vector<double>& pumping_map, std::vector<double>& return_map) const {
  const Grid& g = flow_.grid();
  const Index nrc = g.ncell_layer();
  pumping_map.assign(u(nrc), 0.0);
  return_map.assign(u(nrc), 0.0);
  for (std::size_t i = 0; i < pump_cell_.size(); ++i)
    if (is_free(role, pump_cell_[i])) {
      const Index c = pump_cell_[i] % nrc;
      pumping_map[u(c)] -= pumping(i, h, nullptr) / g.area(c / g.ncol, c % g.ncol);
    }
  const std::vector<double> totals = return_totals(h, role);
  for (std::size_t i = 0; i < recharge_cell_.size(); ++i) {
    const Index c = recharge_cell_[i] % nrc;
    return_map[u(c)] += return_flow(i, totals) / g.area(c / g.ncol, c % g.ncol);
  }
}

namespace {

/// "irr_wel": district pumping, reduced in drying cells.
class IrrigationWells final : public Package {
public:
  explicit IrrigationWells(std::shared_ptr<IrrigationModel> m) : m_(std::move(m)) {}
  std::string name() const override { return "irr_wel"; }
  void start_period(int) override {}
  void start_step(double dt, const Date& mid) override { m_->start_step(dt, mid); }
  void end_step(std::span<const double> h, std::span<const CellRole> role) override { m_->end_step(h, role); }
  bool nonlinear() const override { return true; }
  void add_to(StencilSystem& A, std::span<const double> h, std::span<const CellRole> role) const override {
    const auto& cells = m_->pump_cells();
    auto add = [&](std::size_t i) {
      if (!is_free(role, cells[i])) return;
      double dq = 0.0;
      A.rhs[u(cells[i])] += m_->pumping(i, h, &dq);
      A.diag[u(cells[i])] -= dq;
    };
    // Each entry adds to its own cell when no cell repeats (the same sums
    // on any thread count); otherwise in entry order.
    if (m_->pump_cells_distinct())
      parallel_for(static_cast<Index>(cells.size()), [&](Index i) { add(u(i)); });
    else
      for (std::size_t i = 0; i < cells.size(); ++i) add(i);
  }
  BudgetTerm budget(std::span<const double> h, std::span<const CellRole> role) const override {
    BudgetTerm t{name()};
    for (const DistrictBalance& b : m_->balances(h, role)) {
      t.out += b.pumping_actual;
      t.requested_out += b.pumping_requested;
    }
    return t;
  }

private:
  std::shared_ptr<IrrigationModel> m_;
};

/// "irr_rch": the percolating share of field losses, under the fields.
class IrrigationReturn final : public Package {
public:
  explicit IrrigationReturn(std::shared_ptr<IrrigationModel> m) : m_(std::move(m)) {}
  std::string name() const override { return "irr_rch"; }
  void start_period(int) override {}
  void add_to(StencilSystem& A, std::span<const double> h, std::span<const CellRole> role) const override {
    const auto totals = m_->return_totals(h, role);
    const auto& cells = m_->recharge_cells();
    for (std::size_t i = 0; i < cells.size(); ++i)
      if (is_free(role, cells[i])) A.rhs[u(cells[i])] += m_->return_flow(i, totals);
  }
  BudgetTerm budget(std::span<const double> h, std::span<const CellRole> role) const override {
    BudgetTerm t{name()};
    const auto totals = m_->return_totals(h, role);
    const auto& cells = m_->recharge_cells();
    for (std::size_t i = 0; i < cells.size(); ++i)
      if (is_free(role, cells[i])) t.add(m_->return_flow(i, totals));
    return t;
  }

private:
  std::shared_ptr<IrrigationModel> m_;
};

/// "irr_canal": conveyance losses seeping from the canals.
class ConveyanceLosses final : public Package {
public:
  explicit ConveyanceLosses(std::shared_ptr<IrrigationModel> m) : m_(std::move(m)) {}
  std::string name() const override { return "irr_canal"; }
  void start_period(int) override {}
  void add_to(StencilSystem& A, std::span<const double>, std::span<const CellRole> role) const override {
    const auto& cells = m_->canal_cells();
    for (std::size_t i = 0; i < cells.size(); ++i)
      if (is_free(role, cells[i])) A.rhs[u(cells[i])] += m_->canal_recharge()[i];
  }
  BudgetTerm budget(std::span<const double>, std::span<const CellRole> role) const override {
    BudgetTerm t{name()};
    const auto& cells = m_->canal_cells();
    for (std::size_t i = 0; i < cells.size(); ++i)
      if (is_free(role, cells[i])) t.add(m_->canal_recharge()[i]);
    return t;
  }

private:
  std::shared_ptr<IrrigationModel> m_;
};

} // namespace

std::vector<std::unique_ptr<Package>> make_irrigation_packages(std::shared_ptr<IrrigationModel> model) {
  std::vector<std::unique_ptr<Package>> p;
  p.push_back(std::make_unique<IrrigationWells>(model));
  p.push_back(std::make_unique<IrrigationReturn>(model));
  p.push_back(std::make_unique<ConveyanceLosses>(model));
  return p;
}

} // namespace gwsim

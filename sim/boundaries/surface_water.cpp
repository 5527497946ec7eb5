#include "boundaries/surface_water.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"

namespace gwsim {

namespace {
inline std::size_t u(Index n) { return static_cast<std::size_t>(n); }
bool is_free(std::span<const CellRole> role, Index n) { return role[u(n)] == CellRole::free; }

/// Piecewise-linear interpolation in a table with increasing x, held
/// constant beyond its ends... except volume, which the caller extends.
double interpolate(const std::vector<double>& x, const std::vector<double>& y, double v) {
  if (v <= x.front()) return y.front();
  if (v >= x.back()) return y.back();
  const auto it = std::upper_bound(x.begin(), x.end(), v);
  const std::size_t i = static_cast<std::size_t>(it - x.begin());
  const double t = (v - x[i - 1]) / (x[i] - x[i - 1]);
  return y[i - 1] + t * (y[i] - y[i - 1]);
}

/// d/dv of interpolate(): the slope of the segment holding v (upper one at
/// a table point), zero beyond the ends.
double slope(const std::vector<double>& x, const std::vector<double>& y, double v) {
  if (v < x.front() || v >= x.back()) return 0.0;
  const auto it = std::upper_bound(x.begin(), x.end(), v);
  const std::size_t i = static_cast<std::size_t>(it - x.begin());
  return (y[i] - y[i - 1]) / (x[i] - x[i - 1]);
}
} // namespace

// --- rivers and canals ----------------------------------------------------------

RiverPackage::RiverPackage(const std::vector<RiverReach>& reaches)
    : reaches_(reaches), level_(reaches.size(), 0.0), wet_(reaches.size(), 0) {}

void RiverPackage::start_period(int period) {
  for (std::size_t r = 0; r < reaches_.size(); ++r) {
    const double* v = reaches_[r].stage.at(period);
    level_[r] = v ? *v : 0.0;
    wet_[r] = v && (!reaches_[r].stage_is_depth || *v > 0.0);
  }
}

double RiverPackage::stage(std::size_t r, std::size_t c) const {
  if (!wet_[r]) return std::numeric_limits<double>::quiet_NaN();
  const RiverReach& reach = reaches_[r];
  return reach.stage_is_depth ? reach.bed_top[c] + level_[r] : level_[r];
}

void RiverPackage::add_to(StencilSystem& A, std::span<const double> h,
                          std::span<const CellRole> role) const {
  for (std::size_t r = 0; r < reaches_.size(); ++r) {
    if (!wet_[r]) continue;
    const RiverReach& reach = reaches_[r];
    for (std::size_t c = 0; c < reach.cells.size(); ++c) {
      const Index n = reach.cells[c];
      if (!is_free(role, n)) continue;
      const double C = reach.conductance[c], hn = h[u(n)];
      // Above the bed bottom the exchange follows the head; below it the
      // bed drains freely at C (stage - bottom).
      const bool connected = hn > reach.bed_bottom[c];
      A.rhs[u(n)] += C * (stage(r, c) - (connected ? hn : reach.bed_bottom[c]));
      if (connected) A.diag[u(n)] += C;
    }
  }
}

template <class F>
void RiverPackage::for_each_exchange(std::span<const double> h, std::span<const CellRole> role, F f) const {
  for (std::size_t r = 0; r < reaches_.size(); ++r) {
    if (!wet_[r]) continue;
    const RiverReach& reach = reaches_[r];
    for (std::size_t c = 0; c < reach.cells.size(); ++c) {
      const Index n = reach.cells[c];
      if (is_free(role, n)) f(r, reach.conductance[c] * (stage(r, c) - std::max(h[u(n)], reach.bed_bottom[c])));
    }
  }
}

std::vector<double> RiverPackage::seepage(std::span<const double> h,
                                          std::span<const CellRole> role) const {
  std::vector<double> q(reaches_.size(), 0.0);
  for_each_exchange(h, role, [&](std::size_t r, double qc) { q[r] += qc; });
  return q;
}

BudgetTerm RiverPackage::budget(std::span<const double> h, std::span<const CellRole> role) const {
  BudgetTerm t{name()};
  for_each_exchange(h, role, [&](std::size_t, double qc) { t.add(qc); });
  return t;
}

// --- ponds ------------------------------------------------------------------------

PondPackage::PondPackage(const std::vector<Pond>& ponds, const std::vector<Connection>& connections,
                         const RiverPackage* rivers)
    : ponds_(ponds), connections_(connections), rivers_(rivers), volume_old_(ponds.size()),
      rain_(ponds.size()), evap_(ponds.size()), inflow_(ponds.size()), connected_(ponds.size()),
      connection_on_(connections.size(), 1), balance_(ponds.size()), q_(ponds.size()),
      dq_(ponds.size()), gamma_(ponds.size(), 0.0), factor_(ponds.size(), 1.0), available_(ponds.size(), 0.0) {
  for (std::size_t p = 0; p < ponds.size(); ++p) {
    volume_old_[p] = volume(p, ponds[p].initial_stage);
    balance_[p].stage = ponds[p].initial_stage;
    balance_[p].volume = volume_old_[p];
    q_[p].assign(ponds[p].cells.size(), 0.0);
    dq_[p].assign(ponds[p].cells.size(), 0.0);
  }
}

double PondPackage::volume(std::size_t p, double stage) const {
  const Pond& pond = ponds_[p];
  const double top = pond.table_stage.back();
  if (stage <= top) return interpolate(pond.table_stage, pond.table_volume, stage);
  // Above the table: vertical walls at the last area.
  return pond.table_volume.back() + pond.table_area.back() * (stage - top);
}

double PondPackage::area(std::size_t p, double stage) const {
  return interpolate(ponds_[p].table_stage, ponds_[p].table_area, stage);
}

void PondPackage::start_period(int period) {
  period_ = period;
  auto value = [&](const Schedule<double>& s) {
    const double* v = s.at(period);
    return v ? *v : 0.0;
  };
  for (std::size_t p = 0; p < ponds_.size(); ++p) {
    rain_[p] = value(ponds_[p].rain);
    evap_[p] = value(ponds_[p].evaporation);
    inflow_[p] = value(ponds_[p].inflow);
  }
  for (std::size_t c = 0; c < connections_.size(); ++c) {
    const double* on = connections_[c].enabled.at(period);
    connection_on_[c] = connections_[c].enabled.empty() || (on && *on != 0.0);
  }
}

void PondPackage::start_step(double dt, const Date& midpoint) {
  const int month = midpoint.month;
  dt_ = dt;
  std::fill(connected_.begin(), connected_.end(), 0.0);
  diverted_.assign(rivers_ ? rivers_->size() : 0, 0.0);
  for (std::size_t c = 0; c < connections_.size(); ++c) {
    const Connection& con = connections_[c];
    if (!connection_on_[c]) continue;
    if (std::find(con.months.begin(), con.months.end(), month) == con.months.end()) continue;
    if (!rivers_ || !rivers_->has_water(con.canal)) continue;
    double rate = con.max_rate;
    if (!con.spill_excess) {
      // Only what fits below the spill level leaves the canal.
      const Pond& pond = ponds_[con.pond];
      const double room = volume(con.pond, pond.max_stage) - volume_old_[con.pond];
      rate = std::clamp(room / dt - connected_[con.pond], 0.0, rate);
    }
    connected_[con.pond] += rate;
    diverted_[con.canal] += rate;
  }
}

void PondPackage::solve(std::size_t p, std::span<const double> h, std::span<const CellRole> role) const {
  const Pond& pond = ponds_[p];
  const double dt = dt_, floor = pond.table_stage.front();
  const double supply = inflow_[p] + connected_[p];
  auto& q = q_[p];
  auto& dq = dq_[p];
  // Seepage of cell c at stage s, m3/d to the aquifer.
  auto head_below = [&](std::size_t c) { return std::max(h[u(pond.cells[c])], pond.bed_bottom); };
  auto seepage = [&](double s) {
    double total = 0.0;
    for (std::size_t c = 0; c < pond.cells.size(); ++c)
      if (is_free(role, pond.cells[c])) total += pond.conductance[c] * (s - head_below(c));
    return total;
  };
  // Residual of the pond balance at end-of-step stage s, m3.
  auto g = [&](double s) {
    return volume(p, s) - volume_old_[p] -
           dt * (supply + (rain_[p] - evap_[p]) * area(p, s) - seepage(s));
  };
  PondBalance& b = balance_[p];
  b = PondBalance{};
  gamma_[p] = 0.0; // no stage coupling unless the stage is between floor and spill
  b.inflow = inflow_[p];
  b.connections = connected_[p];
  double factor = 1.0; // share of the losses that can be met when the pond empties
  if (g(pond.max_stage) <= 0.0) {
    b.stage = pond.max_stage;
    b.spill = -g(pond.max_stage) / dt;
  } else if (g(floor) >= 0.0) {
    // Empty by the end of the step: the losses take what there is.
    b.stage = floor;
    const double a0 = area(p, floor);
    double available = volume_old_[p] / dt + supply + rain_[p] * a0, losses = evap_[p] * a0;
    for (std::size_t c = 0; c < pond.cells.size(); ++c) {
      if (!is_free(role, pond.cells[c])) continue;
      const double qc = pond.conductance[c] * (floor - head_below(c));
      if (qc > 0.0) losses += qc;
      else available -= qc;
    }
    factor = losses > 0.0 ? std::clamp(available / losses, 0.0, 1.0) : 0.0;
    available_[p] = available;
  } else {
    double lo = floor, hi = pond.max_stage;
    for (int it = 0; it < 200 && hi - lo > 1e-12 * std::max(1.0, std::abs(hi)); ++it) {
      const double mid = 0.5 * (lo + hi);
      (g(mid) > 0.0 ? hi : lo) = mid;
    }
    b.stage = 0.5 * (lo + hi);
    // The stage follows the heads of the connected cells: ds/dh_j =
    // dt C_j / g'(s), so every cell's seepage depends on every connected
    // cell's head. Newton needs that coupling (a rank-one term over the
    // connected cells, add_to()); without it Newton converges only
    // linearly while the stage moves.
    const double s = b.stage;
    const double dv = s <= pond.table_stage.back() ? slope(pond.table_stage, pond.table_volume, s)
                                                   : pond.table_area.back();
    double dg = dv - dt * (rain_[p] - evap_[p]) * slope(pond.table_stage, pond.table_area, s);
    for (std::size_t c = 0; c < pond.cells.size(); ++c)
      if (is_free(role, pond.cells[c])) dg += dt * pond.conductance[c];
    gamma_[p] = dg / dt;
  }
  factor_[p] = factor;
  const double a = area(p, b.stage);
  b.rain = rain_[p] * a;
  b.evaporation = factor * evap_[p] * a;
  b.seepage = 0.0;
  for (std::size_t c = 0; c < pond.cells.size(); ++c) {
    const Index n = pond.cells[c];
    q[c] = dq[c] = 0.0;
    if (!is_free(role, n)) continue;
    const double qc = pond.conductance[c] * (b.stage - head_below(c));
    q[c] = qc > 0.0 ? factor * qc : qc;
    // Holding the stage fixed: the quasi-Newton derivative of the seepage.
    if (h[u(n)] > pond.bed_bottom) dq[c] = -(qc > 0.0 ? factor : 1.0) * pond.conductance[c];
    b.seepage += q[c];
  }
  b.volume = b.stage > floor ? volume(p, b.stage) : 0.0;
  b.imbalance = (b.volume - volume_old_[p]) / dt -
                (b.inflow + b.connections + b.rain - b.evaporation - b.seepage - b.spill);
}

void PondPackage::add_to(StencilSystem& A, std::span<const double> h,
                         std::span<const CellRole> role) const {
  for (std::size_t p = 0; p < ponds_.size(); ++p) {
    solve(p, h, role);
    const Pond& pond = ponds_[p];
    for (std::size_t c = 0; c < pond.cells.size(); ++c) {
      const Index n = pond.cells[c];
      if (!is_free(role, n)) continue;
      A.rhs[u(n)] += q_[p][c];
      A.diag[u(n)] -= dq_[p][c];
    }
    if (gamma_[p] > 0.0) {
      A.rank_one.push_back(stage_coupling(p, role, A.symmetric()));
      if (A.rank_one.back().cells.empty()) A.rank_one.pop_back();
    } else if (!A.symmetric() && factor_[p] > 0.0 && factor_[p] < 1.0 && available_[p] > 0.0) {
      A.rank_one.push_back(emptying_coupling(p, h, role));
      if (A.rank_one.back().cells.empty() || A.rank_one.back().rows.empty()) A.rank_one.pop_back();
    }
  }
}

RankOneTerm PondPackage::stage_coupling(std::size_t p, std::span<const CellRole> role, bool symmetric) const {
  // Between floor and spill: J gains -u u^T / gamma, u = C over the cells
  // whose seepage follows their head (dq != 0). Kept only while it leaves J
  // positive definite (gamma above the sum of u: the pond has storage). The
  // perched cells' seepage, C (stage - bed bottom), follows the stage too:
  // rows -C u^T / gamma, which only a nonsymmetric system can hold (a
  // confined model's perched cells keep the fixed-stage derivative, zero).
  const Pond& pond = ponds_[p];
  RankOneTerm t;
  t.gamma = gamma_[p];
  double sum = 0.0;
  bool perched = false;
  for (std::size_t c = 0; c < pond.cells.size(); ++c) {
    if (dq_[p][c] != 0.0) {
      t.cells.push_back(pond.cells[c]);
      t.u.push_back(-dq_[p][c]);
      sum += -dq_[p][c];
    } else if (is_free(role, pond.cells[c])) {
      perched = true;
    }
  }
  if (!(t.gamma > sum * (1.0 + 1e-9))) return {};
  if (perched && !symmetric)
    for (std::size_t c = 0; c < pond.cells.size(); ++c)
      if (is_free(role, pond.cells[c])) {
        t.rows.push_back(pond.cells[c]);
        t.v.push_back(pond.conductance[c]);
      }
  return t;
}

RankOneTerm PondPackage::emptying_coupling(std::size_t p, std::span<const double> h,
                                           std::span<const CellRole> role) const {
  // Emptying within the step: the losing cells share what there is, A, in
  // proportion to w_i = C_i (floor - max(h_i, bed bottom)), q_i = A w_i /
  // L with L = evaporation + sum of w. A grows with the heads of gaining
  // cells (dA/dh_j = C_j), L falls with those of losing connected cells
  // (dL/dh_j = -C_j), so dq_i/dh_j = (w_i / L) u_j with u_j = C_j
  // (gaining) or factor C_j (losing); w_i / L = q_i / A. The diagonal part
  // -factor C_i is in dq already. Nonsymmetric: J gains -v u^T, v = q / A.
  const Pond& pond = ponds_[p];
  RankOneTerm t;
  t.gamma = 1.0;
  for (std::size_t c = 0; c < pond.cells.size(); ++c) {
    const Index n = pond.cells[c];
    if (!is_free(role, n)) continue;
    if (h[u(n)] > pond.bed_bottom) {
      t.cells.push_back(n);
      t.u.push_back(q_[p][c] > 0.0 ? factor_[p] * pond.conductance[c] : pond.conductance[c]);
    }
    if (q_[p][c] > 0.0) {
      t.rows.push_back(n);
      t.v.push_back(q_[p][c] / available_[p]);
    }
  }
  return t;
}

BudgetTerm PondPackage::budget(std::span<const double> h, std::span<const CellRole> role) const {
  BudgetTerm t{name()};
  for (std::size_t p = 0; p < ponds_.size(); ++p) {
    solve(p, h, role);
    for (double qc : q_[p]) t.add(qc);
  }
  return t;
}

void PondPackage::set_volumes(const std::vector<double>& v) {
  if (v.size() != volume_old_.size()) throw Error("restart point has a different number of ponds");
  volume_old_ = v;
}

void PondPackage::end_step(std::span<const double>, std::span<const CellRole>) {
  for (std::size_t p = 0; p < ponds_.size(); ++p) volume_old_[p] = balance_[p].volume;
}

} // namespace gwsim

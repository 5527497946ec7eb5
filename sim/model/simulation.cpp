#include "model/simulation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <fmt/format.h>

#include "core/parallel.hpp"
#include "core/stopwatch.hpp"

namespace gwsim {

std::vector<double> step_lengths(const StressPeriod& p) {
  std::vector<double> dt(static_cast<std::size_t>(p.steps));
  const double m = p.multiplier;
  double first = std::abs(m - 1.0) < 1e-12 ? p.length / p.steps
                                           : p.length * (m - 1.0) / (std::pow(m, p.steps) - 1.0);
  double sum = 0.0;
  for (std::size_t s = 0; s < dt.size(); ++s) {
    dt[s] = first;
    sum += first;
    first *= m;
  }
  // Put the rounding remainder into the last step so the period length is exact.
  dt.back() += p.length - sum;
  return dt;
}

namespace {

/// Head changes kept for first guesses: the scenario's number, else the
/// default.
std::size_t first_guess_changes(const SolverSettings& s) {
  return static_cast<std::size_t>(s.first_guess_changes >= 0 ? s.first_guess_changes
                                                             : SolverSettings::default_first_guess_changes);
}

/// Earlier periods kept for first guesses: the scenario's number, else the
/// default.
std::size_t first_guess_periods(const SolverSettings& s) {
  return static_cast<std::size_t>(s.first_guess_periods >= 0 ? s.first_guess_periods
                                                             : SolverSettings::default_first_guess_periods);
}

/// Largest |dh| and its cell (the lowest index among ties, so the answer
/// does not depend on the thread count).
std::pair<double, Index> largest_change(const std::vector<double>& dh) {
  const auto n = static_cast<Index>(dh.size());
  const Index nblock = (n + reduction_block - 1) / reduction_block;
  std::vector<std::pair<double, Index>> best(static_cast<std::size_t>(nblock), {0.0, 0});
  parallel_for(nblock, [&](Index b) {
    auto& r = best[static_cast<std::size_t>(b)];
    r.second = b * reduction_block;
    for (Index i = b * reduction_block; i < std::min(n, (b + 1) * reduction_block); ++i)
      if (std::abs(dh[static_cast<std::size_t>(i)]) > r.first) r = {std::abs(dh[static_cast<std::size_t>(i)]), i};
  }, reduction_block);
  std::pair<double, Index> r{0.0, 0};
  for (const auto& b : best)
    if (b.first > r.first) r = b;
  return r;
}

} // namespace

Simulation::Simulation(const ModelData& model)
    : model_(model), flow_(model.grid, model.aquifer), chd_(model.stresses.chd),
      solver_(make_solver(model.solver)),
      projection_(first_guess_changes(model.solver), first_guess_periods(model.solver)) {
  packages_.push_back(make_wells(model.stresses.wel, flow_, model.newton.well_reduction_fraction));
  packages_.push_back(make_recharge(model.stresses.rch, model.grid));
  packages_.push_back(make_general_heads(model.stresses.ghb));
  const Stresses& st = model.stresses;
  if (!st.riv.empty()) {
    auto riv = std::make_unique<RiverPackage>(st.riv);
    rivers_ = riv.get();
    packages_.push_back(std::move(riv));
  }
  if (!st.drn.empty()) packages_.push_back(make_drains(st.drn));
  if (!st.evt.rate.empty()) packages_.push_back(make_evapotranspiration(st.evt, model.grid));
  if (!st.ponds.empty()) {
    auto ponds = std::make_unique<PondPackage>(st.ponds, st.connections, rivers_);
    ponds_ = ponds.get();
    packages_.push_back(std::move(ponds));
  }
  if (!model.irrigation.empty()) {
    irrigation_ = std::make_shared<IrrigationModel>(model.irrigation, flow_, rivers_,
                                                    model.newton.well_reduction_fraction);
    for (auto& p : make_irrigation_packages(irrigation_)) packages_.push_back(std::move(p));
  }
  zones_ = std::make_unique<ZoneBudget>(model, flow_);
  nonlinear_ = flow_.nonlinear();
  for (const auto& p : packages_) nonlinear_ = nonlinear_ || p->nonlinear();
  role_.assign(static_cast<std::size_t>(model.grid.ncell()), CellRole::free);
  head_ = model.initial_head;
}

Simulation::~Simulation() = default;

void Simulation::free_inputs(ModelData& model) {
  GWSIM_ASSERT(&model == &model_);
  std::vector<double>().swap(model.initial_head); // copied into head_
  inputs_to_free_ = &model;
}

int Simulation::total_steps() const { return model_.time.total_steps(); }

void Simulation::release_solver_memory() {
  solver_->release();
  system_ = StencilSystem{};
  scratch_ = StencilSystem{};
  for (auto* v : {&dh_, &trial_}) std::vector<double>().swap(*v);
}

void Simulation::assemble(StencilSystem& A, std::span<const double> h, double dt,
                          bool steady) const {
  flow_.assemble(A, h, head_old_, dt, steady, role_);
  for (const auto& p : packages_) p->add_to(A, h, role_);
  flow_.fix_rows(A, not_free_);
}

double Simulation::residual_norm(std::span<const double> h, double dt, bool steady) {
  Stopwatch t(phases_.assembly);
  assemble(scratch_, h, dt, steady);
  return norm(scratch_.rhs);
}

double Simulation::head_form_norm() {
  // ||A h + F||: the right-hand side of this step's system written for the
  // heads rather than for the head change.
  return norm_of_sum(system_, head_);
}

double Simulation::norm(const std::vector<double>& v) const {
  const double* p = v.data();
  return std::sqrt(parallel_sum_blocks(static_cast<Index>(v.size()), [&](Index b, Index e) {
    double s = 0.0;
    for (Index n = b; n < e; ++n) s += p[n] * p[n];
    return s;
  }));
}

void Simulation::add_update(double omega) {
  double* h = head_.data();
  const double* d = dh_.data();
  parallel_for_blocks(static_cast<Index>(head_.size()), [&](Index b, Index e) {
    for (Index n = b; n < e; ++n) h[n] += omega * d[n];
  });
}

void Simulation::set_trial(double omega) {
  double* t = trial_.data();
  const double* h = head_.data();
  const double* d = dh_.data();
  parallel_for_blocks(static_cast<Index>(head_.size()), [&](Index b, Index e) {
    for (Index n = b; n < e; ++n) t[n] = h[n] + omega * d[n];
  });
}

void Simulation::start_update(double dt) {
  // A transient step's first guess: the combination of the last steps'
  // head changes closest to this step's change (SolutionProjection).
  // Steady solves and later Newton iterations start from zero.
  Stopwatch t(phases_.first_guess);
  if (dt > 0.0) projection_.guess(system_, dh_);
  else std::fill(dh_.begin(), dh_.end(), 0.0);
}

double Simulation::max_relative_change() const {
  const Grid& g = model_.grid;
  return parallel_max(g.ncell(), [&](Index n) {
    return flow_.convertible(n) ? std::abs(dh_[static_cast<std::size_t>(n)]) / g.thickness(n) : 0.0;
  });
}

Simulation::NewtonResult Simulation::solve_linear(double dt, bool steady) {
  // A linear step is solved for the heads themselves, A h_new = F + A h
  // (F the imbalance at the current heads h): no update vector (8 B/cell).
  // The norm of that right-hand side is what the residual test is relative
  // to, as for the update form (head_form_norm()).
  // The system's couplings are the flow model's conductances, lent for the
  // solve (FlowModel::lend_conductances) and back before anything else
  // reads them (the budgets), also when the solve throws.
  flow_.lend_conductances(system_, not_free_);
  struct TakeBack {
    FlowModel& flow;
    StencilSystem& A;
    ~TakeBack() {
      A.known_fingerprint = 0;
      flow.take_back_conductances(A);
    }
  } take_back{flow_, system_};
  {
    Stopwatch t(phases_.assembly);
    assemble(system_, head_, dt, steady);
    // One pass for the preconditioner's and the first guess's "same
    // operator as before?" (add_product() changes the right-hand side only).
    system_.known_fingerprint = fingerprint(system_);
  }
  // The first guess: the combination of the last steps' changes for the
  // update system A dh = F (rhs is F until add_product()), added to the
  // heads once the heads' right-hand side is formed.
  SolutionProjection::Combination guess;
  if (!steady) {
    Stopwatch t(phases_.first_guess);
    guess = projection_.combination(system_);
  }
  {
    Stopwatch t(phases_.assembly);
    system_.residual_scale = add_product(system_, head_);
  }
  {
    Stopwatch t(phases_.first_guess);
    projection_.add(guess, head_);
  }
  solver_->keep_preconditioner(false);
  SolveStats st;
  {
    Stopwatch t(phases_.solve);
    st = solver_->solve(system_, head_);
  }
  NewtonResult res;
  res.outer = 1;
  res.inner = st.iterations;
  res.relative_residual = st.relative_residual;
  // A failed solve has moved head_: advance() restores the step's start
  // heads for a retry with cut steps, or ends the run.
  res.converged = st.converged;
  return res;
}

Simulation::NewtonResult Simulation::newton(double dt, bool steady) {
  if (!nonlinear_) return solve_linear(dt, steady);
  const NewtonSettings& ns = model_.newton;
  const Index ncell = model_.grid.ncell();
  const int max_outer = ns.max_iterations;
  NewtonResult res;
  dh_.resize(static_cast<std::size_t>(ncell));
  bool assembled = false; // system_ already holds J and F at head_ (from the line search)
  for (int k = 0; k < max_outer; ++k) {
    {
      Stopwatch t(phases_.assembly);
      if (!assembled) assemble(system_, head_, dt, steady);
      assembled = false;
      system_.residual_scale = head_form_norm();
    }
    start_update(k == 0 && !steady ? dt : 0.0);
    // Later Newton iterations keep the first one's preconditioner (their
    // Jacobians differ little); should that fail, the solve is repeated
    // with a fresh one.
    solver_->keep_preconditioner(k > 0);
    SolveStats st;
    {
      Stopwatch t(phases_.solve);
      st = solver_->solve(system_, dh_);
    }
    if (!st.converged && k > 0) {
      solver_->keep_preconditioner(false);
      start_update(0.0);
      res.inner += st.iterations;
      Stopwatch t(phases_.solve);
      st = solver_->solve(system_, dh_);
    }
    solver_->keep_preconditioner(false);
    res.outer = k + 1;
    res.inner += st.iterations;
    res.relative_residual = st.relative_residual;
    if (!st.converged) return res;
    const auto [change, where] = largest_change(dh_);
    res.max_change = change;
    res.where = where;
    if (res.max_change <= ns.head_tolerance) {
      // Converged: the full update is below the tolerance.
      add_update(1.0);
      res.converged = true;
      return res;
    }
    // Damping, then a backtracking line search on the residual norm. A
    // convertible cell may move at most half its thickness per iteration, so
    // a first update computed with a nearly dry cell's tiny conductances
    // cannot throw heads far out of range.
    const double relative = max_relative_change();
    double omega = relative > 0.5 ? 0.5 / relative : 1.0;
    const double f0 = norm(system_.rhs);
    trial_.resize(head_.size());
    for (int b = 0;; ++b) {
      set_trial(omega);
      if (b >= ns.backtracking) break;
      if (residual_norm(trial_, dt, steady) < (1.0 - 1e-4 * omega) * f0) {
        assembled = true; // scratch_ holds the system at the accepted heads
        break;
      }
      omega *= 0.5;
    }
    head_.swap(trial_);
    // The next iteration's system is the one the line search assembled.
    if (assembled) std::swap(system_, scratch_);
  }
  return res;
}

void Simulation::advance(double dt, bool steady, int cuts_left, double weight, StepInfo& info,
                         StepBudget& acc) {
  // The starting heads, kept for a retry with cut steps (a member: no
  // allocation per step; the halves below overwrite it only after use).
  if (cuts_left > 0 && !steady) step_start_ = head_old_;
  for (const auto& p : packages_) p->start_step(dt, midpoint_);
  NewtonResult r = newton(dt, steady);
  info.newton_iterations += r.outer;
  info.solver_iterations += r.inner;
  info.relative_residual = r.relative_residual;
  if (!r.converged) {
    if (cuts_left > 0 && !steady) {
      // Retry as two half steps from the same starting heads.
      head_ = step_start_;
      head_old_ = step_start_;
      ++info.time_step_cuts;
      advance(0.5 * dt, steady, cuts_left - 1, 0.5 * weight, info, acc);
      head_old_ = head_;
      advance(0.5 * dt, steady, cuts_left - 1, 0.5 * weight, info, acc);
      return;
    }
    const Grid& g = model_.grid;
    throw ConvergenceError(fmt::format(
        "stress period {}, time step {}: no convergence after {} Newton iterations ({} linear "
        "iterations, last linear relative residual {:.3g}); the largest head change was {:.4g} m "
        "at layer {}, row {}, column {}. Try solver.time_step_cuts, shorter time steps, or check "
        "the stresses near that cell",
        info.period + 1, info.step + 1, r.outer, r.inner, r.relative_residual, r.max_change,
        g.layer_of(r.where) + 1, g.row_of(r.where) + 1, g.col_of(r.where) + 1));
  }
  if (!steady) {
    // This step's head change: kept for the next steps' first guesses.
    Stopwatch t(phases_.first_guess);
    projection_.remember_difference(head_, head_old_);
  }
  std::optional<Stopwatch> timing(std::in_place, phases_.budget);
  // Budgets before end_step(): packages still hold this step's state. The
  // solved system is not needed again (the next solve assembles it afresh):
  // the zone budget uses its diag and rhs as scratch. Its pass over the
  // storage flows also gives the water budget's storage term.
  BudgetTerm storage{"storage"};
  const ZoneBudgetStep z = zones_->compute(head_, head_old_, dt, steady, role_, packages_, system_, storage);
  const StepBudget b = budget(storage);
  if (zone_step_.terms.empty()) {
    zone_step_ = z;
    std::fill(zone_step_.in.begin(), zone_step_.in.end(), 0.0);
    std::fill(zone_step_.out.begin(), zone_step_.out.end(), 0.0);
  }
  for (std::size_t k = 0; k < z.in.size(); ++k) {
    zone_step_.in[k] += weight * z.in[k];
    zone_step_.out[k] += weight * z.out[k];
  }
  timing.reset();
  for (const auto& p : packages_) p->end_step(head_, role_);
  if (acc.terms.empty()) {
    acc = b;
    for (auto& t : acc.terms) t.in = t.out = t.requested_out = 0.0;
  }
  for (std::size_t i = 0; i < b.terms.size(); ++i) {
    acc.terms[i].in += weight * b.terms[i].in;
    acc.terms[i].out += weight * b.terms[i].out;
    acc.terms[i].requested_out += weight * b.terms[i].requested_out;
  }
}

StepBudget Simulation::budget(const BudgetTerm& storage) const {
  StepBudget b;
  BudgetTerm chd{"chd"};
  flow_.fixed_head_budget(chd, head_, role_, not_free_.fixed);
  b.terms.push_back(storage);
  b.terms.push_back(chd);
  for (const auto& p : packages_) b.terms.push_back(p->budget(head_, role_));
  b.close();
  return b;
}

void Simulation::report_surface_water(OutputSink& sink, const StepInfo& info) const {
  std::vector<ReachBalance> reaches(model_.stresses.riv.size());
  if (rivers_) {
    const std::vector<double> q = rivers_->seepage(head_, role_);
    for (std::size_t r = 0; r < reaches.size(); ++r) {
      reaches[r].seepage = q[r];
      reaches[r].has_water = rivers_->has_water(r);
      if (ponds_ && r < ponds_->diverted().size()) reaches[r].diverted = ponds_->diverted()[r];
    }
  }
  const std::vector<PondBalance> none;
  sink.surface_water(info, ponds_ ? std::span<const PondBalance>(ponds_->balances()) : none, reaches);
}

bool Simulation::should_save_heads(int period, int step, double time, double dt, bool last) const {
  const auto& periods = model_.time.periods;
  switch (model_.output.save_heads) {
  case SaveHeads::every_step: return true;
  case SaveHeads::period_end: return step + 1 == periods[static_cast<std::size_t>(period)].steps;
  case SaveHeads::none: return false;
  case SaveHeads::year_end: {
    if (last) return true;
    // The calendar year of an instant t (d since the start): 1 January
    // 00:00 already belongs to the new year. Save where it changes.
    const long start = model_.time.start.days_since_epoch();
    auto year_at = [&](double t) {
      return Date::from_days_since_epoch(start + static_cast<long>(std::floor(t + 1e-9))).year;
    };
    return year_at(time) != year_at(time - dt);
  }
  }
  return false;
}

RunSummary Simulation::run(OutputSink& sink, const Progress& progress,
                           const std::atomic<bool>* stop, const PeriodEnd& period_end,
                           const SimulationState* resume) {
  const auto t0 = std::chrono::steady_clock::now();
  phases_ = PhaseSeconds{};
  RunSummary sum;
  sum.threads = max_threads();
  sum.solver = solver_->name();
  sum.newton = nonlinear_;
  sum.periods = static_cast<int>(model_.time.periods.size());
  const int nsteps = total_steps();
  try {
    {
      Stopwatch t(phases_.output);
      sink.begin(model_);
    }
    if (inputs_to_free_) {
      // The result file has K and K33 now, and the flow model has their
      // conductances: nothing reads them again.
      AquiferProperties& aq = inputs_to_free_->aquifer;
      for (auto* v : {&aq.k, &aq.k33, &aq.leakance}) std::vector<double>().swap(*v);
      // Storage coefficients are read by transient steps only.
      const auto& periods = model_.time.periods;
      if (std::all_of(periods.begin(), periods.end(), [](const StressPeriod& p) { return p.steady; })) {
        for (auto* v : {&aq.ss, &aq.sy}) std::vector<double>().swap(*v);
        // Cell elevations: read after set-up by storage terms and by
        // convertible cells only (saturation, dry cells, pumping reduced
        // near the bottom).
        if (!flow_.nonlinear()) {
          Grid& g = inputs_to_free_->grid;
          for (auto* v : {&g.top, &g.bottom}) std::vector<double>().swap(*v);
        }
      }
      inputs_to_free_ = nullptr;
    }
    std::vector<double> observed(model_.observations.size());
    double period_start = 0.0; // d since the start date
    int global = 0, first_period = 0;
    if (resume) {
      first_period = resume->next_period;
      global = resume->steps_done;
      period_start = resume->time;
      head_ = resume->head;
      if (ponds_) ponds_->set_volumes(resume->pond_volume);
      projection_.restore(resume->head_changes);
      if (irrigation_) irrigation_->set_allotment_use(resume->allotment_use);
      sum.steps = resume->steps_done;
      sum.solver_iterations = resume->solver_iterations;
      sum.newton_iterations = resume->newton_iterations;
      sum.time_step_cuts = resume->time_step_cuts;
      sum.worst_percent_discrepancy = resume->worst_percent_discrepancy;
    }
    for (int per = first_period; per < sum.periods; ++per) {
      const StressPeriod& sp = model_.time.periods[static_cast<std::size_t>(per)];
      chd_.start_period(per, role_, head_, model_.grid);
      FlowModel::not_free(role_, not_free_);
      for (const auto& p : packages_) p->start_period(per);
      projection_.begin_period();
      const std::vector<double> dts = step_lengths(sp);
      double elapsed = 0.0; // d since the period start
      for (int s = 0; s < sp.steps; ++s, ++global) {
        if (stop && stop->load())
          throw Interrupted(fmt::format("interrupted before stress period {}, time step {} "
                                        "({} of {} steps done)",
                                        per + 1, s + 1, global, nsteps));
        const double dt = dts[static_cast<std::size_t>(s)];
        // Steady steps have no storage term: no start-of-step heads (8 B/cell).
        if (sp.steady) std::vector<double>().swap(head_old_);
        else head_old_ = head_;
        StepInfo info;
        info.period = per;
        info.step = s;
        info.global_step = global;
        info.dt = dt;
        elapsed += dt;
        // The last step ends exactly at the period end, so saved times fall
        // on calendar dates without rounding drift.
        info.time = period_start + (s + 1 == sp.steps ? sp.length : elapsed);
        midpoint_ = Date::from_days_since_epoch(model_.time.start.days_since_epoch() +
                                                static_cast<long>(std::floor(period_start + elapsed - 0.5 * dt)));
        StepBudget b;
        zone_step_ = ZoneBudgetStep{};
        advance(dt, sp.steady, model_.newton.time_step_cuts, 1.0, info, b);
        // The run's last solve is done: what remains (the result's last
        // rows, the last restart point) needs no solver memory, and would
        // otherwise add to the peak.
        if (global + 1 == nsteps) release_solver_memory();
        b.close();
        info.dry_cells = flow_.dry_cells(head_);
        info.save_heads = should_save_heads(per, s, info.time, dt, global + 1 == nsteps);
        std::optional<Stopwatch> t(std::in_place, phases_.output);
        if (rivers_ || ponds_) report_surface_water(sink, info);
        sink.zone_budget(info, zone_step_);
        if (irrigation_) {
          std::vector<double> pumping, recharge;
          if (info.save_heads) irrigation_->maps(head_, role_, pumping, recharge);
          sink.irrigation(info, irrigation_->balances(head_, role_), pumping, recharge);
        }
        for (std::size_t o = 0; o < observed.size(); ++o)
          observed[o] = head_[static_cast<std::size_t>(model_.observations[o].cell)];
        sink.step(info, head_, b, observed);
        t.reset();
        sum.steps += 1;
        sum.solver_iterations += info.solver_iterations;
        sum.newton_iterations += info.newton_iterations;
        sum.time_step_cuts += info.time_step_cuts;
        sum.worst_percent_discrepancy =
            std::max(sum.worst_percent_discrepancy, std::abs(b.percent_discrepancy));
        if (progress) progress(info, b, nsteps);
      }
      period_start += sp.length;
      if (period_end.take && (!period_end.due || period_end.due(per + 1))) {
        Stopwatch t(phases_.output);
        SimulationState st;
        st.next_period = per + 1;
        st.steps_done = global;
        st.time = period_start;
        st.head = head_;
        st.solver_iterations = sum.solver_iterations;
        st.newton_iterations = sum.newton_iterations;
        st.time_step_cuts = sum.time_step_cuts;
        st.worst_percent_discrepancy = sum.worst_percent_discrepancy;
        if (ponds_) st.pond_volume = ponds_->volumes();
        st.head_changes = projection_.save();
        if (irrigation_) st.allotment_use = irrigation_->allotment_use();
        period_end.take(st);
      }
    }
    auto seconds_since_start = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    // The file records the time up to its completion; the summary returned
    // includes writing the last of it.
    sum.wall_seconds = seconds_since_start();
    sum.phases = phases_;
    {
      Stopwatch t(sum.phases.output);
      sink.finish(sum);
    }
    sum.wall_seconds = seconds_since_start();
  } catch (...) {
    sink.abort();
    throw;
  }
  return sum;
}

} // namespace gwsim

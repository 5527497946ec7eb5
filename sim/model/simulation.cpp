#include "model/simulation.hpp"

#include <chrono>
#include <cmath>
#include <fmt/format.h>

#include "core/parallel.hpp"

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

Simulation::Simulation(const ModelData& model)
    : model_(model), flow_(model.grid, model.aquifer), chd_(model.stresses.chd),
      solver_(make_solver(model.solver)) {
  packages_.push_back(make_wells(model.stresses.wel));
  packages_.push_back(make_recharge(model.stresses.rch, model.grid));
  packages_.push_back(make_general_heads(model.stresses.ghb));
  role_.assign(static_cast<std::size_t>(model.grid.ncell()), CellRole::free);
  head_ = model.initial_head;
}

Simulation::~Simulation() = default;

int Simulation::total_steps() const {
  int n = 0;
  for (const auto& p : model_.time.periods) n += p.steps;
  return n;
}

void Simulation::solve_step(int period, double dt, bool steady, StepInfo& info) {
  flow_.assemble(system_, head_old_, dt, steady);
  for (const auto& p : packages_) p->add_to(system_, role_);
  flow_.fix_heads(system_, role_, head_);
  const SolveStats st = solver_->solve(system_, head_);
  info.solver_iterations = st.iterations;
  info.relative_residual = st.relative_residual;
  if (!st.converged)
    throw ConvergenceError(fmt::format(
        "stress period {}, time step {}: the {} solver did not converge in {} iterations "
        "(relative residual {:.3g}, last head change {:.3g} m); raise solver.max_iterations or "
        "check the model for isolated cells",
        period + 1, info.step + 1, solver_->name(), st.iterations, st.relative_residual,
        st.max_head_change));
}

StepBudget Simulation::budget(double dt, bool steady) const {
  StepBudget b;
  BudgetTerm storage{"storage"}, chd{"chd"};
  flow_.storage_budget(storage, head_, head_old_, dt, steady, role_);
  flow_.fixed_head_budget(chd, head_, role_);
  b.terms.push_back(storage);
  b.terms.push_back(chd);
  for (const auto& p : packages_) b.terms.push_back(p->budget(head_, role_));
  b.close();
  return b;
}

RunSummary Simulation::run(OutputSink& sink, const Progress& progress,
                           const std::atomic<bool>* stop) {
  const auto t0 = std::chrono::steady_clock::now();
  RunSummary sum;
  sum.threads = max_threads();
  sum.solver = solver_->name();
  sum.periods = static_cast<int>(model_.time.periods.size());
  const int nsteps = total_steps();
  try {
    sink.begin(model_);
    std::vector<double> observed(model_.observations.size());
    double time = 0.0;
    int global = 0;
    for (int per = 0; per < sum.periods; ++per) {
      const StressPeriod& sp = model_.time.periods[static_cast<std::size_t>(per)];
      chd_.start_period(per, role_, head_, model_.grid);
      for (const auto& p : packages_) p->start_period(per);
      const std::vector<double> dts = step_lengths(sp);
      for (int s = 0; s < sp.steps; ++s, ++global) {
        if (stop && stop->load())
          throw Interrupted(fmt::format("interrupted before stress period {}, time step {} "
                                        "({} of {} steps done)",
                                        per + 1, s + 1, global, nsteps));
        const double dt = dts[static_cast<std::size_t>(s)];
        head_old_ = head_;
        StepInfo info;
        info.period = per;
        info.step = s;
        info.global_step = global;
        info.dt = dt;
        time += dt;
        info.time = time;
        solve_step(per, dt, sp.steady, info);
        const StepBudget b = budget(dt, sp.steady);
        for (std::size_t o = 0; o < observed.size(); ++o)
          observed[o] = head_[static_cast<std::size_t>(model_.observations[o].cell)];
        info.save_heads = model_.output.save_heads == SaveHeads::every_step ||
                          (model_.output.save_heads == SaveHeads::period_end && s + 1 == sp.steps);
        sink.step(info, head_, b, observed);
        sum.steps += 1;
        sum.solver_iterations += info.solver_iterations;
        sum.worst_percent_discrepancy =
            std::max(sum.worst_percent_discrepancy, std::abs(b.percent_discrepancy));
        if (progress) progress(info, b, nsteps);
      }
    }
    sum.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    sink.finish(sum);
  } catch (...) {
    sink.abort();
    throw;
  }
  return sum;
}

} // namespace gwsim

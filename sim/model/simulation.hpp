#pragma once
/// The time loop: stress periods, time steps, one solve per step (confined
/// flow is linear), the budget of every step, and reports to an OutputSink.
#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "boundaries/package.hpp"
#include "core/error.hpp"
#include "flow/flow_model.hpp"
#include "model/model_data.hpp"
#include "model/output_sink.hpp"

namespace gwsim {

/// Lengths of the time steps of a stress period, d: geometric with ratio
/// `multiplier`, summing to the period length (MODFLOW's TSMULT rule).
std::vector<double> step_lengths(const StressPeriod& period);

/// Raised when a run is stopped by a signal between steps.
class Interrupted : public Error {
public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::interrupted; }
};

class Simulation {
public:
  /// Called after every step (for progress display).
  using Progress = std::function<void(const StepInfo&, const StepBudget&, int total_steps)>;

  explicit Simulation(const ModelData& model);
  ~Simulation();

  /// Run all stress periods. On any exception the sink is told to abort
  /// and the exception propagates. `stop`, if given, is polled between steps.
  RunSummary run(OutputSink& sink, const Progress& progress = {},
                 const std::atomic<bool>* stop = nullptr);

  /// Heads after the last completed step, m.
  const std::vector<double>& head() const { return head_; }
  int total_steps() const;

private:
  void solve_step(int period, double dt, bool steady, StepInfo& info);
  StepBudget budget(double dt, bool steady) const;

  const ModelData& model_;
  FlowModel flow_;
  ConstantHeads chd_;
  std::vector<std::unique_ptr<Package>> packages_;
  std::unique_ptr<LinearSolver> solver_;
  StencilSystem system_;
  std::vector<CellRole> role_;
  std::vector<double> head_, head_old_;
};

} // namespace gwsim

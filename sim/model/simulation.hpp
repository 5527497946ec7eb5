#pragma once
/// The time loop: stress periods, time steps, a Newton-Raphson solve per
/// step (one linear solve for confined models), the budget of every step,
/// and reports to an OutputSink.
#include <atomic>
#include <functional>
#include <memory>
#include <type_traits>
#include <vector>

#include "boundaries/package.hpp"
#include "boundaries/surface_water.hpp"
#include "irrigation/irrigation.hpp"
#include "core/error.hpp"
#include "flow/flow_model.hpp"
#include "model/model_data.hpp"
#include "model/output_sink.hpp"
#include "model/zone_budget.hpp"
#include "solver/solution_projection.hpp"

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

/// Everything a run needs to continue from a stress-period boundary: what a
/// restart point holds, and what `--resume` starts from.
struct SimulationState {
  int next_period = 0;       ///< zero-based stress period to run next
  int steps_done = 0;        ///< time steps completed before it
  double time = 0.0;         ///< d since the start date at the boundary
  std::vector<double> head;  ///< m, ncell
  std::vector<double> pond_volume; ///< m3, one per pond
  long solver_iterations = 0;
  long newton_iterations = 0;
  int time_step_cuts = 0;
  double worst_percent_discrepancy = 0.0;
  /// The last transient steps' head changes (m, ncell each, newest first;
  /// empty if none) and the operator they were last combined for: the
  /// first guesses of the next steps' solves, so a resumed run repeats the
  /// uninterrupted one's iterations exactly.
  SolutionProjection::Saved head_changes;
  /// Irrigation districts' use of their yearly allotments (models with
  /// districts only).
  AllotmentUse allotment_use;
};

class Simulation {
public:
  /// Called after every step (for progress display).
  using Progress = std::function<void(const StepInfo&, const StepBudget&, int total_steps)>;
  /// After the last step of every stress period (restart points):
  /// `due(next_period)` says whether the state at that boundary is wanted
  /// (next_period: zero-based, the number of periods for the run's end; no
  /// `due`: always); only then is it built (a copy of the heads and the kept
  /// head changes, some 30 bytes per cell) and given to `take`, which may
  /// move from it.
  struct PeriodEnd {
    std::function<bool(int next_period)> due;
    std::function<void(SimulationState&)> take;
    PeriodEnd() = default;
    PeriodEnd(std::function<bool(int)> d, std::function<void(SimulationState&)> t)
        : due(std::move(d)), take(std::move(t)) {}
    /// Every period's state to `t`.
    template <class F>
      requires std::is_invocable_v<F&, SimulationState&>
    PeriodEnd(F t) : due([](int) { return true; }), take(std::move(t)) {}
  };

  explicit Simulation(const ModelData& model);
  ~Simulation();

  /// Run all stress periods (from `resume` if given). On any exception the
  /// sink is told to abort and the exception propagates. `stop`, if given,
  /// is polled between steps.
  RunSummary run(OutputSink& sink, const Progress& progress = {},
                 const std::atomic<bool>* stop = nullptr, const PeriodEnd& period_end = {},
                 const SimulationState* resume = nullptr);

  /// Let the simulation free the input arrays of `model` (the ModelData it
  /// was built from) that it no longer reads: the initial heads now (they
  /// are its current heads), and K, K33 and the leakance once run() has
  /// handed the model to the sink (the flow model keeps their
  /// conductances), with Ss and Sy too if every period is steady, and the
  /// cell tops and bottoms if moreover no active cell is convertible
  /// (elevations are then read only by storage terms). 24-48 B/cell for a
  /// single-layer model; a program that
  /// runs its ModelData once (gwsim run) calls it, tests that run one model
  /// twice do not.
  void free_inputs(ModelData& model);

  /// Heads after the last completed step, m.
  const std::vector<double>& head() const { return head_; }
  int total_steps() const;

private:
  /// Outcome of the Newton iterations of one (sub)step.
  struct NewtonResult {
    bool converged = false;
    int outer = 0;
    int inner = 0;
    double relative_residual = 0.0;
    double max_change = 0.0; ///< m, largest |dh| of the last update
    Index where = 0;         ///< cell of that change
  };
  NewtonResult newton(double dt, bool steady);
  /// Advance head_ from head_old_ over dt, halving the step on failure while
  /// cuts remain; adds the time-weighted budget to `acc`.
  void advance(double dt, bool steady, int cuts_left, double weight, StepInfo& info,
               StepBudget& acc);
  void assemble(StencilSystem& A, std::span<const double> h, double dt, bool steady) const;
  double residual_norm(std::span<const double> h, double dt, bool steady);
  double norm(const std::vector<double>& v) const;
  /// The step of a linear model: one solve, for the heads.
  NewtonResult solve_linear(double dt, bool steady);
  /// Free the solver's work memory, the linear systems and the update
  /// vectors (after the run's last solve).
  void release_solver_memory();
  double head_form_norm();
  /// head_ += omega dh_, and trial_ = head_ + omega dh_.
  void add_update(double omega);
  void set_trial(double omega);
  /// First guess of the update: for a transient step (dt > 0) the
  /// projection of this step's change on the last steps' changes, else 0.
  void start_update(double dt);
  /// Largest |dh| / thickness over convertible cells.
  double max_relative_change() const;
  /// This step's water budget, its storage term given (ZoneBudget::compute()
  /// sums it in its pass over the storage flows).
  StepBudget budget(const BudgetTerm& storage) const;
  /// output.save_heads for the step of length dt ending at `time` (d since
  /// the start).
  bool should_save_heads(int period, int step, double time, double dt, bool last) const;
  void report_surface_water(OutputSink& sink, const StepInfo& info) const;

  const ModelData& model_;
  ModelData* inputs_to_free_ = nullptr; ///< free_inputs(): K, K33, leakance after sink.begin()
  FlowModel flow_;
  ConstantHeads chd_;
  std::vector<std::unique_ptr<Package>> packages_;
  RiverPackage* rivers_ = nullptr; ///< owned by packages_, if the model has reaches
  PondPackage* ponds_ = nullptr;   ///< owned by packages_, if the model has ponds
  std::shared_ptr<IrrigationModel> irrigation_; ///< shared by its packages, if districts exist
  std::unique_ptr<ZoneBudget> zones_;
  bool nonlinear_ = false;         ///< outer iterations needed
  Date midpoint_;                  ///< calendar date of the current step's midpoint
  std::unique_ptr<LinearSolver> solver_;
  StencilSystem system_, scratch_;
  std::vector<CellRole> role_;
  FlowModel::NotFree not_free_; ///< cells whose role is not free (this period)
  std::vector<double> head_, head_old_, dh_, trial_;
  /// First guesses of transient solves from the last steps' head changes.
  SolutionProjection projection_;
  PhaseSeconds phases_; ///< of the current run()
  std::vector<double> step_start_;  ///< m, heads at the start of a step that may be cut
  ZoneBudgetStep zone_step_; ///< zone budget of the current step (time-weighted over cuts)
};

} // namespace gwsim

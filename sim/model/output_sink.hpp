#pragma once
/// What a run reports, step by step, to whatever records it (the HDF5 writer
/// in io/, or a test). The simulation loop knows nothing about files.
#include <span>
#include <string>
#include <vector>

#include "boundaries/surface_water.hpp"
#include "flow/budget.hpp"
#include "irrigation/irrigation.hpp"
#include "model/model_data.hpp"
#include "model/zone_budget.hpp"

namespace gwsim {

struct StepInfo {
  int period = 0;           ///< zero-based stress period
  int step = 0;             ///< zero-based time step within the period
  int global_step = 0;      ///< zero-based count of all steps so far
  double dt = 0.0;          ///< step length, d
  double time = 0.0;        ///< days since the start date at the end of the step
  int solver_iterations = 0;      ///< linear (inner) iterations, all Newton iterations
  int newton_iterations = 0;      ///< outer iterations (1 for a confined model)
  int time_step_cuts = 0;         ///< times the step was halved to converge
  Index dry_cells = 0;            ///< convertible cells with head below their bottom
  double relative_residual = 0.0; ///< of the last linear solve
  bool save_heads = false;  ///< the output options ask for heads at this step
};

/// Wall time of the time loop by phase, s. What is in none of them
/// (packages' step set-up and bookkeeping) is the rest of wall_seconds.
struct PhaseSeconds {
  double assembly = 0.0;    ///< linear systems and residuals (flow model, packages, CHD rows)
  double first_guess = 0.0; ///< first guesses from earlier steps' head changes
  double solve = 0.0;       ///< linear solves, preconditioner set-up included
  double budget = 0.0;      ///< water budget and zone budget of every step
  double output = 0.0;      ///< results handed to the output (HDF5 rows, saved heads, restart points)
};

struct RunSummary {
  int steps = 0;
  int periods = 0;
  long solver_iterations = 0;
  bool newton = false;          ///< the model needs outer (Newton) iterations
  long newton_iterations = 0;   ///< outer iterations of all steps (1 per step if linear)
  int time_step_cuts = 0;       ///< times a step was halved to converge
  double worst_percent_discrepancy = 0.0; ///< largest |percent discrepancy| of any step
  double wall_seconds = 0.0;
  PhaseSeconds phases;      ///< where wall_seconds went
  int threads = 1;
  std::string solver;
  std::string output_path;
};

class OutputSink {
public:
  virtual ~OutputSink() = default;
  /// Before the first step: grid, properties, scenario text.
  virtual void begin(const ModelData& model) = 0;
  /// After every converged time step. `head` has ncell values (m);
  /// `observed` has one head per observation, in ModelData order.
  virtual void step(const StepInfo& info, std::span<const double> head, const StepBudget& budget,
                    std::span<const double> observed) = 0;
  /// After every converged step that has ponds or river reaches, before
  /// step(): one balance per pond and per reach, in ModelData order.
  virtual void surface_water(const StepInfo& /*info*/, std::span<const PondBalance> /*ponds*/,
                             std::span<const ReachBalance> /*reaches*/) {}
  /// After every converged step of a model with irrigation districts,
  /// before step(): one balance per district, and, where heads are saved,
  /// maps (nrow*ncol, m/d) of irrigation pumping and return flow (empty
  /// spans otherwise).
  virtual void irrigation(const StepInfo& /*info*/, std::span<const DistrictBalance> /*districts*/,
                          std::span<const double> /*pumping*/, std::span<const double> /*return_flow*/) {}
  /// After every converged step, before step(): the budget of every zone
  /// and aquifer.
  virtual void zone_budget(const StepInfo& /*info*/, const ZoneBudgetStep& /*budget*/) {}
  /// After the last step: metadata, then make the result visible.
  virtual void finish(const RunSummary& summary) = 0;
  /// The run failed or was interrupted: leave no result under the final name.
  virtual void abort() noexcept = 0;
};

} // namespace gwsim

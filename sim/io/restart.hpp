#pragma once
/// Restart points: what `gwsim run --resume` continues from.
///
/// A restart point is written at the end of a stress period next to the
/// result (by default at the first period end 30 s of wall time after the
/// run's start or the last restart point; or every N-th period: see
/// RestartInterval), as two files (the last period's state goes into the
/// result; it is written as a restart point only if the result cannot be
/// finished):
///
///   OUT.restart              the state at the period end (heads, pond
///                            volumes, the last step's head change and
///                            length, the districts' use of their yearly
///                            allotments, counters) and every per-step row
///                            the result needs so far (time-step info,
///                            budget, observed heads, pond and reach
///                            balances, zone budgets, district balances);
///                            small, rewritten whole each time, atomically
///                            (temporary file, fsync, rename);
///   OUT.restart-heads-TOKEN  one record per step with saved heads
///                            (output.save_heads): the ncell heads, then, for
///                            models with irrigation districts, the
///                            irrigation pumping and return-flow maps
///                            (nrow*ncol each). Raw doubles appended as the
///                            run goes and fsync'd before each OUT.restart
///                            that counts them, so a restart point costs
///                            O(one period), not O(run); the run's last
///                            saved step only if the last period becomes a
///                            restart point.
///
/// Both survive SIGKILL and power loss in a consistent state: OUT.restart is
/// either the old or the new one, and the heads file may only have extra
/// records beyond the count OUT.restart holds, which a resume drops.
///
/// A resumed run replays the recorded rows into the result writer, then
/// runs the remaining periods, so its result is complete and equal to an
/// uninterrupted run's. Both files are removed when the result is written.
///
/// Format of OUT.restart (little-endian, version 6: the kept periods' first
/// steps' head changes and the current period's step count after the kept
/// head changes; version 5: the kept head changes in
/// float with the operator's fingerprint; version 4: the state carries the
/// last steps' head changes kept for first guesses; version 3 added the
/// allotment use and district balances in the step rows; version 2 zone
/// budgets):
///   "GWSIMRST" u32 version u32 0x01020304 u64 scenario_hash
///   i64 nlay nrow ncol, string heads_file, then the state, the rows,
///   and a trailing u64 checksum of every byte before it (FNV-1a over
///   8-byte words).
/// The heads file starts with "GWSIMHDS" u64 scenario_hash u64 record_length
/// (doubles per record: ncell, plus 2*nrow*ncol with irrigation districts).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "io/input_files.hpp"
#include "model/output_sink.hpp"
#include "model/simulation.hpp"

namespace gwsim {

/// What a restart point must match: the scenario text and the bytes of
/// every data file it read (ModelData::input_files_digest).
std::uint64_t scenario_hash(const ModelData& model);

/// The restart point path of a result path.
std::string restart_path_for(const std::string& result_path);

/// One recorded step: everything OutputSink::step, surface_water, zone_budget
/// and irrigation were given, except heads and maps (in the heads file).
struct RecordedStep {
  StepInfo info;
  StepBudget budget;
  std::vector<double> observed;
  bool has_surface_water = false;
  std::vector<PondBalance> ponds;
  std::vector<ReachBalance> reaches;
  bool has_zone_budget = false;
  ZoneBudgetStep zone_budget;
  bool has_irrigation = false;
  std::vector<DistrictBalance> districts;
  bool has_irrigation_maps = false; ///< the step's heads record holds its pumping and return-flow maps
};

/// A restart point as read back; see read_restart().
struct RestartPoint {
  std::string path;
  SimulationState state;
  std::string heads_file;    ///< full path of the heads file
  std::uint64_t saved_heads = 0;
  std::vector<RecordedStep> steps;
  std::string rows; ///< the same rows, serialised, for the restart points to come
};

/// Read and check a restart point for `model`. Throws InputError (exit 65)
/// when it is missing, damaged, or from another scenario or grid.
RestartPoint read_restart(const std::string& path, const ModelData& model);

/// When a run writes restart points: after every `periods`-th stress period,
/// or (periods == 0) at the end of the first stress period that ends at
/// least `seconds` of wall time after the run's start or the last restart
/// point began. By wall time is the default: a restart point costs a copy
/// of the state, its checksum and two fsyncs (12% of a 2 s run that wrote
/// one every period, bench/HISTORY.md), so a short run writes none and a
/// long one loses at most about `seconds` plus a period when it is killed.
struct RestartInterval {
  int periods = 0;
  double seconds = 30.0;
  static RestartInterval every_periods(int n) { return {n, 0.0}; }
  static RestartInterval every_seconds(double s) { return {0, s}; }
};

/// An OutputSink in front of the result writer: passes everything on,
/// records what a restart point needs, writes restart points, and on a
/// resume replays a restart point's rows before the first new step.
class RestartRecorder final : public OutputSink {
public:
  /// `every`: when to write restart points (never for the last stress
  /// period: see period_end()). `resume`, if given, is replayed by begin().
  RestartRecorder(OutputSink& inner, const ModelData& model, std::string restart_path,
                  RestartInterval every, RestartPoint* resume = nullptr);
  ~RestartRecorder() override;

  void begin(const ModelData& model) override;
  void step(const StepInfo& info, std::span<const double> head, const StepBudget& budget,
            std::span<const double> observed) override;
  void surface_water(const StepInfo& info, std::span<const PondBalance> ponds,
                     std::span<const ReachBalance> reaches) override;
  void zone_budget(const StepInfo& info, const ZoneBudgetStep& budget) override;
  void irrigation(const StepInfo& info, std::span<const DistrictBalance> districts,
                  std::span<const double> pumping, std::span<const double> return_flow) override;
  /// Finish the result, then remove the restart point and its heads file.
  void finish(const RunSummary& summary) override;
  /// Abort the result; the restart point stays for --resume.
  void abort() noexcept override;

  /// Simulation's PeriodEnd callback: writes a restart point when due,
  /// taking the state's contents (moved: no copy of some 30 bytes per cell
  /// again). Throws OutputError when it cannot. The last period's
  /// state is kept instead: the result is finished from the same state, and
  /// a restart point written, synced and removed a moment later would cost
  /// a whole run's end as much as the result (7% of a 4 M-cell steady
  /// run); abort() writes it if the result cannot be finished.
  void period_end(SimulationState& state);
  /// Whether period_end() wants the state at the start of zero-based stress
  /// period `next_period` (the run's end included): Simulation builds it
  /// only then.
  bool due(int next_period) const;
  /// The PeriodEnd of Simulation::run() that feeds this recorder.
  Simulation::PeriodEnd period_end_callback() {
    return {[this](int next) { return due(next); }, [this](SimulationState& st) { period_end(st); }};
  }

  /// Restart points are written by a background thread: wait for the one
  /// being written (if any); on success it becomes the committed one, else
  /// its error is thrown.
  void wait_for_writer();

  const std::string& restart_path() const { return path_; }
  /// Stress periods completed at the last restart point written or resumed
  /// from (0: none yet), and their time steps.
  int committed_periods() const { return committed_periods_; }
  int committed_steps() const { return committed_steps_; }

private:
  void commit(SimulationState&& state);
  /// Append one saved step (heads, then the irrigation maps) to the heads file.
  void write_heads_record(std::span<const double> head, std::span<const double> maps);

  OutputSink& inner_;
  const ModelData& model_;
  std::string path_;
  RestartInterval every_;
  /// Wall time of the run's start or of the last restart point's start.
  std::chrono::steady_clock::time_point last_start_ = std::chrono::steady_clock::now();
  RestartPoint* resume_;
  std::uint64_t hash_;
  std::string heads_path_;
  std::string stale_heads_path_; ///< heads file of an older restart point, removed after our first commit
  std::FILE* heads_ = nullptr;
  bool own_heads_file_ = false;  ///< created by this run (not resumed)
  std::uint64_t saved_heads_ = 0;
  std::string rows_;            ///< recorded steps, serialised
  std::uint64_t nrows_ = 0;
  std::string pending_surface_; ///< serialised surface_water() of the step to come
  std::string pending_zones_;   ///< serialised zone_budget() of the step to come
  std::string pending_irrigation_; ///< serialised irrigation() of the step to come
  std::uint64_t record_length_;  ///< doubles per heads-file record (heads, then irrigation maps)
  std::vector<double> pending_maps_; ///< pumping then return-flow map of the step to come (zeros: none)
  int committed_periods_ = 0;
  int committed_steps_ = 0;
  std::thread writer_;               ///< syncs and writes the newest restart point
  std::exception_ptr writer_error_;  ///< its failure, thrown by wait_for_writer()
  int writing_periods_ = 0;          ///< what it will commit
  int writing_steps_ = 0;
  std::optional<SimulationState> last_; ///< the last period's state, until the result is finished
  int total_steps_ = 0;                 ///< of the run: its last step's heads go with last_
  bool owes_last_record_ = false;       ///< the last step's heads are saved but not in the heads file
  std::vector<double> last_maps_;       ///< that record's irrigation maps (empty without districts)
};

} // namespace gwsim

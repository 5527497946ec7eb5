#pragma once
/// The HDF5 result file: heads streamed step by step, per-step budgets and
/// observations, static fields and run metadata, in a netCDF-4/CF layout
/// that `xarray.open_dataset(path, engine="h5netcdf")` and `ncdump` read.
///
/// The file is written under `<final>.partial-<pid>` in the same folder and
/// renamed to the final path only by finish(), so a failed or interrupted
/// run never leaves a truncated result, nor replaces an earlier one. The
/// layout (format_version 1) is documented in hdf5_writer.cpp.
#include <memory>
#include <string>

#include "model/output_sink.hpp"

namespace gwsim {

class Hdf5Writer final : public OutputSink {
public:
  explicit Hdf5Writer(std::string final_path);
  /// Without a successful finish(), behaves like abort().
  ~Hdf5Writer() override;
  Hdf5Writer(const Hdf5Writer&) = delete;
  Hdf5Writer& operator=(const Hdf5Writer&) = delete;

  /// Create the temporary file and write grid, properties and scenario.
  /// Throws OutputError if the folder is missing or not writable.
  void begin(const ModelData& model) override;
  /// Append the heads (one hyperslab write, when info.save_heads) and keep
  /// the budget and observed heads, which finish() writes.
  void step(const StepInfo& info, std::span<const double> head, const StepBudget& budget,
            std::span<const double> observed) override;
  /// Keep the pond and reach balances, which finish() writes as the groups
  /// /ponds (step, pond) and /reaches (step, reach).
  void surface_water(const StepInfo& info, std::span<const PondBalance> ponds,
                     std::span<const ReachBalance> reaches) override;
  /// Keep the zone budget of every step (group /zone_budget, written by
  /// finish()).
  void zone_budget(const StepInfo& info, const ZoneBudgetStep& budget) override;
  /// Keep the district balances (group /districts (step, district)) and
  /// append the irrigation maps at saved steps.
  void irrigation(const StepInfo& info, std::span<const DistrictBalance> districts,
                  std::span<const double> pumping, std::span<const double> return_flow) override;
  /// Write budgets, observations and metadata, close, rename to the final
  /// path. On failure the temporary file is removed and OutputError thrown.
  void finish(const RunSummary& summary) override;
  /// Close and remove the temporary file; never touches the final path.
  void abort() noexcept override;

  const std::string& final_path() const { return final_path_; }
  /// `<final>.partial-<pid>`.
  const std::string& temp_path() const { return temp_path_; }

private:
  struct State;
  std::string final_path_;
  std::string temp_path_;
  std::unique_ptr<State> state_; ///< non-null between begin() and finish()/abort()
};

} // namespace gwsim

#pragma once
/// An OutputSink for tests: keeps every step's info, budget, observations and
/// (optionally) heads in memory.
#include <vector>

#include "model/output_sink.hpp"

namespace gwsim::test {

struct RecordingSink : OutputSink {
  bool keep_heads = true;
  bool began = false, finished = false, aborted = false;
  std::vector<StepInfo> info;
  std::vector<StepBudget> budgets;
  std::vector<std::vector<double>> heads;
  std::vector<std::vector<double>> observed;
  RunSummary summary;
  std::vector<std::vector<PondBalance>> ponds;     ///< per step with surface water
  std::vector<std::vector<ReachBalance>> reaches;  ///< per step with surface water

  void begin(const ModelData&) override { began = true; }
  void step(const StepInfo& i, std::span<const double> h, const StepBudget& b,
            std::span<const double> obs) override {
    info.push_back(i);
    budgets.push_back(b);
    if (keep_heads) heads.emplace_back(h.begin(), h.end());
    observed.emplace_back(obs.begin(), obs.end());
  }
  void surface_water(const StepInfo&, std::span<const PondBalance> p,
                     std::span<const ReachBalance> r) override {
    ponds.emplace_back(p.begin(), p.end());
    reaches.emplace_back(r.begin(), r.end());
  }
  void finish(const RunSummary& s) override {
    finished = true;
    summary = s;
  }
  void abort() noexcept override { aborted = true; }

  /// Budget term by name in step s.
  const BudgetTerm& term(std::size_t s, const std::string& name) const {
    for (const auto& t : budgets.at(s).terms)
      if (t.name == name) return t;
    throw std::out_of_range("no budget term " + name);
  }
};

} // namespace gwsim::test

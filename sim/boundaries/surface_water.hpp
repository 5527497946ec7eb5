#pragma once
/// Rivers, canals and ponds: head-dependent exchange with the aquifer, the
/// water balance of each pond, and canal-to-pond connections.
#include <memory>
#include <span>
#include <vector>

#include "boundaries/package.hpp"

namespace gwsim {

/// One pond's water balance over a time step. Rates in m3/d (averaged over
/// the step), stage in m, volume in m3 at the end of the step.
struct PondBalance {
  double stage = 0.0;
  double volume = 0.0;
  double inflow = 0.0;       ///< from outside the model
  double connections = 0.0;  ///< from canals
  double rain = 0.0;
  double evaporation = 0.0;
  double seepage = 0.0;      ///< to the aquifer (negative: the aquifer feeds the pond)
  double spill = 0.0;
  /// Volume change per day minus the sum of the terms, m3/d: zero up to rounding.
  double imbalance = 0.0;
};

/// One river or canal reach over a time step.
struct ReachBalance {
  double seepage = 0.0;  ///< m3/d from the reach to the aquifer (negative: gaining reach)
  double diverted = 0.0; ///< m3/d sent to ponds through connections
  bool has_water = false;
};

/// RIV: every reach, budget term "riv" (flow into the aquifer is "in").
class RiverPackage final : public Package {
public:
  RiverPackage(const std::vector<RiverReach>& reaches);
  std::string name() const override { return "riv"; }
  void start_period(int period) override;
  void add_to(StencilSystem& A, std::span<const double> h, std::span<const CellRole> role) const override;
  BudgetTerm budget(std::span<const double> h, std::span<const CellRole> role) const override;
  bool nonlinear() const override { return true; }
  bool cells(std::vector<Index>& out) const override {
    for (const RiverReach& r : reaches_) out.insert(out.end(), r.cells.begin(), r.cells.end());
    return true;
  }

  /// Stage of cell c of reach r in the current period, m; NaN when dry.
  double stage(std::size_t r, std::size_t c) const;
  bool has_water(std::size_t r) const { return wet_[r]; }
  std::size_t size() const { return reaches_.size(); }
  const RiverReach& reach(std::size_t r) const { return reaches_[r]; }
  /// Net seepage of each reach to the aquifer, m3/d.
  std::vector<double> seepage(std::span<const double> h, std::span<const CellRole> role) const;

private:
  /// f(reach, q) for every exchanging cell, q in m3/d to the aquifer.
  template <class F> void for_each_exchange(std::span<const double> h, std::span<const CellRole> role, F f) const;

  const std::vector<RiverReach>& reaches_;
  std::vector<double> level_; ///< stage or depth in force, per reach
  std::vector<char> wet_;
};

/// Ponds and their canal connections, budget term "pond".
class PondPackage final : public Package {
public:
  PondPackage(const std::vector<Pond>& ponds, const std::vector<Connection>& connections,
              const RiverPackage* rivers);
  std::string name() const override { return "pond"; }
  void start_period(int period) override;
  void start_step(double dt, const Date& midpoint) override;
  void end_step(std::span<const double> h, std::span<const CellRole> role) override;
  void add_to(StencilSystem& A, std::span<const double> h, std::span<const CellRole> role) const override;
  BudgetTerm budget(std::span<const double> h, std::span<const CellRole> role) const override;
  bool nonlinear() const override { return true; }

  /// Balances of the last budget() call (after a converged step).
  const std::vector<PondBalance>& balances() const { return balance_; }
  /// Pond volumes at the end of the last step, m3 (restart points).
  const std::vector<double>& volumes() const { return volume_old_; }
  void set_volumes(const std::vector<double>& v);
  /// m3/d diverted from each reach into ponds in the current step.
  const std::vector<double>& diverted() const { return diverted_; }

private:
  /// Solve pond p's balance for its end-of-step stage at aquifer heads h;
  /// fills balance_[p] and the per-cell seepage q_[p] (m3/d to the aquifer)
  /// and its derivative with respect to each cell's head.
  void solve(std::size_t p, std::span<const double> h, std::span<const CellRole> role) const;
  double volume(std::size_t p, double stage) const;
  double area(std::size_t p, double stage) const;
  /// The Jacobian's dependence of pond p's seepage on the heads of other
  /// cells, after solve(): through the stage (between floor and spill) or
  /// through the share of the losses an emptying pond can meet.
  RankOneTerm stage_coupling(std::size_t p, std::span<const CellRole> role, bool symmetric) const;
  RankOneTerm emptying_coupling(std::size_t p, std::span<const double> h, std::span<const CellRole> role) const;

  const std::vector<Pond>& ponds_;
  const std::vector<Connection>& connections_;
  const RiverPackage* rivers_;
  int period_ = 0;
  double dt_ = 1.0;
  std::vector<double> volume_old_;        ///< m3 at the start of the step
  std::vector<double> rain_, evap_, inflow_, connected_;
  std::vector<double> diverted_;          ///< per reach
  std::vector<char> connection_on_;
  mutable std::vector<PondBalance> balance_;
  mutable std::vector<std::vector<double>> q_, dq_;
  /// g'(s) / dt of each pond's balance at its solved stage, m2/d (0: the
  /// stage is at the floor or the spill level and does not follow heads).
  mutable std::vector<double> gamma_;
  /// A pond that empties within the step: the share of its losses it can
  /// meet (0..1) and the water there is for them, m3/d.
  mutable std::vector<double> factor_, available_;
};

} // namespace gwsim

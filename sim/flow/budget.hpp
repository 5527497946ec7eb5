#pragma once
/// Water-budget bookkeeping shared by the flow model and the stress packages.
#include <string>
#include <vector>

namespace gwsim {

/// One budget term of one time step, as MODFLOW reports it: rates in m3/d,
/// "in" is water entering the groundwater system through this term.
struct BudgetTerm {
  std::string name; ///< "storage", "chd", "wel", "rch", "ghb", ...
  double in = 0.0;  ///< m3/d
  double out = 0.0; ///< m3/d
  /// Outflow asked for, m3/d, by a term that can deliver less than asked
  /// (wells in drying cells); zero for the other terms.
  double requested_out = 0.0;

  /// Add a signed flow q (m3/d, > 0 into the aquifer).
  void add(double q) {
    if (q > 0.0) in += q;
    else out -= q;
  }
  /// Outflow that was asked for but could not be delivered, m3/d.
  double shortfall() const { return requested_out > out ? requested_out - out : 0.0; }
};

struct StepBudget {
  std::vector<BudgetTerm> terms; ///< same names and order in every step
  double total_in = 0.0;         ///< m3/d
  double total_out = 0.0;        ///< m3/d
  /// 100 (in - out) / ((in + out) / 2), MODFLOW's percent discrepancy.
  double percent_discrepancy = 0.0;

  /// Sum the terms and compute the discrepancy.
  void close();
};

inline void StepBudget::close() {
  total_in = total_out = 0.0;
  for (const auto& t : terms) {
    total_in += t.in;
    total_out += t.out;
  }
  const double mean = 0.5 * (total_in + total_out);
  percent_discrepancy = mean > 0.0 ? 100.0 * (total_in - total_out) / mean : 0.0;
}

} // namespace gwsim

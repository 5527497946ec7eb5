#pragma once
/// Plain descriptions of the stress packages (CHD, WEL, GHB, RCH) as read
/// from a scenario: cells, and values by stress period.
#include <string>
#include <vector>

#include "core/types.hpp"

namespace gwsim {

/// A value that changes by stress period: entry i holds from period
/// start_period[i] (zero-based) until the next entry. Before the first entry
/// the stress is off.
template <class T> struct Schedule {
  std::vector<int> start_period;
  std::vector<T> value;

  /// Value in force in `period`, or nullptr while the stress is off.
  const T* at(int period) const {
    const T* v = nullptr;
    for (std::size_t i = 0; i < start_period.size() && start_period[i] <= period; ++i)
      v = &value[i];
    return v;
  }
  void set(int period, T v) {
    start_period.push_back(period);
    value.push_back(std::move(v));
  }
  bool empty() const { return start_period.empty(); }
};

/// CHD: a named group of cells held at a head.
struct ConstantHead {
  std::string name;
  std::vector<Index> cells;  ///< flat cell indices
  Schedule<double> head;     ///< m
};

/// WEL: a named well; rate > 0 injects, rate < 0 pumps.
struct Well {
  std::string name;
  Index cell = 0;
  Schedule<double> rate; ///< m3/d
};

/// GHB: a named group of cells connected to an external head through a
/// conductance, flow into the aquifer = C (head - h).
struct GeneralHead {
  std::string name;
  std::vector<Index> cells;
  Schedule<double> head;        ///< m
  Schedule<double> conductance; ///< m2/d per cell
};

/// RCH: areal recharge applied to the uppermost active cell of each column.
struct Recharge {
  Schedule<std::vector<double>> rate; ///< m/d, nrow*ncol
};

struct Stresses {
  std::vector<ConstantHead> chd;
  std::vector<Well> wel;
  std::vector<GeneralHead> ghb;
  Recharge rch;
};

} // namespace gwsim

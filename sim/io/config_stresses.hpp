#pragma once
/// The `stresses:` and `observations:` sections of a scenario: cell
/// selections, by-stress-period schedules and the CHD/WEL/GHB/RCH packages.
#include <algorithm>
#include <map>
#include <string>

#include <fmt/format.h>
#include <vector>

#include "io/yaml_reader.hpp"
#include "model/model_data.hpp"

namespace gwsim {

/// Read `stresses:`; every cell is checked to be inside `grid` and active,
/// every schedule key to be a period in 1..nper.
Stresses read_stresses(const ConfigNode& node, const Grid& grid, const TimeDiscretization& time);

std::vector<Observation> read_observations(const ConfigNode& node, const Grid& grid);

/// `cells:` (triples, a block or a mask) as flat indices. `owner` labels
/// messages, e.g. "stresses.chd[0] (name 'west_edge')".
std::vector<Index> read_cells(const ConfigNode& node, const Grid& grid, const std::string& owner);

/// A number (from period 1 on) or {period: number, ...} (one-based periods).
Schedule<double> read_schedule(const ConfigNode& node, int nper, const Bound& bound);

/// A one-based stress-period key, checked against 1..nper; zero-based.
int read_period_key(const ConfigNode& key, int nper);

/// Model position of an entry: `layer` plus `row`/`col` or `x`/`y`.
Observation read_position(const ConfigNode& e, const Grid& g, const std::string& owner);

/// Values by stress period: `{period: value, ...}` when `by_period`, else
/// one value from the first period on.
template <class T, class ReadValue>
Schedule<T> read_by_period(const ConfigNode& node, int nper, bool by_period, ReadValue read_value) {
  Schedule<T> s;
  if (!by_period) {
    s.set(0, read_value(node));
    return s;
  }
  std::vector<std::pair<int, T>> items;
  for (const auto& [key, value] : node.entries()) {
    const int p = read_period_key(key, nper);
    for (const auto& item : items)
      if (item.first == p) key.fail_here(fmt::format("period {} is given twice", p + 1));
    items.emplace_back(p, read_value(value));
  }
  if (items.empty()) node.fail_here("expected a value or {period: value, ...}, found an empty mapping");
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [p, v] : items) s.set(p, std::move(v));
  return s;
}

// --- packages -------------------------------------------------------------------

/// Reads a list of named entries; `read(entry, owner)` fills the rest.
template <class Entry, class ReadEntry>
std::vector<Entry> read_named_list(const ConfigNode& list, ReadEntry read) {
  list.expect_list("a list of named entries");
  std::vector<Entry> out;
  std::map<std::string, std::string> first_use;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const ConfigNode e = list[i];
    e.expect_map("an entry {name: ..., ...}");
    const ConfigNode name_node = e.required("name");
    const std::string name = name_node.as_string();
    if (const auto it = first_use.find(name); it != first_use.end())
      name_node.fail(fmt::format("duplicate name (also used by {})", it->second));
    first_use.emplace(name, e.path());
    Entry entry = read(e, fmt::format("{} (name '{}')", e.path(), name));
    entry.name = name;
    e.done();
    out.push_back(std::move(entry));
  }
  return out;
}



} // namespace gwsim

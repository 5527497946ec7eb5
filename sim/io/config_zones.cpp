#include "io/config_zones.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "io/config_arrays.hpp"

namespace gwsim {

namespace {

/// Largest zone id accepted (ids are stored as 32-bit integers).
constexpr double max_zone_id = 1e9;

/// The YAML node that holds the value of column (row, col) of a 2-D array,
/// for messages: the number, the list item, or the file name.
ConfigNode value_node(const ConfigNode& array, Index row, Index col) {
  if (array.is_list()) return array[std::size_t(row)][std::size_t(col)];
  if (array.is_map()) return array.required("file");
  return array;
}

} // namespace

Zones default_zones(const Grid& g) {
  Zones z;
  z.id.assign(std::size_t(g.ncell_layer()), 0);
  for (Index n = 0; n < g.ncell(); ++n)
    if (g.is_active(n)) z.id[std::size_t(n % g.ncell_layer())] = 1;
  z.ids = {1};
  z.names = {"model"};
  return z;
}

std::vector<AquiferGroup> default_aquifer_groups(const Grid& g) {
  std::vector<AquiferGroup> groups;
  for (Index k = 0; k < g.nlay; ++k) groups.push_back({fmt::format("layer_{}", k + 1), {k}});
  return groups;
}

Zones read_zones(const std::optional<ConfigNode>& node, const Grid& g) {
  if (!node) return default_zones(g);
  node->expect_map("a mapping {map, names}");
  const ConfigNode map = node->required("map");
  const auto values = read_array2d(map, g, {Bound::between(0, max_zone_id), true});
  Zones z;
  z.id.reserve(values.size());
  std::map<int, Index> first_cell; // zone id -> first column where it occurs
  for (std::size_t i = 0; i < values.size(); ++i) {
    const Index row = Index(i) / g.ncol, col = Index(i) % g.ncol;
    if (values[i] != std::floor(values[i]))
      value_node(map, row, col).fail(fmt::format("zone id {} at {} is not a whole number (zone ids are whole "
                                                 "numbers >= 1, 0 outside every zone)",
                                                 values[i], cell_label(-1, row, col)));
    z.id.push_back(int(values[i]));
    if (z.id.back() != 0) first_cell.try_emplace(z.id.back(), Index(i));
  }

  const ConfigNode names = node->required("names");
  names.expect_map("a mapping from zone id to name, e.g. {1: Taocheng, 2: Jizhou}");
  std::map<int, std::string> named;
  std::map<std::string, int> id_of_name; // names are unique
  for (const auto& [key, value] : names.entries()) {
    const int id = key.as_int(Bound::between(1, max_zone_id));
    const std::string name = value.as_string();
    if (first_cell.count(id) == 0) key.fail(fmt::format("zone {} does not occur in zones.map", id));
    if (const auto other = id_of_name.find(name); other != id_of_name.end())
      value.fail(fmt::format("zone {} has the same name", other->second));
    named[id] = name;
    id_of_name.emplace(name, id);
  }
  node->done();
  for (const auto& [id, cell] : first_cell)
    if (named.count(id) == 0)
      names.fail_here(fmt::format("zone id {} (first at {} of zones.map) has no name; every zone id in the "
                                  "map needs one",
                                  id, cell_label(-1, cell / g.ncol, cell % g.ncol)));
  for (const auto& [id, name] : named) {
    z.ids.push_back(id);
    z.names.push_back(name);
  }
  return z;
}

std::vector<AquiferGroup> read_aquifer_groups(const std::optional<ConfigNode>& node, const Grid& g) {
  if (!node) return default_aquifer_groups(g);
  node->expect_map("a mapping from aquifer name to its layers, e.g. {shallow: [1], deep: [3, 4]}");
  std::vector<AquiferGroup> groups;
  std::vector<std::string> owner(std::size_t(g.nlay)); // aquifer of each layer, "" if none
  const Bound layer_bound = Bound::between(1, double(g.nlay), "layer");
  for (const auto& [key, value] : node->entries()) {
    AquiferGroup group{key.as_string(), {}};
    std::vector<ConfigNode> items;
    if (value.is_list()) {
      if (value.size() == 0) value.fail_here("expected a layer number or a list of layer numbers, found an empty list");
      for (std::size_t i = 0; i < value.size(); ++i) items.push_back(value[i]);
    } else {
      items.push_back(value);
    }
    for (const ConfigNode& item : items) {
      const Index k = item.as_index(layer_bound) - 1;
      std::string& o = owner[std::size_t(k)];
      if (o == group.name) item.fail("layer listed twice");
      if (!o.empty()) item.fail(fmt::format("layer {} is already in aquifer '{}'; a layer belongs to one aquifer", k + 1, o));
      o = group.name;
      group.layers.push_back(k);
    }
    std::sort(group.layers.begin(), group.layers.end());
    groups.push_back(std::move(group));
  }
  if (groups.empty()) node->fail_here("expected at least one aquifer, e.g. {shallow: [1]}");
  return groups;
}

} // namespace gwsim

#include "io/config_stresses.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "io/config_arrays.hpp"
#include "io/config_surface_water.hpp"

namespace gwsim {

namespace {

[[noreturn]] void fail_for(const ConfigNode& where, const std::string& owner, const std::string& message) {
  throw InputError(where.location(), owner + ": " + message);
}

/// The YAML nodes a cell's layer, row and column came from, for messages.
struct CellSource {
  ConfigNode layer;
  ConfigNode row;
  ConfigNode col;
};

/// Flat index of the one-based (layer, row, col), which must be an active
/// cell inside the grid.
Index checked_cell(const Grid& g, Index l, Index r, Index c, const CellSource& src, const std::string& owner) {
  const std::string cell = fmt::format("layer {}, row {}, col {}", l, r, c);
  if (l < 1 || l > g.nlay) fail_for(src.layer, owner, fmt::format("{} is outside the grid ({} layers)", cell, g.nlay));
  if (r < 1 || r > g.nrow) fail_for(src.row, owner, fmt::format("{} is outside the grid ({} rows)", cell, g.nrow));
  if (c < 1 || c > g.ncol) fail_for(src.col, owner, fmt::format("{} is outside the grid ({} columns)", cell, g.ncol));
  const Index n = g.index(l - 1, r - 1, c - 1);
  if (!g.is_active(n)) fail_for(src.layer, owner, cell + " is an inactive cell (grid.active = 0)");
  return n;
}

// --- cells --------------------------------------------------------------------

/// An inclusive one-based range of layers, rows or columns.
struct Range {
  Index first = 0;
  Index last = 0;
  ConfigNode node;
};

Range read_pair(const ConfigNode& n) {
  n.expect_list("a range [first, last]");
  if (n.size() != 2) n.fail_here(fmt::format("expected a range [first, last], found {} entries", n.size()));
  const Index a = n[0].as_index();
  const Index b = n[1].as_index();
  if (a > b) n.fail_here(fmt::format("range [{}, {}] must not decrease (first <= last)", a, b));
  return {a, b, n};
}

/// `single: N`, or `plural: [N1, N2]`; with no plural key, `single` may be
/// either form (as `layer` is).
std::optional<Range> read_range(const ConfigNode& block, const char* single, const char* plural) {
  auto one = block.optional(single);
  auto many = plural ? block.optional(plural) : std::nullopt;
  if (one && many) one->fail_here(fmt::format("give either '{}' or '{}', not both", single, plural));
  if (many) return read_pair(*many);
  if (!one) return std::nullopt;
  if (one->is_list()) {
    if (plural) one->fail_here(fmt::format("a range is written '{}: [first, last]'", plural));
    return read_pair(*one);
  }
  const Index v = one->as_index();
  return Range{v, v, *one};
}

Range required_range(const ConfigNode& block, const char* single, const char* plural) {
  if (auto r = read_range(block, single, plural)) return *r;
  block.fail_here(plural ? fmt::format("missing required key '{}' (or '{}')", single, plural)
                         : fmt::format("missing required key '{}'", single));
}

std::vector<Index> read_block(const ConfigNode& block, const Grid& g, const std::string& owner) {
  const Range L = required_range(block, "layer", nullptr);
  const Range R = required_range(block, "row", "rows");
  const Range C = required_range(block, "col", "cols");
  block.done();
  std::vector<Index> cells;
  for (Index l = L.first; l <= L.last; ++l)
    for (Index r = R.first; r <= R.last; ++r)
      for (Index c = C.first; c <= C.last; ++c)
        cells.push_back(checked_cell(g, l, r, c, {L.node, R.node, C.node}, owner));
  return cells;
}

std::vector<Index> read_mask(const ConfigNode& block, const Grid& g, const std::string& owner) {
  const Range L = required_range(block, "layer", nullptr);
  const ConfigNode mask_node = block.required("mask");
  const auto mask = read_array2d(mask_node, g, {});
  block.done();
  std::vector<Index> cells;
  for (Index l = L.first; l <= L.last; ++l)
    for (Index i = 0; i < g.ncell_layer(); ++i)
      if (mask[std::size_t(i)] != 0.0)
        cells.push_back(checked_cell(g, l, i / g.ncol + 1, i % g.ncol + 1, {L.node, mask_node, mask_node}, owner));
  if (cells.empty()) mask_node.fail_here("the mask selects no cells (every value is 0)");
  return cells;
}

std::vector<Index> read_triples(const ConfigNode& list, const Grid& g, const std::string& owner) {
  if (list.size() == 0) list.fail_here("the list of cells is empty");
  std::vector<Index> cells;
  std::set<Index> seen;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const ConfigNode t = list[i];
    t.expect_list("a [layer, row, col] triple");
    if (t.size() != 3) t.fail_here(fmt::format("expected a [layer, row, col] triple, found {} entries", t.size()));
    const Index n = checked_cell(g, t[0].as_index(), t[1].as_index(), t[2].as_index(), {t[0], t[1], t[2]}, owner);
    if (!seen.insert(n).second)
      fail_for(t, owner, fmt::format("{} is listed twice", cell_label(g.layer_of(n), g.row_of(n), g.col_of(n))));
    cells.push_back(n);
  }
  return cells;
}

/// Model position of an entry: `layer` plus `row`/`col` or `x`/`y`.
Observation read_position_impl(const ConfigNode& e, const Grid& g, const std::string& owner) {
  const ConfigNode layer = e.required("layer");
  const bool by_rc = e.has("row") || e.has("col");
  const bool by_xy = e.has("x") || e.has("y");
  if (by_rc && by_xy) e.fail_here("give either row and col, or x and y, not both");
  if (!by_rc && !by_xy) e.fail_here("missing the position: give row and col, or x and y");
  Observation p;
  if (by_rc) {
    const ConfigNode row = e.required("row");
    const ConfigNode col = e.required("col");
    p.cell = checked_cell(g, layer.as_index(), row.as_index(), col.as_index(), {layer, row, col}, owner);
    p.x = g.x_centers()[std::size_t(g.col_of(p.cell))];
    p.y = g.y_centers()[std::size_t(g.row_of(p.cell))];
    return p;
  }
  const ConfigNode xn = e.required("x");
  const ConfigNode yn = e.required("y");
  p.x = xn.as_double();
  p.y = yn.as_double();
  Index r = 0, c = 0;
  if (!g.locate(p.x, p.y, r, c))
    fail_for(xn, owner,
             fmt::format("x = {}, y = {} is outside the grid (x {} to {} m, y {} to {} m)", p.x, p.y, g.xorigin,
                         g.xorigin + g.width(), g.yorigin, g.yorigin + g.height()));
  p.cell = checked_cell(g, layer.as_index(), r + 1, c + 1, {layer, xn, xn}, owner);
  return p;
}

std::vector<ConstantHead> read_chd(const ConfigNode& list, const Grid& g, int nper) {
  auto chd = read_named_list<ConstantHead>(list, [&](const ConfigNode& e, const std::string& owner) {
    ConstantHead c;
    c.cells = read_cells(e.required("cells"), g, owner);
    c.head = read_schedule(e.required("head"), nper, Bound::any("m"));
    return c;
  });
  // Two heads for one cell would be ambiguous.
  std::map<Index, std::size_t> owner_of;
  for (std::size_t i = 0; i < chd.size(); ++i)
    for (const Index n : chd[i].cells)
      if (const auto [it, fresh] = owner_of.emplace(n, i); !fresh)
        fail_for(list[i].required("cells"), fmt::format("{} (name '{}')", list[i].path(), chd[i].name),
                 fmt::format("{} is already held by {} (name '{}')", cell_label(g.layer_of(n), g.row_of(n), g.col_of(n)),
                             list[it->second].path(), chd[it->second].name));
  return chd;
}

std::vector<Well> read_wel(const ConfigNode& list, const Grid& g, int nper) {
  return read_named_list<Well>(list, [&](const ConfigNode& e, const std::string& owner) {
    Well w;
    w.cell = read_position_impl(e, g, owner).cell;
    w.rate = read_schedule(e.required("rate"), nper, Bound::any("m3/d"));
    return w;
  });
}

std::vector<GeneralHead> read_ghb(const ConfigNode& list, const Grid& g, int nper) {
  return read_named_list<GeneralHead>(list, [&](const ConfigNode& e, const std::string& owner) {
    GeneralHead b;
    b.cells = read_cells(e.required("cells"), g, owner);
    b.head = read_schedule(e.required("head"), nper, Bound::any("m"));
    b.conductance = read_schedule(e.required("conductance"), nper, Bound::non_negative("m2/d"));
    return b;
  });
}

Recharge read_rch(const ConfigNode& node, const Grid& g, int nper) {
  node.expect_map("a mapping {rate: ...}");
  Recharge r;
  const ConfigNode rate = node.required("rate");
  const bool by_period = rate.is_map() && !is_file_array(rate);
  r.rate = read_by_period<std::vector<double>>(rate, nper, by_period, [&](const ConfigNode& v) {
    return read_array2d(v, g, {Bound::any("m/d")});
  });
  node.done();
  return r;
}

} // namespace

Observation read_position(const ConfigNode& e, const Grid& g, const std::string& owner) {
  return read_position_impl(e, g, owner);
}

int read_period_key(const ConfigNode& key, int nper) {
  const std::string& t = key.yaml().Scalar();
  int p = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), p);
  if (!key.is_scalar() || ec != std::errc() || end != t.data() + t.size())
    key.fail_here(fmt::format("period key '{}' is not a whole number (keys are stress periods 1..{})", t, nper));
  if (p < 1 || p > nper)
    key.fail_here(fmt::format("period {} is outside 1..{} (time.periods defines {} stress periods)", p, nper, nper));
  return p - 1;
}

std::vector<Index> read_cells(const ConfigNode& node, const Grid& g, const std::string& owner) {
  if (node.is_list()) return read_triples(node, g, owner);
  if (node.is_map()) return node.has("mask") ? read_mask(node, g, owner) : read_block(node, g, owner);
  node.fail_here(fmt::format("expected a list of [layer, row, col] triples, a block {{layer, row|rows, "
                             "col|cols}} or {{layer, mask}}; found {}",
                             node.describe()));
}

Schedule<double> read_schedule(const ConfigNode& node, int nper, const Bound& bound) {
  if (!node.is_scalar() && !node.is_map())
    node.fail_here(fmt::format("expected a number or {{period: number, ...}}, found {}", node.describe()));
  return read_by_period<double>(node, nper, node.is_map(),
                                [&](const ConfigNode& v) { return v.as_double(bound); });
}

Stresses read_stresses(const ConfigNode& node, const Grid& g, const TimeDiscretization& time) {
  const int nper = static_cast<int>(time.periods.size());
  node.expect_map("a mapping of packages (chd, wel, ghb, rch, riv, drn, evt, ponds, connections)");
  Stresses s;
  if (auto n = node.optional("chd")) s.chd = read_chd(*n, g, nper);
  if (auto n = node.optional("wel")) s.wel = read_wel(*n, g, nper);
  if (auto n = node.optional("ghb")) s.ghb = read_ghb(*n, g, nper);
  if (auto n = node.optional("rch")) s.rch = read_rch(*n, g, nper);
  if (auto n = node.optional("riv")) s.riv = read_riv(*n, g, time);
  if (auto n = node.optional("drn")) s.drn = read_drn(*n, g, nper);
  if (auto n = node.optional("evt")) s.evt = read_evt(*n, g, nper);
  if (auto n = node.optional("ponds")) s.ponds = read_ponds(*n, g, nper);
  if (auto n = node.optional("connections")) s.connections = read_connections(*n, s.riv, s.ponds, nper);
  node.done();
  return s;
}

std::vector<Observation> read_observations(const ConfigNode& node, const Grid& g) {
  return read_named_list<Observation>(node, [&](const ConfigNode& e, const std::string& owner) {
    return read_position_impl(e, g, owner);
  });
}

} // namespace gwsim

#include <algorithm>
#include "io/config.hpp"
#include "io/input_files.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "core/machine.hpp"
#include "io/compose.hpp"
#include "solver/solution_projection.hpp"
#include "io/config_arrays.hpp"
#include "io/config_irrigation.hpp"
#include "io/config_stresses.hpp"
#include "io/config_zones.hpp"
#include "io/yaml_reader.hpp"

namespace gwsim {

namespace {

/// YAML spellings of the enumerations; adding a choice is one line.
const std::vector<std::pair<std::string, SolverKind>> solver_methods = {
    {"pcg", SolverKind::pcg},
    {"direct", SolverKind::direct},
    {"multigrid", SolverKind::multigrid},
};
const std::vector<std::pair<std::string, SaveHeads>> save_heads_choices = {
    {"every_step", SaveHeads::every_step},
    {"period_end", SaveHeads::period_end},
    {"year_end", SaveHeads::year_end},
    {"none", SaveHeads::none},
};
const std::vector<std::pair<std::string, LayerType>> layer_types = {
    {"confined", LayerType::confined},
    {"convertible", LayerType::convertible},
};

/// Far more cells than one machine can hold; catches typos such as an
/// extra zero before anything is allocated.
constexpr double max_cells = 2e9;
/// Memory a run needs at least, per cell: a steady single-layer run peaks
/// at 112-129 B/cell (bench/README.md), layered and transient runs need
/// more. A grid that cannot fit is refused before anything is allocated,
/// instead of being stopped by the kernel's out-of-memory killer a minute
/// later without a word.
constexpr double min_bytes_per_cell = 100.0;
/// Stress periods after `repeat` expansion.
constexpr Index max_periods = 100000;

template <class T> T read_enum(const ConfigNode& node, const std::vector<std::pair<std::string, T>>& table) {
  std::vector<std::string> names;
  for (const auto& entry : table) names.push_back(entry.first);
  return table[node.as_choice(names)].second;
}

// --- grid ---------------------------------------------------------------------------

/// Column or row widths: one number or a list of `count` numbers, m.
std::vector<double> read_widths(const ConfigNode& n, Index count, const char* count_name) {
  if (!n.is_list()) return std::vector<double>(std::size_t(count), n.as_double(Bound::positive("m")));
  if (Index(n.size()) != count)
    n.fail_here(fmt::format("expected one number or a list of {} = {} widths, found {} entries", count_name,
                            count, n.size()));
  std::vector<double> w;
  for (std::size_t i = 0; i < n.size(); ++i) w.push_back(n[i].as_double(Bound::positive("m")));
  return w;
}

/// Every active cell must be thicker than zero: the top above layer 1's
/// bottom, each layer's bottom below the one above.
void check_thickness(const Grid& g, const ConfigNode& top, const ConfigNode& bottom) {
  for (Index n = 0; n < g.ncell(); ++n) {
    if (!g.is_active(n) || g.thickness(n) > 0.0) continue;
    const Index k = g.layer_of(n);
    const ConfigNode where = bottom.is_list() ? bottom[std::size_t(k)] : bottom;
    const std::string cell = cell_label(k, g.row_of(n), g.col_of(n));
    if (k == 0)
      where.fail_here(fmt::format("{}: bottom {} m is not below the model top {} m (grid.top at line {}); "
                                  "every active cell must be thicker than 0",
                                  cell, g.cell_bottom(n), g.cell_top(n), top.location().line));
    where.fail_here(fmt::format("{}: bottom {} m is not below the bottom of layer {} ({} m); layer bottoms "
                                "must decrease downwards in active cells",
                                cell, g.cell_bottom(n), k, g.cell_top(n)));
  }
}

Grid read_grid(const ConfigNode& node) {
  node.expect_map("a mapping {nlay, nrow, ncol, delr, delc, top, bottom, ...}");
  Grid g;
  g.nlay = node.required("nlay").as_index(Bound::at_least(1));
  g.nrow = node.required("nrow").as_index(Bound::at_least(1));
  g.ncol = node.required("ncol").as_index(Bound::at_least(1));
  const double cells = double(g.nlay) * double(g.nrow) * double(g.ncol);
  if (cells > max_cells)
    node.fail_here(fmt::format("nlay x nrow x ncol = {} x {} x {} cells is more than the limit of {:g}", g.nlay,
                               g.nrow, g.ncol, max_cells));
  if (const double limit = memory_limit_bytes(); limit > 0.0 && cells * min_bytes_per_cell > limit)
    node.fail_here(fmt::format("nlay x nrow x ncol = {} x {} x {} cells need at least {:.1f} GiB of memory "
                               "({:g} bytes per cell), more than the {:.1f} GiB this machine lets gwsim use "
                               "(memory plus swap, ulimit -v or the control group's memory limit)",
                               g.nlay, g.nrow, g.ncol, cells * min_bytes_per_cell / 1073741824.0,
                               min_bytes_per_cell, limit / 1073741824.0));
  g.delr = read_widths(node.required("delr"), g.ncol, "ncol");
  g.delc = read_widths(node.required("delc"), g.nrow, "nrow");
  if (auto n = node.optional("xorigin")) g.xorigin = n->as_double(Bound::any("m"));
  if (auto n = node.optional("yorigin")) g.yorigin = n->as_double(Bound::any("m"));
  const ConfigNode top = node.required("top");
  const ConfigNode bottom = node.required("bottom");
  g.top = read_array2d(top, g, {Bound::any("m")});
  g.bottom = read_array3d(bottom, g, {Bound::any("m")});
  g.active.assign(std::size_t(g.ncell()), 1);
  if (auto n = node.optional("active")) {
    const auto active = read_array3d(*n, g, {Bound::flag(), true});
    g.active.assign(active.size(), 0);
    std::transform(active.begin(), active.end(), g.active.begin(), [](double a) { return static_cast<std::int8_t>(a); });
  }
  node.done();
  check_thickness(g, top, bottom);
  return g;
}

// --- aquifer ------------------------------------------------------------------------

std::vector<LayerType> read_layer_types(const std::optional<ConfigNode>& node, Index nlay) {
  if (!node) return std::vector<LayerType>(std::size_t(nlay), LayerType::confined);
  if (!node->is_list()) return std::vector<LayerType>(std::size_t(nlay), read_enum(*node, layer_types));
  if (Index(node->size()) != nlay)
    node->fail_here(fmt::format("expected one value or a list of nlay = {} values, found {} entries", nlay,
                                node->size()));
  std::vector<LayerType> types;
  for (std::size_t k = 0; k < node->size(); ++k) types.push_back(read_enum((*node)[k], layer_types));
  return types;
}

/// Leakance between layer k and k+1 (1/d): a list of nlay - 1 2-D arrays.
std::vector<double> read_leakance(const ConfigNode& node, const Grid& g) {
  if (g.nlay < 2) node.fail_here("leakance couples layers; the grid has only one layer");
  node.expect_list(fmt::format("a list of nlay - 1 = {} 2-D arrays (one per layer interface)", g.nlay - 1));
  if (Index(node.size()) != g.nlay - 1)
    node.fail_here(fmt::format("expected nlay - 1 = {} 2-D arrays (one per layer interface), found {} entries",
                               g.nlay - 1, node.size()));
  std::vector<double> v;
  v.reserve(std::size_t((g.nlay - 1) * g.ncell_layer()));
  for (std::size_t k = 0; k < node.size(); ++k) {
    const auto layer = read_array2d(node[k], g, {Bound::positive("1/d")});
    v.insert(v.end(), layer.begin(), layer.end());
  }
  return v;
}

AquiferProperties read_aquifer(const ConfigNode& node, const Grid& g) {
  node.expect_map("a mapping {k, k33, ss, sy, layer_type, leakance}");
  AquiferProperties a;
  a.k = read_array3d(node.required("k"), g, {Bound::positive("m/d")});
  const auto k33 = node.optional("k33");
  a.k33 = k33 ? read_array3d(*k33, g, {Bound::positive("m/d")}) : a.k;
  a.ss = read_array3d(node.required("ss"), g, {Bound::non_negative("1/m")});
  // Specific yield is read where given; the default 0.1 is only filled in
  // when a layer is convertible (an all-confined model never reads it, and
  // 8 bytes per cell is a large share of a big model's memory).
  const auto sy = node.optional("sy");
  a.layer_type = read_layer_types(node.optional("layer_type"), g.nlay);
  const bool convertible = std::find(a.layer_type.begin(), a.layer_type.end(), LayerType::convertible) != a.layer_type.end();
  if (sy) a.sy = read_array3d(*sy, g, {Bound::between(0.0, 1.0)});
  else if (convertible) a.sy.assign(std::size_t(g.ncell()), 0.1);
  if (auto n = node.optional("leakance")) a.leakance = read_leakance(*n, g);
  node.done();
  return a;
}

// --- time ---------------------------------------------------------------------------

/// The time discretisation plus, per expanded stress period, the YAML entry
/// it came from (for messages about a period).
struct TimeInput {
  TimeDiscretization time;
  std::vector<ConfigNode> period_nodes;
};

TimeInput read_time(const ConfigNode& node) {
  node.expect_map("a mapping {start, periods}");
  TimeInput t;
  t.time.start = node.required("start").as_date();
  const ConfigNode periods = node.required("periods");
  periods.expect_list("a list of stress periods {length, steps, multiplier, steady, repeat}");
  if (periods.size() == 0) periods.fail_here("at least one stress period is needed");
  for (std::size_t i = 0; i < periods.size(); ++i) {
    const ConfigNode e = periods[i];
    e.expect_map("a stress period {length, steps, multiplier, steady, repeat}");
    StressPeriod p;
    p.length = e.required("length").as_double(Bound::positive("d"));
    if (auto n = e.optional("steps")) p.steps = n->as_int(Bound::at_least(1));
    if (auto n = e.optional("multiplier")) {
      p.multiplier = n->as_double(Bound::positive());
      // The first step is length (m - 1) / (m^steps - 1); it must not vanish.
      if (!std::isfinite(std::pow(p.multiplier, p.steps)))
        n->fail(fmt::format("multiplier^steps overflows with {} steps; use a smaller multiplier", p.steps));
    }
    if (auto n = e.optional("steady")) p.steady = n->as_bool();
    Index repeat = 1;
    if (auto n = e.optional("repeat")) repeat = n->as_index(Bound::between(1, double(max_periods)));
    e.done();
    if (Index(t.time.periods.size()) + repeat > max_periods)
      e.fail_here(fmt::format("more than {} stress periods in total", max_periods));
    t.time.periods.insert(t.time.periods.end(), std::size_t(repeat), p);
    t.period_nodes.insert(t.period_nodes.end(), std::size_t(repeat), e);
  }
  node.done();
  return t;
}

/// A steady period needs a head reference (a CHD cell, or a GHB cell with
/// conductance > 0) in force; without one the flow matrix is singular.
void check_steady_periods(const ModelData& m, const std::vector<ConfigNode>& period_nodes) {
  const auto& s = m.stresses;
  for (std::size_t p = 0; p < m.time.periods.size(); ++p) {
    if (!m.time.periods[p].steady) continue;
    const int period = int(p);
    bool referenced = false;
    for (const auto& c : s.chd) referenced = referenced || (c.head.at(period) && !c.cells.empty());
    for (const auto& b : s.ghb) {
      const double* c = b.conductance.at(period);
      referenced = referenced || (b.head.at(period) && c && *c > 0.0 && !b.cells.empty());
    }
    // A river with water is a head reference too.
    for (const auto& r : s.riv) {
      const double* v = r.stage.at(period);
      referenced = referenced || (v && (!r.stage_is_depth || *v > 0.0) && !r.cells.empty());
    }
    if (!referenced)
      period_nodes[p].fail_here(fmt::format(
          "stress period {} is steady but no CHD, GHB or RIV cell is in force in it, so the steady heads are not "
          "determined (singular problem); add a chd or ghb stress, or make the period transient",
          p + 1));
  }
}

// --- output, solver ---------------------------------------------------------------

OutputOptions read_output(const std::optional<ConfigNode>& node, const ConfigSource& source) {
  OutputOptions o;
  o.file = std::filesystem::path(source.display_name).stem().string() + ".h5";
  if (!node) return o;
  node->expect_map("a mapping {file, save_heads, compression}");
  // Relative to the file that names it, which may be a base scenario.
  if (auto n = node->optional("file")) o.file = n->source().resolve(n->as_string());
  if (auto n = node->optional("save_heads")) o.save_heads = read_enum(*n, save_heads_choices);
  if (auto n = node->optional("compression")) o.compression = n->as_int(Bound::between(0, 9));
  node->done();
  return o;
}

NewtonSettings read_newton(const ConfigNode& node) {
  node.expect_map("a mapping {max_iterations, head_tolerance, backtracking, time_step_cuts, "
                  "well_reduction_fraction}");
  NewtonSettings s;
  if (auto n = node.optional("max_iterations")) s.max_iterations = n->as_int(Bound::at_least(1));
  if (auto n = node.optional("head_tolerance")) s.head_tolerance = n->as_double(Bound::positive("m"));
  if (auto n = node.optional("backtracking")) s.backtracking = n->as_int(Bound::between(0, 30));
  if (auto n = node.optional("time_step_cuts")) s.time_step_cuts = n->as_int(Bound::between(0, 20));
  if (auto n = node.optional("well_reduction_fraction"))
    s.well_reduction_fraction = n->as_double(Bound::between(1e-6, 1.0));
  node.done();
  return s;
}

SolverSettings read_solver(const ConfigNode& node, NewtonSettings& newton) {
  node.expect_map("a mapping {method, head_tolerance, residual_tolerance, max_iterations, "
                  "first_guess_changes, first_guess_periods, newton}");
  SolverSettings s;
  if (auto n = node.optional("newton")) newton = read_newton(*n);
  if (auto n = node.optional("method")) s.kind = read_enum(*n, solver_methods);
  if (auto n = node.optional("head_tolerance")) s.head_tolerance = n->as_double(Bound::positive("m"));
  if (auto n = node.optional("residual_tolerance")) s.residual_tolerance = n->as_double(Bound::positive());
  if (auto n = node.optional("max_iterations")) s.max_iterations = n->as_int(Bound::at_least(1));
  if (auto n = node.optional("first_guess_changes"))
    s.first_guess_changes = n->as_int(Bound::between(0, static_cast<double>(SolutionProjection::max_capacity)));
  if (auto n = node.optional("first_guess_periods"))
    s.first_guess_periods = n->as_int(Bound::between(0, static_cast<double>(SolutionProjection::max_periods)));
  node.done();
  return s;
}

} // namespace

ModelData read_scenario_text(const std::string& text, const std::string& display_name,
                             const std::string& base_dir, const std::vector<std::string>& overrides) {
  const auto source = std::make_shared<const ConfigSource>(ConfigSource{display_name, base_dir, {}});
  InputFileScope files; // notes every data file read below
  const ComposedScenario composed = compose_scenario(text, source, overrides);
  const ConfigNode root = composed.node();
  ModelData m;
  m.source_file = display_name;
  m.source_text = composed.text;
  m.name = root.required("name").as_string();
  m.grid = read_grid(root.required("grid"));
  m.aquifer = read_aquifer(root.required("aquifer"), m.grid);
  const TimeInput time = read_time(root.required("time"));
  m.time = time.time;
  m.initial_head = read_array3d(root.required("initial_head"), m.grid, {Bound::any("m")});
  if (auto n = root.optional("stresses")) m.stresses = read_stresses(*n, m.grid, m.time);
  if (auto n = root.optional("irrigation")) m.irrigation = read_irrigation(*n, m.grid, m.stresses.riv);
  if (auto n = root.optional("observations")) m.observations = read_observations(*n, m.grid);
  m.zones = read_zones(root.optional("zones"), m.grid);
  m.aquifers = read_aquifer_groups(root.optional("aquifers"), m.grid);
  if (const std::size_t units = std::max<std::size_t>(1, m.zones.ids.size()) * m.aquifers.size();
      units > max_budget_units)
    root.optional("zones")->fail_here(fmt::format(
        "{} zones x {} aquifers make {} budget units; zone budgets hold at most {} (merge zones, or "
        "group layers into fewer aquifers)",
        m.zones.ids.size(), m.aquifers.size(), units, max_budget_units));
  m.output = read_output(root.optional("output"), *source);
  if (auto n = root.optional("solver")) m.solver = read_solver(*n, m.newton);
  root.done();
  check_steady_periods(m, time.period_nodes);
  m.input_files_digest = files.count() ? files.digest() : 0;
  return m;
}

ModelData read_scenario_text(const std::string& text, const std::string& display_name,
                             const std::string& base_dir) {
  return read_scenario_text(text, display_name, base_dir, {});
}

ModelData read_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path))
    throw InputError({path, 0, 0, ""}, "cannot read the scenario file");
  std::ostringstream text;
  text << in.rdbuf();
  return read_scenario_text(text.str(), path, std::filesystem::path(path).parent_path().string(), overrides);
}

} // namespace gwsim

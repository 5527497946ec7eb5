#include "io/config_surface_water.hpp"

#include <sstream>

#include "io/input_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cctype>
#include <fstream>
#include <set>

#include "io/config_arrays.hpp"
#include "io/config_stresses.hpp"

namespace gwsim {

namespace {

/// Bed conductance per unit length of reach, m/d: either `conductance`
/// given per cell (then per unit length = conductance / length is not used)
/// or bed K * width / bed thickness.
struct BedInput {
  bool per_cell = false;
  double conductance = 0.0; ///< m2/d per cell, if per_cell
  double per_length = 0.0;  ///< m/d: bed K * width / bed thickness
  double thickness = 1.0;   ///< m
};

BedInput read_bed(const ConfigNode& e, const char* width_key) {
  BedInput b;
  const bool direct = e.has("conductance");
  const bool from_bed = e.has("bed_k") || (width_key && e.has(width_key));
  if (direct && from_bed)
    e.fail_here(fmt::format("give either conductance, or bed_k{} and bed_thickness, not both",
                            width_key ? fmt::format(", {}", width_key) : std::string()));
  if (auto n = e.optional("bed_thickness")) b.thickness = n->as_double(Bound::positive("m"));
  if (direct) {
    b.per_cell = true;
    b.conductance = e.required("conductance").as_double(Bound::non_negative("m2/d"));
    return b;
  }
  const double k = e.required("bed_k").as_double(Bound::positive("m/d"));
  const double w = width_key ? e.required(width_key).as_double(Bound::positive("m")) : 1.0;
  b.per_length = k * w / b.thickness;
  return b;
}

std::vector<std::pair<double, double>> read_polyline(const ConfigNode& n) {
  n.expect_list("a list of [x, y] vertices (m)");
  if (n.size() < 2) n.fail_here("a polyline needs at least two [x, y] vertices");
  std::vector<std::pair<double, double>> pts;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const ConfigNode v = n[i];
    v.expect_list("an [x, y] vertex");
    if (v.size() != 2) v.fail_here(fmt::format("expected an [x, y] vertex, found {} entries", v.size()));
    pts.emplace_back(v[0].as_double(), v[1].as_double());
  }
  return pts;
}

/// A time series file of "YYYY-MM-DD,value" lines (a header line and blank
/// lines are skipped); each value holds from its date to the next. The
/// value of a stress period is the series' average over it.
Schedule<double> read_series(const ConfigNode& node, const TimeDiscretization& time, const Bound& bound) {
  node.expect_map("{file: series.csv}");
  const ConfigNode file_node = node.required("file");
  node.done();
  const std::string path = node.source().resolve(file_node.as_string());
  std::ifstream file(path, std::ios::binary);
  if (!file) file_node.fail(fmt::format("cannot read the time series file '{}'", path));
  std::ostringstream bytes;
  bytes << file.rdbuf();
  InputFileScope::note(path, bytes.str());
  std::istringstream in(bytes.str());
  std::vector<double> day, value; // days since the model start
  std::string line;
  const long start = time.start.days_since_epoch();
  for (int ln = 1; std::getline(in, line); ++ln) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (ln == 1 && !std::isdigit(static_cast<unsigned char>(line[0])))) continue;
    const auto comma = line.find(',');
    const auto date = Date::parse(line.substr(0, std::min(comma, line.size())));
    auto where = [&](int col) { return fmt::format("{}:{}:{}", path, ln, col); };
    if (comma == std::string::npos || !date)
      file_node.fail(fmt::format("{}: expected 'YYYY-MM-DD,value', found '{}'", where(1), line));
    char* end = nullptr;
    const std::string text = line.substr(comma + 1);
    const double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || !std::isfinite(v) || !bound.accepts(v))
      file_node.fail(fmt::format("{}: value '{}' {}", where(int(comma) + 2), text,
                                 bound.kind == Bound::Kind::any ? "is not a number" : bound.describe()));
    const double d = double(date->days_since_epoch() - start);
    if (!day.empty() && d <= day.back())
      file_node.fail(fmt::format("{}: dates must increase ({} is not after the line before)", where(1), date->iso()));
    day.push_back(d);
    value.push_back(v);
  }
  if (day.empty()) file_node.fail(fmt::format("the time series file '{}' has no values", path));
  if (day.front() > 0.0)
    file_node.fail(fmt::format("the series starts on {}, after the model start {}", Date::from_days_since_epoch(long(day.front()) + start).iso(), time.start.iso()));
  // Average of the step function over each stress period.
  Schedule<double> s;
  double t0 = 0.0;
  for (std::size_t p = 0; p < time.periods.size(); ++p) {
    const double t1 = t0 + time.periods[p].length;
    double integral = 0.0;
    for (std::size_t i = 0; i < day.size(); ++i) {
      const double a = std::max(t0, day[i]), b = std::min(t1, i + 1 < day.size() ? day[i + 1] : t1);
      if (b > a) integral += value[i] * (b - a);
    }
    s.set(int(p), integral / (t1 - t0));
    t0 = t1;
  }
  return s;
}

/// Water level of a reach: `stage` (m) or `depth` above the bed top (m),
/// each a number, by stress period, or a time series file.
void read_level(const ConfigNode& e, RiverReach& r, const TimeDiscretization& time) {
  const int nper = static_cast<int>(time.periods.size());
  const bool stage = e.has("stage"), depth = e.has("depth");
  if (stage == depth) e.fail_here("give exactly one of stage (m) or depth (m of water above the bed top)");
  r.stage_is_depth = depth;
  const ConfigNode n = e.required(depth ? "depth" : "stage");
  const Bound bound = depth ? Bound::non_negative("m") : Bound::any("m");
  r.stage = n.is_map() && n.has("file") ? read_series(n, time, bound) : read_schedule(n, nper, bound);
}

} // namespace

std::vector<RiverReach> read_riv(const ConfigNode& list, const Grid& g, const TimeDiscretization& time) {
  return read_named_list<RiverReach>(list, [&](const ConfigNode& e, const std::string& owner) {
    RiverReach r;
    const BedInput bed = read_bed(e, "width");
    std::vector<double> along; // m from the first vertex, per cell (polylines)
    double total_length = 0.0;
    if (e.has("polyline")) {
      if (e.has("cells")) e.fail_here("give either polyline or cells, not both");
      const ConfigNode layer_node = e.required("layer");
      const Index layer = layer_node.as_index();
      if (layer < 1 || layer > g.nlay)
        layer_node.fail(fmt::format("layer {} is outside the grid ({} layers)", layer, g.nlay));
      const ConfigNode pl = e.required("polyline");
      const auto pts = read_polyline(pl);
      for (std::size_t i = 0; i + 1 < pts.size(); ++i)
        total_length += std::hypot(pts[i + 1].first - pts[i].first, pts[i + 1].second - pts[i].second);
      // Cells outside the grid are clipped and inactive cells skipped: a
      // river may run out of the model area.
      for (const Grid::LinePiece& p : g.trace(pts)) {
        const Index n = (layer - 1) * g.ncell_layer() + p.column_cell;
        if (!g.is_active(n)) continue;
        r.cells.push_back(n);
        r.length.push_back(p.length);
        along.push_back(p.along);
      }
      if (r.cells.empty()) pl.fail_here(fmt::format("{}: the polyline crosses no active cell of layer {}", owner, layer));
    } else {
      r.cells = read_cells(e.required("cells"), g, owner);
      // A reach given by cells runs through each cell along its longer side
      // unless a length per cell is given.
      double len = -1.0;
      if (auto n = e.optional("length")) len = n->as_double(Bound::positive("m"));
      for (Index n : r.cells) {
        const double l = len > 0.0 ? len
                                   : std::max(g.delr[std::size_t(g.col_of(n))], g.delc[std::size_t(g.row_of(n))]);
        r.length.push_back(l);
        along.push_back(total_length + 0.5 * l);
        total_length += l;
      }
    }
    for (double l : r.length) r.conductance.push_back(bed.per_cell ? bed.conductance : bed.per_length * l);
    // Bed bottom: one elevation, or [upstream, downstream] interpolated along the reach.
    const ConfigNode bb = e.required("bed_bottom");
    double b0 = 0.0, b1 = 0.0;
    if (bb.is_list()) {
      if (bb.size() != 2) bb.fail_here("expected one elevation or [first, last] along the reach (m)");
      b0 = bb[0].as_double();
      b1 = bb[1].as_double();
    } else {
      b0 = b1 = bb.as_double();
    }
    for (std::size_t c = 0; c < r.cells.size(); ++c) {
      const double f = total_length > 0.0 ? std::clamp(along[c] / total_length, 0.0, 1.0) : 0.0;
      r.bed_bottom.push_back(b0 + f * (b1 - b0));
      r.bed_top.push_back(r.bed_bottom.back() + bed.thickness);
    }
    read_level(e, r, time);
    return r;
  });
}

std::vector<Drain> read_drn(const ConfigNode& list, const Grid& g, int nper) {
  return read_named_list<Drain>(list, [&](const ConfigNode& e, const std::string& owner) {
    Drain d;
    d.cells = read_cells(e.required("cells"), g, owner);
    const bool elev = e.has("elevation"), depth = e.has("depth");
    if (elev == depth) e.fail_here("give exactly one of elevation (m) or depth (m below the model top)");
    if (elev) {
      d.elevation.assign(d.cells.size(), e.required("elevation").as_double(Bound::any("m")));
    } else {
      const double depth_m = e.required("depth").as_double(Bound::non_negative("m"));
      for (Index n : d.cells) d.elevation.push_back(g.top[std::size_t(n % g.ncell_layer())] - depth_m);
    }
    d.conductance = read_schedule(e.required("conductance"), nper, Bound::non_negative("m2/d"));
    return d;
  });
}

Evapotranspiration read_evt(const ConfigNode& node, const Grid& g, int nper) {
  node.expect_map("a mapping {rate, surface, extinction_depth}");
  Evapotranspiration evt;
  const ConfigNode rate = node.required("rate");
  const bool by_period = rate.is_map() && !is_file_array(rate);
  evt.rate = read_by_period<std::vector<double>>(rate, nper, by_period, [&](const ConfigNode& v) {
    return read_array2d(v, g, {Bound::non_negative("m/d")});
  });
  evt.surface = node.has("surface") ? read_array2d(node.required("surface"), g, {Bound::any("m")}) : g.top;
  evt.extinction_depth = read_array2d(node.required("extinction_depth"), g, {Bound::positive("m")});
  node.done();
  return evt;
}

std::vector<Pond> read_ponds(const ConfigNode& list, const Grid& g, int nper) {
  return read_named_list<Pond>(list, [&](const ConfigNode& e, const std::string& owner) {
    Pond p;
    p.cells = read_cells(e.required("cells"), g, owner);
    const BedInput bed = read_bed(e, nullptr);
    double cells_area = 0.0;
    for (Index n : p.cells) {
      const double a = g.area_of(n);
      cells_area += a;
      p.conductance.push_back(bed.per_cell ? bed.conductance : bed.per_length * a);
    }
    const ConfigNode floor_node = e.required("floor");
    const double floor = floor_node.as_double(Bound::any("m"));
    p.bed_bottom = floor - bed.thickness;
    const ConfigNode max_node = e.required("max_stage");
    p.max_stage = max_node.as_double(Bound::any("m"));
    if (!(p.max_stage > floor)) max_node.fail(fmt::format("must be above floor = {} m", floor));
    if (auto t = e.optional("table")) {
      if (e.has("area")) e.fail_here("give either area or table, not both");
      t->expect_map("a mapping {stage: [...], area: [...]} (m, m2; volume is integrated)");
      const ConfigNode st = t->required("stage"), ar = t->required("area");
      st.expect_list("a list of stages (m), increasing");
      ar.expect_list("a list of areas (m2)");
      if (st.size() < 2 || st.size() != ar.size())
        t->fail_here(fmt::format("stage and area need the same number (>= 2) of entries, found {} and {}", st.size(),
                                 ar.size()));
      for (std::size_t i = 0; i < st.size(); ++i) {
        p.table_stage.push_back(st[i].as_double(Bound::any("m")));
        p.table_area.push_back(ar[i].as_double(Bound::non_negative("m2")));
        if (i > 0 && !(p.table_stage[i] > p.table_stage[i - 1]))
          st[i].fail(fmt::format("stages must increase (previous {} m)", p.table_stage[i - 1]));
      }
      if (p.table_stage.front() != floor)
        st[0].fail(fmt::format("the first stage must be the floor ({} m), where the volume is 0", floor));
      t->done();
    } else {
      // Vertical walls: the area of the pond's cells unless given.
      const double a = e.has("area") ? e.required("area").as_double(Bound::positive("m2")) : cells_area;
      p.table_stage = {floor, p.max_stage};
      p.table_area = {a, a};
    }
    // Volume by the trapezoid rule over the stage-area table.
    p.table_volume = {0.0};
    for (std::size_t i = 1; i < p.table_stage.size(); ++i)
      p.table_volume.push_back(p.table_volume.back() + 0.5 * (p.table_area[i] + p.table_area[i - 1]) *
                                                           (p.table_stage[i] - p.table_stage[i - 1]));
    const ConfigNode init = e.required("initial_stage");
    p.initial_stage = init.as_double(Bound::any("m"));
    if (p.initial_stage < floor || p.initial_stage > p.max_stage)
      init.fail(fmt::format("must be between floor ({} m) and max_stage ({} m)", floor, p.max_stage));
    if (auto n = e.optional("rain")) p.rain = read_schedule(*n, nper, Bound::non_negative("m/d"));
    if (auto n = e.optional("evaporation")) p.evaporation = read_schedule(*n, nper, Bound::non_negative("m/d"));
    if (auto n = e.optional("inflow")) p.inflow = read_schedule(*n, nper, Bound::non_negative("m3/d"));
    return p;
  });
}

std::vector<Connection> read_connections(const ConfigNode& list, const std::vector<RiverReach>& riv,
                                         const std::vector<Pond>& ponds, int nper) {
  return read_named_list<Connection>(list, [&](const ConfigNode& e, const std::string&) {
    Connection c;
    auto find = [&](const char* key, const auto& items, const char* what) {
      const ConfigNode n = e.required(key);
      const std::string name = n.as_string();
      std::vector<std::string> names;
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (items[i].name == name) return i;
        names.push_back(items[i].name);
      }
      const auto near = nearest(name, names);
      n.fail(fmt::format("no {} of that name{}", what, near ? fmt::format("; did you mean '{}'?", *near) : ""));
    };
    c.canal = find("canal", riv, "reach in stresses.riv");
    c.pond = find("pond", ponds, "pond in stresses.ponds");
    const ConfigNode months = e.required("months");
    months.expect_list("a list of months (1-12)");
    if (months.size() == 0) months.fail_here("at least one month is needed");
    for (std::size_t i = 0; i < months.size(); ++i) c.months.push_back(months[i].as_int(Bound::between(1, 12)));
    c.max_rate = e.required("max_rate").as_double(Bound::positive("m3/d"));
    if (auto n = e.optional("overflow")) c.spill_excess = n->as_choice({"stay", "spill"}) == 1;
    if (auto n = e.optional("enabled")) {
      if (n->is_map()) {
        c.enabled = read_schedule(*n, nper, Bound::flag());
      } else {
        c.enabled.set(0, n->as_bool() ? 1.0 : 0.0);
      }
    }
    return c;
  });
}

} // namespace gwsim

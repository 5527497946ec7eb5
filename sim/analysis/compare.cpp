#include "analysis/compare.hpp"

#include <fmt/format.h>
#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <numeric>

#include "core/error.hpp"
#include "flow/water_table.hpp"
#include "grid/grid.hpp"
#include "io/config_zones.hpp"
#include "io/hdf5_object.hpp"
#include "model/model_data.hpp"

namespace gwsim {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
/// Heads of inactive cells in a result (hdf5_writer.cpp).
constexpr double fill_threshold = -1e29;

/// Reads the parts of a gwsim result that a comparison needs; every problem
/// is an InputError naming the file.
class ResultReader {
public:
  explicit ResultReader(std::string path) : path_(std::move(path)) {
    h5::silence_error_printing();
    if (!std::filesystem::is_regular_file(path_)) fail("no such result file");
    file_ = h5::Object(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!file_.valid()) fail("not an HDF5 file (" + h5::take_error_stack() + ")");
  }
  const std::string& path() const { return path_; }

  [[noreturn]] void fail(const std::string& message) const { throw InputError({path_, 0, 0, ""}, message); }

  bool has(const std::string& name) const { return H5LTpath_valid(file_.id(), name.c_str(), 1) > 0; }

  h5::Object open(const std::string& name) const {
    if (!has(name)) fail(fmt::format("not a gwsim result: no dataset '{}'", name));
    h5::Object d(H5Dopen2(file_.id(), name.c_str(), H5P_DEFAULT));
    if (!d.valid()) fail(fmt::format("cannot open '{}': {}", name, h5::take_error_stack()));
    return d;
  }

  std::vector<hsize_t> dims(const std::string& name) const {
    h5::Object d = open(name);
    h5::Object space(H5Dget_space(d.id()));
    std::vector<hsize_t> out(static_cast<std::size_t>(std::max(0, H5Sget_simple_extent_ndims(space.id()))));
    H5Sget_simple_extent_dims(space.id(), out.data(), nullptr);
    return out;
  }

  template <class T> std::vector<T> read(const std::string& name) const {
    h5::Object d = open(name);
    h5::Object space(H5Dget_space(d.id()));
    std::vector<T> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.id())));
    if (!v.empty() && H5Dread(d.id(), h5::Type<T>::memory(), H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
      fail(fmt::format("cannot read '{}': {}", name, h5::take_error_stack()));
    return v;
  }

  std::vector<std::string> read_strings(const std::string& name) const {
    h5::Object d = open(name);
    h5::Object space(H5Dget_space(d.id()));
    std::vector<char*> raw(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.id())));
    h5::Object type(H5Tcopy(H5T_C_S1));
    H5Tset_size(type.id(), H5T_VARIABLE);
    H5Tset_cset(type.id(), H5T_CSET_UTF8);
    if (!raw.empty() && H5Dread(d.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) < 0)
      fail(fmt::format("cannot read '{}': {}", name, h5::take_error_stack()));
    std::vector<std::string> out;
    for (char* s : raw) out.emplace_back(s ? s : "");
    H5Dvlen_reclaim(type.id(), space.id(), H5P_DEFAULT, raw.data());
    return out;
  }

  std::string string_attribute(const std::string& object, const std::string& name) const {
    h5::Object a(H5Aopen_by_name(file_.id(), object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT));
    if (!a.valid()) fail(fmt::format("not a gwsim result: no attribute '{}' on '{}'", name, object));
    h5::Object stored(H5Aget_type(a.id()));
    h5::Object type(H5Tcopy(H5T_C_S1));
    H5Tset_cset(type.id(), H5T_CSET_UTF8);
    if (H5Tis_variable_str(stored.id()) > 0) {
      H5Tset_size(type.id(), H5T_VARIABLE);
      char* s = nullptr;
      if (H5Aread(a.id(), type.id(), &s) < 0) fail("cannot read attribute " + name);
      std::string out = s ? s : "";
      H5free_memory(s);
      return out;
    }
    const std::size_t size = H5Tget_size(stored.id());
    H5Tset_size(type.id(), size);
    std::string out(size, '\0');
    if (H5Aread(a.id(), type.id(), out.data()) < 0) fail("cannot read attribute " + name);
    return out.substr(0, out.find('\0'));
  }

  /// Heads of saved step t (layer, y, x).
  void read_heads(std::size_t t, std::vector<double>& out) const {
    h5::Object d = open("head");
    h5::Object space(H5Dget_space(d.id()));
    hsize_t dims[4] = {0, 0, 0, 0};
    H5Sget_simple_extent_dims(space.id(), dims, nullptr);
    const hsize_t start[4] = {t, 0, 0, 0}, count[4] = {1, dims[1], dims[2], dims[3]};
    H5Sselect_hyperslab(space.id(), H5S_SELECT_SET, start, nullptr, count, nullptr);
    const hsize_t n = dims[1] * dims[2] * dims[3];
    out.resize(n);
    h5::Object memory(H5Screate_simple(1, &n, nullptr));
    if (H5Dread(d.id(), H5T_NATIVE_DOUBLE, memory.id(), space.id(), H5P_DEFAULT, out.data()) < 0)
      fail(fmt::format("cannot read the heads of saved step {}: {}", t + 1, h5::take_error_stack()));
  }

private:
  std::string path_;
  h5::Object file_;
};

/// What one result contributes: its grid, storage properties, times, zones.
struct ResultFields {
  Grid grid;
  std::vector<double> x, y, ss, sy;
  std::vector<LayerType> layer_type;
  std::vector<double> time;
  std::string time_units;
  Zones zones;
  std::vector<AquiferGroup> aquifers;
};

ResultFields read_fields(const ResultReader& r) {
  ResultFields f;
  const auto dims = r.dims("head");
  if (dims.size() != 4) r.fail("not a gwsim result: 'head' is not (time, layer, y, x)");
  Grid& g = f.grid;
  g.nlay = Index(dims[1]);
  g.nrow = Index(dims[2]);
  g.ncol = Index(dims[3]);
  g.delr = r.read<double>("delr");
  g.delc = r.read<double>("delc");
  g.top = r.read<double>("top");
  g.bottom = r.read<double>("bottom");
  g.active = r.read<std::int8_t>("active");
  f.x = r.read<double>("x");
  f.y = r.read<double>("y");
  f.ss = r.read<double>("ss");
  f.sy = r.has("sy") ? r.read<double>("sy") : std::vector<double>(std::size_t(g.ncell()), 0.0);
  // Results written before layer_type existed: confined layers.
  const auto types = r.has("layer_type") ? r.read<std::int8_t>("layer_type")
                                         : std::vector<std::int8_t>(std::size_t(g.nlay), 0);
  for (const auto t : types) f.layer_type.push_back(t == 1 ? LayerType::convertible : LayerType::confined);
  f.time = r.read<double>("time");
  f.time_units = r.string_attribute("time", "units");
  if (r.has("zones/map")) {
    const auto map = r.read<std::int32_t>("zones/map");
    f.zones.id.assign(map.begin(), map.end());
    const auto ids = r.read<std::int32_t>("zones/id");
    f.zones.ids.assign(ids.begin(), ids.end());
    f.zones.names = r.read_strings("zones/name");
    const auto names = r.read_strings("aquifers/name");
    const auto member = r.read<std::int8_t>("aquifers/layers");
    for (std::size_t a = 0; a < names.size(); ++a) {
      AquiferGroup group{names[a], {}};
      for (Index k = 0; k < g.nlay; ++k)
        if (member[a * std::size_t(g.nlay) + std::size_t(k)] != 0) group.layers.push_back(k);
      f.aquifers.push_back(group);
    }
  } else {
    f.zones = default_zones(g);
    f.aquifers = default_aquifer_groups(g);
  }
  const std::size_t ncell = std::size_t(g.ncell()), nplane = std::size_t(g.ncell_layer());
  if (g.delr.size() != std::size_t(g.ncol) || g.delc.size() != std::size_t(g.nrow) || g.top.size() != nplane ||
      g.bottom.size() != ncell || g.active.size() != ncell || f.ss.size() != ncell || f.sy.size() != ncell ||
      f.layer_type.size() != std::size_t(g.nlay) || f.zones.id.size() != nplane)
    r.fail("not a gwsim result: the static fields do not match the shape of 'head'");
  return f;
}

bool close(double a, double b, double tol) { return std::abs(a - b) <= tol * std::max(1.0, std::abs(a)); }

bool all_close(const std::vector<double>& a, const std::vector<double>& b, double tol) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!close(a[i], b[i], tol)) return false;
  return true;
}

void check_same_grid(const ResultReader& other, const ResultFields& o, const ResultFields& b,
                     const std::string& base) {
  const Grid &go = o.grid, &gb = b.grid;
  if (go.nlay != gb.nlay || go.nrow != gb.nrow || go.ncol != gb.ncol)
    other.fail(fmt::format("not the same grid as the base {}: {} x {} x {} cells against {} x {} x {} "
                           "(layers x rows x columns); results to compare must come from the same model grid",
                           base, go.nlay, go.nrow, go.ncol, gb.nlay, gb.nrow, gb.ncol));
  if (!all_close(go.delr, gb.delr, 1e-9) || !all_close(go.delc, gb.delc, 1e-9) || !all_close(o.x, b.x, 1e-9) ||
      !all_close(o.y, b.y, 1e-9))
    other.fail(fmt::format("not the same grid as the base {}: the cell widths or positions differ", base));
  if (o.time_units != b.time_units)
    other.fail(fmt::format("times are '{}' but the base {} has '{}'; compare runs with the same start date",
                           o.time_units, base, b.time_units));
}

/// Water stored per unit plan area in cell n with head h, m (see compare.hpp).
double stored_water(const ResultFields& f, Index n, double h) {
  const Grid& g = f.grid;
  const double top = g.cell_top(n), bottom = g.cell_bottom(n);
  const auto i = std::size_t(n);
  if (f.layer_type[std::size_t(g.layer_of(n))] == LayerType::convertible)
    return convertible_storage(h, top, bottom, f.sy[i], f.ss[i]).v;
  return f.ss[i] * (top - bottom) * h;
}

std::string stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }

} // namespace

Comparison compare_results(const std::string& base, const std::vector<std::string>& others,
                           double recovery_threshold) {
  const ResultReader base_reader(base);
  const ResultFields b = read_fields(base_reader);
  const Grid& g = b.grid;
  Comparison c;
  c.base = base;
  c.scenarios = others;
  c.time = b.time;
  c.time_units = b.time_units;
  c.zone_ids = b.zones.ids;
  c.zone_names = b.zones.names;
  for (const auto& a : b.aquifers) c.aquifer_names.push_back(a.name);
  c.recovery_threshold = recovery_threshold;
  const std::size_t nz = c.zone_ids.size(), na = c.aquifer_names.size(), nt = c.time.size();
  const std::size_t size = others.size() * nt * nz * na;
  c.head_difference.assign(size, nan);
  c.volume_saved.assign(size, nan);
  c.recovery_area.assign(size, nan);

  // Zone index of each column, aquifer index of each layer (-1: none).
  std::map<int, long> zone_index;
  for (std::size_t z = 0; z < nz; ++z) zone_index[c.zone_ids[z]] = long(z);
  std::vector<long> column_zone(std::size_t(g.ncell_layer()), -1);
  for (std::size_t i = 0; i < column_zone.size(); ++i)
    if (const auto it = zone_index.find(b.zones.id[i]); it != zone_index.end()) column_zone[i] = it->second;
  std::vector<long> layer_aquifer(std::size_t(g.nlay), -1);
  for (std::size_t a = 0; a < na; ++a)
    for (const Index k : b.aquifers[a].layers) layer_aquifer[std::size_t(k)] = long(a);

  std::vector<double> hb, ho;
  for (std::size_t s = 0; s < others.size(); ++s) {
    const ResultReader reader(others[s]);
    const ResultFields o = read_fields(reader);
    check_same_grid(reader, o, b, base);
    c.names.push_back(stem(others[s]));
    c.last_common.push_back(-1);
    for (std::size_t t = 0; t < nt; ++t) {
      const auto match = std::find_if(o.time.begin(), o.time.end(),
                                       [&](double to) { return close(to, c.time[t], 1e-9); });
      if (match == o.time.end()) continue;
      c.last_common[s] = long(t);
      base_reader.read_heads(t, hb);
      reader.read_heads(std::size_t(match - o.time.begin()), ho);
      std::vector<double> sum_dh(nz * na, 0.0), sum_area(nz * na, 0.0), volume(nz * na, 0.0);
      // Per aquifer and column: sum and count of head differences over its layers.
      std::vector<double> column_dh(na * std::size_t(g.ncell_layer()), 0.0);
      std::vector<int> column_n(column_dh.size(), 0);
      for (Index n = 0; n < g.ncell(); ++n) {
        const auto i = std::size_t(n);
        const auto col = std::size_t(n % g.ncell_layer());
        const long z = column_zone[col], a = layer_aquifer[std::size_t(g.layer_of(n))];
        if (z < 0 || a < 0 || !g.is_active(n) || !o.grid.is_active(n)) continue;
        if (hb[i] < fill_threshold || ho[i] < fill_threshold) continue;
        const double area = g.delr[std::size_t(g.col_of(n))] * g.delc[std::size_t(g.row_of(n))];
        const double dh = ho[i] - hb[i];
        const std::size_t za = std::size_t(z) * na + std::size_t(a);
        sum_dh[za] += area * dh;
        sum_area[za] += area;
        volume[za] += area * (stored_water(o, n, ho[i]) - stored_water(b, n, hb[i]));
        column_dh[std::size_t(a) * column_zone.size() + col] += dh;
        ++column_n[std::size_t(a) * column_zone.size() + col];
      }
      std::vector<double> recovered(nz * na, 0.0);
      for (std::size_t a = 0; a < na; ++a)
        for (std::size_t col = 0; col < column_zone.size(); ++col) {
          const std::size_t k = a * column_zone.size() + col;
          if (column_n[k] == 0 || column_dh[k] / column_n[k] <= recovery_threshold) continue;
          const Index row = Index(col) / g.ncol, j = Index(col) % g.ncol;
          recovered[std::size_t(column_zone[col]) * na + a] += g.delr[std::size_t(j)] * g.delc[std::size_t(row)];
        }
      for (std::size_t z = 0; z < nz; ++z)
        for (std::size_t a = 0; a < na; ++a) {
          const std::size_t za = z * na + a;
          c.head_difference[c.at(s, t, z, a)] = sum_area[za] > 0.0 ? sum_dh[za] / sum_area[za] : nan;
          c.volume_saved[c.at(s, t, z, a)] = volume[za];
          c.recovery_area[c.at(s, t, z, a)] = recovered[za];
        }
    }
  }
  return c;
}

// --- comparison.h5 ------------------------------------------------------------------

namespace {

h5::Object bare_dimension(hid_t parent, const std::string& name, hsize_t length, int dimid) {
  const std::vector<hsize_t> dims{length};
  h5::Object d = h5::create_dataset(parent, name, H5T_IEEE_F32BE, dims);
  char scale_name[80];
  std::snprintf(scale_name, sizeof scale_name, "This is a netCDF dimension but not a netCDF variable.%10llu",
                static_cast<unsigned long long>(length));
  h5::make_dimension_scale(d.id(), scale_name, dimid);
  return d;
}

void strings(hid_t parent, const std::string& name, hid_t scale, const std::vector<std::string>& values,
             const std::string& long_name) {
  h5::Object type = h5::utf8_string_type();
  const std::vector<hsize_t> dims{values.size()};
  h5::Object d = h5::create_dataset(parent, name, type.id(), dims);
  h5::set_attribute(d.id(), "long_name", long_name);
  h5::attach_dimension_scale(d.id(), scale, 0);
  h5::write_strings(d.id(), values);
}

} // namespace

void write_comparison(const Comparison& c, const std::string& path) {
  h5::silence_error_printing();
  h5::Object file = h5::create_file(path);
  const hid_t root = file.id();
  h5::set_attribute(root, "Conventions", "CF-1.8");
  h5::set_attribute(root, "title", "gwsim scenario comparison");
  h5::set_attribute(root, "source", std::string("gwsim ") + GWSIM_VERSION);
  h5::set_attribute(root, "format", "gwsim-comparison");
  h5::set_attribute(root, "format_version", std::int32_t{1});
  h5::set_attribute(root, "base", c.base);
  h5::set_attribute(root, "recovery_threshold", c.recovery_threshold);

  const hsize_t ns = c.scenarios.size(), nt = c.time.size(), nz = c.zone_ids.size(), na = c.aquifer_names.size();
  h5::Object scenario = bare_dimension(root, "scenario", ns, 0);
  h5::Object time = h5::create_dataset(root, "time", H5T_IEEE_F64LE, std::vector<hsize_t>{nt});
  h5::write_all<double>(time.id(), c.time);
  h5::make_dimension_scale(time.id(), "time", 1);
  h5::set_attribute(time.id(), "units", c.time_units);
  h5::set_attribute(time.id(), "calendar", "standard");
  h5::set_attribute(time.id(), "standard_name", "time");
  h5::set_attribute(time.id(), "axis", "T");
  h5::Object zone = h5::create_dataset(root, "zone", H5T_STD_I32LE, std::vector<hsize_t>{nz});
  const std::vector<std::int32_t> ids(c.zone_ids.begin(), c.zone_ids.end());
  h5::write_all<std::int32_t>(zone.id(), ids);
  h5::make_dimension_scale(zone.id(), "zone", 2);
  h5::set_attribute(zone.id(), "long_name", "zone id (/zones/id of the base result)");
  h5::Object aquifer = bare_dimension(root, "aquifer", na, 3);

  strings(root, "scenario_name", scenario.id(), c.names, "scenario (result file stem)");
  strings(root, "scenario_file", scenario.id(), c.scenarios, "result file compared with the base");
  strings(root, "zone_name", zone.id(), c.zone_names, "zone name");
  strings(root, "aquifer_name", aquifer.id(), c.aquifer_names, "aquifer name");
  {
    std::vector<double> last;
    for (const long t : c.last_common) last.push_back(t < 0 ? nan : c.time[std::size_t(t)]);
    h5::Object d = h5::create_dataset(root, "last_common_time", H5T_IEEE_F64LE, std::vector<hsize_t>{ns});
    h5::write_all<double>(d.id(), last);
    h5::set_attribute(d.id(), "units", c.time_units);
    h5::set_attribute(d.id(), "calendar", "standard");
    h5::set_attribute(d.id(), "long_name", "last time saved in both the scenario and the base");
    h5::attach_dimension_scale(d.id(), scenario.id(), 0);
  }
  const std::vector<hsize_t> dims{ns, nt, nz, na};
  struct Variable {
    const char* name;
    const std::vector<double>* values;
    const char* units;
    const char* long_name;
  };
  for (const Variable& v :
       {Variable{"head_difference", &c.head_difference, "m",
                 "area-weighted mean head of the scenario minus the base (> 0: higher water table)"},
        Variable{"volume_saved", &c.volume_saved, "m3", "groundwater stored in the scenario minus in the base"},
        Variable{"recovery_area", &c.recovery_area, "m2",
                 "plan area where the head is higher than in the base by more than recovery_threshold"}}) {
    h5::DatasetOptions options;
    options.fill = &nan;
    h5::Object d = h5::create_dataset(root, v.name, H5T_IEEE_F64LE, dims, options);
    h5::set_attribute(d.id(), "_FillValue", nan);
    h5::set_attribute(d.id(), "units", v.units);
    h5::set_attribute(d.id(), "long_name", v.long_name);
    const hid_t scales[4] = {scenario.id(), time.id(), zone.id(), aquifer.id()};
    for (unsigned axis = 0; axis < 4; ++axis) h5::attach_dimension_scale(d.id(), scales[axis], axis);
    if (!v.values->empty()) h5::write_all<double>(d.id(), *v.values);
  }
  scenario.reset();
  time.reset();
  zone.reset();
  aquifer.reset();
  file.close();
}

std::string format_ranking(const Comparison& c) {
  std::string out;
  const std::size_t nz = c.zone_ids.size(), na = c.aquifer_names.size();
  for (std::size_t s = 0; s < c.scenarios.size(); ++s) {
    if (c.last_common[s] < 0) {
      out += fmt::format("{} vs {}: no saved time in common\n\n", c.names[s], c.base);
      continue;
    }
    const auto t = std::size_t(c.last_common[s]);
    out += fmt::format("{} vs {} at t = {:g} ({}): zones ranked by groundwater volume saved\n", c.names[s],
                       stem(c.base), c.time[t], c.time_units);
    std::vector<double> total(nz, 0.0);
    for (std::size_t z = 0; z < nz; ++z)
      for (std::size_t a = 0; a < na; ++a) total[z] += c.volume_saved[c.at(s, t, z, a)];
    std::vector<std::size_t> order(nz);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return total[x] > total[y]; });
    std::size_t zw = 4, aw = 7;
    for (const auto& n : c.zone_names) zw = std::max(zw, n.size());
    for (const auto& n : c.aquifer_names) aw = std::max(aw, n.size());
    out += fmt::format("{:>4}  {:<{}}  {:<{}}  {:>18}  {:>25}  {:>19}\n", "rank", "zone", zw, "aquifer", aw,
                       "mean head diff (m)", "volume saved (million m3)", "recovery area (km2)");
    for (std::size_t r = 0; r < nz; ++r) {
      const std::size_t z = order[r];
      for (std::size_t a = 0; a < na; ++a) {
        const std::size_t i = c.at(s, t, z, a);
        out += fmt::format("{:>4}  {:<{}}  {:<{}}  {:>18.3f}  {:>25.4f}  {:>19.3f}\n",
                           a == 0 ? std::to_string(r + 1) : "", a == 0 ? c.zone_names[z] : "", zw,
                           c.aquifer_names[a], aw, c.head_difference[i], c.volume_saved[i] / 1e6,
                           c.recovery_area[i] / 1e6);
      }
    }
    out += "\n";
  }
  return out;
}

} // namespace gwsim

/// Result file layout, format_version 1 (netCDF-4 / CF-1.8).
///
/// Dimensions are HDF5 dimension scales (H5DS) carrying `_Netcdf4Dimid`, so
/// netCDF-4 readers (ncdump, netCDF4-python, xarray with h5netcdf) see named
/// dimensions. Strings, attributes included, are variable-length UTF-8.
/// Times are days since the start date, with CF units
/// "days since YYYY-MM-DD 00:00:00" and calendar "standard".
///
/// /                       attrs Conventions, title, source, format="gwsim-result",
///                         format_version=1, start_date, completed=1 (finish() only)
///   time (time)           f8, time = UNLIMITED: end of each saved step, days
///   layer (layer)         i4, 1..nlay, 1 = top
///   y (y)                 f8, cell-centre y, m, decreasing with row
///   x (x)                 f8, cell-centre x, m
///   head (time, layer, y, x)  f8 m, _FillValue -1e30 in inactive cells,
///                         chunks (1, 1, rows, cols) of at most 4 MiB, gzip + shuffle
///   time_step (time), period (time)   i4, 1-based global step and stress period
///   delr (x), delc (y)    f8 m
///   top (y, x)            f8 m
///   bottom, k, k33, ss, sy (layer, y, x)   f8: m, m/d, m/d, 1/m, 1
///   active (layer, y, x)  i1, 1 active / 0 inactive
///   layer_type (layer)    i1, 1 convertible (water table) / 0 confined
/// /zones                  zone (zone) dimension
///   map (y, x) i4 zone id of each column of cells, 0 = in no zone
///   id (zone) i4;  name (zone) string
/// /aquifers               aquifer (aquifer) dimension
///   name (aquifer) string;  layers (aquifer, layer) i1, 1 = the layer is in the aquifer
/// /budget                 attrs terms="storage,chd,..."; one entry per converged step
///   step (step)           i4, 1-based global step number (same numbering as /time_step)
///   time, dt (step)       f8 d;  period, step_in_period (step) i4 1-based
///   <term>_in, <term>_out (step)   f8 m3/d, for each budget term
///   total_in, total_out   f8 m3/d;  percent_discrepancy f8 percent
///   <T>_requested_out f8 m3/d, only for terms that delivered less than asked
///                         in some step (wel in drying cells)
///   solver_iterations i4; newton_iterations i4; time_step_cuts i4;
///   dry_cells i8; relative_residual f8
/// /observations           only when the model has observations
///   obs (obs)             dimension without values
///   name (obs) string; layer, row, col (obs) i4 1-based; x, y (obs) f8 m
///   step (step) i4; time (step) f8; head (step, obs) f8 m
/// /metadata               scenario: scalar string dataset, the scenario YAML text;
///                         attrs scenario_file, gwsim_version, threads, wall_time_seconds,
///                         solver, total_solver_iterations (i8), steps, periods,
///                         worst_percent_discrepancy, created (ISO 8601 UTC)
///
/// Heads stream to disk: each saved step is one H5Dset_extent plus one
/// hyperslab H5Dwrite of the whole (layer, y, x) block. Budgets and observed
/// heads (a few numbers per step) are kept in memory and written by finish().
#include "io/hdf5_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <type_traits>

#include "core/error.hpp"
#include "io/config_zones.hpp"
#include "io/hdf5_object.hpp"

namespace gwsim {

namespace {

constexpr double fill_value = -1e30;
/// Upper bound on one chunk of a field, so a chunk fits HDF5's cache budget
/// and readers of a sub-window do not inflate whole layers.
constexpr hsize_t max_chunk_bytes = 4u << 20;
/// Chunk length of the 1-D series that grow with time.
constexpr hsize_t series_chunk = 1024;

/// Chunk shape (rows, cols) of one (y, x) plane of `element_bytes` values.
std::vector<hsize_t> plane_chunk(hsize_t nrow, hsize_t ncol, hsize_t element_bytes) {
  const hsize_t max_elements = max_chunk_bytes / element_bytes;
  const hsize_t cols = std::min(ncol, max_elements);
  const hsize_t rows = std::max<hsize_t>(1, std::min(nrow, max_elements / cols));
  return {rows, cols};
}

std::string utc_now_iso() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

void describe_variable(hid_t dataset, std::string_view units, std::string_view long_name) {
  if (!units.empty()) h5::set_attribute(dataset, "units", units);
  if (!long_name.empty()) h5::set_attribute(dataset, "long_name", long_name);
}

/// Create, describe, attach to its dimensions and write one variable.
template <class T>
h5::Object write_variable(hid_t parent, const std::string& name, const std::vector<hsize_t>& dims,
                          const std::vector<hid_t>& scales, std::span<const T> values,
                          std::string_view units, std::string_view long_name,
                          const h5::DatasetOptions& options = {}) {
  // A field with one value everywhere (uniform K, Ss, a flat top: common in
  // scenarios) is stored as the dataset's fill value without writing any
  // data: readers (HDF5, h5py, xarray, netCDF) get the value for every
  // cell, and a 4 M-cell model does not write 32 MB per such field.
  bool uniform = false;
  h5::DatasetOptions how = options;
  if constexpr (std::is_same_v<T, double>) {
    uniform = values.size() > 1 && options.max_dims.empty() && options.fill == nullptr &&
              std::all_of(values.begin(), values.end(), [&](double v) {
                return std::bit_cast<std::uint64_t>(v) == std::bit_cast<std::uint64_t>(values.front());
              });
    if (uniform) how.fill = &values.front();
  }
  h5::Object dataset = h5::create_dataset(parent, name, h5::Type<T>::file(), dims, how);
  describe_variable(dataset.id(), units, long_name);
  for (std::size_t axis = 0; axis < scales.size(); ++axis)
    h5::attach_dimension_scale(dataset.id(), scales[axis], static_cast<unsigned>(axis));
  if (!values.empty() && !uniform) h5::write_all<T>(dataset.id(), values);
  return dataset;
}

/// A dimension with coordinate values (a netCDF coordinate variable).
template <class T>
h5::Object write_coordinate(hid_t parent, const std::string& name, std::span<const T> values,
                            int dimid, std::string_view units, std::string_view long_name) {
  const std::vector<hsize_t> dims{values.size()};
  h5::Object dataset = h5::create_dataset(parent, name, h5::Type<T>::file(), dims);
  h5::write_all<T>(dataset.id(), values);
  h5::make_dimension_scale(dataset.id(), name, dimid);
  describe_variable(dataset.id(), units, long_name);
  return dataset;
}

/// A dimension without values: netCDF-4 marks it with this NAME so that
/// readers list the dimension but not a variable.
h5::Object write_bare_dimension(hid_t parent, const std::string& name, hsize_t length, int dimid) {
  const std::vector<hsize_t> dims{length};
  h5::Object dataset = h5::create_dataset(parent, name, H5T_IEEE_F32BE, dims);
  char scale_name[80];
  std::snprintf(scale_name, sizeof scale_name,
                "This is a netCDF dimension but not a netCDF variable.%10llu",
                static_cast<unsigned long long>(length));
  h5::make_dimension_scale(dataset.id(), scale_name, dimid);
  return dataset;
}

void describe_time(hid_t dataset, const std::string& units, std::string_view long_name) {
  h5::set_attribute(dataset, "units", units);
  h5::set_attribute(dataset, "calendar", "standard");
  h5::set_attribute(dataset, "standard_name", "time");
  h5::set_attribute(dataset, "long_name", long_name);
}

h5::Object write_string_variable(hid_t parent, const std::string& name, hid_t scale,
                                 const std::vector<std::string>& values, std::string_view long_name) {
  h5::Object type = h5::utf8_string_type();
  const std::vector<hsize_t> dims{values.size()};
  h5::Object dataset = h5::create_dataset(parent, name, type.id(), dims);
  h5::set_attribute(dataset.id(), "long_name", long_name);
  h5::attach_dimension_scale(dataset.id(), scale, 0);
  h5::write_strings(dataset.id(), values);
  return dataset;
}

/// /layer_type, /zones and /aquifers: what post-processing needs to sum
/// heads and stored water by zone (county) and aquifer.
void write_zones_and_aquifers(hid_t root, const ModelData& model, hid_t layer, hid_t y, hid_t x,
                              int& next_dimid) {
  const Grid& g = model.grid;
  const auto nlay = static_cast<hsize_t>(g.nlay);
  std::vector<std::int8_t> convertible(nlay, 0);
  for (std::size_t k = 0; k < model.aquifer.layer_type.size() && k < nlay; ++k)
    convertible[k] = model.aquifer.layer_type[k] == LayerType::convertible ? 1 : 0;
  h5::Object type = write_variable<std::int8_t>(root, "layer_type", {nlay}, {layer}, convertible, "",
                                                "layer type: 1 convertible (water table), 0 confined");
  h5::set_attribute(type.id(), "flag_values", "0 1");
  h5::set_attribute(type.id(), "flag_meanings", "confined convertible");

  const Zones zones = model.zones.id.empty() ? default_zones(g) : model.zones;
  {
    h5::Object group = h5::create_group(root, "zones");
    h5::Object zone = write_bare_dimension(group.id(), "zone", zones.ids.size(), next_dimid++);
    const std::vector<std::int32_t> map(zones.id.begin(), zones.id.end());
    write_variable<std::int32_t>(group.id(), "map", {static_cast<hsize_t>(g.nrow), static_cast<hsize_t>(g.ncol)},
                                 {y, x}, map, "", "zone id of each column of cells (0: in no zone)");
    const std::vector<std::int32_t> ids(zones.ids.begin(), zones.ids.end());
    write_variable<std::int32_t>(group.id(), "id", {ids.size()}, {zone.id()}, ids, "", "zone id");
    write_string_variable(group.id(), "name", zone.id(), zones.names, "zone name");
  }
  const auto aquifers = model.aquifers.empty() ? default_aquifer_groups(g) : model.aquifers;
  {
    h5::Object group = h5::create_group(root, "aquifers");
    h5::Object aquifer = write_bare_dimension(group.id(), "aquifer", aquifers.size(), next_dimid++);
    std::vector<std::string> names;
    std::vector<std::int8_t> member(aquifers.size() * nlay, 0);
    for (std::size_t a = 0; a < aquifers.size(); ++a) {
      names.push_back(aquifers[a].name);
      for (const Index k : aquifers[a].layers) member[a * nlay + static_cast<std::size_t>(k)] = 1;
    }
    write_string_variable(group.id(), "name", aquifer.id(), names, "aquifer name");
    write_variable<std::int8_t>(group.id(), "layers", {aquifers.size(), nlay}, {aquifer.id(), layer}, member, "",
                                "1 if the layer belongs to the aquifer");
  }
}

/// One converged step, as reported by step().
struct StepRecord {
  std::int32_t global_step = 0; ///< 1-based
  std::int32_t period = 0;      ///< 1-based
  std::int32_t step = 0;        ///< 1-based within the period
  double time = 0.0;
  double dt = 0.0;
  std::int32_t solver_iterations = 0;
  std::int32_t newton_iterations = 0;
  std::int32_t time_step_cuts = 0;
  std::int64_t dry_cells = 0;
  double relative_residual = 0.0;
  double total_in = 0.0;
  double total_out = 0.0;
  double percent_discrepancy = 0.0;
};

/// One column of the per-step table.
template <class T, class F> std::vector<T> column(const std::vector<StepRecord>& steps, F field) {
  std::vector<T> out;
  out.reserve(steps.size());
  for (const auto& s : steps) out.push_back(field(s));
  return out;
}

} // namespace

struct Hdf5Writer::State {
  const ModelData* model = nullptr; ///< the model being written (outlives the writer's run)
  h5::Object file; // first member: destroyed last, after the objects in it
  h5::Object metadata;
  h5::Object observations; ///< group; invalid without observations
  h5::Object obs_dimension;
  // Root variables that grow along the unlimited time dimension.
  h5::Object time;
  h5::Object time_step;
  h5::Object period;
  h5::Object head;
  h5::Object irrigation_pumping, irrigation_return; ///< (time, y, x), if the model has districts
  h5::Object dry;                       ///< (time, layer, y, x) i1, if any layer is convertible
  std::vector<Index> convertible;       ///< active cells of convertible layers
  std::vector<std::int8_t> dry_buffer;  ///< one step's flags

  hsize_t nlay = 0, nrow = 0, ncol = 0;
  hsize_t saved = 0; ///< heads written so far
  std::vector<Index> inactive;
  std::vector<double> head_buffer; ///< one step's heads with the fill value applied
  std::string time_units;
  int next_dimid = 0;

  std::vector<std::string> terms;
  std::vector<StepRecord> steps;
  std::vector<double> term_in, term_out, term_requested_out; ///< step-major, steps x terms
  /// Per-entity series (ponds, reaches, ...): group name -> entity names and
  /// one step-major (steps x entities) column per field.
  struct EntitySeries {
    std::string entity;  ///< dimension name, e.g. "pond"
    std::vector<std::string> names;
    std::vector<std::string> field, units, long_name;
    std::vector<std::vector<double>> values;
    std::vector<double> time;
    std::vector<std::int32_t> step;
  };
  std::map<std::string, EntitySeries> series;
  /// Zone budgets: terms, then per step [term][zone][aquifer] in and out.
  std::vector<std::string> zone_terms, zone_names, aquifer_names;
  std::size_t nzone = 0, naquifer = 0;
  std::vector<double> zone_in, zone_out, zone_time;
  std::vector<std::int32_t> zone_step;
  std::size_t nobs = 0;
  std::vector<double> observed; ///< step-major, steps x nobs

  /// Close every object in the file, then the file itself (reporting errors).
  void close() {
    head.reset();
    irrigation_pumping.reset();
    dry.reset();
    irrigation_return.reset();
    period.reset();
    time_step.reset();
    time.reset();
    obs_dimension.reset();
    observations.reset();
    metadata.reset();
    file.close();
  }
};

Hdf5Writer::Hdf5Writer(std::string final_path)
    : final_path_(std::move(final_path)),
      temp_path_(final_path_ + ".partial-" + std::to_string(::getpid())) {}

Hdf5Writer::~Hdf5Writer() { abort(); }

void Hdf5Writer::begin(const ModelData& model) {
  if (state_) throw Error("Hdf5Writer::begin called twice for '" + final_path_ + "'");
  h5::silence_error_printing();

  // Try the folder with a plain open() first: it gives the system's own
  // reason (missing folder, permission, read-only file system).
  const int fd = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int err = errno;
    std::string folder = std::filesystem::path(final_path_).parent_path().string();
    if (folder.empty()) folder = ".";
    throw OutputError("cannot write result file '" + final_path_ + "': cannot create '" +
                      temp_path_ + "' in folder '" + folder + "': " + std::strerror(err));
  }
  ::close(fd);

  state_ = std::make_unique<State>();
  try {
    auto& s = *state_;
    s.model = &model;
    const Grid& g = model.grid;
    s.nlay = static_cast<hsize_t>(g.nlay);
    s.nrow = static_cast<hsize_t>(g.nrow);
    s.ncol = static_cast<hsize_t>(g.ncol);
    const std::size_t ncell = static_cast<std::size_t>(g.ncell());
    for (Index n = 0; n < g.ncell(); ++n)
      if (!g.is_active(n)) s.inactive.push_back(n);
    if (!s.inactive.empty()) s.head_buffer.resize(ncell);
    s.time_units = "days since " + model.time.start.iso() + " 00:00:00";
    s.nobs = model.observations.size();

    s.file = h5::create_file(temp_path_);
    const hid_t root = s.file.id();
    h5::set_attribute(root, "Conventions", "CF-1.8");
    h5::set_attribute(root, "title", model.name);
    h5::set_attribute(root, "source", std::string("gwsim ") + GWSIM_VERSION);
    h5::set_attribute(root, "format", "gwsim-result");
    h5::set_attribute(root, "format_version", std::int32_t{1});
    h5::set_attribute(root, "start_date", model.time.start.iso());

    // Dimensions, in the order ncdump lists them.
    {
      const std::vector<hsize_t> dims{0}, max_dims{H5S_UNLIMITED}, chunk{series_chunk};
      s.time = h5::create_dataset(root, "time", H5T_IEEE_F64LE, dims, {.max_dims = max_dims, .chunk = chunk});
      h5::make_dimension_scale(s.time.id(), "time", s.next_dimid++);
      describe_time(s.time.id(), s.time_units, "time at the end of the saved step");
      h5::set_attribute(s.time.id(), "axis", "T");
    }
    std::vector<std::int32_t> layers(s.nlay);
    for (std::size_t l = 0; l < layers.size(); ++l) layers[l] = static_cast<std::int32_t>(l + 1);
    h5::Object layer = write_coordinate<std::int32_t>(root, "layer", layers, s.next_dimid++, "",
                                                      "model layer (1 = top)");
    h5::Object y = write_coordinate<double>(root, "y", g.y_centers(), s.next_dimid++, "m",
                                            "cell-centre y");
    h5::set_attribute(y.id(), "axis", "Y");
    h5::set_attribute(y.id(), "standard_name", "projection_y_coordinate");
    h5::Object x = write_coordinate<double>(root, "x", g.x_centers(), s.next_dimid++, "m",
                                            "cell-centre x");
    h5::set_attribute(x.id(), "axis", "X");
    h5::set_attribute(x.id(), "standard_name", "projection_x_coordinate");

    // Heads: one chunk per (step, layer) plane, split by rows beyond 4 MiB.
    {
      const std::vector<hsize_t> dims{0, s.nlay, s.nrow, s.ncol};
      const std::vector<hsize_t> max_dims{H5S_UNLIMITED, s.nlay, s.nrow, s.ncol};
      const auto plane = plane_chunk(s.nrow, s.ncol, sizeof(double));
      const h5::DatasetOptions options{.max_dims = max_dims,
                                      .chunk = {1, 1, plane[0], plane[1]},
                                      .deflate = model.output.compression,
                                      .fill = &fill_value};
      s.head = write_variable<double>(root, "head", dims, {s.time.id(), layer.id(), y.id(), x.id()},
                                      {}, "m", "hydraulic head", options);
      h5::set_attribute(s.head.id(), "_FillValue", fill_value);
      // Dry cells of convertible layers (head below the cell bottom): their
      // head is still computed, and this flag says it is below the bottom.
      const auto& types = model.aquifer.layer_type; // may be empty in models built in code
      for (Index n = 0; n < g.ncell(); ++n)
        if (g.is_active(n) && static_cast<std::size_t>(g.layer_of(n)) < types.size() &&
            types[static_cast<std::size_t>(g.layer_of(n))] == LayerType::convertible)
          s.convertible.push_back(n);
      if (!s.convertible.empty()) {
        const h5::DatasetOptions dopt{.max_dims = max_dims,
                                      .chunk = {1, 1, plane[0], plane[1]},
                                      .deflate = std::max(1, model.output.compression),
                                      .fill = nullptr};
        s.dry = write_variable<std::int8_t>(root, "dry", dims, {s.time.id(), layer.id(), y.id(), x.id()}, {},
                                            "", "1 where a convertible cell's head is below its bottom", dopt);
        s.dry_buffer.assign(static_cast<std::size_t>(g.ncell()), 0);
      }
      if (!model.irrigation.empty()) {
        // Irrigation pumping and return flow at the saved steps, as depths.
        const std::vector<hsize_t> mdims{0, s.nrow, s.ncol}, mmax{H5S_UNLIMITED, s.nrow, s.ncol};
        const h5::DatasetOptions mopt{.max_dims = mmax,
                                      .chunk = {1, plane[0], plane[1]},
                                      .deflate = model.output.compression,
                                      .fill = nullptr};
        s.irrigation_pumping = write_variable<double>(root, "irrigation_pumping", mdims,
                                                      {s.time.id(), y.id(), x.id()}, {}, "m/d",
                                                      "irrigation pumping per unit area", mopt);
        s.irrigation_return = write_variable<double>(root, "irrigation_return", mdims,
                                                     {s.time.id(), y.id(), x.id()}, {}, "m/d",
                                                     "irrigation return flow (recharge) per unit area", mopt);
      }
    }
    {
      const std::vector<hsize_t> dims{0}, max_dims{H5S_UNLIMITED}, chunk{series_chunk};
      s.time_step = write_variable<std::int32_t>(root, "time_step", dims, {s.time.id()}, {}, "",
                                                 "global time step number (1 = first step)",
                                                 {.max_dims = max_dims, .chunk = chunk});
      s.period = write_variable<std::int32_t>(root, "period", dims, {s.time.id()}, {}, "",
                                              "stress period (1 = first)", {.max_dims = max_dims, .chunk = chunk});
    }

    // Static fields.
    write_variable<double>(root, "delr", {s.ncol}, {x.id()}, g.delr, "m", "column width along x");
    write_variable<double>(root, "delc", {s.nrow}, {y.id()}, g.delc, "m", "row width along y");
    h5::DatasetOptions plane_options, field_options;
    if (model.output.compression > 0) {
      const auto plane = plane_chunk(s.nrow, s.ncol, sizeof(double));
      plane_options.chunk = plane;
      plane_options.deflate = model.output.compression;
      field_options.chunk = {1, plane[0], plane[1]};
      field_options.deflate = model.output.compression;
    }
    write_variable<double>(root, "top", {s.nrow, s.ncol}, {y.id(), x.id()}, g.top, "m",
                           "model top elevation", plane_options);
    const std::vector<hsize_t> field{s.nlay, s.nrow, s.ncol};
    const std::vector<hid_t> field_scales{layer.id(), y.id(), x.id()};
    write_variable<double>(root, "bottom", field, field_scales, g.bottom, "m",
                           "cell bottom elevation", field_options);
    write_variable<std::int8_t>(root, "active", field, field_scales, g.active, "",
                                "active cell (1) or inactive (0)", field_options);
    struct Property {
      const char* name;
      const std::vector<double>* values;
      const char* units;
      const char* long_name;
    };
    const AquiferProperties& a = model.aquifer;
    for (const Property& p : {Property{"k", &a.k, "m/d", "horizontal hydraulic conductivity"},
                              Property{"k33", &a.k33, "m/d", "vertical hydraulic conductivity"},
                              Property{"ss", &a.ss, "1/m", "specific storage"},
                              Property{"sy", &a.sy, "1", "specific yield"}}) {
      if (p.values->empty()) continue; // e.g. no specific yield in an all-confined model
      if (p.values->size() != ncell)
        throw Error("Hdf5Writer: aquifer." + std::string(p.name) + " has " +
                    std::to_string(p.values->size()) + " values for " + std::to_string(ncell) +
                    " cells");
      write_variable<double>(root, p.name, field, field_scales, *p.values, p.units, p.long_name,
                             field_options);
    }

    write_zones_and_aquifers(root, model, layer.id(), y.id(), x.id(), s.next_dimid);

    // Where the observations are; their series follow in finish().
    if (s.nobs > 0) {
      s.observations = h5::create_group(root, "observations");
      const hid_t group = s.observations.id();
      s.obs_dimension = write_bare_dimension(group, "obs", s.nobs, s.next_dimid++);
      std::vector<std::string> names;
      std::vector<std::int32_t> ol, orow, ocol;
      std::vector<double> ox, oy;
      for (const Observation& o : model.observations) {
        names.push_back(o.name);
        ol.push_back(static_cast<std::int32_t>(g.layer_of(o.cell) + 1));
        orow.push_back(static_cast<std::int32_t>(g.row_of(o.cell) + 1));
        ocol.push_back(static_cast<std::int32_t>(g.col_of(o.cell) + 1));
        ox.push_back(o.x);
        oy.push_back(o.y);
      }
      const std::vector<hsize_t> dims{s.nobs};
      const hid_t obs = s.obs_dimension.id();
      {
        h5::Object type = h5::utf8_string_type();
        h5::Object name = h5::create_dataset(group, "name", type.id(), dims);
        h5::set_attribute(name.id(), "long_name", "observation name");
        h5::attach_dimension_scale(name.id(), obs, 0);
        h5::write_strings(name.id(), names);
      }
      write_variable<std::int32_t>(group, "layer", dims, {obs}, ol, "", "model layer (1 = top)");
      write_variable<std::int32_t>(group, "row", dims, {obs}, orow, "", "model row (1 = north)");
      write_variable<std::int32_t>(group, "col", dims, {obs}, ocol, "", "model column (1 = west)");
      write_variable<double>(group, "x", dims, {obs}, ox, "m", "observation x");
      write_variable<double>(group, "y", dims, {obs}, oy, "m", "observation y");
    }

    s.metadata = h5::create_group(root, "metadata");
    {
      h5::Object type = h5::utf8_string_type();
      h5::Object scenario = h5::create_dataset(s.metadata.id(), "scenario", type.id(), {});
      h5::set_attribute(scenario.id(), "long_name", "scenario file text");
      h5::write_strings(scenario.id(), std::span(&model.source_text, 1));
    }
    h5::set_attribute(s.metadata.id(), "scenario_file", model.source_file);
  } catch (...) {
    abort();
    throw;
  }
}

void Hdf5Writer::step(const StepInfo& info, std::span<const double> head,
                      const StepBudget& budget, std::span<const double> observed) {
  if (!state_) throw Error("Hdf5Writer::step called outside begin()/finish() for '" + final_path_ + "'");
  auto& s = *state_;
  if (observed.size() != s.nobs)
    throw Error("Hdf5Writer::step: " + std::to_string(observed.size()) + " observed heads for " +
                std::to_string(s.nobs) + " observations");

  if (s.steps.empty()) {
    for (const auto& t : budget.terms) s.terms.push_back(t.name);
  } else {
    bool same = budget.terms.size() == s.terms.size();
    for (std::size_t i = 0; same && i < s.terms.size(); ++i) same = budget.terms[i].name == s.terms[i];
    if (!same)
      throw Error("Hdf5Writer::step: budget terms changed at step " +
                  std::to_string(info.global_step + 1));
  }

  if (info.save_heads) {
    if (head.size() != s.nlay * s.nrow * s.ncol)
      throw Error("Hdf5Writer::step: " + std::to_string(head.size()) + " heads for " +
                  std::to_string(s.nlay * s.nrow * s.ncol) + " cells");
    const double* values = head.data();
    if (!s.inactive.empty()) {
      std::copy(head.begin(), head.end(), s.head_buffer.begin());
      for (const Index n : s.inactive) s.head_buffer[static_cast<std::size_t>(n)] = fill_value;
      values = s.head_buffer.data();
    }
    const hsize_t t = s.saved;
    const std::vector<hsize_t> extent{t + 1}, at{t}, one{1};
    if (s.dry.valid()) {
      for (const Index n : s.convertible)
        s.dry_buffer[static_cast<std::size_t>(n)] = head[static_cast<std::size_t>(n)] <= s.model->grid.cell_bottom(n);
      h5::set_extent(s.dry.id(), std::vector<hsize_t>{t + 1, s.nlay, s.nrow, s.ncol});
      h5::write_slab(s.dry.id(), H5T_NATIVE_INT8, std::vector<hsize_t>{t, 0, 0, 0},
                     std::vector<hsize_t>{1, s.nlay, s.nrow, s.ncol}, s.dry_buffer.data());
    }
    h5::set_extent(s.head.id(), std::vector<hsize_t>{t + 1, s.nlay, s.nrow, s.ncol});
    h5::write_slab(s.head.id(), H5T_NATIVE_DOUBLE, std::vector<hsize_t>{t, 0, 0, 0},
                   std::vector<hsize_t>{1, s.nlay, s.nrow, s.ncol}, values);
    const std::int32_t global_step = info.global_step + 1, period = info.period + 1;
    h5::set_extent(s.time.id(), extent);
    h5::write_slab(s.time.id(), H5T_NATIVE_DOUBLE, at, one, &info.time);
    h5::set_extent(s.time_step.id(), extent);
    h5::write_slab(s.time_step.id(), H5T_NATIVE_INT32, at, one, &global_step);
    h5::set_extent(s.period.id(), extent);
    h5::write_slab(s.period.id(), H5T_NATIVE_INT32, at, one, &period);
    s.saved = t + 1;
  }

  s.steps.push_back(StepRecord{info.global_step + 1, info.period + 1, info.step + 1, info.time,
                               info.dt, info.solver_iterations, info.newton_iterations,
                               info.time_step_cuts, static_cast<std::int64_t>(info.dry_cells),
                               info.relative_residual, budget.total_in, budget.total_out,
                               budget.percent_discrepancy});
  for (const auto& t : budget.terms) {
    s.term_in.push_back(t.in);
    s.term_out.push_back(t.out);
    s.term_requested_out.push_back(t.requested_out);
  }
  s.observed.insert(s.observed.end(), observed.begin(), observed.end());
}

void Hdf5Writer::surface_water(const StepInfo& info, std::span<const PondBalance> ponds,
                               std::span<const ReachBalance> reaches) {
  if (!state_) return;
  auto& s = *state_;
  if (!ponds.empty()) {
    auto& e = s.series["ponds"];
    if (e.names.empty()) {
      e.entity = "pond";
      for (const Pond& p : s.model->stresses.ponds) e.names.push_back(p.name);
      e.field = {"stage", "volume", "inflow", "connections", "rain", "evaporation", "seepage", "spill", "imbalance"};
      e.units = {"m", "m3", "m3/d", "m3/d", "m3/d", "m3/d", "m3/d", "m3/d", "m3/d"};
      e.long_name = {"water level at the end of the step", "stored volume at the end of the step",
                     "inflow from outside the model", "inflow from canals through connections",
                     "rain on the water surface", "evaporation from the water surface",
                     "seepage to the aquifer (negative: the aquifer feeds the pond)", "spill over the spill level",
                     "volume change minus the sum of the terms (zero up to rounding)"};
      e.values.resize(e.field.size());
    }
    for (const PondBalance& b : ponds) {
      const double v[] = {b.stage, b.volume, b.inflow, b.connections, b.rain, b.evaporation, b.seepage, b.spill, b.imbalance};
      for (std::size_t f = 0; f < e.field.size(); ++f) e.values[f].push_back(v[f]);
    }
    e.time.push_back(info.time);
    e.step.push_back(info.global_step + 1);
  }
  if (!reaches.empty()) {
    auto& e = s.series["reaches"];
    if (e.names.empty()) {
      e.entity = "reach";
      for (const RiverReach& r : s.model->stresses.riv) e.names.push_back(r.name);
      e.field = {"seepage", "diverted", "has_water"};
      e.units = {"m3/d", "m3/d", "1"};
      e.long_name = {"seepage from the reach to the aquifer (negative: gaining reach)",
                     "water sent to ponds through connections", "1 while the reach has water"};
      e.values.resize(e.field.size());
    }
    for (const ReachBalance& b : reaches) {
      e.values[0].push_back(b.seepage);
      e.values[1].push_back(b.diverted);
      e.values[2].push_back(b.has_water ? 1.0 : 0.0);
    }
    e.time.push_back(info.time);
    e.step.push_back(info.global_step + 1);
  }
}

void Hdf5Writer::zone_budget(const StepInfo& info, const ZoneBudgetStep& zb) {
  if (!state_) return;
  auto& s = *state_;
  if (s.zone_terms.empty()) {
    s.zone_terms = zb.terms;
    s.zone_names = zb.zone_names;
    s.aquifer_names = zb.aquifer_names;
    s.nzone = zb.nzone;
    s.naquifer = zb.naquifer;
  }
  s.zone_in.insert(s.zone_in.end(), zb.in.begin(), zb.in.end());
  s.zone_out.insert(s.zone_out.end(), zb.out.begin(), zb.out.end());
  s.zone_time.push_back(info.time);
  s.zone_step.push_back(info.global_step + 1);
}

void Hdf5Writer::irrigation(const StepInfo& info, std::span<const DistrictBalance> districts,
                            std::span<const double> pumping, std::span<const double> return_flow) {
  if (!state_) return;
  auto& s = *state_;
  auto& e = s.series["districts"];
  if (e.names.empty()) {
    e.entity = "district";
    for (const District& d : s.model->irrigation.districts) e.names.push_back(d.name);
    e.field = {"irrigated_area", "crop_water_use", "effective_precipitation", "net_requirement",
               "gross_demand", "surface_water_diverted", "surface_water_delivered", "conveyance_loss",
               "pumping_requested", "pumping_actual", "unmet", "return_flow", "conveyance_recharge"};
    e.units = {"m2", "m3/d", "m3/d", "m3/d", "m3/d", "m3/d", "m3/d", "m3/d", "m3/d", "m3/d", "m3/d", "m3/d", "m3/d"};
    e.long_name = {"irrigated area (fallow excluded)", "crop evapotranspiration on the irrigated area",
                   "crop water use met by rain", "crop water use minus effective precipitation",
                   "net requirement divided by the application efficiency of the method mix",
                   "surface water diverted at the canal head", "surface water delivered to the fields",
                   "diverted minus delivered", "groundwater pumping asked for",
                   "groundwater pumping delivered (less in drying cells)",
                   "gross demand not met by surface water or pumping",
                   "field losses percolating to the water table", "conveyance losses reaching the water table"};
    e.values.resize(e.field.size());
  }
  for (const DistrictBalance& b : districts) {
    const double v[] = {b.irrigated_area, b.crop_water_use, b.effective_precipitation, b.net_requirement,
                        b.gross_demand, b.surface_water_diverted, b.surface_water_delivered, b.conveyance_loss,
                        b.pumping_requested, b.pumping_actual, b.unmet, b.return_flow, b.conveyance_recharge};
    for (std::size_t f = 0; f < e.field.size(); ++f) e.values[f].push_back(v[f]);
  }
  e.time.push_back(info.time);
  e.step.push_back(info.global_step + 1);
  // Maps at saved steps, appended beside the heads (same time index).
  if (!pumping.empty() && s.irrigation_pumping.valid()) {
    const hsize_t t = s.saved; // step() for this step comes next and advances s.saved
    const std::vector<hsize_t> extent{t + 1, s.nrow, s.ncol}, at{t, 0, 0}, count{1, s.nrow, s.ncol};
    h5::set_extent(s.irrigation_pumping.id(), extent);
    h5::write_slab(s.irrigation_pumping.id(), H5T_NATIVE_DOUBLE, at, count, pumping.data());
    h5::set_extent(s.irrigation_return.id(), extent);
    h5::write_slab(s.irrigation_return.id(), H5T_NATIVE_DOUBLE, at, count, return_flow.data());
  }
}

namespace {

/// The `step` dimension of a per-step group, valued with the global step number.
h5::Object write_step_dimension(hid_t group, const std::vector<StepRecord>& steps, int dimid) {
  return write_coordinate<std::int32_t>(
      group, "step", column<std::int32_t>(steps, [](const StepRecord& r) { return r.global_step; }),
      dimid, "", "global time step number (1 = first step)");
}

} // namespace

/// /zone_budget: (step, zone, aquifer) in and out of every term.
template <class S> void write_zone_budget(hid_t root, S& s) {
  h5::Object group = h5::create_group(root, "zone_budget");
  const hid_t g = group.id();
  const auto nstep = static_cast<hsize_t>(s.zone_step.size());
  h5::Object step = write_coordinate<std::int32_t>(g, "step", s.zone_step, s.next_dimid++, "",
                                                   "global time step number (1 = first step)");
  h5::Object zone = write_bare_dimension(g, "zone", s.nzone, s.next_dimid++);
  h5::Object aquifer = write_bare_dimension(g, "aquifer", s.naquifer, s.next_dimid++);
  h5::Object time = write_variable<double>(g, "time", {nstep}, {step.id()}, s.zone_time, "", "");
  describe_time(time.id(), s.time_units, "time at the end of the step");
  auto names = [&](const char* var, hid_t dim, const std::vector<std::string>& text, const char* what) {
    h5::Object type = h5::utf8_string_type();
    const std::vector<hsize_t> dims{static_cast<hsize_t>(text.size())};
    h5::Object v = h5::create_dataset(g, var, type.id(), dims);
    h5::set_attribute(v.id(), "long_name", what);
    h5::attach_dimension_scale(v.id(), dim, 0);
    h5::write_strings(v.id(), text);
  };
  names("zone_name", zone.id(), s.zone_names, "zone name");
  names("aquifer_name", aquifer.id(), s.aquifer_names, "aquifer name");
  std::string list;
  for (const auto& t : s.zone_terms) list += (list.empty() ? "" : ",") + t;
  h5::set_attribute(g, "terms", list);
  const std::size_t nunit = s.nzone * s.naquifer, nterm = s.zone_terms.size();
  std::vector<double> values(static_cast<std::size_t>(nstep) * nunit);
  for (std::size_t t = 0; t < nterm; ++t)
    for (int dir = 0; dir < 2; ++dir) {
      const std::vector<double>& src = dir == 0 ? s.zone_in : s.zone_out;
      for (std::size_t k = 0; k < static_cast<std::size_t>(nstep); ++k)
        std::copy_n(src.begin() + static_cast<std::ptrdiff_t>((k * nterm + t) * nunit), nunit,
                    values.begin() + static_cast<std::ptrdiff_t>(k * nunit));
      write_variable<double>(g, s.zone_terms[t] + (dir == 0 ? "_in" : "_out"),
                             {nstep, static_cast<hsize_t>(s.nzone), static_cast<hsize_t>(s.naquifer)},
                             {step.id(), zone.id(), aquifer.id()}, values, "m3/d",
                             s.zone_terms[t] + (dir == 0 ? " into the zone and aquifer" : " out of the zone and aquifer"));
    }
}

template <class S, class E>
void write_entity_series(hid_t root, const std::string& group_name, const E& e, S& s) {
  h5::Object group = h5::create_group(root, group_name);
  const hid_t g = group.id();
  const auto nstep = static_cast<hsize_t>(e.step.size()), nent = static_cast<hsize_t>(e.names.size());
  h5::Object step = write_coordinate<std::int32_t>(g, "step", e.step, s.next_dimid++, "",
                                                   "global time step number (1 = first step)");
  h5::Object entity = write_bare_dimension(g, e.entity, nent, s.next_dimid++);
  h5::Object time = write_variable<double>(g, "time", {nstep}, {step.id()}, e.time, "", "");
  describe_time(time.id(), s.time_units, "time at the end of the step");
  {
    h5::Object type = h5::utf8_string_type();
    const std::vector<hsize_t> dims{nent};
    h5::Object name = h5::create_dataset(g, "name", type.id(), dims);
    h5::set_attribute(name.id(), "long_name", e.entity + " name");
    h5::attach_dimension_scale(name.id(), entity.id(), 0);
    h5::write_strings(name.id(), e.names);
  }
  for (std::size_t f = 0; f < e.field.size(); ++f)
    write_variable<double>(g, e.field[f], {nstep, nent}, {step.id(), entity.id()}, e.values[f],
                           e.units[f], e.long_name[f]);
}

void Hdf5Writer::finish(const RunSummary& summary) {
  if (!state_) throw Error("Hdf5Writer::finish called outside begin() for '" + final_path_ + "'");
  try {
    auto& s = *state_;
    const hid_t root = s.file.id();
    const std::vector<hsize_t> nstep{s.steps.size()};

    if (!s.steps.empty()) {
      h5::Object group = h5::create_group(root, "budget");
      const hid_t g = group.id();
      std::string names;
      for (const auto& t : s.terms) names += (names.empty() ? "" : ",") + t;
      h5::set_attribute(g, "terms", names);
      h5::Object step = write_step_dimension(g, s.steps, s.next_dimid++);
      const std::vector<hid_t> scales{step.id()};
      const auto& r = s.steps;
      h5::Object time = write_variable<double>(
          g, "time", nstep, scales, column<double>(r, [](auto& x) { return x.time; }), "", "");
      describe_time(time.id(), s.time_units, "time at the end of the step");
      write_variable<std::int32_t>(g, "period", nstep, scales,
                                   column<std::int32_t>(r, [](auto& x) { return x.period; }), "",
                                   "stress period (1 = first)");
      write_variable<std::int32_t>(g, "step_in_period", nstep, scales,
                                   column<std::int32_t>(r, [](auto& x) { return x.step; }), "",
                                   "time step within the stress period (1 = first)");
      write_variable<double>(g, "dt", nstep, scales,
                             column<double>(r, [](auto& x) { return x.dt; }), "d",
                             "time step length");
      const std::size_t nterm = s.terms.size();
      std::vector<double> values(r.size());
      for (std::size_t t = 0; t < nterm; ++t) {
        for (std::size_t i = 0; i < r.size(); ++i) values[i] = s.term_in[i * nterm + t];
        write_variable<double>(g, s.terms[t] + "_in", nstep, scales, values, "m3/d",
                               s.terms[t] + " inflow to the groundwater system");
        for (std::size_t i = 0; i < r.size(); ++i) values[i] = s.term_out[i * nterm + t];
        write_variable<double>(g, s.terms[t] + "_out", nstep, scales, values, "m3/d",
                               s.terms[t] + " outflow from the groundwater system");
        // Terms that can deliver less than asked (wells in drying cells)
        // also report what was asked for.
        bool any_requested = false;
        for (std::size_t i = 0; i < r.size(); ++i) {
          values[i] = s.term_requested_out[i * nterm + t];
          any_requested = any_requested || values[i] > 0.0;
        }
        if (any_requested)
          write_variable<double>(g, s.terms[t] + "_requested_out", nstep, scales, values, "m3/d",
                                 s.terms[t] + " outflow asked for (before reduction in drying cells)");
      }
      write_variable<double>(g, "total_in", nstep, scales,
                             column<double>(r, [](auto& x) { return x.total_in; }), "m3/d",
                             "total inflow");
      write_variable<double>(g, "total_out", nstep, scales,
                             column<double>(r, [](auto& x) { return x.total_out; }), "m3/d",
                             "total outflow");
      write_variable<double>(g, "percent_discrepancy", nstep, scales,
                             column<double>(r, [](auto& x) { return x.percent_discrepancy; }),
                             "percent", "100 (in - out) / ((in + out) / 2)");
      write_variable<std::int32_t>(g, "solver_iterations", nstep, scales,
                                   column<std::int32_t>(r, [](auto& x) { return x.solver_iterations; }),
                                   "", "linear solver iterations");
      write_variable<std::int32_t>(g, "newton_iterations", nstep, scales,
                                   column<std::int32_t>(r, [](auto& x) { return x.newton_iterations; }),
                                   "", "outer (Newton-Raphson) iterations");
      write_variable<std::int32_t>(g, "time_step_cuts", nstep, scales,
                                   column<std::int32_t>(r, [](auto& x) { return x.time_step_cuts; }),
                                   "", "times the step was halved to converge");
      write_variable<std::int64_t>(g, "dry_cells", nstep, scales,
                                   column<std::int64_t>(r, [](auto& x) { return x.dry_cells; }), "",
                                   "convertible cells with head below their bottom");
      write_variable<double>(g, "relative_residual", nstep, scales,
                             column<double>(r, [](auto& x) { return x.relative_residual; }), "1",
                             "final ||b - A h|| / ||b|| of the linear solve");

      if (s.observations.valid()) {
        const hid_t o = s.observations.id();
        h5::Object obs_step = write_step_dimension(o, s.steps, s.next_dimid++);
        h5::Object obs_time = write_variable<double>(
            o, "time", nstep, {obs_step.id()}, column<double>(r, [](auto& x) { return x.time; }),
            "", "");
        describe_time(obs_time.id(), s.time_units, "time at the end of the step");
        write_variable<double>(o, "head", {s.steps.size(), s.nobs},
                               {obs_step.id(), s.obs_dimension.id()}, s.observed, "m",
                               "observed hydraulic head");
      }
      for (const auto& [group_name, e] : s.series) write_entity_series(root, group_name, e, s);
      if (!s.zone_step.empty()) write_zone_budget(root, s);
    }

    const hid_t m = s.metadata.id();
    h5::set_attribute(m, "gwsim_version", GWSIM_VERSION);
    h5::set_attribute(m, "threads", static_cast<std::int32_t>(summary.threads));
    h5::set_attribute(m, "wall_time_seconds", summary.wall_seconds);
    const PhaseSeconds& t = summary.phases;
    for (const auto& [name, v] : {std::pair{"solve_seconds", t.solve}, {"assembly_seconds", t.assembly},
                                  {"first_guess_seconds", t.first_guess}, {"budget_seconds", t.budget},
                                  {"output_seconds", t.output}})
      h5::set_attribute(m, name, v);
    h5::set_attribute(m, "solver", summary.solver);
    h5::set_attribute(m, "total_solver_iterations", static_cast<std::int64_t>(summary.solver_iterations));
    h5::set_attribute(m, "total_newton_iterations", static_cast<std::int64_t>(summary.newton_iterations));
    h5::set_attribute(m, "time_step_cuts", static_cast<std::int32_t>(summary.time_step_cuts));
    h5::set_attribute(m, "steps", static_cast<std::int32_t>(summary.steps));
    h5::set_attribute(m, "periods", static_cast<std::int32_t>(summary.periods));
    h5::set_attribute(m, "worst_percent_discrepancy", summary.worst_percent_discrepancy);
    h5::set_attribute(m, "created", utc_now_iso());
    h5::set_attribute(root, "completed", std::int32_t{1});

    h5::flush(root);
    s.close();
  } catch (...) {
    abort();
    throw;
  }
  state_.reset();

  if (std::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    const int err = errno;
    std::remove(temp_path_.c_str());
    throw OutputError("cannot rename '" + temp_path_ + "' to '" + final_path_ +
                      "': " + std::strerror(err));
  }
}

void Hdf5Writer::abort() noexcept {
  if (!state_) return;
  state_.reset(); // closes every object and the file, ignoring errors
  std::remove(temp_path_.c_str());
}

} // namespace gwsim

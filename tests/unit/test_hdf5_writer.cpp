// Hdf5Writer: drive begin/step/finish on a hand-built 2 x 3 x 4 model and read
// the file back with the plain HDF5 C API (not gwsim's wrappers), so the
// layout is checked independently of the code that wrote it.
//
// Set GWSIM_KEEP_HDF5_RESULT=/some/path.h5 to keep a copy of the result
// (for ncdump -h / xarray checks).
#include <gtest/gtest.h>

#include <hdf5.h>
#include <H5DSpublic.h> // after hdf5.h, which it needs
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "io/hdf5_object.hpp"
#include "io/hdf5_writer.hpp"
#include "support/scratch_dir.hpp"

namespace fs = std::filesystem;
using namespace gwsim;

namespace {

constexpr double fill = -1e30;
constexpr Index inactive_cell = 23; // layer 2, row 3, col 4 (1-based)

ModelData small_model(const std::string& path) {
  ModelData m;
  m.name = "unit test model";
  m.source_file = "scenarios/unit.yaml";
  m.source_text = "name: unit test model\ngrid:\n  nlay: 2\n  nrow: 3\n  ncol: 4\n";
  Grid& g = m.grid;
  g.nlay = 2;
  g.nrow = 3;
  g.ncol = 4;
  g.delr = {10.0, 20.0, 30.0, 40.0};
  g.delc = {50.0, 60.0, 70.0};
  g.xorigin = 1000.0;
  g.yorigin = 2000.0;
  g.top.assign(12, 10.0);
  g.bottom.assign(24, 0.0);
  for (std::size_t n = 12; n < 24; ++n) g.bottom[n] = -20.0;
  g.active.assign(24, 1);
  g.active[inactive_cell] = 0;
  m.aquifer.layer_type = {LayerType::confined, LayerType::confined};
  m.aquifer.k.assign(24, 5.0);
  m.aquifer.k33.assign(24, 0.5);
  m.aquifer.ss.assign(24, 1e-5);
  m.aquifer.sy.assign(24, 0.2);
  m.time.start = Date{2015, 3, 1};
  m.time.periods = {StressPeriod{10.0, 1, 1.0, false}, StressPeriod{20.0, 2, 1.0, false}};
  m.initial_head.assign(24, 5.0);
  m.observations = {Observation{"P1", g.index(0, 1, 1), 1025.0, 2115.0},
                    Observation{"P2 deep", g.index(1, 0, 2), 1055.0, 2155.0}};
  m.output.file = path;
  m.output.compression = 4;
  return m;
}

double head_value(int global_step, Index n) { return 100.0 * (global_step + 1) + double(n); }

StepBudget budget_of(int global_step) {
  const double s = global_step + 1;
  StepBudget b;
  b.terms = {{"storage", 1.0 * s, 2.0 * s}, {"chd", 3.0 * s, 4.0 * s}, {"wel", 0.0, 5.0 * s}};
  b.total_in = 4.0 * s;
  b.total_out = 11.0 * s;
  b.percent_discrepancy = 0.01 * s;
  return b;
}

/// Steps: period 1 has one 10-day step, period 2 two 10-day steps; heads are
/// saved at global steps 1 and 3.
StepInfo step_info(int period, int step, int global_step, double dt, double time,
                   int iterations, double residual, bool save) {
  StepInfo i; // by name: StepInfo grows fields
  i.period = period;
  i.step = step;
  i.global_step = global_step;
  i.dt = dt;
  i.time = time;
  i.solver_iterations = iterations;
  i.relative_residual = residual;
  i.save_heads = save;
  return i;
}

void drive_steps(Hdf5Writer& w, int count) {
  const StepInfo infos[3] = {step_info(0, 0, 0, 10.0, 10.0, 7, 1e-11, true),
                             step_info(1, 0, 1, 10.0, 20.0, 8, 2e-11, false),
                             step_info(1, 1, 2, 10.0, 30.0, 9, 3e-11, true)};
  for (int k = 0; k < count; ++k) {
    std::vector<double> head(24);
    for (Index n = 0; n < 24; ++n) head[std::size_t(n)] = head_value(k, n);
    const std::vector<double> observed{head[5], head[14]};
    w.step(infos[k], head, budget_of(k), observed);
  }
}

RunSummary summary() {
  RunSummary r;
  r.steps = 3;
  r.periods = 2;
  r.solver_iterations = 24;
  r.newton_iterations = 7;
  r.time_step_cuts = 1;
  r.worst_percent_discrepancy = 0.03;
  r.wall_seconds = 1.5;
  r.phases = {0.1, 0.2, 0.9, 0.125, 0.0625};
  r.threads = 2;
  r.solver = "pcg";
  return r;
}

// ---- reading back with the C API ----

struct Read {
  std::vector<hsize_t> dims;
  std::vector<hsize_t> max_dims;
  std::vector<double> f8;
  std::vector<long long> ints;
};

Read read(hid_t file, const std::string& path) {
  Read r;
  const hid_t d = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  EXPECT_GE(d, 0) << path;
  if (d < 0) return r;
  const hid_t space = H5Dget_space(d);
  const int rank = H5Sget_simple_extent_ndims(space);
  r.dims.resize(std::size_t(rank));
  r.max_dims.resize(std::size_t(rank));
  H5Sget_simple_extent_dims(space, r.dims.data(), r.max_dims.data());
  const auto n = std::size_t(H5Sget_simple_extent_npoints(space));
  const hid_t type = H5Dget_type(d);
  if (H5Tget_class(type) == H5T_FLOAT) {
    r.f8.resize(n);
    if (n) H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, r.f8.data());
  } else {
    r.ints.resize(n);
    if (n) H5Dread(d, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, r.ints.data());
  }
  H5Tclose(type);
  H5Sclose(space);
  H5Dclose(d);
  return r;
}

std::vector<std::string> read_strings(hid_t file, const std::string& path) {
  const hid_t d = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  const hid_t space = H5Dget_space(d);
  const auto n = std::size_t(H5Sget_simple_extent_npoints(space));
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  std::vector<char*> raw(n);
  H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data());
  std::vector<std::string> out(raw.begin(), raw.end());
  H5Dvlen_reclaim(type, space, H5P_DEFAULT, raw.data());
  H5Tclose(type);
  H5Sclose(space);
  H5Dclose(d);
  return out;
}

std::string attr_string(hid_t file, const std::string& object, const std::string& name) {
  const hid_t a = H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  EXPECT_GE(a, 0) << object << " @" << name;
  if (a < 0) return {};
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  char* raw = nullptr;
  H5Aread(a, type, &raw);
  std::string out = raw ? raw : "";
  H5free_memory(raw);
  H5Tclose(type);
  H5Aclose(a);
  return out;
}

template <class T> T attr_number(hid_t file, const std::string& object, const std::string& name) {
  const hid_t a = H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  EXPECT_GE(a, 0) << object << " @" << name;
  T value{};
  if (a < 0) return value;
  H5Aread(a, h5::Type<T>::memory(), &value);
  H5Aclose(a);
  return value;
}

/// Is `scale_path` attached to dimension `axis` of `var_path`?
bool attached(hid_t file, const std::string& var_path, const std::string& scale_path,
              unsigned axis) {
  const hid_t v = H5Dopen2(file, var_path.c_str(), H5P_DEFAULT);
  const hid_t s = H5Dopen2(file, scale_path.c_str(), H5P_DEFAULT);
  const bool ok = H5DSis_scale(s) > 0 && H5DSis_attached(v, s, axis) > 0;
  H5Dclose(s);
  H5Dclose(v);
  return ok;
}

std::string scale_name(hid_t file, const std::string& path) {
  const hid_t d = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  char name[128] = {};
  H5DSget_scale_name(d, name, sizeof name);
  H5Dclose(d);
  return name;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

bool has_partial_file(const fs::path& folder) {
  for (const auto& e : fs::directory_iterator(folder))
    if (e.path().filename().string().find(".partial-") != std::string::npos) return true;
  return false;
}

class Hdf5WriterTest : public ::testing::Test {
protected:
  void SetUp() override {
    folder = test::fresh_test_dir("gwsim_hdf5_writer");
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(folder, fs::perms::owner_all, ec);
    fs::remove_all(folder, ec);
  }
  fs::path folder;
};

} // namespace

TEST_F(Hdf5WriterTest, WritesLayoutHeadsBudgetObservationsAndMetadata) {
  const fs::path path = folder / "result.h5";
  const ModelData model = small_model(path.string());
  {
    Hdf5Writer w(path.string());
    EXPECT_EQ(w.temp_path(), path.string() + ".partial-" + std::to_string(::getpid()));
    w.begin(model);
    EXPECT_TRUE(fs::exists(w.temp_path()));
    EXPECT_FALSE(fs::exists(path));
    drive_steps(w, 3);
    w.finish(summary());
  }
  ASSERT_TRUE(fs::exists(path));
  EXPECT_FALSE(has_partial_file(folder));
  if (const char* keep = std::getenv("GWSIM_KEEP_HDF5_RESULT"))
    fs::copy_file(path, keep, fs::copy_options::overwrite_existing);

  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);

  // Root attributes.
  EXPECT_EQ(attr_string(f, "/", "Conventions"), "CF-1.8");
  EXPECT_EQ(attr_string(f, "/", "title"), "unit test model");
  EXPECT_EQ(attr_string(f, "/", "source"), std::string("gwsim ") + GWSIM_VERSION);
  EXPECT_EQ(attr_string(f, "/", "format"), "gwsim-result");
  EXPECT_EQ(attr_number<std::int32_t>(f, "/", "format_version"), 1);
  EXPECT_EQ(attr_string(f, "/", "start_date"), "2015-03-01");
  EXPECT_EQ(attr_number<std::int32_t>(f, "/", "completed"), 1);

  // Coordinates.
  const Read x = read(f, "/x"), y = read(f, "/y"), layer = read(f, "/layer");
  EXPECT_EQ(x.f8, (std::vector<double>{1005.0, 1020.0, 1045.0, 1080.0}));
  EXPECT_EQ(y.f8, (std::vector<double>{2155.0, 2100.0, 2035.0}));
  EXPECT_EQ(layer.ints, (std::vector<long long>{1, 2}));
  EXPECT_EQ(attr_string(f, "/x", "units"), "m");
  EXPECT_EQ(attr_string(f, "/x", "axis"), "X");
  EXPECT_EQ(attr_string(f, "/y", "axis"), "Y");
  EXPECT_EQ(scale_name(f, "/x"), "x");

  // Time: unlimited, two saved steps.
  const Read time = read(f, "/time");
  EXPECT_EQ(time.dims, (std::vector<hsize_t>{2}));
  EXPECT_EQ(time.max_dims, (std::vector<hsize_t>{H5S_UNLIMITED}));
  EXPECT_EQ(time.f8, (std::vector<double>{10.0, 30.0}));
  EXPECT_EQ(attr_string(f, "/time", "units"), "days since 2015-03-01 00:00:00");
  EXPECT_EQ(attr_string(f, "/time", "calendar"), "standard");
  EXPECT_EQ(read(f, "/time_step").ints, (std::vector<long long>{1, 3}));
  EXPECT_EQ(read(f, "/period").ints, (std::vector<long long>{1, 2}));

  // Heads: (time, layer, y, x), fill value in the inactive cell.
  const Read head = read(f, "/head");
  EXPECT_EQ(head.dims, (std::vector<hsize_t>{2, 2, 3, 4}));
  EXPECT_EQ(head.max_dims[0], H5S_UNLIMITED);
  ASSERT_EQ(head.f8.size(), 48u);
  for (Index n = 0; n < 24; ++n) {
    const double expect0 = n == inactive_cell ? fill : head_value(0, n);
    const double expect1 = n == inactive_cell ? fill : head_value(2, n);
    EXPECT_EQ(head.f8[std::size_t(n)], expect0) << n;
    EXPECT_EQ(head.f8[std::size_t(24 + n)], expect1) << n;
  }
  EXPECT_EQ(attr_number<double>(f, "/head", "_FillValue"), fill);
  EXPECT_EQ(attr_string(f, "/head", "units"), "m");
  EXPECT_TRUE(attached(f, "/head", "/time", 0));
  EXPECT_TRUE(attached(f, "/head", "/layer", 1));
  EXPECT_TRUE(attached(f, "/head", "/y", 2));
  EXPECT_TRUE(attached(f, "/head", "/x", 3));
  {
    const hid_t d = H5Dopen2(f, "/head", H5P_DEFAULT);
    const hid_t dcpl = H5Dget_create_plist(d);
    hsize_t chunk[4] = {};
    EXPECT_EQ(H5Pget_chunk(dcpl, 4, chunk), 4);
    EXPECT_EQ(std::vector<hsize_t>(chunk, chunk + 4), (std::vector<hsize_t>{1, 1, 3, 4}));
    EXPECT_EQ(H5Pget_nfilters(dcpl), 2); // shuffle + deflate
    H5Pclose(dcpl);
    H5Dclose(d);
  }

  // Static fields.
  const Read active = read(f, "/active");
  EXPECT_EQ(active.dims, (std::vector<hsize_t>{2, 3, 4}));
  EXPECT_EQ(active.ints[std::size_t(inactive_cell)], 0);
  EXPECT_EQ(active.ints[0], 1);
  EXPECT_EQ(read(f, "/top").dims, (std::vector<hsize_t>{3, 4}));
  EXPECT_EQ(read(f, "/bottom").f8[12], -20.0);
  // Uniform fields are stored as the dataset's fill value, without data:
  // every cell still reads back the value; fields that vary are written.
  for (const auto& [field, value] : {std::pair{"/k", 5.0}, {"/k33", 0.5}, {"/ss", 1e-5}, {"/sy", 0.2}, {"/top", 10.0}}) {
    EXPECT_EQ(read(f, field).f8, std::vector<double>(field == std::string("/top") ? 12 : 24, value)) << field;
    const hid_t d = H5Dopen2(f, field, H5P_DEFAULT);
    EXPECT_EQ(H5Dget_storage_size(d), 0u) << field << " was written although uniform";
    H5Dclose(d);
  }
  {
    const hid_t d = H5Dopen2(f, "/bottom", H5P_DEFAULT);
    EXPECT_GT(H5Dget_storage_size(d), 0u) << "bottom varies by layer and must be written";
    H5Dclose(d);
  }
  EXPECT_EQ(attr_string(f, "/k", "units"), "m/d");
  EXPECT_EQ(read(f, "/delr").f8, (std::vector<double>{10.0, 20.0, 30.0, 40.0}));
  EXPECT_EQ(read(f, "/delc").f8, (std::vector<double>{50.0, 60.0, 70.0}));
  EXPECT_TRUE(attached(f, "/bottom", "/layer", 0));

  // Budget: one entry per step.
  EXPECT_EQ(attr_string(f, "/budget", "terms"), "storage,chd,wel");
  EXPECT_EQ(read(f, "/budget/step").ints, (std::vector<long long>{1, 2, 3}));
  EXPECT_EQ(read(f, "/budget/time").f8, (std::vector<double>{10.0, 20.0, 30.0}));
  EXPECT_EQ(attr_string(f, "/budget/time", "units"), "days since 2015-03-01 00:00:00");
  EXPECT_EQ(read(f, "/budget/period").ints, (std::vector<long long>{1, 2, 2}));
  EXPECT_EQ(read(f, "/budget/step_in_period").ints, (std::vector<long long>{1, 1, 2}));
  EXPECT_EQ(read(f, "/budget/dt").f8, (std::vector<double>{10.0, 10.0, 10.0}));
  EXPECT_EQ(read(f, "/budget/storage_in").f8, (std::vector<double>{1.0, 2.0, 3.0}));
  EXPECT_EQ(read(f, "/budget/storage_out").f8, (std::vector<double>{2.0, 4.0, 6.0}));
  EXPECT_EQ(read(f, "/budget/chd_in").f8, (std::vector<double>{3.0, 6.0, 9.0}));
  EXPECT_EQ(read(f, "/budget/wel_out").f8, (std::vector<double>{5.0, 10.0, 15.0}));
  EXPECT_EQ(read(f, "/budget/total_in").f8, (std::vector<double>{4.0, 8.0, 12.0}));
  EXPECT_EQ(read(f, "/budget/total_out").f8, (std::vector<double>{11.0, 22.0, 33.0}));
  EXPECT_EQ(read(f, "/budget/percent_discrepancy").f8, (std::vector<double>{0.01, 0.02, 0.03}));
  EXPECT_EQ(attr_string(f, "/budget/percent_discrepancy", "units"), "percent");
  EXPECT_EQ(attr_string(f, "/budget/wel_in", "units"), "m3/d");
  EXPECT_EQ(read(f, "/budget/solver_iterations").ints, (std::vector<long long>{7, 8, 9}));
  EXPECT_EQ(read(f, "/budget/relative_residual").f8, (std::vector<double>{1e-11, 2e-11, 3e-11}));
  EXPECT_TRUE(attached(f, "/budget/total_in", "/budget/step", 0));

  // Observations.
  EXPECT_EQ(read_strings(f, "/observations/name"), (std::vector<std::string>{"P1", "P2 deep"}));
  EXPECT_EQ(read(f, "/observations/layer").ints, (std::vector<long long>{1, 2}));
  EXPECT_EQ(read(f, "/observations/row").ints, (std::vector<long long>{2, 1}));
  EXPECT_EQ(read(f, "/observations/col").ints, (std::vector<long long>{2, 3}));
  EXPECT_EQ(read(f, "/observations/x").f8, (std::vector<double>{1025.0, 1055.0}));
  EXPECT_EQ(read(f, "/observations/y").f8, (std::vector<double>{2115.0, 2155.0}));
  EXPECT_EQ(read(f, "/observations/time").f8, (std::vector<double>{10.0, 20.0, 30.0}));
  const Read obs = read(f, "/observations/head");
  EXPECT_EQ(obs.dims, (std::vector<hsize_t>{3, 2}));
  EXPECT_EQ(obs.f8, (std::vector<double>{head_value(0, 5), head_value(0, 14), head_value(1, 5),
                                         head_value(1, 14), head_value(2, 5), head_value(2, 14)}));
  EXPECT_TRUE(attached(f, "/observations/head", "/observations/step", 0));
  EXPECT_TRUE(attached(f, "/observations/head", "/observations/obs", 1));
  EXPECT_EQ(scale_name(f, "/observations/obs"),
            "This is a netCDF dimension but not a netCDF variable.         2");

  // Metadata.
  EXPECT_EQ(read_strings(f, "/metadata/scenario"), (std::vector<std::string>{model.source_text}));
  EXPECT_EQ(attr_string(f, "/metadata", "scenario_file"), "scenarios/unit.yaml");
  EXPECT_EQ(attr_string(f, "/metadata", "gwsim_version"), GWSIM_VERSION);
  EXPECT_EQ(attr_string(f, "/metadata", "solver"), "pcg");
  EXPECT_EQ(attr_number<std::int32_t>(f, "/metadata", "threads"), 2);
  EXPECT_EQ(attr_number<std::int64_t>(f, "/metadata", "total_solver_iterations"), 24);
  EXPECT_EQ(attr_number<std::int64_t>(f, "/metadata", "total_newton_iterations"), 7);
  EXPECT_EQ(attr_number<std::int32_t>(f, "/metadata", "time_step_cuts"), 1);
  EXPECT_EQ(attr_number<std::int32_t>(f, "/metadata", "steps"), 3);
  EXPECT_EQ(attr_number<double>(f, "/metadata", "wall_time_seconds"), 1.5);
  EXPECT_EQ(attr_number<double>(f, "/metadata", "assembly_seconds"), 0.1);
  EXPECT_EQ(attr_number<double>(f, "/metadata", "first_guess_seconds"), 0.2);
  EXPECT_EQ(attr_number<double>(f, "/metadata", "solve_seconds"), 0.9);
  EXPECT_EQ(attr_number<double>(f, "/metadata", "budget_seconds"), 0.125);
  EXPECT_EQ(attr_number<double>(f, "/metadata", "output_seconds"), 0.0625);
  EXPECT_EQ(attr_number<double>(f, "/metadata", "worst_percent_discrepancy"), 0.03);
  EXPECT_EQ(attr_string(f, "/metadata", "created").size(), 20u); // 2024-01-02T03:04:05Z

  // netCDF-4 dimension ids are unique across the file.
  std::vector<int> ids;
  for (const char* d : {"/time", "/layer", "/y", "/x", "/zones/zone", "/aquifers/aquifer", "/observations/obs",
                        "/budget/step", "/observations/step"})
    ids.push_back(attr_number<std::int32_t>(f, d, "_Netcdf4Dimid"));
  EXPECT_EQ(ids, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8}));
  H5Fclose(f);
}

TEST_F(Hdf5WriterTest, LargePlanesAreChunkedByRowsAndObservationsAreOptional) {
  // 600 x 1000 doubles = 4.8 MB per plane: above the 4 MiB chunk cap, so a
  // chunk holds 524288 / 1000 = 524 rows.
  const fs::path path = folder / "large.h5";
  ModelData m;
  m.name = "large";
  Grid& g = m.grid;
  g.nlay = 1;
  g.nrow = 600;
  g.ncol = 1000;
  g.delr.assign(1000, 1.0);
  g.delc.assign(600, 1.0);
  g.top.assign(600000, 1.0);
  g.bottom.assign(600000, 0.0);
  g.active.assign(600000, 1);
  m.aquifer.k.assign(600000, 1.0);
  m.aquifer.k33.assign(600000, 1.0);
  m.aquifer.ss.assign(600000, 1e-5); // no sy: not written
  m.time.start = Date{2000, 1, 1};
  m.output.compression = 0;
  std::vector<double> head(600000);
  for (std::size_t n = 0; n < head.size(); ++n) head[n] = double(n);
  {
    Hdf5Writer w(path.string());
    w.begin(m);
    w.step(step_info(0, 0, 0, 1.0, 1.0, 1, 0.0, true), head, budget_of(0), {});
    w.finish(summary());
  }
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  {
    const hid_t d = H5Dopen2(f, "/head", H5P_DEFAULT);
    const hid_t dcpl = H5Dget_create_plist(d);
    hsize_t chunk[4] = {};
    H5Pget_chunk(dcpl, 4, chunk);
    EXPECT_EQ(std::vector<hsize_t>(chunk, chunk + 4), (std::vector<hsize_t>{1, 1, 524, 1000}));
    EXPECT_EQ(H5Pget_nfilters(dcpl), 0); // compression 0: no filters
    H5Pclose(dcpl);
    H5Dclose(d);
  }
  const Read h = read(f, "/head");
  EXPECT_EQ(h.dims, (std::vector<hsize_t>{1, 1, 600, 1000}));
  EXPECT_EQ(h.f8, head);
  EXPECT_EQ(H5Lexists(f, "/observations", H5P_DEFAULT), 0);
  EXPECT_EQ(H5Lexists(f, "/sy", H5P_DEFAULT), 0);
  EXPECT_EQ(H5Lexists(f, "/budget", H5P_DEFAULT), 1);
  H5Fclose(f);
}

TEST_F(Hdf5WriterTest, AbortLeavesNoFileAndKeepsAnExistingResult) {
  // No earlier result: nothing at all remains.
  const fs::path fresh = folder / "fresh.h5";
  {
    Hdf5Writer w(fresh.string());
    w.begin(small_model(fresh.string()));
    drive_steps(w, 2);
    w.abort();
    EXPECT_FALSE(fs::exists(w.temp_path()));
  }
  EXPECT_FALSE(fs::exists(fresh));
  EXPECT_FALSE(has_partial_file(folder));

  // An earlier result at the final path stays byte-identical, both for an
  // explicit abort() and for a writer destroyed without finish().
  const fs::path earlier = folder / "earlier.h5";
  const std::string bytes = std::string("an earlier result\0with a NUL", 28);
  std::ofstream(earlier, std::ios::binary) << bytes;
  {
    Hdf5Writer w(earlier.string());
    w.begin(small_model(earlier.string()));
    drive_steps(w, 2);
    w.abort();
  }
  EXPECT_EQ(slurp(earlier), bytes);
  {
    Hdf5Writer w(earlier.string());
    w.begin(small_model(earlier.string()));
    drive_steps(w, 2);
  } // destroyed without finish()
  EXPECT_EQ(slurp(earlier), bytes);
  EXPECT_FALSE(has_partial_file(folder));
}

TEST_F(Hdf5WriterTest, UnwritableFolderIsAnOutputErrorNamingThePath) {
  const fs::path missing = folder / "no such folder" / "result.h5";
  Hdf5Writer w(missing.string());
  try {
    w.begin(small_model(missing.string()));
    FAIL() << "expected OutputError";
  } catch (const OutputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find((folder / "no such folder").string()), std::string::npos) << what;
    EXPECT_NE(what.find("No such file or directory"), std::string::npos) << what;
  }

  // Permissions do not stop root, so this half only runs for other users.
  if (::geteuid() != 0) {
    const fs::path locked = folder / "locked";
    fs::create_directories(locked);
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
    const fs::path target = locked / "result.h5";
    Hdf5Writer w2(target.string());
    try {
      w2.begin(small_model(target.string()));
      FAIL() << "expected OutputError";
    } catch (const OutputError& e) {
      EXPECT_NE(std::string(e.what()).find(locked.string()), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("Permission denied"), std::string::npos) << e.what();
    }
    fs::permissions(locked, fs::perms::owner_all);
  }
}

TEST_F(Hdf5WriterTest, Hdf5FailureIsAnOutputErrorWithNameAndErrorStack) {
  h5::silence_error_printing();
  h5::Object file = h5::create_file((folder / "wrap.h5").string());
  const std::vector<hsize_t> dims{3};
  h5::create_dataset(file.id(), "series", H5T_IEEE_F64LE, dims);
  try {
    h5::create_dataset(file.id(), "series", H5T_IEEE_F64LE, dims);
    FAIL() << "expected OutputError";
  } catch (const OutputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'series'"), std::string::npos) << what;
    EXPECT_NE(what.find("H5Dcreate2"), std::string::npos) << what; // from the error stack
    EXPECT_NE(what.find("already exists"), std::string::npos) << what;
  }
}

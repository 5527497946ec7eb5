// Zones and aquifer groups: the reader (defaults, strict checks with located
// messages) and the result groups /zones, /aquifers and /layer_type, read
// back with the plain HDF5 C API.
#include <gtest/gtest.h>

#include <hdf5.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "io/config.hpp"
#include "io/hdf5_writer.hpp"
#include "model/simulation.hpp"

namespace gwsim {
namespace {

namespace fs = std::filesystem;

const char* scenario = R"(name: zones
grid: {nlay: 3, nrow: 2, ncol: 3, delr: 10, delc: 10, top: 1, bottom: [0, -1, -2]}
aquifer: {k: 5, ss: 1.0e-5, layer_type: [convertible, confined, confined]}
time: {start: 2000-01-01, periods: [{length: 10}]}
initial_head: 0.5
)";

ModelData read(const std::string& extra) {
  return read_scenario_text(std::string(scenario) + extra, "dir/z.yaml", "dir");
}

std::string error_of(const std::string& extra) {
  try {
    read(extra);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Zones, DefaultsOneZoneAndOneAquiferPerLayer) {
  const ModelData m = read("");
  EXPECT_EQ(m.zones.id, std::vector<int>(6, 1));
  EXPECT_EQ(m.zones.ids, std::vector<int>{1});
  EXPECT_EQ(m.zones.names, std::vector<std::string>{"model"});
  ASSERT_EQ(m.aquifers.size(), 3u);
  EXPECT_EQ(m.aquifers[2].name, "layer_3");
  EXPECT_EQ(m.aquifers[2].layers, std::vector<Index>{2});
}

TEST(Zones, MapNamesAndAquiferGroups) {
  const ModelData m = read("zones:\n  map: [[1, 1, 2], [0, 2, 2]]\n  names: {2: Jizhou, 1: Taocheng}\n"
                           "aquifers:\n  shallow: 1\n  deep: [3, 2]\n");
  EXPECT_EQ(m.zones.id, (std::vector<int>{1, 1, 2, 0, 2, 2}));
  EXPECT_EQ(m.zones.ids, (std::vector<int>{1, 2}));
  EXPECT_EQ(m.zones.names, (std::vector<std::string>{"Taocheng", "Jizhou"}));
  ASSERT_EQ(m.aquifers.size(), 2u);
  EXPECT_EQ(m.aquifers[0].name, "shallow");
  EXPECT_EQ(m.aquifers[0].layers, std::vector<Index>{0});
  EXPECT_EQ(m.aquifers[1].layers, (std::vector<Index>{1, 2}));
}

TEST(Zones, StrictChecks) {
  EXPECT_EQ(error_of("zones:\n  map: [[1, 1.5, 2], [0, 2, 2]]\n  names: {1: a, 2: b}\n"),
            "dir/z.yaml:7:13: zones.map[0][1] = 1.5: zone id 1.5 at row 1, col 2 is not a whole number (zone ids "
            "are whole numbers >= 1, 0 outside every zone)");
  EXPECT_EQ(error_of("zones:\n  map: [[1, -1, 2], [0, 2, 2]]\n  names: {1: a, 2: b}\n"),
            "dir/z.yaml:7:13: zones.map[0][1] = -1: must be between 0 and 1000000000 at row 1, col 2");
  EXPECT_EQ(error_of("zones:\n  map: [[1, 1, 2], [0, 2, 3]]\n  names: {1: a, 2: b}\n"),
            "dir/z.yaml:8:10: zones.names: zone id 3 (first at row 2, col 3 of zones.map) has no name; every zone "
            "id in the map needs one");
  EXPECT_EQ(error_of("zones:\n  map: 1\n  names: {1: a, 4: b}\n"),
            "dir/z.yaml:8:17: zones.names = 4: zone 4 does not occur in zones.map");
  EXPECT_EQ(error_of("zones:\n  map: [[1, 1, 2], [0, 2, 2]]\n  names: {1: a, 2: a}\n"),
            "dir/z.yaml:8:20: zones.names.2 = a: zone 1 has the same name");
  EXPECT_EQ(error_of("zones:\n  map: 1\n"), "dir/z.yaml:7:3: zones: missing required key 'names'");
  EXPECT_EQ(error_of("aquifers:\n  shallow: [1]\n  deep: [4]\n"),
            "dir/z.yaml:8:10: aquifers.deep[0] = 4: must be between 1 and 3 (layer)");
  EXPECT_EQ(error_of("aquifers:\n  shallow: [1, 2]\n  deep: [2, 3]\n"),
            "dir/z.yaml:8:10: aquifers.deep[0] = 2: layer 2 is already in aquifer 'shallow'; a layer belongs to "
            "one aquifer");
  EXPECT_EQ(error_of("aquifers:\n  shallow: [1, 1]\n"),
            "dir/z.yaml:7:16: aquifers.shallow[1] = 1: layer listed twice");
  EXPECT_EQ(error_of("aquifers:\n  shallow: []\n"),
            "dir/z.yaml:7:12: aquifers.shallow: expected a layer number or a list of layer numbers, found an "
            "empty list");
}

TEST(Zones, AtMostSoManyBudgetUnits) {
  // 128 x 128 columns each its own zone, 2 layers (aquifers): 32768 units,
  // one more than the zone budget's 16-bit unit numbers hold.
  std::string map = "[", names = "{";
  for (int r = 0; r < 128; ++r) {
    map += r ? ", [" : "[";
    for (int c = 0; c < 128; ++c) {
      const int id = 128 * r + c + 1;
      map += (c ? ", " : "") + std::to_string(id);
      names += (id > 1 ? ", " : "") + std::to_string(id) + ": z" + std::to_string(id);
    }
    map += "]";
  }
  map += "]";
  names += "}";
  const std::string text = "name: units\n"
                           "grid: {nlay: 2, nrow: 128, ncol: 128, delr: 10, delc: 10, top: 1, bottom: [0, -1]}\n"
                           "aquifer: {k: 5, ss: 1.0e-5}\n"
                           "time: {start: 2000-01-01, periods: [{length: 10}]}\n"
                           "initial_head: 0.5\n"
                           "zones:\n  map: " + map + "\n  names: " + names + "\n";
  std::string error = "no error";
  try {
    read_scenario_text(text, "dir/u.yaml", "dir");
  } catch (const InputError& e) {
    error = e.what();
  }
  EXPECT_EQ(error, "dir/u.yaml:7:3: zones: 16384 zones x 2 aquifers make 32768 budget units; zone budgets hold at "
                   "most 32767 (merge zones, or group layers into fewer aquifers)");
  // One aquifer for both layers: 16384 units are fine.
  const ModelData m = read_scenario_text(text + "aquifers: {all: [1, 2]}\n", "dir/u.yaml", "dir");
  EXPECT_EQ(m.zones.ids.size(), 16384u);
}

/// Read a whole integer dataset.
template <class T> std::vector<T> read_ints(hid_t file, const char* name, hid_t type, std::size_t n) {
  std::vector<T> v(n);
  const hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
  EXPECT_GE(d, 0) << name;
  EXPECT_GE(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), 0) << name;
  H5Dclose(d);
  return v;
}

std::vector<std::string> read_strings(hid_t file, const char* name, std::size_t n) {
  std::vector<char*> raw(n);
  const hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
  const hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8); // the writer's strings are UTF-8
  EXPECT_GE(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), 0) << name;
  std::vector<std::string> out(raw.begin(), raw.end());
  const hid_t space = H5Dget_space(d);
  H5Dvlen_reclaim(t, space, H5P_DEFAULT, raw.data());
  H5Sclose(space);
  H5Tclose(t);
  H5Dclose(d);
  return out;
}

TEST(Zones, ResultHasZonesAquifersAndLayerTypes) {
  const fs::path out = fs::temp_directory_path() / ("gwsim_zones_" + std::to_string(::getpid()) + ".h5");
  ModelData m = read("zones:\n  map: [[1, 1, 2], [0, 2, 2]]\n  names: {1: Taocheng, 2: Jizhou}\n"
                     "aquifers:\n  shallow: [1]\n  deep: [2, 3]\n");
  m.output.file = out.string();
  m.solver.kind = SolverKind::direct;
  Hdf5Writer writer(out.string());
  Simulation(m).run(writer);
  const hid_t f = H5Fopen(out.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  EXPECT_EQ(read_ints<std::int8_t>(f, "layer_type", H5T_NATIVE_INT8, 3), (std::vector<std::int8_t>{1, 0, 0}));
  EXPECT_EQ(read_ints<std::int32_t>(f, "zones/map", H5T_NATIVE_INT32, 6),
            (std::vector<std::int32_t>{1, 1, 2, 0, 2, 2}));
  EXPECT_EQ(read_ints<std::int32_t>(f, "zones/id", H5T_NATIVE_INT32, 2), (std::vector<std::int32_t>{1, 2}));
  EXPECT_EQ(read_strings(f, "zones/name", 2), (std::vector<std::string>{"Taocheng", "Jizhou"}));
  EXPECT_EQ(read_strings(f, "aquifers/name", 2), (std::vector<std::string>{"shallow", "deep"}));
  EXPECT_EQ(read_ints<std::int8_t>(f, "aquifers/layers", H5T_NATIVE_INT8, 6),
            (std::vector<std::int8_t>{1, 0, 0, 0, 1, 1}));
  H5Fclose(f);
  fs::remove(out);
}

} // namespace
} // namespace gwsim

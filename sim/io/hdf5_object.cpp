#include "io/hdf5_object.hpp"

#include <H5DSpublic.h>

#include <algorithm>
#include <mutex>

#include "core/error.hpp"

namespace gwsim::h5 {

namespace {

herr_t collect_error(unsigned /*n*/, const H5E_error2_t* e, void* out) {
  auto& text = *static_cast<std::string*>(out);
  if (!text.empty()) text += "; ";
  text += e->func_name ? e->func_name : "?";
  text += "(): ";
  text += e->desc ? e->desc : "";
  return 0;
}

/// Throw unless an HDF5 call succeeded (herr_t >= 0, hid_t >= 0). The
/// message is built only on failure, after the error stack is taken, so the
/// per-step path pays for no name lookups.
template <class R, class Message> R check(R result, Message&& what) {
  if (result < 0) {
    std::string stack = take_error_stack();
    throw OutputError(std::string(what()) + ": " + stack);
  }
  return result;
}

/// Rank-0 dims give a scalar dataspace.
Object simple_space(std::span<const hsize_t> dims, std::span<const hsize_t> max_dims = {}) {
  if (dims.empty()) return Object(check(H5Screate(H5S_SCALAR), [] { return "cannot create an HDF5 dataspace"; }));
  return Object(check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(),
                                       max_dims.empty() ? nullptr : max_dims.data()),
                      [] { return "cannot create an HDF5 dataspace"; }));
}

} // namespace

void silence_error_printing() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

std::string take_error_stack() {
  std::string text;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &text);
  H5Eclear2(H5E_DEFAULT);
  return text.empty() ? "no HDF5 error stack" : text;
}

Object& Object::operator=(Object&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.id_;
    other.id_ = H5I_INVALID_HID;
  }
  return *this;
}

void Object::close() {
  if (!valid()) return;
  const hid_t id = id_;
  id_ = H5I_INVALID_HID;
  const std::string name = describe(id); // before release: afterwards the name is gone
  check(H5Idec_ref(id), [&] { return "cannot close HDF5 object " + name; });
}

void Object::reset() noexcept {
  if (!valid()) return;
  if (H5Iis_valid(id_) > 0) H5Idec_ref(id_);
  id_ = H5I_INVALID_HID;
  H5Eclear2(H5E_DEFAULT);
}

std::string describe(hid_t object) {
  std::string path(256, '\0');
  ssize_t n = H5Iget_name(object, path.data(), path.size());
  if (n >= static_cast<ssize_t>(path.size())) {
    path.assign(static_cast<std::size_t>(n) + 1, '\0');
    n = H5Iget_name(object, path.data(), path.size());
  }
  path.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  std::string file(256, '\0');
  n = H5Fget_name(object, file.data(), file.size());
  if (n >= static_cast<ssize_t>(file.size())) {
    file.assign(static_cast<std::size_t>(n) + 1, '\0');
    n = H5Fget_name(object, file.data(), file.size());
  }
  file.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  H5Eclear2(H5E_DEFAULT);
  // Appends rather than `"'" + path`: GCC 12 raises a false -Wrestrict on the latter.
  std::string text("'");
  text.append(path.empty() ? "?" : path).append("' in '").append(file).append("'");
  return text;
}

Object utf8_string_type() {
  Object type(check(H5Tcopy(H5T_C_S1), [] { return "cannot create an HDF5 string type"; }));
  check(H5Tset_size(type.id(), H5T_VARIABLE), [] { return "cannot create an HDF5 string type"; });
  check(H5Tset_cset(type.id(), H5T_CSET_UTF8), [] { return "cannot create an HDF5 string type"; });
  return type;
}

Object create_file(const std::string& path) {
  const auto what = [&] { return "cannot create HDF5 file '" + path + "'"; };
  Object fcpl(check(H5Pcreate(H5P_FILE_CREATE), what));
  const unsigned order = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
  check(H5Pset_link_creation_order(fcpl.id(), order), what);
  check(H5Pset_attr_creation_order(fcpl.id(), order), what);
  Object fapl(check(H5Pcreate(H5P_FILE_ACCESS), what));
  check(H5Pset_fclose_degree(fapl.id(), H5F_CLOSE_STRONG), what);
  return Object(check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.id(), fapl.id()), what));
}

void flush(hid_t file) {
  check(H5Fflush(file, H5F_SCOPE_GLOBAL), [&] { return "cannot flush HDF5 file " + describe(file); });
}

Object create_group(hid_t parent, const std::string& name) {
  const auto what = [&] {
    return "cannot create HDF5 group '" + name + "' under " + describe(parent);
  };
  const unsigned order = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
  Object gcpl(check(H5Pcreate(H5P_GROUP_CREATE), what));
  check(H5Pset_link_creation_order(gcpl.id(), order), what);
  check(H5Pset_attr_creation_order(gcpl.id(), order), what);
  return Object(
      check(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, gcpl.id(), H5P_DEFAULT), what));
}

Object create_dataset(hid_t parent, const std::string& name, hid_t file_type,
                      std::span<const hsize_t> dims, const DatasetOptions& options) {
  const auto what = [&] {
    return "cannot create HDF5 dataset '" + name + "' under " + describe(parent);
  };
  Object space = simple_space(dims, options.max_dims);
  Object dcpl(check(H5Pcreate(H5P_DATASET_CREATE), what));
  check(H5Pset_attr_creation_order(dcpl.id(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
        what);
  if (!options.chunk.empty()) {
    check(H5Pset_chunk(dcpl.id(), static_cast<int>(options.chunk.size()), options.chunk.data()),
          what);
    if (options.deflate > 0) {
      check(H5Pset_shuffle(dcpl.id()), what);
      check(H5Pset_deflate(dcpl.id(), static_cast<unsigned>(options.deflate)), what);
    }
  }
  if (options.fill) check(H5Pset_fill_value(dcpl.id(), H5T_NATIVE_DOUBLE, options.fill), what);
  return Object(check(H5Dcreate2(parent, name.c_str(), file_type, space.id(), H5P_DEFAULT,
                                 dcpl.id(), H5P_DEFAULT),
                      what));
}

void set_extent(hid_t dataset, std::span<const hsize_t> dims) {
  check(H5Dset_extent(dataset, dims.data()), [&] { return "cannot extend HDF5 dataset " + describe(dataset); });
}

void write_slab(hid_t dataset, hid_t memory_type, std::span<const hsize_t> start,
                std::span<const hsize_t> count, const void* data) {
  const auto what = [&] { return "cannot write HDF5 dataset " + describe(dataset); };
  Object file_space(check(H5Dget_space(dataset), what));
  check(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                            nullptr),
        what);
  Object memory_space = simple_space(count);
  check(H5Dwrite(dataset, memory_type, memory_space.id(), file_space.id(), H5P_DEFAULT, data),
        what);
}

void write_all(hid_t dataset, hid_t memory_type, const void* data, hid_t transfer) {
  check(H5Dwrite(dataset, memory_type, H5S_ALL, H5S_ALL, transfer, data),
        [&] { return "cannot write HDF5 dataset " + describe(dataset); });
}

void write_strings(hid_t dataset, std::span<const std::string> text) {
  std::vector<const char*> pointers;
  pointers.reserve(text.size());
  for (const auto& s : text) pointers.push_back(s.c_str());
  Object type = utf8_string_type();
  // Variable-length strings pass through HDF5's type conversion, whose
  // buffer is 1 MiB by default and zero-filled on every write (calloc): a
  // 1 M-cell steady run was 8% faster with a buffer for these elements only
  // (bench/HISTORY.md).
  Object transfer(check(H5Pcreate(H5P_DATASET_XFER), [] { return "cannot create an HDF5 transfer list"; }));
  check(H5Pset_buffer(transfer.id(), std::max<std::size_t>(4096, 16 * pointers.size()), nullptr, nullptr),
        [] { return "cannot size an HDF5 conversion buffer"; });
  write_all(dataset, type.id(), pointers.data(), transfer.id());
}

void set_attribute(hid_t object, const std::string& name, std::string_view value) {
  const std::string text(value);
  const char* pointer = text.c_str();
  Object type = utf8_string_type();
  set_attribute(object, name, type.id(), type.id(), &pointer);
}

void set_attribute(hid_t object, const std::string& name, hid_t file_type, hid_t memory_type,
                   const void* value) {
  const auto what = [&] {
    return "cannot write attribute '" + name + "' of HDF5 object " + describe(object);
  };
  if (check(H5Aexists(object, name.c_str()), what) > 0)
    check(H5Adelete(object, name.c_str()), what);
  Object space(check(H5Screate(H5S_SCALAR), what));
  Object attribute(
      check(H5Acreate2(object, name.c_str(), file_type, space.id(), H5P_DEFAULT, H5P_DEFAULT), what));
  check(H5Awrite(attribute.id(), memory_type, value), what);
}

void make_dimension_scale(hid_t dataset, const std::string& name, int netcdf_dimid) {
  check(H5DSset_scale(dataset, name.c_str()),
        [&] { return "cannot make HDF5 dataset " + describe(dataset) + " a dimension scale"; });
  set_attribute(dataset, "_Netcdf4Dimid", static_cast<std::int32_t>(netcdf_dimid));
}

void attach_dimension_scale(hid_t dataset, hid_t scale, unsigned axis) {
  check(H5DSattach_scale(dataset, scale, axis),
        [&] {
          return "cannot attach dimension scale " + describe(scale) + " to HDF5 dataset " +
                 describe(dataset);
        });
}

} // namespace gwsim::h5

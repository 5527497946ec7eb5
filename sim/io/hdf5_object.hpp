#pragma once
/// Thin RAII layer over the HDF5 C API, in the manner of HighFive: every C
/// call gwsim makes is wrapped once here, and every failure becomes an
/// OutputError carrying the object's name and HDF5's own error stack.
///
/// Only what the result writer needs: files, groups, datasets (contiguous
/// or chunked, gzip + shuffle, fill values, extendible), hyperslab writes,
/// scalar attributes and netCDF-4 style dimension scales.
#include <hdf5.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace gwsim::h5 {

/// Switch off HDF5's automatic printing of error stacks to stderr
/// (process-wide); gwsim reports HDF5 errors through exceptions instead.
void silence_error_printing();

/// The current HDF5 error stack as one line, innermost cause last; clears it.
std::string take_error_stack();

/// Owns one HDF5 identifier (file, group, dataset, dataspace, datatype,
/// property list, attribute) and releases it exactly once.
class Object {
public:
  Object() = default;
  explicit Object(hid_t id) : id_(id) {}
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;
  Object(Object&& other) noexcept : id_(other.id_) { other.id_ = H5I_INVALID_HID; }
  Object& operator=(Object&& other) noexcept;
  ~Object() { reset(); }

  hid_t id() const { return id_; }
  bool valid() const { return id_ >= 0; }
  /// Release, reporting failure (for a file this is where HDF5 writes out
  /// its metadata, so the error matters).
  void close();
  /// Release, ignoring failure (cleanup paths, destructors).
  void reset() noexcept;

private:
  hid_t id_ = H5I_INVALID_HID;
};

/// "'/budget/dt' in 'out.h5'": the object's path and file, for messages.
std::string describe(hid_t object);

/// Memory and file (little-endian, fixed width) types of the numbers gwsim writes.
template <class T> struct Type;
template <> struct Type<double> {
  static hid_t memory() { return H5T_NATIVE_DOUBLE; }
  static hid_t file() { return H5T_IEEE_F64LE; }
};
template <> struct Type<float> {
  static hid_t memory() { return H5T_NATIVE_FLOAT; }
  static hid_t file() { return H5T_IEEE_F32LE; }
};
template <> struct Type<std::int64_t> {
  static hid_t memory() { return H5T_NATIVE_INT64; }
  static hid_t file() { return H5T_STD_I64LE; }
};
template <> struct Type<std::int32_t> {
  static hid_t memory() { return H5T_NATIVE_INT32; }
  static hid_t file() { return H5T_STD_I32LE; }
};
template <> struct Type<std::int8_t> {
  static hid_t memory() { return H5T_NATIVE_INT8; }
  static hid_t file() { return H5T_STD_I8LE; }
};

/// Variable-length UTF-8 string type (netCDF-4's NC_STRING).
Object utf8_string_type();

/// New file, truncating any file of that name. Links and attributes keep
/// their creation order (netCDF-4 lists them in that order). The file
/// closes strongly: closing it closes every object still open in it.
Object create_file(const std::string& path);
void flush(hid_t file);
Object create_group(hid_t parent, const std::string& name);

struct DatasetOptions {
  /// Maximum extent per dimension (H5S_UNLIMITED allowed); empty = fixed at dims.
  std::vector<hsize_t> max_dims;
  /// Chunk shape; empty = contiguous.
  std::vector<hsize_t> chunk;
  /// gzip level 1-9 with the shuffle filter before it; 0 = no filters.
  int deflate = 0;
  /// Fill value for unwritten elements (double datasets only); nullptr = HDF5 default.
  const double* fill = nullptr;
};

/// New dataset of `file_type` with extent `dims`.
Object create_dataset(hid_t parent, const std::string& name, hid_t file_type,
                      std::span<const hsize_t> dims, const DatasetOptions& options = {});

/// Grow (or shrink) a chunked dataset to `dims`.
void set_extent(hid_t dataset, std::span<const hsize_t> dims);

/// Write `count` elements starting at `start` (one hyperslab, one call);
/// `data` holds them in row-major order.
void write_slab(hid_t dataset, hid_t memory_type, std::span<const hsize_t> start,
                std::span<const hsize_t> count, const void* data);

/// Write the whole dataset (`transfer`: a dataset transfer property list).
void write_all(hid_t dataset, hid_t memory_type, const void* data, hid_t transfer = H5P_DEFAULT);

template <class T> void write_all(hid_t dataset, std::span<const T> data) {
  write_all(dataset, Type<T>::memory(), data.data());
}
void write_strings(hid_t dataset, std::span<const std::string> text);

/// Scalar attributes, created or replaced.
void set_attribute(hid_t object, const std::string& name, std::string_view value);
void set_attribute(hid_t object, const std::string& name, hid_t file_type, hid_t memory_type,
                   const void* value);
template <class T>
  requires std::is_arithmetic_v<T>
void set_attribute(hid_t object, const std::string& name, T value) {
  set_attribute(object, name, Type<T>::file(), Type<T>::memory(), &value);
}

/// Make `dataset` a dimension scale (H5DSset_scale) named `name`, with the
/// netCDF-4 dimension id `_Netcdf4Dimid`.
void make_dimension_scale(hid_t dataset, const std::string& name, int netcdf_dimid);
/// Attach `scale` to dimension `axis` of `dataset` (H5DSattach_scale).
void attach_dimension_scale(hid_t dataset, hid_t scale, unsigned axis);

} // namespace gwsim::h5

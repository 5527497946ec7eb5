#include "io/config_arrays.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "io/raster.hpp"

namespace gwsim {

namespace {

/// " at layer 2, row 3, col 4" (one-based) or "" when nothing is known.
std::string at(Index layer, Index row, Index col) {
  const std::string label = cell_label(layer, row, col);
  return label.empty() ? "" : " at " + label;
}

double read_value(const ConfigNode& n, const ArraySpec& spec, Index layer, Index row, Index col) {
  const double v = n.as_double();
  if (!spec.bound.accepts(v)) n.fail(spec.bound.describe() + at(layer, row, col));
  return v;
}

std::vector<double> read_inline2d(const ConfigNode& node, const Grid& g, const ArraySpec& spec,
                                  Index layer) {
  if (Index(node.size()) != g.nrow)
    node.fail_here(fmt::format("expected a list of nrow = {} rows, found {} entries", g.nrow, node.size()));
  std::vector<double> v;
  v.reserve(std::size_t(g.ncell_layer()));
  for (std::size_t i = 0; i < node.size(); ++i) {
    const ConfigNode row = node[i];
    row.expect_list(fmt::format("a list of ncol = {} numbers (row {})", g.ncol, i + 1));
    if (Index(row.size()) != g.ncol)
      row.fail_here(fmt::format("expected ncol = {} numbers (row {}), found {}", g.ncol, i + 1, row.size()));
    for (std::size_t j = 0; j < row.size(); ++j)
      v.push_back(read_value(row[j], spec, layer, Index(i), Index(j)));
  }
  return v;
}

std::vector<double> read_file2d(const ConfigNode& node, const Grid& g, const ArraySpec& spec,
                                Index layer) {
  const ConfigNode file = node.required("file");
  const std::string name = file.as_string();
  double factor = 1.0;
  if (auto f = node.optional("factor")) factor = f->as_double();
  node.done();
  const std::string path = node.source().resolve(name);
  if (!std::filesystem::is_regular_file(path))
    file.fail(fmt::format("file not found: '{}' (paths are relative to the YAML file's folder)", path));
  RasterOptions options{g.nrow, g.ncol, {}};
  if (spec.nodata_is_zero) options.nodata_fill = 0.0;
  Raster r;
  try {
    r = read_raster(path, options);
  } catch (const InputError& e) {
    file.fail(e.what());
  }
  for (std::size_t i = 0; i < r.values.size(); ++i) {
    const double v = r.values[i] * factor;
    if (!spec.bound.accepts(v))
      file.fail(fmt::format("{}: value {}{} {}", path, v, factor == 1.0 ? "" : " (after factor)",
                            spec.bound.describe() + at(layer, Index(i) / g.ncol, Index(i) % g.ncol)));
    r.values[i] = v;
  }
  return std::move(r.values);
}

} // namespace

std::string cell_label(Index layer, Index row, Index col) {
  std::string s;
  const auto add = [&s](const char* what, Index i) {
    if (i >= 0) s += fmt::format("{}{} {}", s.empty() ? "" : ", ", what, i + 1);
  };
  add("layer", layer);
  add("row", row);
  add("col", col);
  return s;
}

bool is_file_array(const ConfigNode& node) { return node.is_map() && node.has("file"); }

std::vector<double> read_array2d(const ConfigNode& node, const Grid& g, const ArraySpec& spec, Index layer) {
  if (node.is_scalar())
    return std::vector<double>(std::size_t(g.ncell_layer()), read_value(node, spec, layer, -1, -1));
  if (node.is_list()) return read_inline2d(node, g, spec, layer);
  if (node.is_map()) return read_file2d(node, g, spec, layer);
  node.fail_here("expected a 2-D array: a number, a list of nrow lists of ncol numbers, or {file: ...}; found nothing");
}

std::vector<double> read_array3d(const ConfigNode& node, const Grid& g, const ArraySpec& spec) {
  if (node.is_scalar()) return std::vector<double>(std::size_t(g.ncell()), read_value(node, spec, -1, -1, -1));
  if (!node.is_list())
    node.fail_here(fmt::format("expected a 3-D array: a number or a list of nlay = {} layer values "
                               "(each a number, rows or {{file: ...}}), found {}",
                               g.nlay, node.describe()));
  if (Index(node.size()) != g.nlay)
    node.fail_here(fmt::format("expected a list of nlay = {} entries (one per layer), found {}", g.nlay,
                               node.size()));
  std::vector<double> v;
  v.reserve(std::size_t(g.ncell()));
  for (std::size_t k = 0; k < node.size(); ++k) {
    const auto layer = read_array2d(node[k], g, spec, Index(k));
    v.insert(v.end(), layer.begin(), layer.end());
  }
  return v;
}

} // namespace gwsim

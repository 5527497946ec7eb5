#include "io/raster.hpp"

#include "io/input_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace gwsim {

namespace {

/// A whitespace- or comma-separated word of a text file and where it starts.
struct Token {
  std::string text;
  int line = 0;   ///< one-based
  int column = 0; ///< one-based
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

[[noreturn]] void fail(const std::string& path, int line, int column, const std::string& message) {
  throw InputError({path, line, column, ""}, message);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path)) fail(path, 0, 0, "cannot open the file");
  std::ostringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  InputFileScope::note(path, text);
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3); // UTF-8 byte-order mark
  return text;
}

/// The file's lines without their line ends ("\n" or "\r\n").
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  return lines;
}

/// Whitespace-separated tokens of one line.
std::vector<Token> split_words(const std::string& line, int line_no) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    const std::size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i > start) tokens.push_back({line.substr(start, i - start), line_no, int(start) + 1});
  }
  return tokens;
}

/// Comma-separated fields of one line, without surrounding spaces.
std::vector<Token> split_csv_line(const std::string& line, int line_no) {
  std::vector<Token> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = std::min(line.find(',', start), line.size());
    std::size_t first = start;
    std::size_t last = comma;
    while (first < last && (line[first] == ' ' || line[first] == '\t')) ++first;
    while (last > first && (line[last - 1] == ' ' || line[last - 1] == '\t')) --last;
    fields.push_back({line.substr(first, last - first), line_no, int(first) + 1});
    if (comma == line.size()) return fields;
    start = comma + 1;
  }
}

/// Parse a finite number; nullopt (with `why`) otherwise.
std::optional<double> parse_number(const std::string& t, std::string& why) {
  const char* first = t.data() + (!t.empty() && t[0] == '+' ? 1 : 0);
  const char* last = t.data() + t.size();
  double v = 0.0;
  const auto [end, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || end != last || first == last) {
    why = fmt::format("'{}' is not a number", t);
    return std::nullopt;
  }
  if (std::isnan(v)) {
    why = fmt::format("'{}': NaN is not allowed", t);
    return std::nullopt;
  }
  if (!std::isfinite(v)) {
    why = fmt::format("'{}': values must be finite", t);
    return std::nullopt;
  }
  return v;
}

double number_at(const std::string& path, const Token& t) {
  std::string why;
  const auto v = parse_number(t.text, why);
  if (!v) fail(path, t.line, t.column, why);
  return *v;
}

Index count_at(const std::string& path, const Token& t) {
  Index v = 0;
  const auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
  if (ec != std::errc() || end != t.text.data() + t.text.size() || v < 1)
    fail(path, t.line, t.column, fmt::format("'{}' must be a whole number >= 1", t.text));
  return v;
}

void check_shape(const std::string& path, const RasterOptions& o, Index nrow, Index ncol, int line) {
  if (nrow == o.nrow && ncol == o.ncol) return;
  fail(path, line, 1,
       fmt::format("the raster is {} x {} (nrows x ncols), expected {} x {} (nrow x ncol of the grid)",
                   nrow, ncol, o.nrow, o.ncol));
}

// --- .asc -------------------------------------------------------------------------

/// The header key each spelling sets (xllcorner and xllcenter are one key).
const std::map<std::string, std::string> asc_header_keys = {
    {"ncols", "ncols"},         {"nrows", "nrows"},         {"xllcorner", "xll"},
    {"xllcenter", "xll"},       {"yllcorner", "yll"},       {"yllcenter", "yll"},
    {"cellsize", "cellsize"},   {"nodata_value", "nodata_value"},
};
const char* const asc_required[] = {"ncols", "nrows", "xll", "yll", "cellsize"};

void set_header_value(AscHeader& h, const std::string& key, const std::string& path, const Token& v) {
  if (key == "ncols") h.ncols = count_at(path, v);
  if (key == "nrows") h.nrows = count_at(path, v);
  if (key == "xllcorner" || key == "xllcenter") h.xll = number_at(path, v);
  if (key == "yllcorner" || key == "yllcenter") h.yll = number_at(path, v);
  if (key == "nodata_value") h.nodata_value = number_at(path, v);
  if (key == "cellsize") {
    h.cellsize = number_at(path, v);
    if (h.cellsize <= 0.0) fail(path, v.line, v.column, fmt::format("cellsize {} must be > 0", v.text));
  }
  h.xll_is_center = h.xll_is_center || key == "xllcenter";
  h.yll_is_center = h.yll_is_center || key == "yllcenter";
}

/// Reads header lines from lines[next] on; leaves `next` at the first data line.
AscHeader read_asc_header(const std::string& path, const std::vector<std::string>& lines, std::size_t& next) {
  AscHeader h;
  std::set<std::string> seen;
  const auto complete = [&seen] {
    return std::all_of(std::begin(asc_required), std::end(asc_required),
                       [&seen](const char* k) { return seen.count(k) != 0; });
  };
  for (; next < lines.size(); ++next) {
    const auto words = split_words(lines[next], int(next) + 1);
    if (words.empty()) continue;
    const Token& name = words[0];
    const std::string key = lower(name.text);
    // Data starts at the first line that begins like a number, or, once the
    // header is complete, at any line other than NODATA_value.
    const char c = name.text[0];
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.' ||
        (complete() && key != "nodata_value"))
      break;
    const auto it = asc_header_keys.find(key);
    if (it == asc_header_keys.end())
      fail(path, name.line, name.column,
           fmt::format("unknown header key '{}' (expected ncols, nrows, xllcorner|xllcenter, "
                       "yllcorner|yllcenter, cellsize, NODATA_value)",
                       name.text));
    if (words.size() != 2)
      fail(path, name.line, name.column, fmt::format("header line '{}' must be a key and one value", lines[next]));
    if (!seen.insert(it->second).second)
      fail(path, name.line, name.column, fmt::format("header key '{}' is given twice", name.text));
    set_header_value(h, key, path, words[1]);
  }
  for (const char* k : asc_required)
    if (seen.count(k) == 0)
      fail(path, int(next) + 1, 1,
           fmt::format("the header has no '{}'", std::string(k) == "xll"   ? "xllcorner or xllcenter"
                                                 : std::string(k) == "yll" ? "yllcorner or yllcenter"
                                                                           : k));
  return h;
}

} // namespace

Raster read_asc(const std::string& path, const RasterOptions& options) {
  const auto lines = split_lines(read_file(path));
  std::size_t next = 0;
  Raster r;
  r.header = read_asc_header(path, lines, next);
  const AscHeader& h = *r.header;
  check_shape(path, options, h.nrows, h.ncols, 1);
  r.nrow = h.nrows;
  r.ncol = h.ncols;
  const auto count = static_cast<std::size_t>(r.nrow * r.ncol);
  r.values.reserve(count);
  for (; next < lines.size(); ++next) {
    for (const Token& t : split_words(lines[next], int(next) + 1)) {
      if (r.values.size() == count)
        fail(path, t.line, t.column, fmt::format("more than nrows x ncols = {} values", count));
      double v = number_at(path, t);
      if (h.nodata_value && v == *h.nodata_value) {
        if (!options.nodata_fill)
          fail(path, t.line, t.column,
               fmt::format("NODATA value {} (row {}, col {}): a value is needed in every cell here",
                           t.text, r.values.size() / std::size_t(r.ncol) + 1,
                           r.values.size() % std::size_t(r.ncol) + 1));
        v = *options.nodata_fill;
      }
      r.values.push_back(v);
    }
  }
  if (r.values.size() != count)
    fail(path, int(lines.size()), 1,
         fmt::format("found {} values, expected nrows x ncols = {} x {} = {}", r.values.size(), r.nrow,
                     r.ncol, count));
  return r;
}

Raster read_csv(const std::string& path, const RasterOptions& options) {
  auto lines = split_lines(read_file(path));
  while (!lines.empty() && split_words(lines.back(), 0).empty()) lines.pop_back();
  if (Index(lines.size()) != options.nrow)
    fail(path, int(std::min(lines.size(), std::size_t(options.nrow)) + 1), 1,
         fmt::format("found {} lines, expected {} (nrow x ncol = {} x {})", lines.size(), options.nrow,
                     options.nrow, options.ncol));
  Raster r;
  r.nrow = options.nrow;
  r.ncol = options.ncol;
  r.values.reserve(static_cast<std::size_t>(r.nrow * r.ncol));
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto fields = split_csv_line(lines[i], int(i) + 1);
    for (const Token& t : fields) {
      if (t.text.empty()) fail(path, t.line, t.column, "empty value");
      r.values.push_back(number_at(path, t));
    }
    if (Index(fields.size()) != r.ncol)
      fail(path, int(i) + 1, 1, fmt::format("line has {} values, expected {} (ncol)", fields.size(), r.ncol));
  }
  return r;
}

Raster read_raster(const std::string& path, const RasterOptions& options) {
  const std::string ext = lower(std::filesystem::path(path).extension().string());
  if (ext == ".asc") return read_asc(path, options);
  if (ext == ".csv") return read_csv(path, options);
  fail(path, 0, 0, fmt::format("unknown raster format '{}' (expected .asc or .csv)", ext));
}

} // namespace gwsim

#include "io/yaml_reader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>
#include <sstream>

namespace gwsim {

namespace {

/// One-based line and column of a yaml-cpp mark (which is zero-based).
SourceLocation to_location(const std::string& file, const YAML::Mark& m) {
  if (m.is_null() || m.line < 0) return {file, 0, 0, ""};
  return {file, m.line + 1, m.column + 1, ""};
}

/// Where the key `it->first` of a mapping with origin `map` is.
template <class It>
SourceLocation key_location(const std::shared_ptr<const NodeOrigin>& map, const It& it) {
  const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string();
  return NodeOrigin::of_key(map, key)->source->locate(it->first.Mark());
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string format_number(double v) { return fmt::format("{}", v); }

std::string join(const std::vector<std::string>& words, const char* sep) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : sep) + w;
  return s;
}

std::string key_text(const YAML::Node& key) {
  return key.IsScalar() ? key.Scalar() : std::string("<a non-scalar key>");
}

bool is_integer_text(const std::string& t) {
  std::size_t i = (!t.empty() && (t[0] == '+' || t[0] == '-')) ? 1 : 0;
  if (i == t.size()) return false;
  return std::all_of(t.begin() + static_cast<std::ptrdiff_t>(i), t.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

/// YAML's spellings of infinity and NaN, which from_chars does not know.
bool is_yaml_special(const std::string& t, bool& nan) {
  std::string s = lower(t);
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.erase(0, 1);
  nan = (s == ".nan" || s == "nan");
  return nan || s == ".inf" || s == "inf" || s == "infinity";
}

/// One-based (line, column) of the first tab in the leading whitespace of a
/// line up to `last_line` (zero-based), if any.
std::optional<std::pair<int, int>> first_indenting_tab(const std::string& text, int last_line) {
  int line = 0;
  bool leading = true;
  int column = 0;
  for (const char c : text) {
    if (line > last_line) break;
    ++column;
    if (c == '\n') {
      ++line;
      leading = true;
      column = 0;
    } else if (leading && c == '\t') {
      return std::make_pair(line + 1, column);
    } else if (c != ' ') {
      leading = false;
    }
  }
  return std::nullopt;
}

} // namespace

// --- ConfigSource, Bound ------------------------------------------------------

SourceLocation ConfigSource::locate(const YAML::Mark& mark) const {
  if (!label.empty()) return {display_name, 0, 0, label};
  return to_location(display_name, mark);
}

std::shared_ptr<const NodeOrigin> NodeOrigin::of_key(const std::shared_ptr<const NodeOrigin>& parent,
                                                     const std::string& key) {
  if (!parent->merged()) return parent;
  const auto it = parent->keys.find(key);
  return it != parent->keys.end() ? it->second : whole(parent->source);
}

std::shared_ptr<const NodeOrigin> NodeOrigin::of_item(const std::shared_ptr<const NodeOrigin>& parent,
                                                      std::size_t i) {
  if (!parent->merged()) return parent;
  return i < parent->items.size() ? parent->items[i] : whole(parent->source);
}

std::shared_ptr<const NodeOrigin> NodeOrigin::whole(std::shared_ptr<const ConfigSource> source) {
  auto o = std::make_shared<NodeOrigin>();
  o->source = std::move(source);
  return o;
}

std::string ConfigSource::resolve(const std::string& relative) const {
  const std::filesystem::path p(relative);
  if (p.is_absolute() || base_dir.empty()) return relative;
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

bool Bound::accepts(double v) const {
  switch (kind) {
  case Kind::any: return true;
  case Kind::positive: return v > 0.0;
  case Kind::non_negative: return v >= 0.0;
  case Kind::between: return v >= min && v <= max;
  case Kind::flag: return v == 0.0 || v == 1.0;
  case Kind::at_least: return v >= min;
  }
  return false;
}

std::string Bound::describe() const {
  std::string s;
  switch (kind) {
  case Kind::any: s = "must be a finite number"; break;
  case Kind::positive: s = "must be > 0"; break;
  case Kind::non_negative: s = "must be >= 0"; break;
  case Kind::between: s = "must be between " + format_number(min) + " and " + format_number(max); break;
  case Kind::flag: s = "must be 0 or 1"; break;
  case Kind::at_least: s = "must be >= " + format_number(min); break;
  }
  if (*unit != '\0') s += fmt::format(" ({})", unit);
  return s;
}

// --- ConfigNode -----------------------------------------------------------------

/// Which keys of one mapping were asked for and which were read.
struct ConfigNode::MapState {
  std::vector<std::string> expected;
  std::set<std::string> read;
};

ConfigNode::ConfigNode(YAML::Node node, std::shared_ptr<const ConfigSource> source)
    : ConfigNode(std::move(node), NodeOrigin::whole(std::move(source)), "", YAML::Mark::null_mark()) {}

ConfigNode::ConfigNode(YAML::Node node, std::shared_ptr<const NodeOrigin> origin, std::string path)
    : ConfigNode(std::move(node), std::move(origin), std::move(path), YAML::Mark::null_mark()) {}

ConfigNode::ConfigNode(YAML::Node node, std::shared_ptr<const NodeOrigin> origin,
                       std::string path, YAML::Mark key_mark)
    : node_(std::move(node)), origin_(std::move(origin)), path_(std::move(path)),
      key_mark_(key_mark) {}

ConfigNode ConfigNode::child(const YAML::Node& value, std::shared_ptr<const NodeOrigin> origin,
                             const std::string& path, const YAML::Mark& mark) const {
  return ConfigNode(value, std::move(origin), path, mark);
}

SourceLocation ConfigNode::location() const {
  // An empty value's mark points at the next token; its key is clearer.
  // Mappings and lists merged from several files have no mark of their own.
  YAML::Mark m = node_.IsNull() ? key_mark_ : node_.Mark();
  if (m.is_null()) m = origin_->mark.is_null() ? key_mark_ : origin_->mark;
  return origin_->source->locate(m);
}

std::string ConfigNode::describe() const {
  if (!node_.IsDefined() || node_.IsNull()) return "nothing";
  if (node_.IsSequence()) return "a list";
  if (node_.IsMap()) return "a mapping";
  std::string t = node_.Scalar();
  if (t.size() > 40) t = t.substr(0, 37) + "...";
  return node_.Tag() == "!" ? "'" + t + "'" : t;
}

void ConfigNode::fail(const std::string& message) const {
  const std::string lhs = path_.empty() ? describe() : path_ + " = " + describe();
  throw InputError(location(), lhs + ": " + message);
}

void ConfigNode::fail_here(const std::string& message) const {
  throw InputError(location(), path_.empty() ? message : path_ + ": " + message);
}

const std::string& ConfigNode::plain_scalar(const char* expected) const {
  if (!node_.IsScalar()) fail_here(fmt::format("expected {}, found {}", expected, describe()));
  if (node_.Tag() == "!") fail(fmt::format("expected {}, found a quoted string", expected));
  return node_.Scalar();
}

void ConfigNode::check_bound(double v, const Bound& bound) const {
  if (!bound.accepts(v)) fail(bound.describe());
}

double ConfigNode::as_double(Bound bound) const {
  const std::string& t = plain_scalar("a number");
  bool nan = false;
  if (is_yaml_special(t, nan)) fail(nan ? "NaN is not allowed" : "must be a finite number");
  const char* first = t.data() + (t[0] == '+' ? 1 : 0);
  const char* last = t.data() + t.size();
  double v = 0.0;
  const auto [end, ec] = std::from_chars(first, last, v);
  if (ec == std::errc::result_out_of_range) fail("must be a finite number");
  if (ec != std::errc() || end != last) fail("expected a number");
  check_bound(v, bound);
  return v;
}

Index ConfigNode::as_index(Bound bound) const {
  const std::string& t = plain_scalar("a whole number");
  if (!is_integer_text(t)) fail("expected a whole number");
  const char* first = t.data() + (t[0] == '+' ? 1 : 0);
  Index v = 0;
  const auto [end, ec] = std::from_chars(first, t.data() + t.size(), v);
  if (ec != std::errc()) fail("whole number out of range");
  check_bound(static_cast<double>(v), bound);
  return v;
}

int ConfigNode::as_int(Bound bound) const {
  const Index v = as_index(bound);
  if (v > std::numeric_limits<int>::max() || v < std::numeric_limits<int>::min())
    fail("whole number out of range");
  return static_cast<int>(v);
}

bool ConfigNode::as_bool() const {
  const std::string& t = plain_scalar("true or false");
  const std::string s = lower(t);
  if (s != "true" && s != "false") fail("expected true or false");
  return s == "true";
}

std::string ConfigNode::as_string() const {
  if (!node_.IsScalar()) fail_here(fmt::format("expected text, found {}", describe()));
  if (node_.Scalar().empty()) fail("must not be empty");
  return node_.Scalar();
}

Date ConfigNode::as_date() const {
  if (!node_.IsScalar()) fail_here(fmt::format("expected a date YYYY-MM-DD, found {}", describe()));
  const auto d = Date::parse(node_.Scalar());
  if (!d) fail("not a valid calendar date (expected YYYY-MM-DD)");
  return *d;
}

std::size_t ConfigNode::as_choice(const std::vector<std::string>& choices) const {
  const std::string choices_text = join(choices, " | ");
  if (!node_.IsScalar()) fail_here(fmt::format("expected one of {}, found {}", choices_text, describe()));
  const auto it = std::find(choices.begin(), choices.end(), node_.Scalar());
  if (it != choices.end()) return static_cast<std::size_t>(it - choices.begin());
  std::string message = "expected one of " + choices_text;
  if (const auto near = nearest(node_.Scalar(), choices)) message += "; did you mean '" + *near + "'?";
  fail(message);
}

void ConfigNode::expect_list(const std::string& what) const {
  if (!node_.IsSequence()) fail_here(fmt::format("expected {}, found {}", what, describe()));
}

ConfigNode ConfigNode::operator[](std::size_t i) const {
  const YAML::Node item = node_[i];
  return child(item, NodeOrigin::of_item(origin_, i), fmt::format("{}[{}]", path_, i), item.Mark());
}

void ConfigNode::expect_map(const std::string& what) const {
  if (!node_.IsMap()) fail_here(fmt::format("expected {}, found {}", what, describe()));
}

ConfigNode::MapState& ConfigNode::map_state() const {
  if (map_) return *map_;
  expect_map("a mapping");
  // yaml-cpp keeps duplicate keys silently; the second one would be ignored.
  std::set<std::string> seen;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string k = key_text(it->first);
    if (!seen.insert(k).second)
      throw InputError(key_location(origin_, it),
                       fmt::format("{}duplicate key '{}'", path_.empty() ? "" : path_ + ": ", k));
  }
  map_ = std::make_shared<MapState>();
  return *map_;
}

std::optional<ConfigNode> ConfigNode::find(const std::string& key, bool mark_read) const {
  MapState& state = map_state();
  if (std::find(state.expected.begin(), state.expected.end(), key) == state.expected.end())
    state.expected.push_back(key);
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (!it->first.IsScalar() || it->first.Scalar() != key) continue;
    if (mark_read) state.read.insert(key);
    return child(it->second, NodeOrigin::of_key(origin_, key), join_path(path_, key), it->first.Mark());
  }
  return std::nullopt;
}

ConfigNode ConfigNode::required(const std::string& key) const {
  if (auto value = find(key, true)) return *value;
  // A misspelt key is the likely cause; point at it rather than at the parent.
  const MapState& state = map_state();
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string k = key_text(it->first);
    if (state.read.count(k) != 0 || !nearest(k, {key})) continue;
    throw InputError(key_location(origin_, it),
                     fmt::format("{}unknown key '{}': did you mean '{}'? (required key '{}' is missing)",
                                 path_.empty() ? "" : path_ + ": ", k, key, key));
  }
  fail_here(fmt::format("missing required key '{}'", key));
}

std::optional<ConfigNode> ConfigNode::optional(const std::string& key) const { return find(key, true); }

bool ConfigNode::has(const std::string& key) const { return find(key, false).has_value(); }

std::vector<std::pair<ConfigNode, ConfigNode>> ConfigNode::entries() const {
  MapState& state = map_state();
  std::vector<std::pair<ConfigNode, ConfigNode>> out;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string k = key_text(it->first);
    state.read.insert(k);
    const auto origin = NodeOrigin::of_key(origin_, k);
    out.emplace_back(child(it->first, origin, path_, it->first.Mark()),
                     child(it->second, origin, join_path(path_, k), it->first.Mark()));
  }
  return out;
}

void ConfigNode::done() const {
  const MapState& state = map_state();
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string k = key_text(it->first);
    if (state.read.count(k) != 0) continue;
    std::string message = fmt::format("unknown key '{}'", k);
    if (!state.expected.empty()) message += " (expected one of: " + join(state.expected, ", ") + ")";
    if (const auto near = nearest(k, state.expected)) message += "; did you mean '" + *near + "'?";
    throw InputError(key_location(origin_, it), path_.empty() ? message : path_ + ": " + message);
  }
}

// --- free functions -------------------------------------------------------------

namespace {

/// Records where each YAML document starts, and nothing else.
struct DocumentStarts final : YAML::EventHandler {
  std::vector<YAML::Mark> starts;
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

} // namespace

YAML::Node load_scenario_document(const std::string& text, const ConfigSource& source) {
  // Not YAML::LoadAll: on a stray ',' (or another flow character) at the
  // top level, yaml-cpp 0.7 starts empty documents at the same token forever,
  // allocating until memory runs out (found by tests/fuzz). Count at most two
  // document starts instead, then load the first document.
  YAML::Node doc;
  std::vector<YAML::Mark> starts;
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts handler;
    while (handler.starts.size() < 2 && parser.HandleNextDocument(handler)) {
    }
    starts = std::move(handler.starts);
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    // yaml-cpp reports a tab in the indentation as a mismatched block
    // somewhere later; name the real cause when there is one.
    if (const auto tab = first_indenting_tab(text, e.mark.line))
      throw InputError({source.display_name, tab->first, tab->second, ""},
                       "invalid YAML: tab character in the indentation (indent with spaces)");
    throw InputError(to_location(source.display_name, e.mark), "invalid YAML: " + e.msg);
  }
  if (starts.size() > 1) {
    const YAML::Mark& m = starts[1];
    std::size_t at = 0; // offset of the second start in the text
    for (int line = 0; line < m.line && at != std::string::npos; ++line) {
      at = text.find('\n', at);
      if (at != std::string::npos) ++at;
    }
    if (at != std::string::npos) at += static_cast<std::size_t>(std::max(m.column, 0));
    if (at < text.size() && text.compare(at, 3, "---") != 0 && text.compare(at, 3, "...") != 0)
      throw InputError(to_location(source.display_name, m),
                       fmt::format("invalid YAML: unexpected '{}' outside the top-level mapping",
                                   text[at]));
    if (!doc.IsNull())
      throw InputError(to_location(source.display_name, m),
                       "a scenario file holds one YAML document; found a second one (after '---')");
  }
  if (!doc || doc.IsNull())
    throw InputError({source.display_name, 1, 1, ""},
                     "the scenario is empty; expected a mapping with keys name, grid, aquifer, ...");
  return doc;
}

ConfigNode parse_yaml(const std::string& text, std::shared_ptr<const ConfigSource> source) {
  ConfigNode root(load_scenario_document(text, *source), std::move(source));
  root.expect_map("a mapping with keys name, grid, aquifer, ... at the top level");
  return root;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  // Optimal string alignment: insertions, deletions, substitutions and
  // swaps of two neighbours ("pgc" -> "pcg") each cost one.
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

std::optional<std::string> nearest(const std::string& word, const std::vector<std::string>& candidates) {
  // Short keys tolerate one edit, longer ones two; case never counts.
  const std::size_t limit = word.size() >= 5 ? 2 : 1;
  std::optional<std::string> best;
  std::size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(lower(word), lower(c));
    if (d < best_distance && d < std::max(word.size(), c.size())) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string join_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

} // namespace gwsim

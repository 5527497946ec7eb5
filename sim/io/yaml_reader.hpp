#pragma once
/// A strict view of a parsed YAML document, after OpenGeoSys's ConfigTree.
///
/// A ConfigNode knows where it came from (file, line, column) and its key
/// path (`stresses.wel[3].rate`, list indices zero-based). Reading a mapping
/// records which keys were asked for; done() then turns every key nobody
/// asked for into an "unknown key" error that lists the keys that were
/// expected and suggests the nearest one. Scalars convert strictly: a number
/// must be a plain, finite YAML number, an integer must be written as one.
///
/// Every failure is an InputError reading
/// `file:line:col: key.path = value: what was expected`.
#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/date.hpp"
#include "core/error.hpp"
#include "core/types.hpp"

namespace gwsim {

/// Where the document came from: the name used in messages and the folder
/// that relative paths in it are resolved against.
struct ConfigSource {
  std::string display_name;
  std::string base_dir;
  /// Set for text that is not a file (a `--set key.path=value` override):
  /// messages then read `display_name: label: ...` without line and column.
  std::string label;
  /// `relative` resolved against base_dir (absolute paths are kept).
  std::string resolve(const std::string& relative) const;
  /// `file:line:col` of a yaml-cpp mark in this source.
  SourceLocation locate(const YAML::Mark& mark) const;
};

/// Which source each part of a document came from. A scenario composed from
/// a base file, the file itself and `--set` overrides is one YAML tree whose
/// nodes come from several files; a mapping or list merged from several
/// sources lists where each of its keys or items came from, any other node
/// came whole from `source`.
struct NodeOrigin {
  std::shared_ptr<const ConfigSource> source;
  std::map<std::string, std::shared_ptr<const NodeOrigin>> keys; ///< merged mapping: per key
  std::vector<std::shared_ptr<const NodeOrigin>> items;          ///< merged list: per item
  /// A merged node is a new node without a position of its own: where the
  /// winning file wrote it.
  YAML::Mark mark = YAML::Mark::null_mark();
  bool merged() const { return !keys.empty() || !items.empty(); }
  /// The origin of the value of `key` / of item `i` of this node.
  static std::shared_ptr<const NodeOrigin> of_key(const std::shared_ptr<const NodeOrigin>& parent,
                                                  const std::string& key);
  static std::shared_ptr<const NodeOrigin> of_item(const std::shared_ptr<const NodeOrigin>& parent,
                                                   std::size_t i);
  static std::shared_ptr<const NodeOrigin> whole(std::shared_ptr<const ConfigSource> source);
};

/// An accepted range for a number, with the unit shown in messages.
struct Bound {
  enum class Kind { any, positive, non_negative, between, flag, at_least };
  Kind kind = Kind::any;
  double min = 0.0; ///< for at_least and between
  double max = 0.0; ///< for between
  const char* unit = "";

  static Bound any(const char* unit = "") { return {Kind::any, 0.0, 0.0, unit}; }
  static Bound positive(const char* unit = "") { return {Kind::positive, 0.0, 0.0, unit}; }
  static Bound non_negative(const char* unit = "") { return {Kind::non_negative, 0.0, 0.0, unit}; }
  /// lo <= v <= hi
  static Bound between(double lo, double hi, const char* unit = "") { return {Kind::between, lo, hi, unit}; }
  /// 0 or 1
  static Bound flag() { return {Kind::flag, 0.0, 0.0, ""}; }
  static Bound at_least(double lo, const char* unit = "") { return {Kind::at_least, lo, 0.0, unit}; }

  bool accepts(double v) const;
  /// "must be > 0 (m/d)"
  std::string describe() const;
};

class ConfigNode {
public:
  /// The root of a document.
  ConfigNode(YAML::Node node, std::shared_ptr<const ConfigSource> source);
  /// A node of a composed document whose parts come from several sources;
  /// `path` is its key path ("" at the root).
  ConfigNode(YAML::Node node, std::shared_ptr<const NodeOrigin> origin, std::string path = "");

  const std::string& path() const { return path_; }
  /// The file this value came from (relative paths in it resolve against it).
  const ConfigSource& source() const { return *origin_->source; }
  const YAML::Node& yaml() const { return node_; }
  bool is_null() const { return node_.IsNull(); }
  bool is_scalar() const { return node_.IsScalar(); }
  bool is_list() const { return node_.IsSequence(); }
  bool is_map() const { return node_.IsMap(); }
  /// "a list", "a mapping", "nothing" or the scalar's text, for messages.
  std::string describe() const;

  // --- scalars -------------------------------------------------------------
  /// A finite number inside `bound`.
  double as_double(Bound bound = Bound::any()) const;
  /// A whole number written without a fraction, inside `bound`.
  Index as_index(Bound bound = Bound::any()) const;
  int as_int(Bound bound = Bound::any()) const;
  bool as_bool() const;
  /// A non-empty scalar.
  std::string as_string() const;
  Date as_date() const;
  /// One of `choices`; returns its position in the list.
  std::size_t as_choice(const std::vector<std::string>& choices) const;

  // --- lists ---------------------------------------------------------------
  /// Throws unless this is a list; `what` names the expected content.
  void expect_list(const std::string& what) const;
  std::size_t size() const { return node_.size(); }
  ConfigNode operator[](std::size_t i) const;

  // --- mappings ------------------------------------------------------------
  void expect_map(const std::string& what) const;
  /// The value of `key`; a missing key is an error at this mapping.
  ConfigNode required(const std::string& key) const;
  std::optional<ConfigNode> optional(const std::string& key) const;
  /// Whether `key` is present (the key counts as expected, not as read).
  bool has(const std::string& key) const;
  /// Every (key, value) pair, all marked as read (for maps keyed by data,
  /// such as stress-period schedules).
  std::vector<std::pair<ConfigNode, ConfigNode>> entries() const;
  /// Fails on the first key that was present but never read.
  void done() const;

  // --- errors --------------------------------------------------------------
  /// `file:line:col: path = value: message`
  [[noreturn]] void fail(const std::string& message) const;
  /// `file:line:col: path: message` (for problems with the whole entry).
  [[noreturn]] void fail_here(const std::string& message) const;
  SourceLocation location() const;

private:
  struct MapState;
  ConfigNode(YAML::Node node, std::shared_ptr<const NodeOrigin> origin, std::string path,
             YAML::Mark key_mark);
  ConfigNode child(const YAML::Node& value, std::shared_ptr<const NodeOrigin> origin,
                   const std::string& path, const YAML::Mark& mark) const;
  MapState& map_state() const;
  std::optional<ConfigNode> find(const std::string& key, bool mark_read) const;
  /// The plain scalar text; fails with `expected` unless this is a scalar.
  const std::string& plain_scalar(const char* expected) const;
  void check_bound(double v, const Bound& bound) const;

  YAML::Node node_;
  std::shared_ptr<const NodeOrigin> origin_;
  std::string path_;
  YAML::Mark key_mark_; ///< where the key of this value is (used for empty values)
  mutable std::shared_ptr<MapState> map_;
};

/// Parse YAML text into a root node; syntax errors become InputError at the
/// parser's line and column.
ConfigNode parse_yaml(const std::string& text, std::shared_ptr<const ConfigSource> source);
/// The one document of a scenario file, a mapping (the checks of parse_yaml).
YAML::Node load_scenario_document(const std::string& text, const ConfigSource& source);

/// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);
/// The entry of `candidates` nearest to `word` if it is a plausible typo.
std::optional<std::string> nearest(const std::string& word, const std::vector<std::string>& candidates);

/// Join a key path: join_path("grid", "nrow") == "grid.nrow".
std::string join_path(const std::string& parent, const std::string& key);

} // namespace gwsim

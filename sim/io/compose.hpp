#pragma once
/// Scenario composition: a scenario names a `base:` scenario and states only
/// what differs; `--set key.path=value` overrides one key from the command
/// line.
///
/// Merge rules (the file over its base, then each override in order):
///   - mappings merge key by key, recursively;
///   - a list whose items are all mappings with a `name` key merges item by
///     item by name: an item of the same name merges into the base's item,
///     an item with a new name is appended, `{name: x, remove: true}`
///     deletes the base's item x;
///   - every other value (scalars, other lists, a mapping over a scalar)
///     replaces the base's value.
/// Bases may chain (a base may name its own base); a cycle is an error that
/// names the files in it.
///
/// The merged tree keeps every node's own file, line and column (see
/// NodeOrigin), so the strict reader's messages point at the file that holds
/// the bad value, and `{file: x.asc}` in a base file is found next to that
/// base file.
#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>
#include <vector>

#include "io/yaml_reader.hpp"

namespace gwsim {

/// The display name of the source of `--set` overrides in messages.
inline constexpr const char* command_line_source = "<command line>";

struct ComposedScenario {
  YAML::Node root;                          ///< the merged document, a mapping
  std::shared_ptr<const NodeOrigin> origin; ///< where each part of it came from
  std::vector<std::string> files;           ///< files merged, deepest base first, the scenario last
  std::vector<std::string> overrides;       ///< `key.path=value`, in the order applied
  /// Text that reproduces the run: the scenario's own text when nothing was
  /// composed, otherwise the merged scenario as YAML after a comment naming
  /// the files merged and the overrides.
  std::string text;

  /// The strict reader's view of the merged document.
  ConfigNode node() const { return ConfigNode(root, origin); }
};

/// Compose the scenario with text `text` from file `source` (bases are
/// resolved against source->base_dir) and apply `overrides`
/// (`key.path=value`, the value parsed as YAML). Throws InputError.
ComposedScenario compose_scenario(const std::string& text, std::shared_ptr<const ConfigSource> source,
                                  const std::vector<std::string>& overrides = {});

/// Apply one `key.path=value` override. Key paths are dot-separated keys;
/// list items are chosen by position (`wel[2]`, from 0) or by name
/// (`wel.city_1`). Missing mapping keys are created; missing list items are
/// an error.
void apply_override(ComposedScenario& scenario, const std::string& assignment);

/// `node` as block YAML (lists of scalars in flow style; quoted scalars stay
/// quoted so the strict reader sees the same types).
std::string emit_yaml(const YAML::Node& node);

} // namespace gwsim

#include "io/compose.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace gwsim {

namespace {

namespace fs = std::filesystem;

/// A YAML node and where its parts came from.
struct Part {
  YAML::Node node;
  std::shared_ptr<const NodeOrigin> origin;
};

/// A file being composed: its canonical path (to find cycles), its name in
/// messages and its `base:` entry.
struct OpenFile {
  fs::path canonical;
  std::string display;
  std::optional<ConfigNode> base;
};

std::string key_text(const YAML::Node& key) { return key.IsScalar() ? key.Scalar() : std::string(); }

std::optional<YAML::Node> value_of(const YAML::Node& map, const std::string& key) {
  for (auto it = map.begin(); it != map.end(); ++it)
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  return std::nullopt;
}

/// The `name` of a list item, if it is a mapping with a scalar name.
std::optional<std::string> item_name(const YAML::Node& item) {
  if (!item.IsMap()) return std::nullopt;
  const auto name = value_of(item, "name");
  if (!name || !name->IsScalar()) return std::nullopt;
  return name->Scalar();
}

bool is_named_list(const YAML::Node& list) {
  if (!list.IsSequence()) return false;
  for (std::size_t i = 0; i < list.size(); ++i)
    if (!item_name(list[i])) return false;
  return true;
}

bool is_removal(const YAML::Node& item) { return item.IsMap() && value_of(item, "remove").has_value(); }

/// A duplicate key would be lost silently by the merge; report it where it is.
void check_unique_keys(const Part& map, const std::string& path) {
  std::set<std::string> seen;
  for (auto it = map.node.begin(); it != map.node.end(); ++it) {
    const std::string k = key_text(it->first);
    if (!seen.insert(k).second)
      throw InputError(NodeOrigin::of_key(map.origin, k)->source->locate(it->first.Mark()),
                       fmt::format("{}duplicate key '{}'", path.empty() ? "" : path + ": ", k));
  }
}

Part merge(const Part& under, const Part& over, const std::string& path);

Part merge_maps(const Part& under, const Part& over, const std::string& path) {
  check_unique_keys(under, path);
  check_unique_keys(over, path);
  YAML::Node out(YAML::NodeType::Map);
  auto origin = std::make_shared<NodeOrigin>();
  origin->source = over.origin->source;
  origin->mark = over.node.Mark().is_null() ? over.origin->mark : over.node.Mark();
  // The base's keys in the base's order, then the keys new in `over`.
  for (auto it = under.node.begin(); it != under.node.end(); ++it) {
    const std::string k = key_text(it->first);
    const Part below{it->second, NodeOrigin::of_key(under.origin, k)};
    bool replaced = false;
    for (auto jt = over.node.begin(); jt != over.node.end(); ++jt) {
      if (key_text(jt->first) != k) continue;
      const Part merged = merge(below, Part{jt->second, NodeOrigin::of_key(over.origin, k)}, join_path(path, k));
      out.force_insert(jt->first, merged.node);
      origin->keys[k] = merged.origin;
      replaced = true;
      break;
    }
    if (replaced) continue;
    out.force_insert(it->first, it->second);
    origin->keys[k] = below.origin;
  }
  for (auto jt = over.node.begin(); jt != over.node.end(); ++jt) {
    const std::string k = key_text(jt->first);
    if (origin->keys.count(k) != 0) continue;
    out.force_insert(jt->first, jt->second);
    origin->keys[k] = NodeOrigin::of_key(over.origin, k);
  }
  return {out, origin};
}

/// `{name: x, remove: true}`, checked: nothing else in it.
void check_removal(const ConfigNode& item) {
  item.required("name").as_string();
  if (!item.required("remove").as_bool())
    item.required("remove").fail("write remove: true to delete the base's item, or leave the key out");
  item.done();
}

Part merge_named_lists(const Part& under, const Part& over, const std::string& path) {
  std::vector<Part> items;
  std::vector<std::string> names;
  std::vector<bool> removed;
  for (std::size_t i = 0; i < under.node.size(); ++i) {
    items.push_back({under.node[i], NodeOrigin::of_item(under.origin, i)});
    names.push_back(*item_name(under.node[i]));
    removed.push_back(false);
  }
  for (std::size_t j = 0; j < over.node.size(); ++j) {
    const Part item{over.node[j], NodeOrigin::of_item(over.origin, j)};
    const std::string item_path = fmt::format("{}[{}]", path, j);
    const std::string name = *item_name(item.node);
    const auto at = std::find(names.begin(), names.end(), name);
    const std::size_t i = static_cast<std::size_t>(at - names.begin());
    if (is_removal(item.node)) {
      const ConfigNode entry(item.node, item.origin, item_path);
      check_removal(entry);
      if (at == names.end() || removed[i])
        entry.fail_here(fmt::format("no item named '{}' in the base scenario's {} to remove", name, path));
      removed[i] = true;
    } else if (at == names.end()) {
      items.push_back(item);
      names.push_back(name);
      removed.push_back(false);
    } else {
      items[i] = merge(items[i], item, item_path);
    }
  }
  YAML::Node out(YAML::NodeType::Sequence);
  auto origin = std::make_shared<NodeOrigin>();
  origin->source = over.origin->source;
  origin->mark = over.node.Mark().is_null() ? over.origin->mark : over.node.Mark();
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (removed[i]) continue;
    out.push_back(items[i].node);
    origin->items.push_back(items[i].origin);
  }
  return {out, origin};
}

Part merge(const Part& under, const Part& over, const std::string& path) {
  if (under.node.IsMap() && over.node.IsMap()) return merge_maps(under, over, path);
  if (is_named_list(over.node) && over.node.size() > 0 && is_named_list(under.node))
    return merge_named_lists(under, over, path);
  // Anything else replaces the base's value; a removal then has nothing to remove.
  if (over.node.IsSequence())
    for (std::size_t j = 0; j < over.node.size(); ++j)
      if (is_removal(over.node[j]))
        ConfigNode(over.node[j], NodeOrigin::of_item(over.origin, j), fmt::format("{}[{}]", path, j))
            .fail_here(fmt::format("remove: true deletes an item of the base scenario's list {}, but the "
                                   "base has no list of named items there",
                                   path));
  return over;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The document of one file with its bases merged under it.
Part compose_file(const std::string& text, const std::shared_ptr<const ConfigSource>& source,
                  std::vector<OpenFile>& open, std::vector<std::string>& files) {
  YAML::Node doc = load_scenario_document(text, *source);
  const ConfigNode root(doc, source);
  root.expect_map("a mapping with keys name, grid, aquifer, ... at the top level");
  std::error_code ec;
  OpenFile self{fs::weakly_canonical(fs::absolute(source->display_name), ec), source->display_name, {}};
  Part part{doc, NodeOrigin::whole(source)};
  if (!root.has("base")) {
    files.push_back(source->display_name);
    return part;
  }
  const ConfigNode base = *root.optional("base");
  const std::string name = base.as_string();
  const std::string path = source->resolve(name);
  self.base = base;
  open.push_back(self);
  const fs::path canonical = fs::weakly_canonical(fs::absolute(path), ec);
  for (std::size_t j = 0; j < open.size(); ++j) {
    if (open[j].canonical != canonical) continue;
    std::string cycle;
    for (std::size_t k = j; k < open.size(); ++k) cycle += open[k].display + " -> ";
    open[j].base->fail(fmt::format("the base scenarios form a cycle: {}{}", cycle, open[j].display));
  }
  if (!fs::is_regular_file(path))
    base.fail(fmt::format("base scenario not found: '{}' (paths are relative to the folder of the file that "
                          "names them)",
                          path));
  const auto base_source =
      std::make_shared<const ConfigSource>(ConfigSource{path, fs::path(path).parent_path().string(), ""});
  const Part under = compose_file(read_text(path), base_source, open, files);
  open.pop_back();
  files.push_back(source->display_name);

  // `base:` belongs to this file only.
  YAML::Node own(YAML::NodeType::Map);
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (key_text(it->first) != "base") own.force_insert(it->first, it->second);
  return merge(under, Part{own, part.origin}, "");
}

// --- overrides -------------------------------------------------------------------

/// One step of a key path: a key (which on a list selects the item of that
/// name) or a list position.
struct PathStep {
  std::string key;
  std::optional<std::size_t> index;
};

std::vector<PathStep> parse_key_path(const std::string& path, const SourceLocation& where) {
  std::vector<PathStep> steps;
  std::size_t i = 0;
  const auto bad = [&](const std::string& why) {
    throw InputError(where, fmt::format("'{}' is not a key path ({}); write e.g. solver.method=multigrid, "
                                        "stresses.wel[2].rate=-500 or stresses.wel.city_1.rate=-500",
                                        path, why));
  };
  while (i <= path.size()) {
    const std::size_t end = std::min(path.find_first_of(".[", i), path.size());
    if (end == i && (i >= path.size() || path[i] != '[')) bad("an empty key");
    if (end > i) steps.push_back({path.substr(i, end - i), std::nullopt});
    i = end;
    while (i < path.size() && path[i] == '[') {
      const std::size_t close = path.find(']', i);
      if (close == std::string::npos || close == i + 1) bad("a '[' without a position and ']'");
      const std::string digits = path.substr(i + 1, close - i - 1);
      if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        bad("a list position must be a whole number from 0");
      steps.push_back({"", std::stoul(digits)});
      i = close + 1;
    }
    if (i >= path.size()) break;
    if (path[i] != '.') bad("expected '.' or '[' after ']'");
    ++i;
    if (i == path.size()) bad("it ends with '.'");
  }
  if (steps.empty() || !steps.front().key.size()) bad("it must start with a key");
  return steps;
}

std::string describe_kind(const YAML::Node& n) {
  if (n.IsMap()) return "a mapping";
  if (n.IsSequence()) return "a list";
  if (n.IsScalar()) return "'" + n.Scalar() + "'";
  return "nothing";
}

Part set_at(const Part& at, const std::vector<PathStep>& steps, std::size_t s, const Part& value,
            const std::string& path, const SourceLocation& where) {
  const PathStep& step = steps[s];
  const bool last = s + 1 == steps.size();
  auto origin = std::make_shared<NodeOrigin>();
  origin->source = at.origin->source;
  origin->mark = at.node.Mark().is_null() ? at.origin->mark : at.node.Mark();

  std::optional<std::size_t> index = step.index;
  if (!index && at.node.IsSequence()) {
    // A key on a list picks the item of that name.
    std::vector<std::string> names;
    for (std::size_t i = 0; i < at.node.size(); ++i) {
      const auto name = item_name(at.node[i]);
      if (name && *name == step.key) index = i;
      if (name) names.push_back(*name);
    }
    if (!index) {
      std::string known;
      for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
      throw InputError(where, fmt::format("{} has no item named '{}' ({})", path, step.key,
                                          names.empty() ? "its items have no names; use a position such as [0]"
                                                        : "names: " + known));
    }
  }
  if (index) {
    if (!at.node.IsSequence())
      throw InputError(where, fmt::format("{} is {}, not a list; [{}] selects a list item", path,
                                          describe_kind(at.node), *index));
    if (*index >= at.node.size())
      throw InputError(where, fmt::format("{} has {} items; [{}] is not one of them (positions count from 0)",
                                          path, at.node.size(), *index));
    YAML::Node out(YAML::NodeType::Sequence);
    const std::string item_path = fmt::format("{}[{}]", path, *index);
    for (std::size_t i = 0; i < at.node.size(); ++i) {
      Part item{at.node[i], NodeOrigin::of_item(at.origin, i)};
      if (i == *index) item = last ? value : set_at(item, steps, s + 1, value, item_path, where);
      out.push_back(item.node);
      origin->items.push_back(item.origin);
    }
    return {out, origin};
  }

  if (!at.node.IsMap() && !at.node.IsNull() && at.node.IsDefined())
    throw InputError(where, fmt::format("{} is {}, not a mapping; it has no key '{}'", path.empty() ? "the scenario" : path,
                                        describe_kind(at.node), step.key));
  YAML::Node out(YAML::NodeType::Map);
  const std::string key_path = join_path(path, step.key);
  bool found = false;
  if (at.node.IsMap())
    for (auto it = at.node.begin(); it != at.node.end(); ++it) {
      const std::string k = key_text(it->first);
      Part child{it->second, NodeOrigin::of_key(at.origin, k)};
      if (k == step.key && !found) {
        found = true;
        child = last ? value : set_at(child, steps, s + 1, value, key_path, where);
      }
      out.force_insert(it->first, child.node);
      origin->keys[k] = child.origin;
    }
  if (!found) {
    const Part created{YAML::Node(YAML::NodeType::Null), value.origin};
    const Part child = last ? value : set_at(created, steps, s + 1, value, key_path, where);
    out.force_insert(step.key, child.node);
    origin->keys[step.key] = child.origin;
  }
  return {out, origin};
}

/// `path` as written in `from`, rewritten relative to the folder `to_dir`
/// (empty: the working directory), so that it names the same file there.
std::string rebase_path(const std::string& path, const ConfigSource& from, const std::string& to_dir) {
  if (fs::path(path).is_absolute()) return path;
  const fs::path resolved(from.resolve(path));
  const fs::path target = fs::absolute(resolved).lexically_normal();
  const fs::path here = (to_dir.empty() ? fs::current_path() : fs::absolute(to_dir)).lexically_normal();
  return target.lexically_relative(here).string();
}

/// Emit `node`; when `top` is given, `file:` paths that came from other files
/// are rewritten relative to top's folder.
void emit(YAML::Emitter& out, const YAML::Node& node, const std::shared_ptr<const NodeOrigin>& origin,
          const ConfigSource* top) {
  switch (node.Type()) {
  case YAML::NodeType::Map:
    out << YAML::BeginMap;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string k = key_text(it->first);
      const auto child = NodeOrigin::of_key(origin, k);
      out << YAML::Key;
      emit(out, it->first, child, nullptr);
      out << YAML::Value;
      if (top && k == "file" && it->second.IsScalar() && child->source.get() != top)
        out << rebase_path(it->second.Scalar(), *child->source, top->base_dir);
      else
        emit(out, it->second, child, top);
    }
    out << YAML::EndMap;
    break;
  case YAML::NodeType::Sequence: {
    bool scalars = true;
    for (std::size_t i = 0; i < node.size(); ++i) scalars = scalars && node[i].IsScalar();
    if (scalars) out << YAML::Flow;
    out << YAML::BeginSeq;
    for (std::size_t i = 0; i < node.size(); ++i) emit(out, node[i], NodeOrigin::of_item(origin, i), top);
    out << YAML::EndSeq;
    break;
  }
  case YAML::NodeType::Scalar:
    if (node.Tag() == "!") out << YAML::DoubleQuoted;
    out << node.Scalar();
    break;
  default: out << YAML::Null; break;
  }
}

} // namespace

std::string emit_yaml(const YAML::Node& node) {
  YAML::Emitter out;
  emit(out, node, NodeOrigin::whole(nullptr), nullptr);
  return std::string(out.c_str()) + "\n";
}

void apply_override(ComposedScenario& scenario, const std::string& assignment) {
  const std::size_t eq = assignment.find('=');
  const std::string key_path = assignment.substr(0, eq);
  const auto source = std::make_shared<const ConfigSource>(
      ConfigSource{command_line_source, "", "--set " + key_path});
  const SourceLocation where = source->locate(YAML::Mark::null_mark());
  if (eq == std::string::npos)
    throw InputError(where, fmt::format("'{}' is not an override; write --set key.path=value", assignment));
  const std::vector<PathStep> steps = parse_key_path(key_path, where);
  const std::string text = assignment.substr(eq + 1);
  YAML::Node value;
  try {
    value = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw InputError(where, fmt::format("'{}' is not a YAML value: {}", text, e.msg));
  }
  if (steps.front().key == "base")
    throw InputError(where, "base: is resolved before overrides; name the base in the scenario file");
  const Part root = set_at(Part{scenario.root, scenario.origin}, steps, 0, Part{value, NodeOrigin::whole(source)},
                           "", where);
  scenario.root = root.node;
  scenario.origin = root.origin;
  scenario.overrides.push_back(assignment);
}

ComposedScenario compose_scenario(const std::string& text, std::shared_ptr<const ConfigSource> source,
                                  const std::vector<std::string>& overrides) {
  ComposedScenario c;
  std::vector<OpenFile> open;
  const Part root = compose_file(text, source, open, c.files);
  c.root = root.node;
  c.origin = root.origin;
  for (const auto& o : overrides) apply_override(c, o);
  if (c.files.size() == 1 && c.overrides.empty()) {
    c.text = text;
    return c;
  }
  std::string header = "# gwsim: this scenario was composed from (base first):\n";
  for (const auto& f : c.files) header += "#   " + f + "\n";
  for (const auto& o : c.overrides) header += "# with --set " + o + "\n";
  header += "# Relative file paths are relative to the folder of " + source->display_name + ".\n";
  YAML::Emitter out;
  emit(out, c.root, c.origin, source.get());
  c.text = header + out.c_str() + "\n";
  return c;
}

} // namespace gwsim

// YAML configuration with ${VAR} substitution and located errors.
#include "common/config.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <functional>

#include "common/units.h"
#include "common/whole_file.h"
#include "common/yaml_limits.h"

namespace sentinel {
namespace {

std::string basename_of(const std::string& path) { return path; }

std::string line_of(const std::string& file, const YAML::Mark& mark) {
  if (mark.line < 0) return file;
  return fmt::format("{}:{}", file, mark.line + 1);
}

}  // namespace

bool ConfigNode::has(const std::string& key) const {
  return node_.IsMap() && node_[key].IsDefined() && !node_[key].IsNull();
}

std::string ConfigNode::where() const { return line_of(shared_->file, node_.Mark()); }

std::string ConfigNode::key_path(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void ConfigNode::fail(const std::string& key, const std::string& message) const {
  YAML::Mark mark = node_.Mark();
  if (node_.IsMap() && node_[key].IsDefined()) mark = node_[key].Mark();
  std::string what = key.empty() ? path_ : key_path(key);
  throw ConfigError(fmt::format("config error: {}: {}{}{}", line_of(shared_->file, mark), what,
                                what.empty() ? "" : ": ", message));
}

ConfigNode ConfigNode::child(const std::string& key) const {
  shared_->used.insert(key_path(key));
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) fail("", "expected a mapping");
  // A missing key gives yaml-cpp's "zombie" node, which throws on most calls: use a plain
  // undefined node instead.
  YAML::Node c = (node_.IsMap() && node_[key].IsDefined()) ? node_[key]
                                                           : YAML::Node(YAML::NodeType::Undefined);
  if (c.IsDefined() && !c.IsNull() && !c.IsMap()) {
    ConfigNode(c, key_path(key), shared_).fail("", "expected a mapping of keys");
  }
  return ConfigNode(c, key_path(key), shared_);
}

std::vector<std::string> ConfigNode::keys() const {
  std::vector<std::string> out;
  if (!node_.IsMap()) return out;
  for (const auto& kv : node_) out.push_back(kv.first.as<std::string>());
  return out;
}

std::vector<ConfigNode> ConfigNode::items(const std::string& key) const {
  shared_->used.insert(key_path(key));
  std::vector<ConfigNode> out;
  if (!node_.IsMap()) return out;
  YAML::Node v = node_[key];
  if (!v.IsDefined() || v.IsNull()) return out;
  if (!v.IsSequence()) fail(key, "expected a list");
  for (size_t i = 0; i < v.size(); ++i) {
    ConfigNode item(v[i], fmt::format("{}[{}]", key_path(key), i), shared_);
    if (!v[i].IsMap()) item.fail("", "expected a mapping of keys");
    out.push_back(item);
  }
  return out;
}

YAML::Node ConfigNode::scalar(const std::string& key) const {
  shared_->used.insert(key_path(key));
  if (!node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  YAML::Node v = node_[key];
  if (v.IsDefined() && !v.IsNull() && !v.IsScalar()) fail(key, "expected a single value");
  return v;
}

std::string ConfigNode::get_string(const std::string& key, const std::string& fallback) const {
  YAML::Node v = scalar(key);
  if (!v.IsDefined() || v.IsNull()) return fallback;
  return v.Scalar();
}

bool ConfigNode::get_bool(const std::string& key, bool fallback) const {
  YAML::Node v = scalar(key);
  if (!v.IsDefined() || v.IsNull()) return fallback;
  const std::string& s = v.Scalar();
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  fail(key, fmt::format("\"{}\": expected true or false", s));
}

int64_t ConfigNode::get_int(const std::string& key, int64_t fallback, int64_t min,
                            int64_t max) const {
  YAML::Node v = scalar(key);
  if (!v.IsDefined() || v.IsNull()) return fallback;
  const std::string& s = v.Scalar();
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno != 0)
    fail(key, fmt::format("\"{}\": expected a whole number", s));
  if (n < min || n > max)
    fail(key, fmt::format("{} is out of range: expected {} to {}", n, min, max));
  return n;
}

double ConfigNode::get_double(const std::string& key, double fallback) const {
  YAML::Node v = scalar(key);
  if (!v.IsDefined() || v.IsNull()) return fallback;
  const std::string& s = v.Scalar();
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0') fail(key, fmt::format("\"{}\": expected a number", s));
  return d;
}

std::chrono::milliseconds ConfigNode::get_duration(const std::string& key,
                                                   std::chrono::milliseconds fallback) const {
  YAML::Node v = scalar(key);
  if (!v.IsDefined() || v.IsNull()) return fallback;
  std::string error;
  auto d = parse_duration(v.Scalar(), &error);
  if (!d) fail(key, error);
  return *d;
}

uint64_t ConfigNode::get_bytes(const std::string& key, uint64_t fallback) const {
  YAML::Node v = scalar(key);
  if (!v.IsDefined() || v.IsNull()) return fallback;
  std::string error;
  auto b = parse_bytes(v.Scalar(), &error);
  if (!b) fail(key, error);
  return *b;
}

std::vector<std::string> ConfigNode::get_strings(const std::string& key,
                                                 const std::vector<std::string>& fallback) const {
  shared_->used.insert(key_path(key));
  if (!node_.IsMap()) return fallback;
  YAML::Node v = node_[key];
  if (!v.IsDefined() || v.IsNull()) return fallback;
  if (v.IsScalar()) return {v.Scalar()};
  if (!v.IsSequence()) fail(key, "expected a list of strings");
  std::vector<std::string> out;
  for (const auto& item : v) {
    if (!item.IsScalar()) fail(key, "expected a list of strings");
    out.push_back(item.Scalar());
  }
  return out;
}

std::map<std::string, std::string> ConfigNode::get_string_map(const std::string& key) const {
  shared_->used.insert(key_path(key));
  std::map<std::string, std::string> out;
  if (!node_.IsMap()) return out;
  YAML::Node v = node_[key];
  if (!v.IsDefined() || v.IsNull()) return out;
  if (!v.IsMap()) fail(key, "expected a mapping of names to values");
  for (const auto& kv : v) {
    std::string k = kv.first.as<std::string>();
    shared_->used.insert(key_path(key) + "." + k);
    if (!kv.second.IsScalar()) {
      ConfigNode(v, key_path(key), shared_).fail(k, "expected a single value");
    }
    out[k] = kv.second.Scalar();
  }
  return out;
}

std::string ConfigNode::get_choice(const std::string& key, const std::string& fallback,
                                   const std::vector<std::string>& choices) const {
  std::string v = get_string(key, fallback);
  for (const auto& c : choices) {
    if (v == c) return v;
  }
  fail(key, fmt::format("\"{}\": expected one of {}", v, fmt::join(choices, ", ")));
}

ConfigFile ConfigFile::load(const std::string& path, const EnvLookup& env) {
  std::string why;
  std::optional<std::string> text = read_whole_file(path, &why);
  if (!text) throw ConfigError(fmt::format("config error: {}: cannot read: {}", path, why));
  return parse(*text, basename_of(path), env);
}

ConfigFile ConfigFile::parse(const std::string& text, const std::string& name,
                             const EnvLookup& env) {
  ConfigFile file;
  file.shared_ = std::make_shared<ConfigNode::Shared>();
  file.shared_->file = name;
  // Before any node is built: yaml-cpp would build a recursive alias as a cycle and an alias bomb
  // as shared nodes that every walk below expands.
  if (std::optional<YamlLimitError> e = check_yaml_limits(text)) {
    YAML::Mark mark;
    mark.line = e->line;
    throw ConfigError(fmt::format("config error: {}: {}", line_of(name, mark), e->message));
  }
  try {
    file.root_ = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("config error: {}: {}", line_of(name, e.mark), e.msg));
  }
  // ${VAR} substitution in every value (not keys, not comments); the value's own line is known.
  std::function<void(YAML::Node, const std::string&)> substitute = [&](YAML::Node node,
                                                                       const std::string& path) {
    if (node.IsScalar()) {
      const std::string& text = node.Scalar();
      if (text.find('$') == std::string::npos) return;
      std::string error;
      std::optional<std::string> value = substitute_env(text, env, &error);
      if (!value) {
        throw ConfigError(
            fmt::format("config error: {}: {}: {}", line_of(name, node.Mark()), path, error));
      }
      node = *value;
    } else if (node.IsMap()) {
      for (auto kv : node) {
        std::string key = kv.first.as<std::string>();
        substitute(kv.second, path.empty() ? key : path + "." + key);
      }
    } else if (node.IsSequence()) {
      for (size_t i = 0; i < node.size(); ++i) substitute(node[i], fmt::format("{}[{}]", path, i));
    }
  };
  substitute(file.root_, "");
  if (file.root_.IsDefined() && !file.root_.IsNull() && !file.root_.IsMap()) {
    throw ConfigError(fmt::format("config error: {}: expected a mapping of keys at the top",
                                  line_of(name, file.root_.Mark())));
  }
  return file;
}

std::vector<std::string> ConfigFile::unknown_keys() const {
  std::vector<std::string> out;
  // Walk every mapping; a key is unknown when neither it nor any key below it was looked up.
  std::function<void(const YAML::Node&, const std::string&)> walk = [&](const YAML::Node& node,
                                                                        const std::string& path) {
    if (!node.IsMap()) return;
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      std::string full = path.empty() ? key : path + "." + key;
      if (!shared_->used.count(full)) {
        out.push_back(
            fmt::format("{}: unknown key {}", line_of(shared_->file, kv.first.Mark()), full));
        continue;
      }
      walk(kv.second, full);
    }
  };
  walk(root_, "");
  return out;
}

}  // namespace sentinel

// YAML configuration files: environment substitution, typed look-ups, errors with file:line and
// key, and warnings for keys nobody asked for.
//
//   ConfigFile file = ConfigFile::load("/etc/sentinel/agent.yaml");   // throws ConfigError
//   ConfigNode root = file.root();
//   auto interval = root.get_duration("interval", 10s);
//   for (auto& w : file.unknown_keys()) log::warning("{}", w);
//
// Every failed look-up throws ConfigError whose what() reads
//   config error: agent.yaml:12: interval "5x": expected a duration like 10s or 500ms
// Config is loaded at start and on SIGHUP only, so exceptions stay off the hot paths.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/env_subst.h"

namespace sentinel {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ConfigNode {
 public:
  // The dotted path of this node ("collectors.disk"), empty at the root.
  const std::string& path() const { return path_; }
  bool defined() const { return node_.IsDefined() && !node_.IsNull(); }
  bool has(const std::string& key) const;
  // "agent.yaml:12" for this node (or the file alone when the node has no position).
  std::string where() const;

  ConfigNode child(const std::string& key) const;  // an undefined node when absent
  std::vector<std::string> keys() const;           // mapping keys, in file order
  // The entries of a list of mappings under `key`, each with the path "key[i]" (so errors read
  // "anomalies[1].start: ..."); none when the key is absent, ConfigError when it is not a list.
  std::vector<ConfigNode> items(const std::string& key) const;

  std::string get_string(const std::string& key, const std::string& fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;
  int64_t get_int(const std::string& key, int64_t fallback, int64_t min, int64_t max) const;
  double get_double(const std::string& key, double fallback) const;
  std::chrono::milliseconds get_duration(const std::string& key,
                                         std::chrono::milliseconds fallback) const;
  uint64_t get_bytes(const std::string& key, uint64_t fallback) const;
  std::vector<std::string> get_strings(const std::string& key,
                                       const std::vector<std::string>& fallback) const;
  // A flat mapping of scalars; every key below it counts as known (used for pass-through maps
  // such as `kafka:` whose keys belong to librdkafka).
  std::map<std::string, std::string> get_string_map(const std::string& key) const;
  // One of `choices`, or ConfigError listing them.
  std::string get_choice(const std::string& key, const std::string& fallback,
                         const std::vector<std::string>& choices) const;

  // Throws ConfigError "config error: file:line: path.key: message".
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

 private:
  friend class ConfigFile;
  struct Shared {
    std::string file;
    std::set<std::string> used;  // dotted paths that were looked up
  };
  ConfigNode(YAML::Node node, std::string path, std::shared_ptr<Shared> shared)
      : node_(std::move(node)), path_(std::move(path)), shared_(std::move(shared)) {}
  std::string key_path(const std::string& key) const;
  YAML::Node scalar(const std::string& key) const;  // marks used; throws if not a scalar

  YAML::Node node_;
  std::string path_;
  std::shared_ptr<ConfigNode::Shared> shared_;
};

class ConfigFile {
 public:
  // Reads, substitutes ${VAR} and parses; throws ConfigError naming the file and line.
  static ConfigFile load(const std::string& path, const EnvLookup& env = process_env());
  static ConfigFile parse(const std::string& text, const std::string& name,
                          const EnvLookup& env = process_env());

  ConfigNode root() const { return ConfigNode(root_, "", shared_); }
  const std::string& name() const { return shared_->file; }
  // After the program has read everything it knows: "agent.yaml:7: unknown key collectors.cpux".
  std::vector<std::string> unknown_keys() const;

 private:
  YAML::Node root_;
  std::shared_ptr<ConfigNode::Shared> shared_;
};

}  // namespace sentinel

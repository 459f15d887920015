// The sink connector plugin API: what a plugin implements and the one symbol it exports.
//
// Mirrors Kafka Connect's connect/api (Connector, SinkTask, ConfigDef) and, like it, knows nothing
// of the runtime: a plugin compiles against this header alone (C++20, standard library only) and is
// built as a shared object that the worker dlopen()s from `plugin.path`.
//
// Lifecycle, driven by the worker (one thread per task; a task object is used by one thread only):
//   connector:  validate(config) → start(config) → task_configs(tasks.max) → … → stop()
//   task:       initialize(context) → start(task config) → open(partitions) → put(batch)* →
//               pre_commit(offsets)* → close(partitions) → … → stop()
// Offsets: the worker commits to Kafka exactly the offsets pre_commit returns, so a task returns
// only offsets whose records are durable in its destination. A task whose destination records
// its own offsets (exactly-once sinks) tells the worker where to resume through
// SinkTaskContext::offset() from open(); the group's committed offset is then ignored. Errors are
// returned as Status, never thrown across the plugin boundary (the worker still catches a stray
// exception and fails the task).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// Bumped on any change to the types below; the worker refuses a plugin built for another version.
#define SENTINEL_CONNECT_API_VERSION 2

namespace sentinel::connect {

inline constexpr int kApiVersion = SENTINEL_CONNECT_API_VERSION;

// ---------------------------------------------------------------------------------------------
// Results

// A failure carries a one-line message and optionally a longer trace (the "trace" of a FAILED
// task in the REST status: what failed, where, and the underlying cause).
struct Status {
  bool ok = true;
  std::string message;
  std::string trace;

  static Status Ok() { return {}; }
  static Status Error(std::string message, std::string trace = {}) {
    return {false, std::move(message), std::move(trace)};
  }
};

// ---------------------------------------------------------------------------------------------
// Configuration (ConfigDef)

enum class ConfigType { kBoolean, kString, kInt, kShort, kLong, kDouble, kList, kClass, kPassword };
enum class Importance { kHigh, kMedium, kLow };
enum class Width { kNone, kShort, kMedium, kLong };

// One configuration key, as shown by GET /connector-plugins/{plugin}/config.
struct ConfigKey {
  std::string name;
  ConfigType type = ConfigType::kString;
  std::optional<std::string> default_value;  // nullopt with required=true: the user must set it
  bool required = false;
  Importance importance = Importance::kMedium;
  std::string documentation;
  std::string group;        // empty: no group
  int order_in_group = -1;  // -1 without a group
  Width width = Width::kNone;
  std::string display_name;  // empty: the name
  std::vector<std::string> dependents;
  std::vector<std::string> recommended_values;
  // Sentinel extension: the value is a file path the plugin writes. The worker confines it under
  // its archive.root (no "..", no symlink escape) before the connector sees it, and hands it on as
  // an absolute path under that root (see kArchiveRootKey).
  bool is_output_path = false;
};

using ConfigDef = std::vector<ConfigKey>;
using Config = std::map<std::string, std::string>;

// Worker-provided key, in the config of every connector and task when the worker has an
// archive.root: the root's canonical absolute path; output-path values are then absolute paths
// under it. The worker checks those at validation and at every connector and task start, but the
// tree can change while a task runs (a directory swapped for a symbolic link, a {topic} rendered
// into a path): a plugin that opens its files beneath a directory fd of this root, at every open,
// stays inside it whatever appears later (Sentinel's plugins use common/confined_fs.h). Users
// never set it: validation refuses it and the worker overwrites it. A config key, not a type:
// plugins built before it ignore it.
inline constexpr const char* kArchiveRootKey = "sentinel.archive.root";

// The result of validating one key: errors are full sentences such as
// "Invalid value 0 for configuration tasks.max: Value must be at least 1".
struct ConfigValue {
  std::string name;
  std::optional<std::string> value;
  std::vector<std::string> errors;
  std::vector<std::string> recommended_values;
  bool visible = true;
};

// ---------------------------------------------------------------------------------------------
// Records

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

// Next offset to consume per partition (Kafka's commit convention: last written + 1).
using OffsetMap = std::map<TopicPartition, int64_t>;

struct Header {
  std::string key;
  std::optional<std::string> value;
};

// One record after the worker's converters ran. `key`/`value` hold the converted value's text
// (StringConverter: the string; JsonConverter: the payload, a JSON string unquoted and anything
// else as compact JSON; ByteArrayConverter: the raw bytes); nullopt for a null (tombstone).
struct SinkRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp = -1;  // ms since the epoch, -1 when the record has none
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
};

// ---------------------------------------------------------------------------------------------
// Plugin classes

// What the worker offers a running task (Connect's SinkTaskContext). Owned by the worker, valid
// from initialize() until stop() returns; call it only from the task's own callbacks.
class SinkTaskContext {
 public:
  virtual ~SinkTaskContext() = default;
  // Sets the next offset to consume for these partitions. Called from open(), the positions are
  // applied to the assignment itself, before any record of those partitions is fetched, whatever
  // the consumer group committed; called later (from put()), the worker seeks once the call
  // returns and delivers no record of those partitions from before the seek.
  virtual void offset(const OffsetMap& offsets) = 0;
  // Asks the worker to call pre_commit and commit what it returns soon, instead of waiting for
  // offset.flush.interval.ms (for example after the task made a batch durable).
  virtual void request_commit() = 0;
};

class SinkTask {
 public:
  virtual ~SinkTask() = default;
  virtual std::string version() const = 0;
  // Called once, before start().
  virtual void initialize(SinkTaskContext& /*context*/) {}
  // Opens the destination. A failure fails the task (REST status FAILED with the trace).
  virtual Status start(const Config& task_config) = 0;
  // Partitions newly assigned to this task / about to be taken away (after a final pre_commit).
  virtual Status open(const std::vector<TopicPartition>& /*partitions*/) { return Status::Ok(); }
  virtual Status close(const std::vector<TopicPartition>& /*partitions*/) { return Status::Ok(); }
  // Writes a batch. May buffer; durability is promised only by pre_commit. Also called with an
  // empty batch when a poll brought nothing (about every 100 ms), so a task can act on time.
  virtual Status put(const std::vector<SinkRecord>& records) = 0;
  // Makes everything put so far durable (Connect's flush).
  virtual Status flush(const OffsetMap& /*current_offsets*/) { return Status::Ok(); }
  // Returns the offsets safe to commit; the default flushes and returns `current_offsets`.
  // Returning fewer partitions (or smaller offsets) holds their commit back.
  virtual Status pre_commit(const OffsetMap& current_offsets, OffsetMap* committable) {
    Status s = flush(current_offsets);
    if (s.ok) *committable = current_offsets;
    return s;
  }
  virtual void stop() = 0;
};

class SinkConnector {
 public:
  virtual ~SinkConnector() = default;
  virtual std::string version() const = 0;
  // The connector's own keys; the worker adds the framework's (name, topics, tasks.max, …).
  virtual ConfigDef config_def() const = 0;
  // Extra checks over the whole config (the worker already checked types and required keys of
  // config_def()). Returns only the keys with something to say.
  virtual std::vector<ConfigValue> validate(const Config& /*config*/) const { return {}; }
  virtual Status start(const Config& config) = 0;
  // Up to max_tasks task configs (each becomes one task).
  virtual std::vector<Config> task_configs(int max_tasks) const = 0;
  virtual void stop() = 0;
  virtual std::unique_ptr<SinkTask> create_task() const = 0;
  // Called when a user alters or resets offsets (KIP-875); true when the connector needs no
  // action of its own for the change (it keeps no offsets outside Kafka).
  virtual bool alter_offsets(const Config& /*config*/,
                             const std::map<TopicPartition, std::optional<int64_t>>& /*offsets*/) {
    return false;
  }
};

}  // namespace sentinel::connect

// ---------------------------------------------------------------------------------------------
// The exported entry point (C linkage, so dlsym finds it by this exact name).
//
//   extern "C" const SentinelConnectPlugin* sentinel_connect_plugin() {
//     static const char* const aliases[] = {"MySink", nullptr};
//     static const SentinelConnectPlugin plugin = {
//         SENTINEL_CONNECT_API_VERSION, sizeof(SentinelConnectPlugin),
//         "com.example.MySinkConnector", aliases, "1.0.0",
//         [] { return static_cast<sentinel::connect::SinkConnector*>(new MySink); }};
//     return &plugin;
//   }
//
// A shared object may export several connectors by chaining with `next`.
extern "C" {
struct SentinelConnectPlugin {
  int api_version;          // SENTINEL_CONNECT_API_VERSION the plugin was built with
  std::size_t struct_size;  // sizeof(SentinelConnectPlugin) the plugin was built with
  const char*
      class_name;  // fully qualified, e.g. "org.apache.kafka.connect.file.FileStreamSinkConnector"
  const char* const* aliases;  // nullptr-terminated; may be nullptr
  const char* version;
  sentinel::connect::SinkConnector* (*create)();  // a new connector; the worker deletes it
  const SentinelConnectPlugin* next = nullptr;
};
typedef const SentinelConnectPlugin* (*SentinelConnectPluginEntry)();
}

#define SENTINEL_CONNECT_PLUGIN_SYMBOL "sentinel_connect_plugin"

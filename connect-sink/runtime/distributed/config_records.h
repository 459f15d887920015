// The records of a distributed worker's config and status topics, in Kafka Connect's format
// (KafkaConfigBackingStore, KafkaStatusBackingStore): string keys, JSON values as Connect's
// JsonConverter writes them with schemas.enable=false, so Connect's tooling reads our topics and
// we read Connect's.
//
// Config topic:
//   connector-<name>          {"properties":{...}}        null value: the connector was deleted
//   task-<name>-<id>          {"properties":{...}}        applied only when commit-<name> follows
//   commit-<name>             {"tasks":N}
//   target-state-<name>       {"state":"PAUSED","state.v2":"STOPPED"}   (Connect 3.5; "state"
//                             alone before it; STOPPED is written as "state":"PAUSED" for older
//                             workers; null value: removed)
//   restart-connector-<name>  {"include-tasks":b,"only-failed":b}
//   restart-task-<name>-<id>  {}   Sentinel's own: one task's restart (Connect forwards it over
//                             REST to the task's worker instead; a Connect worker reading this
//                             topic logs the key as invalid and skips it)
//   session-key, tasks-fencing-<name>, logger-cluster-<ns>: Connect's, read and ignored here.
// Status topic:
//   status-connector-<name>, status-task-<name>-<id>
//       {"state":"RUNNING","trace":null,"worker_id":"host:port","generation":N}   null: removed
//   status-topic-<topic>:connector-<name> (active topics): read and ignored here.
//
// Decoding is strict: a value that is not what Connect writes is an error the caller reports
// with topic, partition and offset and skips. Where we differ from Connect: a property whose value
// is JSON null (Connect's schema allows it) is dropped, not kept as a null string; "tasks" and
// "generation" must be whole numbers (Connect takes any number).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "connect-sink/runtime/states.h"

namespace sentinel::connect::distributed {

using Properties = std::map<std::string, std::string>;

// Target states are the worker's own (connect-sink/runtime/states.h: TargetState, to_string,
// parse_target_state), so a record read here is the herder's value as it is.

struct ConnectorConfigRecord {
  std::string connector;
  std::optional<Properties> properties;  // nullopt: tombstone (connector deleted)
};
struct TaskConfigRecord {
  std::string connector;
  int task = 0;
  Properties properties;
};
struct TaskCommitRecord {
  std::string connector;
  int tasks = 0;
};
struct TargetStateRecord {
  std::string connector;
  std::optional<TargetState> state;  // nullopt: tombstone
};
struct RestartRecord {
  std::string connector;
  bool include_tasks = false;  // Connect's defaults when a field is missing
  bool only_failed = false;
  std::optional<int> task;  // restart-task-<name>-<id>: that task alone
};
// A key Connect writes that this worker does not use (session-key, tasks-fencing-…).
struct IgnoredConfigRecord {
  std::string key;
};

using ConfigRecord = std::variant<ConnectorConfigRecord, TaskConfigRecord, TaskCommitRecord,
                                  TargetStateRecord, RestartRecord, IgnoredConfigRecord>;

// `value` nullopt is Kafka's null value. False with *error saying what is wrong ("key
// task-foo-x: expected task-<connector>-<task number>", "value of commit-foo: \"tasks\" must be
// a whole number of at least 0, got \"2\"").
bool decode_config_record(std::string_view key, const std::optional<std::string>& value,
                          ConfigRecord* out, std::string* error);

// Keys and values as Connect writes them (value nullopt: a tombstone to write).
std::string connector_key(const std::string& connector);
std::string task_key(const std::string& connector, int task);
std::string commit_key(const std::string& connector);
std::string target_state_key(const std::string& connector);
std::string restart_key(const std::string& connector);  // restart-connector-<name>
std::string restart_task_key(const std::string& connector, int task);
std::string encode_properties(const Properties& properties);  // connector and task configs
std::string encode_restart(const RestartRecord& request);     // {} for a task's restart
std::string encode_commit(int tasks);
// Both fields, as Connect 3.5 writes them: STOPPED is "state":"PAUSED","state.v2":"STOPPED".
std::string encode_target_state(TargetState state);

// Connect's connector and task states in the status topic.
struct Status {
  std::string state;  // UNASSIGNED, RUNNING, PAUSED, STOPPED, FAILED, RESTARTING, DESTROYED
  std::optional<std::string> trace;
  std::string worker_id;  // "host:port"
  int64_t generation = 0;
};
struct StatusRecord {
  std::string connector;
  std::optional<int> task;       // nullopt: the connector's own status
  std::optional<Status> status;  // nullopt: tombstone (Connect writes one for DESTROYED)
  bool ignored = false;          // status-topic-…: not used here; the other fields are empty
};

bool decode_status_record(std::string_view key, const std::optional<std::string>& value,
                          StatusRecord* out, std::string* error);
std::string connector_status_key(const std::string& connector);
std::string task_status_key(const std::string& connector, int task);
std::string encode_status(const Status& status);

}  // namespace sentinel::connect::distributed

// Config- and status-topic records ↔ typed structs (see config_records.h).
#include "connect-sink/runtime/distributed/config_records.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>

namespace sentinel::connect::distributed {
namespace {

using json = nlohmann::json;
// Connect's JsonConverter writes a struct's fields in its schema's order.
using ordered_json = nlohmann::ordered_json;

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// "<connector>-<task number>": the connector's name may hold '-', the number follows the last.
bool split_task(std::string_view rest, std::string* connector, int* task) {
  size_t dash = rest.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == rest.size()) return false;
  std::string_view digits = rest.substr(dash + 1);
  int n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n < 0) return false;
  *connector = std::string(rest.substr(0, dash));
  *task = n;
  return true;
}

// The value as JSON; a Kafka null or JSON null is `null` (a tombstone for the caller).
bool parse_value(std::string_view key, const std::optional<std::string>& value, json* out,
                 std::string* error) {
  if (!value) {
    *out = nullptr;
    return true;
  }
  *out = json::parse(*value, nullptr, false);
  if (out->is_discarded()) {
    *error = fmt::format("value of {}: not JSON", key);
    return false;
  }
  if (!out->is_null() && !out->is_object()) {
    *error = fmt::format("value of {}: expected a JSON object, got {}", key, out->type_name());
    return false;
  }
  return true;
}

bool read_properties(std::string_view key, const json& value, Properties* out, std::string* error) {
  auto it = value.find("properties");
  if (it == value.end() || !it->is_object()) {
    *error = fmt::format("value of {}: expected {{\"properties\":{{...}}}}", key);
    return false;
  }
  for (const auto& [name, v] : it->items()) {
    if (v.is_null()) continue;  // Connect's schema allows null values; a worker has no use for them
    if (!v.is_string()) {
      *error = fmt::format("value of {}: property {} must be a string, got {}", key, name,
                           v.type_name());
      return false;
    }
    (*out)[name] = v.get<std::string>();
  }
  return true;
}

bool read_whole(std::string_view key, const json& value, const char* field, int64_t min,
                int64_t max, int64_t* out, std::string* error) {
  auto it = value.find(field);
  if (it == value.end() || !it->is_number_integer() || it->get<int64_t>() < min ||
      it->get<int64_t>() > max) {
    *error = fmt::format("value of {}: \"{}\" must be a whole number from {} to {}, got {}", key,
                         field, min, max, it == value.end() ? "nothing" : it->dump());
    return false;
  }
  *out = it->get<int64_t>();
  return true;
}

bool decode_target_state(std::string_view key, const json& value, TargetState* out,
                         std::string* error) {
  // Connect 3.5 reads "state.v2" first and falls back on "state" (older workers).
  for (const char* field : {"state.v2", "state"}) {
    auto it = value.find(field);
    if (it == value.end() || it->is_null()) continue;
    if (!it->is_string()) {
      *error =
          fmt::format("value of {}: \"{}\" must be a string, got {}", key, field, it->type_name());
      return false;
    }
    auto state = parse_target_state(it->get<std::string>());
    if (!state) {
      *error = fmt::format("value of {}: \"{}\" {}: expected STARTED, PAUSED or STOPPED", key,
                           field, it->dump());
      return false;
    }
    *out = *state;
    return true;
  }
  *error =
      fmt::format("value of {}: expected {{\"state\":\"STARTED\"|\"PAUSED\"|\"STOPPED\"}}", key);
  return false;
}

bool optional_bool(std::string_view key, const json& value, const char* field, bool* out,
                   std::string* error) {
  auto it = value.find(field);
  if (it == value.end() || it->is_null()) return true;
  if (!it->is_boolean()) {
    *error =
        fmt::format("value of {}: \"{}\" must be true or false, got {}", key, field, it->dump());
    return false;
  }
  *out = it->get<bool>();
  return true;
}

const char* const kStatusStates[] = {"UNASSIGNED", "RUNNING",    "PAUSED",   "STOPPED",
                                     "FAILED",     "RESTARTING", "DESTROYED"};

}  // namespace

bool decode_config_record(std::string_view key, const std::optional<std::string>& value,
                          ConfigRecord* out, std::string* error) {
  for (std::string_view prefix :
       {"target-state-", "connector-", "commit-", "restart-connector-", "tasks-fencing-"}) {
    if (key == prefix) {
      *error = fmt::format("key {}: expected {}<connector name>", key, prefix);
      return false;
    }
  }
  json v;
  if (!parse_value(key, value, &v, error)) return false;
  // Connect tests the prefixes in this order ("target-state-" before "connector-"...).
  if (starts_with(key, "target-state-")) {
    TargetStateRecord r{std::string(key.substr(13)), std::nullopt};
    if (!v.is_null()) {
      TargetState state;
      if (!decode_target_state(key, v, &state, error)) return false;
      r.state = state;
    }
    *out = std::move(r);
    return true;
  }
  if (starts_with(key, "connector-")) {
    ConnectorConfigRecord r{std::string(key.substr(10)), std::nullopt};
    if (!v.is_null()) {
      Properties props;
      if (!read_properties(key, v, &props, error)) return false;
      r.properties = std::move(props);
    }
    *out = std::move(r);
    return true;
  }
  if (starts_with(key, "task-")) {
    TaskConfigRecord r;
    if (!split_task(key.substr(5), &r.connector, &r.task)) {
      *error = fmt::format("key {}: expected task-<connector>-<task number>", key);
      return false;
    }
    if (v.is_null()) {
      *error = fmt::format("value of {}: null (a task config is never deleted this way)", key);
      return false;
    }
    if (!read_properties(key, v, &r.properties, error)) return false;
    *out = std::move(r);
    return true;
  }
  if (starts_with(key, "commit-")) {
    if (v.is_null()) {
      *error = fmt::format("value of {}: null, expected {{\"tasks\":N}}", key);
      return false;
    }
    int64_t tasks = 0;
    if (!read_whole(key, v, "tasks", 0, 1000000, &tasks, error)) return false;
    *out = TaskCommitRecord{std::string(key.substr(7)), static_cast<int>(tasks)};
    return true;
  }
  if (starts_with(key, "restart-task-")) {
    RestartRecord r;
    int task = 0;
    if (!split_task(key.substr(13), &r.connector, &task)) {
      *error = fmt::format("key {}: expected restart-task-<connector>-<task number>", key);
      return false;
    }
    if (v.is_null()) {
      *error = fmt::format("value of {}: null, expected a restart request", key);
      return false;
    }
    r.task = task;
    *out = std::move(r);
    return true;
  }
  if (starts_with(key, "restart-connector-")) {
    RestartRecord r;
    r.connector = std::string(key.substr(18));
    if (v.is_null()) {
      *error = fmt::format("value of {}: null, expected a restart request", key);
      return false;
    }
    if (!optional_bool(key, v, "include-tasks", &r.include_tasks, error) ||
        !optional_bool(key, v, "only-failed", &r.only_failed, error)) {
      return false;
    }
    *out = std::move(r);
    return true;
  }
  if (key == "session-key" || starts_with(key, "tasks-fencing-") ||
      starts_with(key, "logger-cluster-")) {
    *out = IgnoredConfigRecord{std::string(key)};
    return true;
  }
  *error = fmt::format(
      "key {}: expected connector-, task-, commit-, target-state- or restart-connector-<name>",
      key);
  return false;
}

std::string connector_key(const std::string& connector) { return "connector-" + connector; }
std::string task_key(const std::string& connector, int task) {
  return fmt::format("task-{}-{}", connector, task);
}
std::string commit_key(const std::string& connector) { return "commit-" + connector; }
std::string target_state_key(const std::string& connector) { return "target-state-" + connector; }
std::string restart_key(const std::string& connector) { return "restart-connector-" + connector; }
std::string restart_task_key(const std::string& connector, int task) {
  return fmt::format("restart-task-{}-{}", connector, task);
}

std::string encode_restart(const RestartRecord& request) {
  ordered_json value = ordered_json::object();
  if (!request.task) {
    value["include-tasks"] = request.include_tasks;
    value["only-failed"] = request.only_failed;
  }
  return value.dump();
}

std::string encode_properties(const Properties& properties) {
  ordered_json props = ordered_json::object();
  for (const auto& [k, v] : properties) props[k] = v;
  ordered_json value;
  value["properties"] = std::move(props);
  return value.dump();
}

std::string encode_commit(int tasks) {
  ordered_json value;
  value["tasks"] = tasks;
  return value.dump();
}

std::string encode_target_state(TargetState state) {
  ordered_json value;
  // Workers before Connect 3.5 know no STOPPED: they read "state" and see PAUSED.
  value["state"] = to_string(state == TargetState::kStopped ? TargetState::kPaused : state);
  value["state.v2"] = to_string(state);
  return value.dump();
}

bool decode_status_record(std::string_view key, const std::optional<std::string>& value,
                          StatusRecord* out, std::string* error) {
  StatusRecord r;
  if (starts_with(key, "status-topic-")) {
    r.ignored = true;
    *out = std::move(r);
    return true;
  }
  if (starts_with(key, "status-connector-")) {
    r.connector = std::string(key.substr(17));
    if (r.connector.empty()) {
      *error = fmt::format("key {}: expected status-connector-<name>", key);
      return false;
    }
  } else if (starts_with(key, "status-task-")) {
    int task = 0;
    if (!split_task(key.substr(12), &r.connector, &task)) {
      *error = fmt::format("key {}: expected status-task-<connector>-<task number>", key);
      return false;
    }
    r.task = task;
  } else {
    *error = fmt::format("key {}: expected status-connector-, status-task- or status-topic-", key);
    return false;
  }
  json v;
  if (!parse_value(key, value, &v, error)) return false;
  if (!v.is_null()) {
    Status s;
    auto state = v.find("state");
    if (state == v.end() || !state->is_string() ||
        std::find(std::begin(kStatusStates), std::end(kStatusStates), state->get<std::string>()) ==
            std::end(kStatusStates)) {
      *error = fmt::format(
          "value of {}: \"state\" must be one of UNASSIGNED, RUNNING, PAUSED, STOPPED, FAILED, "
          "RESTARTING, DESTROYED, got {}",
          key, state == v.end() ? "nothing" : state->dump());
      return false;
    }
    s.state = state->get<std::string>();
    auto trace = v.find("trace");
    if (trace != v.end() && !trace->is_null()) {
      if (!trace->is_string()) {
        *error = fmt::format("value of {}: \"trace\" must be a string or null", key);
        return false;
      }
      s.trace = trace->get<std::string>();
    }
    auto worker = v.find("worker_id");
    if (worker == v.end() || !worker->is_string()) {
      *error =
          fmt::format("value of {}: \"worker_id\" must be a string such as \"host:8083\"", key);
      return false;
    }
    s.worker_id = worker->get<std::string>();
    if (!read_whole(key, v, "generation", -1, INT32_MAX, &s.generation, error)) return false;
    r.status = std::move(s);
  }
  *out = std::move(r);
  return true;
}

std::string connector_status_key(const std::string& connector) {
  return "status-connector-" + connector;
}
std::string task_status_key(const std::string& connector, int task) {
  return fmt::format("status-task-{}-{}", connector, task);
}

std::string encode_status(const Status& status) {
  ordered_json value;
  value["state"] = status.state;
  value["trace"] = status.trace ? ordered_json(*status.trace) : ordered_json(nullptr);
  value["worker_id"] = status.worker_id;
  value["generation"] = status.generation;
  return value.dump();
}

}  // namespace sentinel::connect::distributed

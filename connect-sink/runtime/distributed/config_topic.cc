// The config topic read, tailed and written (see config_topic.h).
#include "connect-sink/runtime/distributed/config_topic.h"

#include <fmt/format.h>

#include <type_traits>

#include "common/log.h"

namespace sentinel::connect::distributed {
namespace {

using Clock = std::chrono::steady_clock;

std::optional<ConfigChange> change_of(const ConfigRecord& record) {
  return std::visit(
      [](const auto& r) -> std::optional<ConfigChange> {
        using T = std::decay_t<decltype(r)>;
        using Kind = ConfigChange::Kind;
        if constexpr (std::is_same_v<T, ConnectorConfigRecord>) {
          return ConfigChange{
              r.properties ? Kind::kConnectorConfig : Kind::kConnectorRemoved, r.connector, {}};
        } else if constexpr (std::is_same_v<T, TargetStateRecord>) {
          return ConfigChange{Kind::kTargetState, r.connector, {}};
        } else if constexpr (std::is_same_v<T, TaskCommitRecord>) {
          return ConfigChange{Kind::kTaskConfigs, r.connector, {}};
        } else if constexpr (std::is_same_v<T, RestartRecord>) {
          return ConfigChange{Kind::kRestartRequest, r.connector, r};
        } else {
          return std::nullopt;  // a task config waits for its commit; Connect's other keys
        }
      },
      record);
}

}  // namespace

ConfigTopic::ConfigTopic(kafka::Properties client, std::string topic, Listener listener)
    : listener_(std::move(listener)),
      kafka_(std::move(client), std::move(topic), [this](const LogRecord& r) { consume(r); }) {}

ConfigTopic::~ConfigTopic() { stop(); }

bool ConfigTopic::start(std::chrono::milliseconds timeout, std::string* error) {
  auto deadline = Clock::now() + timeout;
  std::string e;
  std::vector<int64_t> ends;
  if (!kafka_.open(timeout, &e) || !kafka_.end_offsets(timeout, &ends, &e)) {
    *error = "config topic: " + e;
    return false;
  }
  if (kafka_.partitions() != 1) {
    *error = fmt::format("config topic {} has {} partitions: expected exactly 1", kafka_.topic(),
                         kafka_.partitions());
    return false;
  }
  {
    std::lock_guard lock(mutex_);
    notify_from_ = ends[0];
  }
  kafka_.start_tailing();
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (!kafka_.wait_for(ends, left, &e)) {
    *error = "config topic: " + e;
    return false;
  }
  return true;
}

void ConfigTopic::stop() { kafka_.stop(); }

void ConfigTopic::consume(const LogRecord& r) {
  ConfigRecord record;
  std::string problem;
  bool ok = r.key.has_value();
  if (!ok) {
    problem = "no key";
  } else {
    ok = decode_config_record(*r.key, r.value, &record, &problem);
  }
  std::optional<ConfigChange> change;
  {
    std::lock_guard lock(mutex_);
    if (!ok) {
      skipped_.add(kafka_.topic(), r, problem);
      return;
    }
    log_.apply(record, r.offset);
    if (r.offset >= notify_from_) change = change_of(record);
  }
  if (change && listener_) listener_(*change);
}

bool ConfigTopic::read_to_end(std::chrono::milliseconds timeout, std::string* error) {
  std::string e;
  if (!kafka_.read_to_end(timeout, &e)) {
    *error = "config topic: " + e;
    return false;
  }
  return true;
}

ConfigLog ConfigTopic::snapshot() const {
  std::lock_guard lock(mutex_);
  return log_;
}

std::vector<std::string> ConfigTopic::skipped() const {
  std::lock_guard lock(mutex_);
  return skipped_.list();
}

bool ConfigTopic::write(const std::vector<LogWrite>& writes, std::chrono::milliseconds timeout,
                        std::string* error) {
  auto deadline = Clock::now() + timeout;
  std::string e;
  if (!kafka_.write(writes, timeout, &e)) {
    *error = "config topic: " + e;
    return false;
  }
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (!kafka_.read_to_end(std::max(left, std::chrono::milliseconds(1)), &e)) {
    *error = "config topic: written, but not read back: " + e;
    return false;
  }
  return true;
}

bool ConfigTopic::put_connector_config(const std::string& connector, const Properties& config,
                                       std::optional<TargetState> target_state,
                                       std::chrono::milliseconds timeout, std::string* error) {
  std::vector<LogWrite> writes;
  if (target_state) {
    writes.push_back({target_state_key(connector), encode_target_state(*target_state)});
  }
  writes.push_back({connector_key(connector), encode_properties(config)});
  return write(writes, timeout, error);
}

bool ConfigTopic::delete_connector(const std::string& connector, std::chrono::milliseconds timeout,
                                   std::string* error) {
  return write(
      {{connector_key(connector), std::nullopt}, {target_state_key(connector), std::nullopt}},
      timeout, error);
}

bool ConfigTopic::put_target_state(const std::string& connector, TargetState state,
                                   std::chrono::milliseconds timeout, std::string* error) {
  return write({{target_state_key(connector), encode_target_state(state)}}, timeout, error);
}

bool ConfigTopic::put_task_configs(const std::string& connector,
                                   const std::vector<Properties>& tasks,
                                   std::chrono::milliseconds timeout, std::string* error) {
  std::vector<LogWrite> writes;
  for (size_t i = 0; i < tasks.size(); ++i) {
    writes.push_back({task_key(connector, static_cast<int>(i)), encode_properties(tasks[i])});
  }
  writes.push_back({commit_key(connector), encode_commit(static_cast<int>(tasks.size()))});
  return write(writes, timeout, error);
}

bool ConfigTopic::put_restart_request(const RestartRecord& request,
                                      std::chrono::milliseconds timeout, std::string* error) {
  std::string key = request.task ? restart_task_key(request.connector, *request.task)
                                 : restart_key(request.connector);
  return write({{key, encode_restart(request)}}, timeout, error);
}

}  // namespace sentinel::connect::distributed

// A distributed worker's config topic, live (Kafka Connect's KafkaConfigBackingStore): read from
// its beginning into a ConfigLog at start, then tailed, each record applied in offset order; a
// record that does not decode is logged with its topic, partition and offset and skipped. A
// listener hears of each change after the start; writes go through the topic and return once the
// broker acknowledged them and this reader has read the topic up to its end (read_to_end), so a
// worker answers a request only when its write is visible, as Connect does.
//
// Writes, as KafkaConfigBackingStore writes them:
// - put_connector_config: target-state-<name> first when a target state is given (Connect 3.5's
//   initial state on create), then connector-<name>.
// - delete_connector: tombstones for connector-<name> and target-state-<name>. Connect writes no
//   task tombstones (removeTaskConfigs is "not currently supported"; task records are never
//   deleted, and a later commit-<name> decides which ones count), so neither does this.
// - put_task_configs: task-<name>-<i> for each task, then commit-<name> {"tasks":N}; the tasks
//   take effect at the commit, so a reader never sees half of a set.
// One idempotent producer with acks=all writes them in order (kafka_log.h).
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "connect-sink/runtime/distributed/config_log.h"
#include "connect-sink/runtime/distributed/kafka_log.h"

namespace sentinel::connect::distributed {

// What changed, as Connect's ConfigBackingStore.UpdateListener hears it.
struct ConfigChange {
  enum class Kind {
    kConnectorConfig,   // connector-<name> written (created or updated)
    kConnectorRemoved,  // connector-<name> tombstone
    kTargetState,       // target-state-<name> written or removed
    kTaskConfigs,       // commit-<name>: the connector's task set (ConfigLog says if complete)
    kRestartRequest,    // restart-connector-<name>, or restart-task-<name>-<id> (restart.task)
  };
  Kind kind;
  std::string connector;
  RestartRecord restart;  // kRestartRequest only
};

class ConfigTopic {
 public:
  // Called on the tailing thread after the record is applied (snapshot() shows it); not for the
  // records read by start(). It must not call read_to_end() or a write (they wait for that
  // thread).
  using Listener = std::function<void(const ConfigChange&)>;

  ConfigTopic(kafka::Properties client, std::string topic, Listener listener = {});
  ~ConfigTopic();

  // Reads the topic from its beginning to its end, then keeps tailing it. False with *error
  // (the topic missing, the broker unreachable, not read to its end within `timeout`).
  bool start(std::chrono::milliseconds timeout, std::string* error);
  void stop();

  // Waits until every record written before the call is applied (Connect's readToEnd: what a
  // new leader does before acting on the config).
  bool read_to_end(std::chrono::milliseconds timeout, std::string* error);

  ConfigLog snapshot() const;
  // The records skipped since the start, newest last (at most 100): "topic/0@7: value of ...".
  std::vector<std::string> skipped() const;

  bool put_connector_config(const std::string& connector, const Properties& config,
                            std::optional<TargetState> target_state,
                            std::chrono::milliseconds timeout, std::string* error);
  bool delete_connector(const std::string& connector, std::chrono::milliseconds timeout,
                        std::string* error);
  bool put_target_state(const std::string& connector, TargetState state,
                        std::chrono::milliseconds timeout, std::string* error);
  bool put_task_configs(const std::string& connector, const std::vector<Properties>& tasks,
                        std::chrono::milliseconds timeout, std::string* error);
  // restart-connector-<name> (Connect's KIP-745 request), or restart-task-<name>-<id> when
  // request.task is set; every worker restarts what it runs of it.
  bool put_restart_request(const RestartRecord& request, std::chrono::milliseconds timeout,
                           std::string* error);

 private:
  void consume(const LogRecord& record);
  bool write(const std::vector<LogWrite>& writes, std::chrono::milliseconds timeout,
             std::string* error);

  Listener listener_;
  mutable std::mutex mutex_;
  ConfigLog log_;
  SkippedRecords skipped_{"config topic"};
  int64_t notify_from_ = INT64_MAX;  // records at this offset and after are told to the listener
  KafkaLog kafka_;                   // last: its threads stop before the state above goes
};

}  // namespace sentinel::connect::distributed

// A distributed worker's status topic (Kafka Connect's KafkaStatusBackingStore): the latest
// status of each connector and task, as every worker of the cluster wrote them
// (status-connector-<name>, status-task-<name>-<id>; config_records.h has the JSON).
//
// StatusLog is the pure part, with Connect's rules:
// - Reading, every record replaces the status under its key, whatever its generation
//   (KafkaStatusBackingStore.readConnectorStatus/readTaskStatus call CacheEntry.put without a
//   check): a worker group's generation restarts at 1 when the whole group has been away, so an
//   older generation read later is not necessarily stale. A tombstone removes the status; a
//   connector's tombstone removes its tasks' statuses too (KafkaStatusBackingStore.remove).
// - Writing "safely" (Connect's putSafe, used when a task or connector stops or fails): the
//   write is dropped when the status held now was written by a DIFFERENT worker with a NEWER
//   generation — CacheEntry.canWriteSafely: value == null || value.workerId().equals(
//   status.workerId()) || value.generation() <= status.generation(). So a worker that lost its
//   task in a rebalance it has not seen yet cannot overwrite the new owner's RUNNING.
//
// StatusTopic is the Kafka part: the topic's N partitions tailed into a StatusLog, and a writer
// whose writes are asynchronous, as Connect's are, and in order per key (one idempotent producer;
// a key always goes to the same partition). A DESTROYED status is written as a tombstone, as
// Connect does.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "connect-sink/runtime/distributed/config_records.h"
#include "connect-sink/runtime/distributed/kafka_log.h"

namespace sentinel::connect::distributed {

class StatusLog {
 public:
  void apply(const StatusRecord& record);

  std::optional<Status> connector(const std::string& name) const;
  std::optional<Status> task(const std::string& connector, int task) const;
  std::map<int, Status> tasks(const std::string& connector) const;
  // Connectors with a status of their own.
  std::set<std::string> connectors() const;

  // Connect's putSafe check (above): false when `status` must not replace what is held now.
  bool can_write_safely(const std::string& connector, std::optional<int> task,
                        const Status& status) const;

 private:
  std::map<std::string, Status> connectors_;
  std::map<std::string, std::map<int, Status>> tasks_;
};

class StatusTopic {
 public:
  StatusTopic(kafka::Properties client, std::string topic);
  ~StatusTopic();

  // Reads every partition from its beginning to its end, then keeps tailing them.
  bool start(std::chrono::milliseconds timeout, std::string* error);
  void stop();
  bool read_to_end(std::chrono::milliseconds timeout, std::string* error);

  StatusLog snapshot() const;
  // The records skipped since the start, newest last (at most 100): "topic/2@7: key ...".
  std::vector<std::string> skipped() const;

  // Queues the status of a connector (task nullopt) or a task; a write that fails is logged.
  void put(const std::string& connector, std::optional<int> task, const Status& status);
  // As put(), unless StatusLog::can_write_safely says no (as read so far): false then, and
  // nothing is written.
  bool put_safe(const std::string& connector, std::optional<int> task, const Status& status);
  // The connector deleted: tombstones for each of its tasks' statuses (as read so far), then for
  // its own (Connect's AbstractHerder.onDeletion writes DESTROYED, i.e. tombstones).
  void delete_connector(const std::string& connector);
  // Waits until every queued write is acknowledged.
  bool flush(std::chrono::milliseconds timeout, std::string* error);

 private:
  void consume(const LogRecord& record);
  void send(const std::string& key, const std::optional<std::string>& value);

  mutable std::mutex mutex_;
  StatusLog log_;
  SkippedRecords skipped_{"status topic"};
  KafkaLog kafka_;  // last: its threads stop before the state above goes
};

}  // namespace sentinel::connect::distributed

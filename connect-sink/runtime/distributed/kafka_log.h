// A topic used as a shared log, as Kafka Connect's KafkaBasedLog: every partition read from its
// beginning and then tailed by a background thread that hands each record, in offset order per
// partition, to a callback; read_to_end() (Connect's readToEnd) waits until every record written
// before the call has been handed over; and one producer (acks=all, idempotent: in order per
// partition, no duplicates on retries; Java's murmur2 partitioner, so a key lands on the same
// partition as Connect's own workers put it) writes to it.
//
// The reader is librdkafka's simple (legacy) consumer: no consumer group at all, as Connect's
// KafkaConsumer with assign() and no group.id. librdkafka 2.0.2's rd_kafka_assign() needs a
// group.id even with enable.auto.commit=false and enable.auto.offset.store=false (it fails
// "Local: Unknown group": the assignment lives in the consumer-group object, which librdkafka
// makes only for a group.id); with a made-up group.id it works but then looks up that group's
// coordinator, which a broker with ACLs refuses without Describe on the group.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/kafka.h"

namespace sentinel::connect::distributed {

struct LogRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> key;    // nullopt: no key
  std::optional<std::string> value;  // nullopt: a tombstone
};

// The records a reader of a KafkaLog could not use: each logged as a warning as it is skipped,
// the newest 100 kept as "topic/partition@offset: problem". Guarded by its owner's mutex.
class SkippedRecords {
 public:
  // `what` names the reader in the log line ("config topic").
  explicit SkippedRecords(std::string what) : what_(std::move(what)) {}
  void add(const std::string& topic, const LogRecord& record, const std::string& problem);
  const std::vector<std::string>& list() const { return list_; }

 private:
  std::string what_;
  std::vector<std::string> list_;
};

struct LogWrite {
  std::string key;
  std::optional<std::string> value;  // nullopt: a tombstone
};

class KafkaLog {
 public:
  // Called on the tailing thread, one record at a time; it must not call read_to_end().
  using Consumed = std::function<void(const LogRecord&)>;
  // Called on the delivery thread with "" when the broker acknowledged the write, else why not.
  using Delivered = std::function<void(const std::string& error)>;

  // `client`: bootstrap.servers and the worker's other client properties (security...).
  KafkaLog(kafka::Properties client, std::string topic, Consumed consumed);
  ~KafkaLog();
  KafkaLog(const KafkaLog&) = delete;
  KafkaLog& operator=(const KafkaLog&) = delete;

  // Connects the consumer and the producer and finds the topic's partitions (the topic must
  // exist: ensure_storage_topics creates it). False with *error naming the topic.
  bool open(std::chrono::milliseconds timeout, std::string* error);
  // The offset after the last record of each partition now (the high watermarks).
  bool end_offsets(std::chrono::milliseconds timeout, std::vector<int64_t>* ends,
                   std::string* error);
  // Starts the tailing and delivery threads, every partition from its beginning.
  void start_tailing();
  // Waits until every partition p has been handed over up to ends[p].
  bool wait_for(const std::vector<int64_t>& ends, std::chrono::milliseconds timeout,
                std::string* error);
  // end_offsets() then wait_for().
  bool read_to_end(std::chrono::milliseconds timeout, std::string* error);
  // Stops both threads (also done by the destructor); writes not yet acknowledged are dropped.
  void stop();

  int partitions() const { return static_cast<int>(positions_.size()); }
  const std::string& topic() const { return topic_; }

  // Queues `write` (in order after every write queued before it); `done` is called once.
  void send(const LogWrite& write, Delivered done);
  // Sends `writes` in order and waits until the broker acknowledged every one.
  bool write(const std::vector<LogWrite>& writes, std::chrono::milliseconds timeout,
             std::string* error);
  // Waits until every write queued so far is acknowledged (or failed).
  bool flush(std::chrono::milliseconds timeout, std::string* error);

 private:
  void tail();
  void deliver();

  kafka::Properties client_;
  std::string topic_;
  Consumed consumed_;
  kafka::Handle consumer_;
  kafka::Handle producer_;
  rd_kafka_topic_t* consumer_topic_ = nullptr;
  rd_kafka_queue_t* queue_ = nullptr;
  std::thread tail_thread_;
  std::thread delivery_thread_;
  std::atomic<bool> stopping_{false};

  std::mutex mutex_;
  std::condition_variable advanced_;
  std::vector<int64_t> positions_;  // per partition: the offset after the last one handed over
};

}  // namespace sentinel::connect::distributed

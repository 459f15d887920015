// What the herder needs from Kafka, behind one interface: running a sink task (a consumer feeding
// a plugin task) and reading or changing a connector's committed offsets. KafkaBackend
// (kafka_backend.h) is the real one; unit tests use a fake.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/kafka.h"
#include "rest-api/converters.h"
#include "sentinel/connect/sink.h"

namespace sentinel::connect {

// Counters one task keeps; owned by the herder so they survive task restarts.
struct TaskMetrics {
  std::atomic<uint64_t> records_consumed{0};
  std::atomic<uint64_t> records_written{0};
  std::atomic<uint64_t> record_errors{0};  // conversion failures (tolerated or not)
  std::atomic<uint64_t> dlq_records{0};
  std::atomic<uint64_t> offset_commits{0};
  std::atomic<uint64_t> restarts{0};
  std::atomic<int64_t> consumer_lag{-1};  // -1 until known

  void add_topic(const std::string& topic) {
    std::lock_guard lock(topics_mu);
    topics.insert(topic);
  }
  std::mutex topics_mu;
  std::set<std::string> topics;  // active topics (GET /connectors/{name}/topics)
};

// A task's visible state: RUNNING, PAUSED, FAILED (with trace), UNASSIGNED.
struct TaskStatus {
  std::string state;
  std::string trace;
};

struct TaskSpec {
  std::string connector;
  int id = 0;
  Config task_config;
  std::vector<std::string> topics;
  std::string topics_regex;
  ConverterSpec key_converter, value_converter;
  bool tolerate_all = false;
  std::string dlq_topic;
  bool dlq_context_headers = false;
  kafka::Properties consumer;  // complete: group.id, bootstrap.servers, overrides
  kafka::Properties producer;  // for the dead-letter queue
  std::chrono::milliseconds flush_interval{60000};
  bool start_paused = false;
  std::unique_ptr<SinkTask> task;
  std::shared_ptr<TaskMetrics> metrics;
};

// One running task. Thread-safe.
class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  virtual TaskStatus status() const = 0;
  virtual void set_paused(bool paused) = 0;
  // Asks the task to stop: it commits what pre_commit returns, closes and stops the plugin task.
  virtual void request_stop() = 0;
  virtual void join() = 0;
};

struct PartitionOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
};

class WorkerBackend {
 public:
  virtual ~WorkerBackend() = default;
  virtual std::unique_ptr<TaskRunner> start_task(TaskSpec spec) = 0;
  // Committed offsets of the consumer group consumer["group.id"] for the connector's topics.
  virtual Status list_offsets(const kafka::Properties& consumer, const std::vector<std::string>& topics,
                              const std::string& topics_regex, std::vector<PartitionOffset>* out) = 0;
  // Commits the given offsets; nullopt resets that partition (its committed offset is removed or,
  // where the broker cannot delete it, set to the earliest available offset).
  virtual Status alter_offsets(const kafka::Properties& consumer,
                               const std::map<TopicPartition, std::optional<int64_t>>& offsets) = 0;
  // Resets every committed offset of the group (Connect deletes the group).
  virtual Status reset_offsets(const kafka::Properties& consumer, const std::vector<std::string>& topics,
                               const std::string& topics_regex) = 0;
  // The Kafka cluster id, "" until known.
  virtual std::string cluster_id() = 0;
};

}  // namespace sentinel::connect

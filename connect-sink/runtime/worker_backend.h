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
#include "connect-sink/runtime/converters.h"
#include "connect-sink/runtime/state_view.h"
#include "connect-sink/runtime/states.h"
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

// A task's state as its runner knows it: RUNNING, PAUSED, FAILED (with trace), UNASSIGNED; the
// runner leaves view.worker_id to the herder. Beside it, what the REST API must not show.
struct TaskStatus {
  StateView view;
  // False for a failure that restarting would repeat against someone else (a consumer fenced
  // by another with the same group.instance.id): the herder does not restart it by itself.
  bool auto_restart = true;
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
  // Distributed mode: a position the task asks for (SinkTaskContext::offset) below the group's
  // committed offset is raised to it — another worker archived what lies between (a task that
  // positions from its own files, as RotatingFileSink does, knows only this host's); and the
  // task's commits never go below where a partition started (its pre_commit may still report
  // the position of this host's files).
  bool no_seek_below_committed = false;
  std::unique_ptr<SinkTask> task;
  std::shared_ptr<TaskMetrics> metrics;
};

// One running task. Thread-safe. Stopping is asked for, waited for with a deadline and, when the
// deadline passes (a plugin call that never returns), given up on: nothing here blocks a caller
// for longer than it chose, and destroying a runner never blocks.
class TaskRunner {
 public:
  // A task thread that has not finished by now is abandoned (see abandon()).
  virtual ~TaskRunner() = default;
  virtual TaskStatus status() const = 0;
  virtual void set_paused(bool paused) = 0;
  // Asks the task to stop: it commits what pre_commit returns, closes and stops the plugin task.
  // Returns at once.
  virtual void request_stop() = 0;
  // Waits at most `timeout` for the task's thread to finish; true when it has.
  virtual bool wait_stopped(std::chrono::milliseconds timeout) = 0;
  // Gives up on a task that did not stop within `waited` (task.shutdown.graceful.timeout.ms): its
  // status turns FAILED with a trace naming the call its thread is stuck in, and the thread is left
  // to finish on its own. If that call ever returns, the thread makes no further plugin call and
  // commits no offset, so it cannot write or commit for the task that replaces it. False (nothing
  // done) when the thread finished after all. Never blocks.
  virtual bool abandon(std::chrono::milliseconds waited) = 0;
};

struct PartitionOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
};

// How an offsets operation ended; the herder turns a failure into Connect's answer.
struct OffsetsResult {
  enum class Error {
    kNone,
    kGroupActive,  // the group still has members (tasks not stopped yet, or another worker's)
    kUnsupported,  // the broker cannot do it (sentinel-devkafka, librdkafka's mock cluster)
    kInvalid,      // the request names what is not there (a partition the topic lacks)
    kFailed,       // anything else: no answer in time, unknown partition, …
  };
  Error error = Error::kNone;
  std::string detail;  // what went wrong, naming the partition, the group or the broker's answer
  bool ok() const { return error == Error::kNone; }
  static OffsetsResult Ok() { return {}; }
  static OffsetsResult Fail(Error error, std::string detail) { return {error, std::move(detail)}; }
};

class WorkerBackend {
 public:
  virtual ~WorkerBackend() = default;
  virtual std::unique_ptr<TaskRunner> start_task(TaskSpec spec) = 0;
  // Committed offsets of the consumer group consumer["group.id"] (where the broker can list a
  // whole group, every partition it has an offset for, as Connect shows; otherwise those of the
  // connector's topics).
  virtual OffsetsResult list_offsets(const kafka::Properties& consumer,
                                     const std::vector<std::string>& topics,
                                     const std::string& topics_regex,
                                     std::vector<PartitionOffset>* out) = 0;
  // Commits the given offsets for the (empty) group; nullopt deletes that partition's committed
  // offset, so the next start follows auto.offset.reset.
  virtual OffsetsResult alter_offsets(
      const kafka::Properties& consumer,
      const std::map<TopicPartition, std::optional<int64_t>>& offsets) = 0;
  // Deletes the (empty) consumer group with all its offsets, as Connect does; a group that does
  // not exist counts as done.
  virtual OffsetsResult reset_offsets(const kafka::Properties& consumer,
                                      const std::vector<std::string>& topics,
                                      const std::string& topics_regex) = 0;
  // The Kafka cluster id, "" until known.
  virtual std::string cluster_id() = 0;
  // Task threads that were abandoned and are still inside a plugin call: the program must not run
  // its exit-time destructors under them.
  virtual size_t abandoned_tasks_running() const { return 0; }
};

}  // namespace sentinel::connect

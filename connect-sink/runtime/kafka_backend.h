// The Kafka side of the worker, behind WorkerBackend: each sink task runs in a SinkTaskRunner
// (sink_task_runner.h: its own thread and consumer, conversion, put, commits, pause, rebalances,
// dead letter queue, stop deadlines), and offsets of stopped connectors are read and changed
// through the admin API (offset_admin.h), each operation bounded by kOffsetsTimeout.
//
// Each task's consumer is a static group member (KIP-345, common/static_membership.h) with
// group.instance.id <worker identity>-<connector>-<task>, so a worker killed and restarted gets
// its partitions back at once instead of waiting for its dead consumers to time out; a clean
// stop leaves the group explicitly. A task fenced by another consumer with its id fails and is
// not restarted automatically.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include "common/kafka.h"
#include "connect-sink/runtime/worker_backend.h"

namespace sentinel::connect {

class KafkaBackend : public WorkerBackend {
 public:
  // `base` holds bootstrap.servers and the worker's client settings used for metadata.
  // `worker_identity` names this worker in its consumers' group.instance.id; empty turns static
  // membership off (a group.instance.id given in a task's consumer settings wins either way).
  KafkaBackend(kafka::Properties base, std::string worker_identity);
  ~KafkaBackend() override;

  std::unique_ptr<TaskRunner> start_task(TaskSpec spec) override;
  OffsetsResult list_offsets(const kafka::Properties& consumer,
                             const std::vector<std::string>& topics,
                             const std::string& topics_regex,
                             std::vector<PartitionOffset>* out) override;
  OffsetsResult alter_offsets(
      const kafka::Properties& consumer,
      const std::map<TopicPartition, std::optional<int64_t>>& offsets) override;
  OffsetsResult reset_offsets(const kafka::Properties& consumer,
                              const std::vector<std::string>& topics,
                              const std::string& topics_regex) override;
  std::string cluster_id() override;
  size_t abandoned_tasks_running() const override;

  // Every offsets operation answers within this, so a REST client never waits long (Connect's
  // own REST timeout is 90 s) even when the broker does not answer.
  static constexpr std::chrono::seconds kOffsetsTimeout{10};

 private:
  // True when the cluster is sentinel-devkafka (asks for the cluster id when not known yet).
  bool dev_broker();

  kafka::Properties base_;
  std::string worker_identity_;
  bool dev_broker_noted_ = false;
  kafka::Handle metadata_;
  std::mutex mu_;
  std::string cluster_id_;
  bool stopping_ = false;
  std::thread cluster_id_thread_;
};

}  // namespace sentinel::connect

// The Kafka side of the worker: each sink task runs on its own thread with its own librdkafka
// consumer (group connect-<connector>, manual commits), converts records, hands batches to the
// plugin's put(), and commits exactly the offsets pre_commit returns — every
// offset.flush.interval.ms, when the task asks (SinkTaskContext::request_commit), when partitions
// are revoked and when the task stops. Positions a task sets with SinkTaskContext::offset() in
// open() go into the assignment (the group's committed offset is not used for them); later ones
// are applied with a seek before the next poll.
//
// Each task's consumer is a static group member (KIP-345, common/static_membership.h) with
// group.instance.id <worker identity>-<connector>-<task>, so a worker killed and restarted gets
// its partitions back at once instead of waiting for its dead consumers to time out; a clean
// stop leaves the group explicitly. A task fenced by another consumer with its id fails and is
// not restarted automatically.
//
// Offsets of stopped connectors are read and changed through the admin API, as Connect does
// (ListConsumerGroupOffsets, AlterConsumerGroupOffsets, DeleteConsumerGroupOffsets,
// DeleteGroups), each operation bounded by kOffsetsTimeout.
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

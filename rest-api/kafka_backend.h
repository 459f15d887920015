// The Kafka side of the worker: each sink task runs on its own thread with its own librdkafka
// consumer (group connect-<connector>, manual commits), converts records, hands batches to the
// plugin's put(), and commits exactly the offsets pre_commit returns — every
// offset.flush.interval.ms, when the task asks (SinkTaskContext::request_commit), when partitions
// are revoked and when the task stops. Positions a task sets with SinkTaskContext::offset() in
// open() go into the assignment (the group's committed offset is not used for them); later ones
// are applied with a seek before the next poll. Offsets of stopped connectors are read and
// changed with short-lived consumers of the same group.
#pragma once

#include <mutex>
#include <string>
#include <thread>

#include "common/kafka.h"
#include "rest-api/worker_backend.h"

namespace sentinel::connect {

class KafkaBackend : public WorkerBackend {
 public:
  // `base` holds bootstrap.servers and the worker's client settings used for metadata.
  explicit KafkaBackend(kafka::Properties base);
  ~KafkaBackend() override;

  std::unique_ptr<TaskRunner> start_task(TaskSpec spec) override;
  Status list_offsets(const kafka::Properties& consumer, const std::vector<std::string>& topics,
                      const std::string& topics_regex, std::vector<PartitionOffset>* out) override;
  Status alter_offsets(const kafka::Properties& consumer,
                       const std::map<TopicPartition, std::optional<int64_t>>& offsets) override;
  Status reset_offsets(const kafka::Properties& consumer, const std::vector<std::string>& topics,
                       const std::string& topics_regex) override;
  std::string cluster_id() override;
  size_t abandoned_tasks_running() const override;

 private:
  kafka::Properties base_;
  kafka::Handle metadata_;
  std::mutex mu_;
  std::string cluster_id_;
  bool stopping_ = false;
  std::thread cluster_id_thread_;
};

}  // namespace sentinel::connect

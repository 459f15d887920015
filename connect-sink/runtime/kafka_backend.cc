// KafkaBackend: sink tasks run by SinkTaskRunner (sink_task_runner.h), offsets changed through the
// offset admin (offset_admin.h), and the cluster id.
#include "connect-sink/runtime/kafka_backend.h"

#include "common/log.h"
#include "common/static_membership.h"
#include "connect-sink/runtime/offset_admin.h"
#include "connect-sink/runtime/sink_task_runner.h"
#include "connect-sink/runtime/task_identity.h"

namespace sentinel::connect {

KafkaBackend::KafkaBackend(kafka::Properties base, std::string worker_identity)
    : base_(std::move(base)), worker_identity_(std::move(worker_identity)) {
  std::string err;
  kafka::Conf conf = kafka::make_conf(base_, &err);
  if (conf) metadata_ = kafka::make_handle(RD_KAFKA_PRODUCER, std::move(conf), &err);
  if (!metadata_) {
    log::error("kafka: {}", err);
    return;
  }
  cluster_id_thread_ = std::thread([this] {
    for (int attempt = 0; attempt < 30; ++attempt) {
      char* id = rd_kafka_clusterid(metadata_.get(), 1000);
      if (id) {
        std::lock_guard lock(mu_);
        cluster_id_ = id;
        rd_kafka_mem_free(metadata_.get(), id);
        return;
      }
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
  });
}

KafkaBackend::~KafkaBackend() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  if (cluster_id_thread_.joinable()) cluster_id_thread_.join();
}

size_t KafkaBackend::abandoned_tasks_running() const { return SinkTaskRunner::abandoned_running(); }

bool KafkaBackend::dev_broker() {
  std::string id = cluster_id();
  if (id.empty() && metadata_) {
    // Not known yet (start): ask, briefly. A broker that does not answer is taken for a real one.
    if (char* c = rd_kafka_clusterid(metadata_.get(), 3000)) {
      id = c;
      rd_kafka_mem_free(metadata_.get(), c);
    }
  }
  bool dev = kafka::is_dev_broker_cluster(id);
  std::lock_guard lock(mu_);
  if (dev && !dev_broker_noted_) {
    dev_broker_noted_ = true;
    log::info(
        "dev broker (librdkafka's mock cluster): sink tasks join their groups as dynamic "
        "members (it does not support static membership)");
  }
  return dev;
}

std::string KafkaBackend::cluster_id() {
  std::lock_guard lock(mu_);
  return cluster_id_;
}

std::unique_ptr<TaskRunner> KafkaBackend::start_task(TaskSpec spec) {
  apply_task_identity(&spec.consumer, worker_identity_, spec.connector, spec.id,
                      [this] { return dev_broker(); });
  return std::make_unique<SinkTaskRunner>(std::move(spec));
}

OffsetsResult KafkaBackend::list_offsets(const kafka::Properties& consumer,
                                         const std::vector<std::string>& topics,
                                         const std::string& topics_regex,
                                         std::vector<PartitionOffset>* out) {
  return list_group_offsets(consumer, topics, topics_regex, kOffsetsTimeout, out);
}

OffsetsResult KafkaBackend::alter_offsets(
    const kafka::Properties& consumer,
    const std::map<TopicPartition, std::optional<int64_t>>& offsets) {
  return alter_group_offsets(consumer, offsets, kOffsetsTimeout);
}

OffsetsResult KafkaBackend::reset_offsets(const kafka::Properties& consumer,
                                          const std::vector<std::string>&, const std::string&) {
  return delete_group(consumer, kOffsetsTimeout);
}

}  // namespace sentinel::connect

// Finding or creating the repartition topic.
#include "alert-engine/repartition_topic.h"

#include <fmt/format.h>

#include <thread>

#include "common/log.h"
#include "common/units.h"

namespace sentinel::alerts {

int topic_partitions(rd_kafka_t* rk, const std::string& topic, int timeout_ms) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
  rd_kafka_topic_destroy(rkt);
  if (err) return 0;
  int n = -1;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (topic != md->topics[i].topic) continue;
    if (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      n = md->topics[i].partition_cnt;
    } else if (md->topics[i].err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
      n = 0;  // leader elections and the like: ask again
    }
  }
  rd_kafka_metadata_destroy(md);
  return n;
}

bool ensure_repartition_topic(const kafka::Properties& props, const RepartitionConfig& config,
                              int* partitions, std::string* error,
                              const std::function<void()>& alive,
                              const std::function<bool()>& stopping) {
  kafka::Properties p = props;
  // A consumer handle: its metadata requests never auto-create the topic with the broker's
  // defaults (a producer's may).
  p["group.id"] = "sentinel-alerts-setup";
  p["allow.auto.create.topics"] = "false";
  kafka::Conf conf = kafka::make_conf(p, error);
  if (!conf) return false;
  kafka::Handle rk = kafka::make_handle(RD_KAFKA_CONSUMER, std::move(conf), error);
  if (!rk) return false;
  bool created = false;
  for (int attempt = 1;; ++attempt) {
    if (alive) alive();
    int n = topic_partitions(rk.get(), config.topic, 5000);
    if (n > 0) {
      *partitions = n;
      if (!created && n != config.partitions) {
        log::notice(
            "repartition topic {} has {} partition(s) (repartition.partitions: {} applies "
            "only when sentinel-alerts creates it)",
            config.topic, n, config.partitions);
      }
      return true;
    }
    if (n < 0 && !created) {
      kafka::TopicSpec spec{
          config.topic,
          config.partitions,
          config.replication_factor,
          {{"retention.ms", std::to_string(config.retention_ms)}, {"cleanup.policy", "delete"}}};
      std::string why;
      if (!kafka::create_topics(rk.get(), {spec}, std::chrono::seconds(15), &why)) {
        *error = fmt::format(
            "repartition topic {} is missing and could not be created: {}. Create it "
            "(kafka-topics.sh "
            "--create --topic {} --partitions {} --config retention.ms={}), grant this client "
            "CreateTopics on the cluster, or set repartition.topic in alerts.yaml to a topic that "
            "exists",
            config.topic, why, config.topic, config.partitions, config.retention_ms);
        return false;
      }
      created = true;
      log::notice("repartition topic {} created: {} partition(s), retention {}", config.topic,
                  config.partitions,
                  format_duration(std::chrono::milliseconds(config.retention_ms)));
      continue;
    }
    if (stopping && stopping()) {
      *error = "stopped while waiting for the cluster's metadata";
      return false;
    }
    if (attempt % 6 == 1) {
      log::warning("repartition topic {}: no metadata from the cluster yet; retrying",
                   config.topic);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace sentinel::alerts

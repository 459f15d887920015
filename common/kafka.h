// Thin helpers over librdkafka's C API, shared by every Kafka program.
//
// Configuration passes through as key/value strings, so every librdkafka property (SASL, SSL,
// compression, …) works without Sentinel naming it; a rejected property is reported with its
// name. librdkafka's own log lines and errors are routed to common/log.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sentinel::kafka {

using Properties = std::map<std::string, std::string>;

struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
struct TopicPartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using Handle = std::unique_ptr<rd_kafka_t, HandleDeleter>;
using Conf = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
using TopicPartitionList =
    std::unique_ptr<rd_kafka_topic_partition_list_t, TopicPartitionListDeleter>;

// True for property names whose values are secrets: names containing (in any case) password,
// secret, jaas, oauthbearer, user.info, key.pem, token or credentials.
bool is_secret_property(const std::string& name);
// "key=value, …" with secrets shown as [hidden], for logs.
std::string describe(const Properties& props);

// Builds a conf from `props` (applied in order) and routes librdkafka logs to common/log.
// On a rejected property returns nullptr and sets *error to
// "kafka property ssl.foo: No such configuration property: \"ssl.foo\"".
Conf make_conf(const Properties& props, std::string* error);

// Creates a producer or consumer from `conf` (taking ownership); nullptr and *error on failure.
Handle make_handle(rd_kafka_type_t type, Conf conf, std::string* error);

struct TopicSpec {
  std::string name;
  int partitions = 3;
  int replication_factor = 1;
  Properties config;  // e.g. retention.ms
};

// Creates topics through the admin API. A topic that already exists counts as success.
// Returns false with *error naming the topic and the broker's answer; a timeout says that the
// cluster gave no answer (librdkafka's mock cluster, and so sentinel-devkafka, cannot create
// topics through the admin API — pre-create them with `sentinel-devkafka --topic`).
bool create_topics(rd_kafka_t* rk, const std::vector<TopicSpec>& topics,
                   std::chrono::milliseconds timeout, std::string* error);

}  // namespace sentinel::kafka

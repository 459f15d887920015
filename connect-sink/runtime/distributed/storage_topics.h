// A distributed worker's storage topics on the cluster: created where missing, checked where
// present, and the config topic read from its beginning to its end into a ConfigLog.
//
// As Kafka Connect (KafkaConfigBackingStore, TopicAdmin): the config topic has exactly one
// partition (one ordered log) and all three are compacted (cleanup.policy=compact only: "delete"
// would lose connector configs, statuses and offsets once they age). A topic we create gets the
// configured partitions and replication (-1: the broker's default, brokers 2.4 and later). A
// topic that exists is not changed: where it does not fit, the message says what to do.
// sentinel-devkafka (librdkafka's mock cluster) answers neither CreateTopics nor DescribeConfigs:
// there the topics made at its start (--topic NAME:PARTITIONS) are used as they are, and a missing
// one is named with the flag that makes it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/kafka.h"
#include "connect-sink/runtime/distributed/config_log.h"
#include "connect-sink/runtime/worker_config.h"

namespace sentinel::connect::distributed {

// The three topics as this worker creates them: config, offset, status.
std::vector<kafka::TopicSpec> storage_topic_specs(const DistributedSettings& settings);

// `client`: bootstrap.servers and the worker's other client properties (security...). Creates the
// missing topics, then checks the config topic's partitions and every topic's cleanup.policy.
// False with *error naming the topic, its key, what is wrong and what to do.
bool ensure_storage_topics(const kafka::Properties& client, const DistributedSettings& settings,
                           std::chrono::milliseconds timeout, std::string* error);

struct ConfigTopicRead {
  int64_t records = 0;           // records read (applied or skipped)
  std::vector<std::string> bad;  // skipped: "connect-configs/0@7: value of commit-a: ..."
};

// Reads `topic` from the beginning to the end it had when the read started (kafka_log.h's
// reader: no consumer group, nothing committed), applying each record to *log in order; a record
// that does not decode is skipped and listed in read->bad. False with *error when the topic cannot
// be read to its end within `timeout`. A worker that keeps reading uses ConfigTopic
// (config_topic.h).
bool read_config_topic(const kafka::Properties& client, const std::string& topic, ConfigLog* log,
                       ConfigTopicRead* read, std::chrono::milliseconds timeout,
                       std::string* error);

}  // namespace sentinel::connect::distributed

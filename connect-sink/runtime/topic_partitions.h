// Partition lists between Sentinel's types (TopicPartition, OffsetMap) and librdkafka's, and the
// partitions of a connector's topics (a list or a regex) from the cluster's metadata: shared by the
// sink task runner and the offset admin.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>
#include <vector>

#include "common/clock.h"
#include "common/kafka.h"
#include "sentinel/connect/sink.h"

namespace sentinel::connect {

kafka::TopicPartitionList to_list(const OffsetMap& offsets);
std::vector<TopicPartition> from_list(const rd_kafka_topic_partition_list_t* list);

// Every partition of `topics` or of the topics `regex` matches, from metadata.
Status partitions_of(rd_kafka_t* rk, const std::vector<std::string>& topics,
                     const std::string& regex, MonoClock::time_point deadline,
                     std::vector<TopicPartition>* out);

// Milliseconds left until `deadline`, at least 1 (a librdkafka timeout of 0 means "do not wait").
int remaining_ms(MonoClock::time_point deadline);

}  // namespace sentinel::connect

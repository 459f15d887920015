// Partition lists between Sentinel's types and librdkafka's, and partitions from metadata.
#include "connect-sink/runtime/topic_partitions.h"

#include <regex.h>

#include <algorithm>

namespace sentinel::connect {
namespace {

bool matches(const std::string& topic, const std::vector<std::string>& topics,
             const std::string& regex) {
  if (!regex.empty()) {
    regex_t re;
    if (regcomp(&re, ("^(" + regex + ")$").c_str(), REG_EXTENDED | REG_NOSUB) != 0) return false;
    bool m = regexec(&re, topic.c_str(), 0, nullptr, 0) == 0;
    regfree(&re);
    return m;
  }
  return std::find(topics.begin(), topics.end(), topic) != topics.end();
}

}  // namespace

kafka::TopicPartitionList to_list(const OffsetMap& offsets) {
  kafka::TopicPartitionList list(
      rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& [tp, off] : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset = off;
  }
  return list;
}

std::vector<TopicPartition> from_list(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  for (int i = 0; i < list->cnt; ++i)
    out.push_back({list->elems[i].topic, list->elems[i].partition});
  return out;
}

Status partitions_of(rd_kafka_t* rk, const std::vector<std::string>& topics,
                     const std::string& regex, MonoClock::time_point deadline,
                     std::vector<TopicPartition>* out) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &md, remaining_ms(deadline));
  if (err)
    return Status::Error(std::string("cannot read topic metadata: ") + rd_kafka_err2str(err));
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    if (t.err || !matches(t.topic, topics, regex)) continue;
    for (int p = 0; p < t.partition_cnt; ++p) out->push_back({t.topic, t.partitions[p].id});
  }
  rd_kafka_metadata_destroy(md);
  return Status::Ok();
}

int remaining_ms(MonoClock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - MonoClock::now());
  return static_cast<int>(std::max<int64_t>(1, left.count()));
}

}  // namespace sentinel::connect

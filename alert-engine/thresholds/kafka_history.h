// Reading a time range of a topic's history from Kafka: every partition from the first offset
// whose timestamp is at or after `from` (offsets_for_times) to the offset for `to`, or the high
// watermark taken at start; then it stops. assign() with explicit offsets: no consumer group
// membership and no offset commits, so running it never disturbs the live consumers.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/kafka.h"

namespace sentinel::thresholds {

struct KafkaHistoryRange {
  std::string topic = "http_logs";
  kafka::Properties properties;  // bootstrap.servers and any librdkafka property
  int64_t from_ms = 0;
  std::optional<int64_t> to_ms;
  std::chrono::milliseconds timeout{30'000};  // no answer or no progress for this long: error
};

struct KafkaHistoryStats {
  int partitions = 0;
  uint64_t messages = 0;
  bool seek_by_time = true;  // false: the broker could not look offsets up by time
};

// Calls on_value for every message in range; it returns the record's time (INT64_MIN when the
// value is not a record). on_watermark gets the time every unfinished partition has reached, so
// windows before it can close. False with *error naming the broker, topic or partition.
bool read_kafka_history(const KafkaHistoryRange& range,
                        const std::function<int64_t(std::string_view value, int32_t partition,
                                                    int64_t offset)>& on_value,
                        const std::function<void(int64_t watermark_ms)>& on_watermark,
                        KafkaHistoryStats* stats, std::string* error);

}  // namespace sentinel::thresholds

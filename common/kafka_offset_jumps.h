// Notices a consumer's position jumping past records it never read, and says so.
//
// Records are lost to a reader when the broker deletes them before they are read: retention on a
// real broker, and on sentinel-devkafka the mock's limit of ~5 MB a partition. librdkafka then
// resets the out-of-range offset (auto.offset.reset) and reading resumes further on, logged only
// as one of librdkafka's own lines. Every Sentinel consumer loop passes what it consumes through
// an OffsetJumpWatch, which logs one warning a jump naming the topic, the partition, the offset
// wanted, where reading resumed and how many records were skipped.
//
// The offset wanted comes from the caller (an assignment with explicit offsets, a seek, the
// group's committed offsets looked up at assignment) and then from each record read (offset+1).
// A record past it is a jump when the partition's log start offset (librdkafka's cached value
// from the last fetch) lies past the offset wanted too: so compacted topics and transaction
// markers, whose offsets are skipped without any deletion, are not reported (debug log only).
// An RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET consumer error (auto.offset.reset=error) is reported
// too. One watch per consumer loop; not thread-safe.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sentinel::kafka {

class OffsetJumpWatch {
 public:
  // `reader` names who reads in the warnings: "sentinel-alerts", "connector archive task 0".
  explicit OffsetJumpWatch(std::string reader) : reader_(std::move(reader)) {}

  // The partition is to be read from `next` (a logical offset, like beginning or stored,
  // forgets what was expected: the first record read sets it).
  void expect(std::string_view topic, int32_t partition, int64_t next);
  // The explicit offsets of an assignment or a seek list (logical offsets leave a partition as
  // it was).
  void expect(const rd_kafka_topic_partition_list_t* partitions);
  // The group's committed offsets of `partitions`, looked up now (one OffsetFetch, at most
  // `timeout`); partitions without a committed offset, or a failed look-up, expect nothing.
  void expect_committed(rd_kafka_t* consumer, const rd_kafka_topic_partition_list_t* partitions,
                        std::chrono::milliseconds timeout);
  void forget(std::string_view topic, int32_t partition);
  void forget(const rd_kafka_topic_partition_list_t* partitions);

  // Every message the consumer returns (records and errors). Returns true when it reported a
  // jump or an offset reset. `consumer` gives the partition's cached log start offset.
  bool check(rd_kafka_t* consumer, const rd_kafka_message_t* m);
  // The same for one record at `offset`, with the partition's log start offset (-1: unknown,
  // counted as a jump).
  bool check(std::string_view topic, int32_t partition, int64_t offset, int64_t log_start);

  uint64_t jumps() const { return jumps_; }
  int64_t records_skipped() const { return skipped_; }

 private:
  struct Next {
    std::string topic;
    int32_t partition;
    int64_t offset;
  };
  // A consumer reads a few partitions: a short list beats a map keyed by strings per record.
  Next* find(std::string_view topic, int32_t partition);
  // Moves `n` past `offset`; true (and a warning) when records before it were deleted unread.
  bool jumped(Next* n, int64_t offset, int64_t log_start);

  std::string reader_;
  std::vector<Next> next_;
  uint64_t jumps_ = 0;
  int64_t skipped_ = 0;
};

}  // namespace sentinel::kafka

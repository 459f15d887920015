// Offset jumps of a consumer, reported (see kafka_offset_jumps.h).
#include "common/kafka_offset_jumps.h"

#include "common/kafka.h"
#include "common/log.h"

namespace sentinel::kafka {

OffsetJumpWatch::Next* OffsetJumpWatch::find(std::string_view topic, int32_t partition) {
  for (Next& n : next_) {
    if (n.partition == partition && n.topic == topic) return &n;
  }
  return nullptr;
}

void OffsetJumpWatch::expect(std::string_view topic, int32_t partition, int64_t next) {
  if (next < 0) {
    forget(topic, partition);
  } else if (Next* n = find(topic, partition)) {
    n->offset = next;
  } else {
    next_.push_back({std::string(topic), partition, next});
  }
}

void OffsetJumpWatch::expect(const rd_kafka_topic_partition_list_t* partitions) {
  for (int i = 0; partitions && i < partitions->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = partitions->elems[i];
    if (tp.offset >= 0) expect(tp.topic, tp.partition, tp.offset);
  }
}

void OffsetJumpWatch::expect_committed(rd_kafka_t* consumer,
                                       const rd_kafka_topic_partition_list_t* partitions,
                                       std::chrono::milliseconds timeout) {
  if (!partitions || partitions->cnt == 0) return;
  TopicPartitionList list(rd_kafka_topic_partition_list_copy(partitions));
  rd_kafka_resp_err_t err =
      rd_kafka_committed(consumer, list.get(), static_cast<int>(timeout.count()));
  if (err) {
    log::debug("{}: committed offsets not known ({}): offset jumps at start not checked", reader_,
               rd_kafka_err2str(err));
    return;
  }
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = list->elems[i];
    if (!tp.err) expect(tp.topic, tp.partition, tp.offset);
  }
}

void OffsetJumpWatch::forget(std::string_view topic, int32_t partition) {
  if (Next* n = find(topic, partition)) {
    *n = std::move(next_.back());
    next_.pop_back();
  }
}

void OffsetJumpWatch::forget(const rd_kafka_topic_partition_list_t* partitions) {
  for (int i = 0; partitions && i < partitions->cnt; ++i) {
    forget(partitions->elems[i].topic, partitions->elems[i].partition);
  }
}

bool OffsetJumpWatch::check(rd_kafka_t* consumer, const rd_kafka_message_t* m) {
  const char* topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "?";
  if (m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) {
    ++jumps_;
    log::warning(
        "{}: {}[{}]: offset {} is no longer in the topic (deleted by the broker before it "
        "was read: retention, or sentinel-devkafka's ~5 MB a partition): {}",
        reader_, topic, m->partition, m->offset, rd_kafka_message_errstr(m));
    forget(topic, m->partition);
    return true;
  }
  if (m->err) return false;
  Next* n = find(topic, m->partition);
  if (n && m->offset > n->offset) {
    // Past the offset wanted: librdkafka's cached log start (from the fetch that brought it)
    // tells a deletion from offsets that were never records.
    int64_t low = -1, high = -1;
    if (rd_kafka_get_watermark_offsets(consumer, topic, m->partition, &low, &high) || low < 0) {
      low = -1;
    }
    return jumped(n, m->offset, low);
  }
  if (n) {
    n->offset = m->offset + 1;
  } else {
    next_.push_back({topic, m->partition, m->offset + 1});
  }
  return false;
}

bool OffsetJumpWatch::check(std::string_view topic, int32_t partition, int64_t offset,
                            int64_t log_start) {
  Next* n = find(topic, partition);
  if (!n) {
    next_.push_back({std::string(topic), partition, offset + 1});
    return false;
  }
  return jumped(n, offset, log_start);
}

bool OffsetJumpWatch::jumped(Next* n, int64_t offset, int64_t log_start) {
  int64_t wanted = n->offset;
  n->offset = offset + 1;
  if (offset <= wanted) return false;  // in order (or read again after a seek back)
  if (log_start >= 0 && log_start <= wanted) {
    log::debug(
        "{}: {}[{}]: offsets {}..{} skipped without being deleted (compaction or "
        "transaction markers)",
        reader_, n->topic, n->partition, wanted, offset - 1);
    return false;
  }
  ++jumps_;
  skipped_ += offset - wanted;
  log::warning(
      "{}: {}[{}]: wanted offset {}, reading resumed at {}: {} record(s) skipped, deleted "
      "by the broker before they were read (retention, or sentinel-devkafka, which keeps "
      "only ~5 MB a partition)",
      reader_, n->topic, n->partition, wanted, offset, offset - wanted);
  return true;
}

}  // namespace sentinel::kafka

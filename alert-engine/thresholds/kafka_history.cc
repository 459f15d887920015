// A bounded read of a topic's history by time, with assign() and explicit offsets.
#include "alert-engine/thresholds/kafka_history.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <vector>

#include "common/clock.h"
#include "common/kafka_offset_jumps.h"
#include "common/log.h"

namespace sentinel::thresholds {

namespace {

struct Partition {
  int32_t id = 0;
  int64_t start = 0;
  int64_t end = 0;  // exclusive
  int64_t last_ts = INT64_MIN;
  bool done = false;
};

struct TopicDeleter {
  void operator()(rd_kafka_topic_t* t) const { rd_kafka_topic_destroy(t); }
};

// Offsets for `ts` per partition (-1: no message at or after ts); false when the broker cannot
// answer by time.
bool offsets_for(rd_kafka_t* rk, const std::string& topic, const std::vector<Partition>& parts,
                 int64_t ts, int timeout_ms, std::vector<int64_t>* out, std::string* why) {
  kafka::TopicPartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(parts.size())));
  for (const auto& p : parts) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p.id)->offset = ts;
  }
  rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(rk, list.get(), timeout_ms);
  if (err) {
    *why = rd_kafka_err2str(err);
    return false;
  }
  out->clear();
  for (const auto& p : parts) {
    rd_kafka_topic_partition_t* tp =
        rd_kafka_topic_partition_list_find(list.get(), topic.c_str(), p.id);
    if (!tp || tp->err) {
      *why = fmt::format("partition {}: {}", p.id, tp ? rd_kafka_err2str(tp->err) : "no answer");
      return false;
    }
    out->push_back(tp->offset);
  }
  return true;
}

// The timestamp of each partition's last record (offset end - 1) into its last_ts.
bool last_timestamps(rd_kafka_t* rk, const std::string& topic, const std::vector<Partition*>& parts,
                     int timeout_ms, std::string* error) {
  kafka::TopicPartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(parts.size())));
  for (const Partition* p : parts) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p->id)->offset = p->end - 1;
  }
  rd_kafka_resp_err_t err = rd_kafka_assign(rk, list.get());
  if (err) {
    *error = std::string("assign: ") + rd_kafka_err2str(err);
    return false;
  }
  size_t missing = parts.size();
  auto deadline = MonoClock::now() + std::chrono::milliseconds(timeout_ms);
  while (missing > 0 && MonoClock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (!m) continue;
    if (!m->err) {
      for (Partition* p : parts) {
        if (p->id == m->partition && p->last_ts == INT64_MIN) {
          rd_kafka_timestamp_type_t type;
          int64_t ts = rd_kafka_message_timestamp(m, &type);
          p->last_ts = ts < 0 ? INT64_MAX : ts;  // no timestamp: cannot rule it out
          --missing;
        }
      }
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_assign(rk, nullptr);
  if (missing > 0) {
    *error = fmt::format("no record within {} ms while checking the partitions' last records",
                         timeout_ms);
    return false;
  }
  return true;
}

}  // namespace

bool read_kafka_history(const KafkaHistoryRange& range,
                        const std::function<int64_t(std::string_view, int32_t, int64_t)>& on_value,
                        const std::function<void(int64_t)>& on_watermark, KafkaHistoryStats* stats,
                        std::string* error) {
  kafka::Properties props = {{"client.id", "sentinel-thresholds"},
                             {"group.id", "sentinel-thresholds"},
                             {"enable.auto.commit", "false"},
                             {"enable.auto.offset.store", "false"},
                             {"enable.partition.eof", "true"}};
  for (const auto& [k, v] : range.properties) props[k] = v;
  std::string bootstrap = props.count("bootstrap.servers") ? props["bootstrap.servers"] : "?";
  kafka::Conf conf = kafka::make_conf(props, error);
  if (!conf) return false;
  kafka::Handle rk = kafka::make_handle(RD_KAFKA_CONSUMER, std::move(conf), error);
  if (!rk) return false;
  const int timeout_ms = static_cast<int>(range.timeout.count());

  std::unique_ptr<rd_kafka_topic_t, TopicDeleter> topic(
      rd_kafka_topic_new(rk.get(), range.topic.c_str(), nullptr));
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk.get(), 0, topic.get(), &md, timeout_ms);
  if (err) {
    *error = fmt::format("Kafka at {}: no metadata for topic {} within {} ms: {}", bootstrap,
                         range.topic, timeout_ms, rd_kafka_err2str(err));
    return false;
  }
  std::vector<Partition> parts;
  std::string topic_error;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    if (range.topic != t.topic) continue;
    if (t.err) topic_error = rd_kafka_err2str(t.err);
    for (int j = 0; j < t.partition_cnt; ++j) parts.push_back(Partition{t.partitions[j].id});
  }
  rd_kafka_metadata_destroy(md);
  if (parts.empty()) {
    *error = fmt::format("Kafka at {}: topic {}: {}", bootstrap, range.topic,
                         topic_error.empty() ? "no partitions" : topic_error);
    return false;
  }
  std::sort(parts.begin(), parts.end(), [](auto& a, auto& b) { return a.id < b.id; });
  stats->partitions = static_cast<int>(parts.size());

  for (auto& p : parts) {
    int64_t low = 0, high = 0;
    err = rd_kafka_query_watermark_offsets(rk.get(), range.topic.c_str(), p.id, &low, &high,
                                           timeout_ms);
    if (err) {
      *error = fmt::format("Kafka at {}: topic {} partition {}: watermark offsets: {}", bootstrap,
                           range.topic, p.id, rd_kafka_err2str(err));
      return false;
    }
    p.start = low;
    p.end = high;
  }
  std::vector<int64_t> offsets;
  std::string why;
  if (offsets_for(rk.get(), range.topic, parts, range.from_ms, timeout_ms, &offsets, &why)) {
    std::vector<Partition*> unsure;
    for (size_t i = 0; i < parts.size(); ++i) {
      // -1: no message at or after `from` in this partition.
      if (offsets[i] < 0 && parts[i].start < parts[i].end) unsure.push_back(&parts[i]);
      parts[i].start = offsets[i] < 0 ? parts[i].end : std::max(parts[i].start, offsets[i]);
    }
    // A broker that cannot look offsets up by time (librdkafka's mock cluster, so
    // sentinel-devkafka) answers "none" too: check it against the partition's last record.
    if (!unsure.empty()) {
      for (Partition* p : unsure) p->last_ts = INT64_MIN;
      if (!last_timestamps(rk.get(), range.topic, unsure, timeout_ms, error)) {
        *error = fmt::format("Kafka at {}: topic {}: {}", bootstrap, range.topic, *error);
        return false;
      }
      for (Partition* p : unsure) {
        if (p->last_ts >= range.from_ms) {
          int64_t low = 0, high = 0;
          rd_kafka_query_watermark_offsets(rk.get(), range.topic.c_str(), p->id, &low, &high,
                                           timeout_ms);
          p->start = low;
          stats->seek_by_time = false;
          log::warning(
              "Kafka at {}: topic {} partition {}: the broker found no offset for {} "
              "but holds later records (it cannot look offsets up by time); reading "
              "from the oldest retained record and filtering by time",
              bootstrap, range.topic, p->id, range.from_ms);
        }
        p->last_ts = INT64_MIN;
      }
    }
    if (range.to_ms) {
      if (offsets_for(rk.get(), range.topic, parts, *range.to_ms, timeout_ms, &offsets, &why)) {
        for (size_t i = 0; i < parts.size(); ++i) {
          if (offsets[i] >= 0) parts[i].end = std::min(parts[i].end, offsets[i]);
        }
      }
    }
  } else {
    stats->seek_by_time = false;
    log::warning(
        "Kafka at {}: topic {}: offsets by time not available ({}); reading from the "
        "oldest retained record and filtering by time",
        bootstrap, range.topic, why);
  }

  kafka::TopicPartitionList assignment(
      rd_kafka_topic_partition_list_new(static_cast<int>(parts.size())));
  int remaining = 0;
  for (auto& p : parts) {
    log::debug("topic {} partition {}: offsets {}..{}", range.topic, p.id, p.start, p.end);
    if (p.start >= p.end) {
      p.done = true;
      continue;
    }
    rd_kafka_topic_partition_list_add(assignment.get(), range.topic.c_str(), p.id)->offset =
        p.start;
    ++remaining;
  }
  if (remaining == 0) return true;
  err = rd_kafka_assign(rk.get(), assignment.get());
  if (err) {
    *error =
        fmt::format("Kafka at {}: assign {}: {}", bootstrap, range.topic, rd_kafka_err2str(err));
    return false;
  }
  kafka::OffsetJumpWatch jumps("sentinel-thresholds");
  jumps.expect(assignment.get());
  rd_kafka_queue_t* queue = rd_kafka_queue_get_consumer(rk.get());
  std::vector<rd_kafka_message_t*> batch(1024);
  auto last_progress = MonoClock::now();
  std::string last_error;
  uint64_t since_watermark = 0;
  auto watermark = [&] {
    int64_t w = INT64_MAX;
    for (const auto& p : parts) {
      if (!p.done) w = std::min(w, p.last_ts);
    }
    if (w != INT64_MIN && w != INT64_MAX) on_watermark(w);
  };
  auto finish_partition = [&](Partition* p) {
    if (p->done) return;
    p->done = true;
    --remaining;
    watermark();
  };
  auto find = [&](int32_t id) -> Partition* {
    for (auto& p : parts) {
      if (p.id == id) return &p;
    }
    return nullptr;
  };
  bool ok = true;
  while (remaining > 0) {
    ssize_t n = rd_kafka_consume_batch_queue(queue, 200, batch.data(), batch.size());
    if (n <= 0) {
      if (MonoClock::now() - last_progress > range.timeout) {
        *error = fmt::format(
            "Kafka at {}: topic {}: no data for {} ms with {} partition(s) "
            "unfinished{}{}",
            bootstrap, range.topic, timeout_ms, remaining, last_error.empty() ? "" : ": ",
            last_error);
        ok = false;
        break;
      }
      continue;
    }
    for (ssize_t i = 0; i < n; ++i) {
      rd_kafka_message_t* m = batch[static_cast<size_t>(i)];
      Partition* p = find(m->partition);
      jumps.check(rk.get(), m);
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (p) finish_partition(p);
      } else if (m->err) {
        last_error = rd_kafka_message_errstr(m);
        log::warning("Kafka at {}: topic {}: {}", bootstrap, range.topic, last_error);
      } else if (p && !p->done) {
        last_progress = MonoClock::now();
        if (m->offset >= p->end) {
          finish_partition(p);
        } else {
          ++stats->messages;
          int64_t ts = on_value(
              std::string_view(static_cast<const char*>(m->payload), m->payload ? m->len : 0),
              m->partition, m->offset);
          if (ts != INT64_MIN && ts > p->last_ts) p->last_ts = ts;
          if (m->offset + 1 >= p->end) finish_partition(p);
          if (++since_watermark >= 4096) {
            since_watermark = 0;
            watermark();
          }
        }
      }
      rd_kafka_message_destroy(m);
    }
  }
  rd_kafka_queue_destroy(queue);
  rd_kafka_assign(rk.get(), nullptr);
  rd_kafka_consumer_close(rk.get());
  return ok;
}

}  // namespace sentinel::thresholds

// Reading system_alerts back to its high watermark: the last state of every alert id.
#include "alert-engine/recovery.h"

#include <fmt/format.h>

#include <map>
#include <unordered_map>

#include "common/clock.h"
#include "common/log.h"

namespace sentinel::alerts {

bool recover_alerts(const kafka::Properties& props, const std::string& topic,
                    std::chrono::milliseconds timeout, std::vector<RecoveredAlert>* out,
                    std::string* error, const std::function<void()>& alive) {
  out->clear();
  auto deadline = MonoClock::now() + timeout;
  auto left_ms = [&] {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - MonoClock::now());
    return static_cast<int>(std::max<int64_t>(left.count(), 0));
  };
  kafka::Properties p = props;
  // assign() only: the group id is needed by librdkafka's consumer but never joined or committed.
  p["group.id"] = "sentinel-alerts-recovery";
  p["enable.auto.commit"] = "false";
  p["enable.partition.eof"] = "false";
  p["auto.offset.reset"] = "earliest";
  kafka::Conf conf = kafka::make_conf(p, error);
  if (!conf) return false;
  kafka::Handle rk = kafka::make_handle(RD_KAFKA_CONSUMER, std::move(conf), error);
  if (!rk) return false;

  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk.get(), topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk.get(), 0, rkt, &md, left_ms());
  rd_kafka_topic_destroy(rkt);
  if (err) {
    *error = fmt::format("reading {} metadata: {}", topic, rd_kafka_err2str(err));
    return false;
  }
  std::vector<int32_t> partitions;
  rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (topic != md->topics[i].topic) continue;
    topic_err = md->topics[i].err;
    for (int j = 0; j < md->topics[i].partition_cnt; ++j) {
      partitions.push_back(md->topics[i].partitions[j].id);
    }
  }
  rd_kafka_metadata_destroy(md);
  if (topic_err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) return true;  // nothing published yet
  if (topic_err) {
    *error = fmt::format("reading {} metadata: {}", topic, rd_kafka_err2str(topic_err));
    return false;
  }

  std::map<int32_t, int64_t> end;  // partition → high watermark still to reach
  kafka::TopicPartitionList list(
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (int32_t part : partitions) {
    int64_t lo = 0, hi = 0;
    err = rd_kafka_query_watermark_offsets(rk.get(), topic.c_str(), part, &lo, &hi, left_ms());
    if (err) {
      *error = fmt::format("reading {} [{}] offsets: {}", topic, part, rd_kafka_err2str(err));
      return false;
    }
    if (hi > lo) {
      end[part] = hi;
      rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), part)->offset = lo;
    }
  }
  if (end.empty()) return true;
  err = rd_kafka_assign(rk.get(), list.get());
  if (err) {
    *error = fmt::format("assigning {}: {}", topic, rd_kafka_err2str(err));
    return false;
  }

  std::unordered_map<std::string, RecoveredAlert> last;
  std::vector<std::string> order;
  size_t records = 0;
  while (!end.empty()) {
    if (left_ms() == 0) {
      *error = fmt::format("reading {}: not at its end after {} ms", topic, timeout.count());
      rd_kafka_assign(rk.get(), nullptr);
      return false;
    }
    if (alive) alive();
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), std::min(left_ms(), 200));
    if (!m) continue;
    if (m->err) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        log::warning("recovery: {}: {}", topic, rd_kafka_message_errstr(m));
      }
      rd_kafka_message_destroy(m);
      continue;
    }
    ++records;
    std::string why;
    auto alert = decode_alert(std::string_view(static_cast<const char*>(m->payload), m->len), &why);
    if (alert) {
      auto [it, inserted] = last.try_emplace(alert->id);
      if (inserted) order.push_back(alert->id);
      it->second = std::move(*alert);
    } else {
      log::warning("recovery: {} [{}] offset {}: not an alert record: {}", topic, m->partition,
                   m->offset, why);
    }
    auto e = end.find(m->partition);
    if (e != end.end() && m->offset + 1 >= e->second) end.erase(e);
    rd_kafka_message_destroy(m);
  }
  rd_kafka_assign(rk.get(), nullptr);
  size_t firing = 0;
  for (const auto& id : order) {
    firing += last[id].firing;
    out->push_back(std::move(last[id]));
  }
  log::info("recovery: read {} record(s) of {}: {} alert id(s), {} firing", records, topic,
            out->size(), firing);
  return true;
}

}  // namespace sentinel::alerts

// The dashboard's Kafka reader (see kafka_reader.h).
#include "dashboard/kafka_reader.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/log.h"

namespace sentinel::dashboard {
KafkaReader::KafkaReader(const DashboardConfig& config, Model* model)
    : config_(config), model_(model) {}

KafkaReader::~KafkaReader() { stop(); }

void KafkaReader::on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaReader*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    self->brokers_down_ = true;
    self->model_->set_kafka_state(false, std::string("all brokers down: ") + reason, wall_ms());
  }
}

bool KafkaReader::start(std::string* error) {
  kafka::Properties props = config_.kafka;
  // A group of its own that never commits: librdkafka's consumer API needs a group.id, but the
  // partitions are assign()ed, so the group never joins, and nothing is committed.
  char host[256] = "host";
  gethostname(host, sizeof host - 1);
  props.emplace("group.id", fmt::format("sentinel-dashboard-{}-{}-{}", host, getpid(), wall_ms()));
  props["enable.auto.commit"] = "false";
  props["enable.auto.offset.store"] = "false";
  props.emplace("client.id", "sentinel-dashboard");
  // A new alert should reach the page within a second, not wait out librdkafka's 500 ms fetch wait.
  props.emplace("fetch.wait.max.ms", "100");
  kafka::Conf conf = kafka::make_conf(props, error);
  if (!conf) return false;
  rd_kafka_conf_set_error_cb(conf.get(), [](rd_kafka_t* rk, int err, const char* reason,
                                            void* opaque) { on_error(rk, err, reason, opaque); });
  rd_kafka_conf_set_opaque(conf.get(), this);
  rk_ = kafka::make_handle(RD_KAFKA_CONSUMER, std::move(conf), error);
  if (!rk_) return false;
  thread_ = std::thread([this] { run(); });
  return true;
}

void KafkaReader::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (rk_) {
    rd_kafka_consumer_close(rk_.get());
    rk_.reset();
  }
}

bool KafkaReader::start_offsets(const std::vector<std::pair<std::string, int>>& added,
                                int64_t now_ms) {
  // One look-up by time for every new partition of the metrics and HTTP topics.
  kafka::TopicPartitionList by_time(
      rd_kafka_topic_partition_list_new(static_cast<int>(added.size())));
  std::map<std::pair<std::string, int>, int64_t> offsets;
  for (const auto& [topic, partition] : added) {
    if (topic == config_.alerts_topic && config_.alerts_from_beginning) {
      offsets[{topic, partition}] = RD_KAFKA_OFFSET_BEGINNING;
    } else {
      rd_kafka_topic_partition_list_add(by_time.get(), topic.c_str(), partition)->offset =
          now_ms - config_.backfill.count();
    }
  }
  if (by_time->cnt > 0) {
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(rk_.get(), by_time.get(), 3000);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      model_->set_kafka_state(
          false, fmt::format("looking offsets up by time: {}", rd_kafka_err2str(err)), now_ms);
      return false;
    }
    for (int i = 0; i < by_time->cnt; ++i) {
      const rd_kafka_topic_partition_t& tp = by_time->elems[i];
      if (tp.err == RD_KAFKA_RESP_ERR_NO_ERROR && tp.offset >= 0) {
        offsets[{tp.topic, tp.partition}] = tp.offset;
        continue;
      }
      // No offset by time: on Kafka, no record that recent; librdkafka's mock cluster
      // (devkafka) does not look offsets up by time at all. Read back a bounded number of
      // records instead; those older than the backfill are skipped as they arrive.
      int64_t low = 0, high = 0;
      err = rd_kafka_query_watermark_offsets(rk_.get(), tp.topic, tp.partition, &low, &high, 3000);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        model_->set_kafka_state(
            false,
            fmt::format("offsets of {}[{}]: {}", tp.topic, tp.partition, rd_kafka_err2str(err)),
            now_ms);
        return false;  // nothing assigned; the next refresh tries again
      }
      offsets[{tp.topic, tp.partition}] = std::max(low, high - config_.backfill_max_records);
    }
  }
  for (const auto& [tp, offset] : offsets) {
    next_offset_[tp] = offset;
    jumps_.expect(tp.first, tp.second, offset);
    log::info("reading {}[{}] from offset {}", tp.first, tp.second, offset);
  }
  return true;
}

bool KafkaReader::refresh(int64_t now_ms) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk_.get(), 1, nullptr, &md, 3000);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    model_->set_kafka_state(false,
                            fmt::format("no metadata from {}: {}",
                                        config_.kafka["bootstrap.servers"], rd_kafka_err2str(err)),
                            now_ms);
    return false;
  }
  std::vector<std::pair<std::string, int>> added;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = md->topics[i];
    std::string name = t.topic;
    if (name != config_.metrics_topic && name != config_.http_topic && name != config_.alerts_topic)
      continue;
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    for (int p = 0; p < t.partition_cnt; ++p) {
      if (!next_offset_.count({name, t.partitions[p].id}))
        added.emplace_back(name, t.partitions[p].id);
    }
  }
  rd_kafka_metadata_destroy(md);
  if (!added.empty() && !start_offsets(added, now_ms)) return false;
  brokers_down_ = false;
  model_->set_kafka_state(true, "", now_ms);
  if (added.empty()) return true;
  // assign() replaces the assignment: partitions already read continue at their next offset.
  kafka::TopicPartitionList list(
      rd_kafka_topic_partition_list_new(static_cast<int>(next_offset_.size())));
  for (const auto& [tp, offset] : next_offset_) {
    rd_kafka_topic_partition_list_add(list.get(), tp.first.c_str(), tp.second)->offset = offset;
  }
  err = rd_kafka_assign(rk_.get(), list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    log::error("assigning {} partitions: {}", next_offset_.size(), rd_kafka_err2str(err));
  }
  model_->set_kafka_progress(static_cast<int>(next_offset_.size()), false);
  return true;
}

void KafkaReader::handle(const rd_kafka_message_t* m, int64_t now_ms) {
  std::string topic = rd_kafka_topic_name(m->rkt);
  next_offset_[{topic, m->partition}] = m->offset + 1;
  std::string_view value(static_cast<const char*>(m->payload), m->len);
  int64_t cutoff = now_ms - config_.backfill.count();
  std::string error;
  if (topic == config_.metrics_topic) {
    if (!metric_parser_.parse(value, &metric_, &error)) {
      model_->count_bad_record(
          topic, fmt::format("partition {} offset {}: {}", m->partition, m->offset, error));
      return;
    }
    if (metric_.ts >= cutoff) model_->add_metric(metric_);
  } else if (topic == config_.http_topic) {
    if (!http_parser_.parse(value, &http_, &error)) {
      model_->count_bad_record(
          topic, fmt::format("partition {} offset {}: {}", m->partition, m->offset, error));
      return;
    }
    HttpHit hit;
    hit.ts = http_.ts;
    hit.status = http_.status;
    hit.client_ip = http_.client_ip;
    hit.path = http_.path;
    if (hit.ts >= cutoff) model_->add_http(hit);
  } else if (topic == config_.alerts_topic) {
    nlohmann::json record = nlohmann::json::parse(value, nullptr, false);
    if (record.is_discarded()) {
      error = "not JSON";
    } else if (model_->add_alert(record, &error)) {
      return;
    }
    model_->count_bad_record(
        topic, fmt::format("partition {} offset {}: {}", m->partition, m->offset, error));
  }
}

void KafkaReader::run() {
  auto next_refresh = std::chrono::steady_clock::now();
  bool caught_up = false;
  while (!stop_) {
    auto now = std::chrono::steady_clock::now();
    if (now >= next_refresh) {
      size_t assigned = next_offset_.size();
      bool ok = refresh(wall_ms());
      if (next_offset_.size() != assigned) caught_up = false;  // new partitions to read back
      bool all_topics = true;
      for (const std::string* t :
           {&config_.metrics_topic, &config_.http_topic, &config_.alerts_topic}) {
        auto it = next_offset_.lower_bound({*t, 0});
        if (it == next_offset_.end() || it->first.first != *t) all_topics = false;
      }
      // Quicker while the cluster is away or topics are missing, so the page recovers soon.
      next_refresh = now + (ok && all_topics ? std::chrono::seconds(5) : std::chrono::seconds(2));
    }
    if (brokers_down_) next_refresh = std::min(next_refresh, now + std::chrono::seconds(2));
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_.get(), 200);
    if (!m) {
      if (!caught_up && !next_offset_.empty()) {
        caught_up = true;
        model_->set_kafka_progress(static_cast<int>(next_offset_.size()), true);
      }
      continue;
    }
    jumps_.check(rk_.get(), m);
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      handle(m, wall_ms());
    } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (errors_logged_++ < 20) log::warning("kafka: {}", rd_kafka_message_errstr(m));
    }
    rd_kafka_message_destroy(m);
  }
}

}  // namespace sentinel::dashboard

// Consume → evaluate → produce → commit, with recovery on assignment.
#include "alert-engine/service.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "alert-engine/locality.h"
#include "alert-engine/recovery.h"
#include "alert-engine/repartition_topic.h"
#include "common/log.h"
#include "common/static_membership.h"
#include "common/units.h"

namespace sentinel::alerts {
namespace {

constexpr size_t kBatch = 4096;
// Watermark records: at least this often per input partition (a restarted stage 2 learns where
// every source is), and at most this often when the watermark moved without crossing a window's
// end.
constexpr auto kMarkHeartbeat = std::chrono::seconds(5);
constexpr auto kMarkInterval = std::chrono::seconds(1);

int64_t wall_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

kafka::Properties consumer_properties(const AlertsConfig& c, bool drain) {
  std::string instance = group_instance_id(c, drain);
  // Prefetch is bounded by bytes: librdkafka 2.0 stops fetching while the consumer's queue holds
  // queued.max.messages.kbytes of records or queued.min.messages records (the high-level
  // consumer's one queue, whatever the number of partitions), and a fetch adds at most
  // fetch.max.bytes (max.partition.fetch.bytes a partition). Each queued record also costs about
  // 2x its size in librdkafka's per-message ops, so RSS ~ 34 MB + 3 x kbytes: measured replaying
  // 2 M metric records from a real broker, 8 MB -> 57 MB peak RSS, 16 MB -> 80 MB, 64 MB (the
  // default, with queued.min.messages 500 000 as before) -> 179 MB. 50 000 records bounds small
  // ones. The price: librdkafka 2.0 looks at a full queue again only when its broker thread wakes
  // (up to 1 s; 2.1 added fetch.queue.backoff.ms), so a backlog is read in bursts: CPU per record
  // is unchanged, wall-clock replay is slower (bench/alerts/replay.sh prints both).
  // fetch.max.bytes: 2 MB responses instead of 50 MB, so a broker busy serving this replay
  // still answers the alerts' produce requests promptly (measured on devkafka: p99 from window
  // close to ack 30 ms instead of 45–55 ms, same throughput) and a record pins less memory.
  // All of these can be overridden in `kafka:`.
  kafka::Properties p = {
      {"auto.offset.reset", "earliest"}, {"client.id", "sentinel-alerts"},
      {"queued.min.messages", "50000"},  {"queued.max.messages.kbytes", "8192"},
      {"fetch.max.bytes", "2097152"},    {"max.partition.fetch.bytes", "1048576"}};
  if (!instance.empty()) p["session.timeout.ms"] = kafka::kStaticSessionTimeoutMs;
  for (const auto& [k, v] : c.kafka) p[k] = v;
  if (instance.empty()) {
    p.erase("group.instance.id");
  } else {
    p["group.instance.id"] = instance;
  }
  // What the guarantees rest on: commits happen by hand, after the alerts were acknowledged.
  p["group.id"] = c.group;
  p["enable.auto.commit"] = "false";
  p["enable.auto.offset.store"] = "false";
  // Partition ends are needed either way: a partition is idle only once it was read to its end.
  (void)drain;
  p["enable.partition.eof"] = "true";
  return p;
}

kafka::Properties producer_properties(const AlertsConfig& c) {
  // No librdkafka delivery timeout: an alert waits for the broker instead of being dropped.
  kafka::Properties p = {
      {"message.timeout.ms", "0"}, {"linger.ms", "1"}, {"client.id", "sentinel-alerts"}};
  for (const auto& [k, v] : c.kafka) p[k] = v;
  p["enable.idempotence"] = "true";
  p["acks"] = "all";
  return p;
}

}  // namespace

Service::Service(AlertsConfig config, ServiceOptions options)
    : config_(std::move(config)),
      options_(std::move(options)),
      engine_(std::make_unique<Engine>(config_)) {
  batch_.resize(kBatch);
  if (config_.http.enabled) http_ = std::make_unique<HttpSampler>(config_.http.normalize);
  for (const auto& r : config_.rules) {
    if (r.placement != Placement::kRekeyed) continue;
    window_specs_[r.from_http ? SourceKind::kHttp : SourceKind::kMetrics].emplace_back(
        r.window.size_ms, r.window.advance_ms);
  }
  watch_thresholds(false);  // the version loaded with the config
}

int32_t Service::slot(const char* topic, int32_t partition) const {
  if (config_.input_topic == topic) return partition;
  if (http_ && config_.http.topic == topic) return kHttpSlot + partition;
  if (rekeying() && config_.repartition.topic == topic) return kRepartitionSlot + partition;
  return -1;
}

const std::string& Service::topic_of(int32_t slot) const {
  if (slot >= kRepartitionSlot) return config_.repartition.topic;
  return slot >= kHttpSlot ? config_.http.topic : config_.input_topic;
}

int32_t Service::partition_of_slot(int32_t slot) const {
  if (slot >= kRepartitionSlot) return slot - kRepartitionSlot;
  return slot >= kHttpSlot ? slot - kHttpSlot : slot;
}

void Service::watch_thresholds(bool force) {
  if (!config_.http.enabled) return;
  auto now = MonoClock::now();
  if (!force && now < next_thresholds_check_ && next_thresholds_check_ != MonoClock::time_point{})
    return;
  bool first = next_thresholds_check_ == MonoClock::time_point{};
  next_thresholds_check_ = now + std::chrono::seconds(1);
  const std::string& path = config_.http.thresholds_path;
  FileVersion v;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    v = {true, static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
         static_cast<int64_t>(st.st_size),
         static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  }
  if (first || v == thresholds_version_) {
    thresholds_version_ = v;
    return;
  }
  thresholds_version_ = v;
  if (!v.exists) {
    log::warning("thresholds file {} is gone: keeping the thresholds in use", path);
    return;
  }
  Thresholds t;
  try {
    t = load_thresholds(path);
  } catch (const std::exception& e) {
    log::error("{}; keeping the thresholds in use", e.what());
    return;
  }
  if (t == config_.thresholds) return;
  AlertsConfig next = config_;
  apply_thresholds(&next, t);
  engine_->set_config(next, wall_ms(), &alerts_);
  config_ = std::move(next);
  size_t overrides = t.global.keys.size() + t.ip.keys.size() + t.url.keys.size();
  auto share = [](const DimensionThresholds& d) {
    auto f = [](std::optional<double> x) { return x ? fmt::format("{}", *x) : std::string("-"); };
    return fmt::format("5xx {} 4xx {}", f(d.shares.err5xx), f(d.shares.err4xx));
  };
  log::notice("thresholds reloaded from {}: global {}, ip {}, url {}, {} per-key override(s)", path,
              share(t.global), share(t.ip), share(t.url), overrides);
  publish(&alerts_);
}

Service::~Service() {
  if (output_) rd_kafka_topic_destroy(output_);
  if (repartition_) rd_kafka_topic_destroy(repartition_);
  if (consumer_queue_) rd_kafka_queue_destroy(consumer_queue_);  // before the handle it belongs to
}

bool Service::start(std::string* error) {
  kafka::Conf pconf = kafka::make_conf(producer_properties(config_), error);
  if (!pconf) return false;
  rd_kafka_conf_set_dr_msg_cb(pconf.get(), &Service::on_delivery);
  rd_kafka_conf_set_opaque(pconf.get(), this);
  producer_ = kafka::make_handle(RD_KAFKA_PRODUCER, std::move(pconf), error);
  if (!producer_) return false;
  // A topic handle made now asks for the topic's leaders at once, so the first alert does not
  // wait for that lookup (measured: up to ~0.8 s for the first alert without it).
  output_ = rd_kafka_topic_new(producer_.get(), config_.output_topic.c_str(), nullptr);
  if (!window_specs_.empty()) {
    if (!ensure_repartition_topic(config_.kafka, config_.repartition, &repartition_partitions_,
                                  error, options_.alive, options_.stopping)) {
      return false;
    }
    repartition_ = rd_kafka_topic_new(producer_.get(), config_.repartition.topic.c_str(), nullptr);
  }

  kafka::Properties cprops = consumer_properties(config_, options_.drain);
  if (cprops.count("group.instance.id")) {
    // The dev broker ignores static membership, and keeps a static member that left until its
    // session times out: a dynamic member there.
    char* cluster = rd_kafka_clusterid(producer_.get(), 3000);
    if (cluster && kafka::is_dev_broker_cluster(cluster)) {
      cprops.erase("group.instance.id");
      log::info("dev broker (librdkafka's mock cluster): joining {} as a dynamic member",
                config_.group);
    }
    if (cluster) rd_kafka_mem_free(producer_.get(), cluster);
  }
  kafka::Conf cconf = kafka::make_conf(cprops, error);
  if (!cconf) return false;
  rd_kafka_conf_set_rebalance_cb(cconf.get(), &Service::on_rebalance);
  rd_kafka_conf_set_opaque(cconf.get(), this);
  consumer_ = kafka::make_handle(RD_KAFKA_CONSUMER, std::move(cconf), error);
  if (!consumer_) return false;
  rd_kafka_poll_set_consumer(consumer_.get());
  consumer_queue_ = rd_kafka_queue_get_consumer(consumer_.get());

  subscription_.reset(rd_kafka_topic_partition_list_new(2));
  kafka::TopicPartitionList& topics = subscription_;
  rd_kafka_topic_partition_list_add(topics.get(), config_.input_topic.c_str(),
                                    RD_KAFKA_PARTITION_UA);
  if (http_) {
    rd_kafka_topic_partition_list_add(topics.get(), config_.http.topic.c_str(),
                                      RD_KAFKA_PARTITION_UA);
  }
  if (rekeying()) {
    rd_kafka_topic_partition_list_add(topics.get(), config_.repartition.topic.c_str(),
                                      RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_.get(), topics.get());
  if (err) {
    *error = fmt::format("subscribe {}{}: {}", config_.input_topic,
                         http_ ? " and " + config_.http.topic : "", rd_kafka_err2str(err));
    return false;
  }
  log::info("consuming {}{} in group {}, alerts to {}, {} rule(s){}", config_.input_topic,
            http_ ? " and " + config_.http.topic : "", config_.group, config_.output_topic,
            config_.rules.size(), config_.host_silent.enabled ? " + host_silent" : "");
  if (http_) {
    log::info("HTTP error-rate rules over {} windows, thresholds from {}",
              format_duration(std::chrono::milliseconds(config_.http.window_ms)),
              config_.http.thresholds_path);
  }
  if (rekeying()) {
    std::string names;
    for (const auto& r : config_.rules) {
      if (r.placement == Placement::kRekeyed) names += (names.empty() ? "" : ", ") + r.name;
    }
    log::info("re-keyed through {} ({} partitions): {}", config_.repartition.topic,
              repartition_partitions_, names);
  }
  return true;
}

kafka::TopicPartitionList Service::subscribed_partitions() {
  kafka::TopicPartitionList all(rd_kafka_topic_partition_list_new(16));
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(consumer_.get(), 1, nullptr, &md, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return all;
  }
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    if (t.err ||
        !rd_kafka_topic_partition_list_find(subscription_.get(), t.topic, RD_KAFKA_PARTITION_UA)) {
      continue;
    }
    for (int p = 0; p < t.partition_cnt; ++p) {
      rd_kafka_topic_partition_list_add(all.get(), t.topic, t.partitions[p].id);
    }
  }
  rd_kafka_metadata_destroy(md);
  return all;
}

void Service::on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<Service*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    self->assigned(partitions);
  } else {
    self->revoked(partitions);
    rd_kafka_assign(rk, nullptr);
  }
}

void Service::assigned(rd_kafka_topic_partition_list_t* partitions) {
  // Open alerts first, then records: the engine must know what is already in system_alerts.
  std::vector<RecoveredAlert> recovered;
  for (int attempt = 1;; ++attempt) {
    std::string error;
    if (recover_alerts(config_.kafka, config_.output_topic, std::chrono::seconds(30), &recovered,
                       &error, options_.alive)) {
      break;
    }
    log::warning("recovery of open alerts from {} failed (attempt {}): {}; retrying",
                 config_.output_topic, attempt, error);
    if (options_.stopping && options_.stopping()) return;  // not assigned: nothing to undo
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  int64_t now = wall_ms();
  engine_->restore(recovered, now);
  // The committed offsets, and what the commits carry for re-keyed rules (engine.h).
  kafka::TopicPartitionList committed(rd_kafka_topic_partition_list_copy(partitions));
  for (int attempt = 1;; ++attempt) {
    rd_kafka_resp_err_t err = rd_kafka_committed(consumer_.get(), committed.get(), 10000);
    if (!err) break;
    log::warning(
        "reading the committed offsets of {} partition(s) failed (attempt {}): {}; "
        "retrying",
        partitions->cnt, attempt, rd_kafka_err2str(err));
    if (options_.stopping && options_.stopping()) return;
    if (options_.alive) options_.alive();
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  jumps_.expect(committed.get());
  std::string names;
  std::vector<int32_t> metrics, http;
  for (int i = 0; i < committed->cnt; ++i) {
    const auto& tp = committed->elems[i];
    int32_t s = slot(tp.topic, tp.partition);
    if (s < 0) continue;
    assigned_.insert(s);
    if (s >= kRepartitionSlot) {
      // nothing to announce: stage 2 learns its sources from their watermark records
    } else if (s >= kHttpSlot) {
      http.push_back(s);
    } else {
      metrics.push_back(s);
    }
    if (tp.metadata_size > 0) {
      engine_->restore_metadata(
          s, std::string_view(static_cast<const char*>(tp.metadata), tp.metadata_size));
    }
    names += fmt::format("{}{}[{}]{}", names.empty() ? "" : " ", tp.topic, tp.partition,
                         tp.offset >= 0 ? fmt::format("@{}", tp.offset) : "");
  }
  engine_->add_partitions(metrics, SourceKind::kMetrics, now);
  engine_->add_partitions(http, SourceKind::kHttp, now);
  // Watermark records carry the partition count of their source topic; the partition of a
  // client IP's records follows from the HTTP topic's.
  for (auto [kind, topic] : {std::pair{SourceKind::kMetrics, &config_.input_topic},
                             std::pair{SourceKind::kHttp, &config_.http.topic}}) {
    if (!engine_->rekeys(kind) && !(kind == SourceKind::kHttp && http_)) continue;
    int n = topic_partitions(consumer_.get(), *topic, 5000);
    if (n > 0) source_partitions_[kind] = n;
  }
  engine_->resume_firing([&](const Rule& rule, const Labels& labels) -> int32_t {
    std::vector<std::pair<std::string_view, std::string_view>> views(labels.begin(), labels.end());
    std::string id;
    append_alert_id(&id, rule.name, views);
    int32_t s = -1;
    if (rule.placement == Placement::kRekeyed && rekeying()) {
      s = kRepartitionSlot + partition_of(id, repartition_partitions_);
    } else if (rule.from_http && rule.placement == Placement::kLocal &&
               source_partitions_.count(SourceKind::kHttp)) {
      // http_logs is keyed by client IP, placed by librdkafka's default partitioner (CRC32).
      for (const auto& [name, value] : labels) {
        if (name != "client_ip" || value.empty()) continue;
        s = kHttpSlot + rd_kafka_msg_partitioner_consistent(nullptr, value.data(), value.size(),
                                                            source_partitions_[SourceKind::kHttp],
                                                            nullptr, nullptr);
      }
    }
    return assigned_.count(s) ? s : -1;
  });
  if (rekeying()) {
    for (int32_t s : metrics) {
      if (engine_->rekeys(SourceKind::kMetrics)) marks_[s] = MarkSent{};
    }
    for (int32_t s : http) {
      if (engine_->rekeys(SourceKind::kHttp)) marks_[s] = MarkSent{};
    }
  }
  log::info("assigned {}", names);
  unowned_.assigned(consumer_.get(), partitions->cnt);
  rd_kafka_assign(consumer_.get(), partitions);
}

void Service::revoked(rd_kafka_topic_partition_list_t* partitions) {
  std::vector<int32_t> parts;
  for (int i = 0; i < partitions->cnt; ++i) {
    int32_t s = slot(partitions->elems[i].topic, partitions->elems[i].partition);
    if (s >= 0) parts.push_back(s);
  }
  send_stage_output();  // what the engine holds for Kafka goes out before the commit
  if (flush(std::chrono::seconds(10))) {
    commit_now(engine_->commit_offsets(), engine_->commit_metadata(), true);
  } else {
    log::warning(
        "revoked with alerts not yet acknowledged: offsets not committed (replayed by "
        "the next owner, without duplicates)");
  }
  snapshots_.clear();
  jumps_.forget(partitions);
  engine_->drop_partitions(parts);
  for (int32_t p : parts) {
    assigned_.erase(p);
    at_eof_.erase(p);
    committed_.erase(p);
    committed_metadata_.erase(p);
    marks_.erase(p);
    produced_to_.erase(p);
    consumed_to_.erase(p);
  }
  log::info("revoked {} partition(s)", parts.size());
}

void Service::on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* self = static_cast<Service*>(opaque);
  uint64_t seq = reinterpret_cast<uintptr_t>(m->_private);
  auto it = self->inflight_.find(seq);
  if (it == self->inflight_.end()) return;
  if (m->err) {
    ++self->stats_.delivery_errors;
    log::error("{} {} not delivered to {}: {}; producing it again",
               it->second.alert ? "alert" : "record", it->second.key,
               it->second.alert ? self->config_.output_topic : self->config_.repartition.topic,
               rd_kafka_err2str(m->err));
    it->second.retry_at = MonoClock::now() + std::chrono::seconds(1);
    self->retry_.push_back(seq);
    return;
  }
  ++self->stats_.acked;
  if (it->second.alert) {
    self->stats_.ack_latency_us.push_back(wall_us() - it->second.closed_us);
  } else {
    int64_t& last = self->produced_to_[kRepartitionSlot + m->partition];
    last = std::max(last, m->offset);
  }
  self->inflight_.erase(it);
}

void Service::produce(uint64_t seq) {
  InFlight& f = inflight_.at(seq);
  for (;;) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_.get(), RD_KAFKA_V_RKT(f.alert ? output_ : repartition_),
        RD_KAFKA_V_PARTITION(f.partition), RD_KAFKA_V_KEY(f.key.data(), f.key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(f.value.data()), f.value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_TIMESTAMP(f.ts),
        RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<uintptr_t>(seq))), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(producer_.get(), 100);
      continue;
    }
    if (err) {
      log::error("{} {}: produce: {}; retrying", f.alert ? "alert" : "record", f.key,
                 rd_kafka_err2str(err));
      f.retry_at = MonoClock::now() + std::chrono::seconds(1);
      retry_.push_back(seq);
    } else {
      ++stats_.produced;
    }
    return;
  }
}

void Service::enqueue(InFlight f) {
  uint64_t seq = next_seq_++;
  if (!f.alert) ++stats_.repartition_produced;
  inflight_.emplace(seq, std::move(f));
  produce(seq);
}

void Service::publish(std::vector<Alert>* alerts) {
  if (alerts->empty()) return;
  int64_t now = wall_us();
  for (const Alert& a : *alerts) {
    log::notice("alert {} {}: {}", a.id, a.firing ? "firing" : "resolved", a.summary);
    enqueue(InFlight{a.id, encode_alert(a), a.ts, a.closed_us > 0 ? a.closed_us : now});
  }
  alerts->clear();
}

void Service::send_stage_output() {
  if (!rekeying()) return;
  int64_t ts = wall_ms();  // retention counts from when it was written, not from event time
  for (Partial& p : engine_->take_partials()) {
    p.topic = topic_of(p.source);
    p.partition = partition_of_slot(p.source);
    int32_t r = partition_of(p.id, repartition_partitions_);
    enqueue(InFlight{p.id, encode_partial(p), ts, 0, r, false});
  }
  for (const Checkpoint& c : engine_->take_checkpoints()) {
    int32_t r = partition_of(c.id, repartition_partitions_);
    enqueue(InFlight{c.id, encode_checkpoint(c), ts, 0, r, false});
  }
}

void Service::send_marks(bool drain_turn) {
  if (!rekeying() || marks_.empty()) return;
  auto mono = MonoClock::now();
  auto progress = engine_->source_progress();
  int64_t ts = wall_ms();
  for (auto& [s, sent] : marks_) {
    auto p = progress.find(s);
    if (p == progress.end()) continue;
    SourceKind kind = s >= kHttpSlot ? SourceKind::kHttp : SourceKind::kMetrics;
    int64_t wm = p->second;
    // --drain: a partition read to its end says so once, and stays ended until it gets a record
    // (re-read marks of its own make batches non-empty: they must not flip it back, nor may
    // heartbeats keep the repartition topic, and so the drain, busy forever).
    bool end = options_.drain && at_eof_.count(s) && (drain_turn || sent.end);
    if (end && sent.end) continue;
    bool crossed = false;
    if (wm != sent.watermark) {
      for (auto [size, advance] : window_specs_[kind]) {
        // The number of window ends at or before the watermark moved: a window can close.
        if (sent.watermark == INT64_MIN ||
            floor_div(wm - size, advance) != floor_div(sent.watermark - size, advance)) {
          crossed = true;
        }
      }
    }
    bool due = sent.due || crossed || end != sent.end || mono - sent.at >= kMarkHeartbeat ||
               (wm != sent.watermark && mono - sent.at >= kMarkInterval);
    if (!due || wm == INT64_MIN) continue;
    int32_t n = source_partitions_.count(kind) ? source_partitions_[kind] : 0;
    int32_t part = partition_of_slot(s);
    if (n <= part) n = part + 1;
    SourceMark m{s, topic_of(s), part, n, wm, end, wall_us()};
    std::string value = encode_mark(m);
    std::string key = fmt::format("watermark/{}/{}", m.topic, part);
    for (int32_t r = 0; r < repartition_partitions_; ++r) {
      enqueue(InFlight{key, value, ts, 0, r, false});
    }
    sent = MarkSent{wm, mono, end, false};
  }
}

void Service::on_repartition_record(rd_kafka_message_t* m, int32_t s, int64_t now) {
  RepartitionRecord rec;
  std::string error;
  std::string_view value(static_cast<const char*>(m->payload), m->len);
  if (!decode_repartition_record(value, &rec, &error)) {
    engine_->on_bad_record(s, m->offset);
    if (bad_logged_++ < 10) {
      log::warning("{} [{}] offset {}: skipped: {}", config_.repartition.topic, m->partition,
                   m->offset, error);
    }
    return;
  }
  switch (rec.kind) {
    case RepartitionRecord::Kind::kPartial: {
      int32_t source = slot(rec.partial.topic.c_str(), rec.partial.partition);
      if (source < 0 || source >= kRepartitionSlot) {
        engine_->on_bad_record(s, m->offset);
        return;
      }
      rec.partial.source = source;
      engine_->on_partial(rec.partial, s, m->offset, now, &alerts_);
      break;
    }
    case RepartitionRecord::Kind::kMark: {
      int32_t source = slot(rec.mark.topic.c_str(), rec.mark.partition);
      if (source < 0 || source >= kRepartitionSlot) {
        engine_->on_bad_record(s, m->offset);
        return;
      }
      rec.mark.source = source;
      SourceKind kind = source >= kHttpSlot ? SourceKind::kHttp : SourceKind::kMetrics;
      engine_->on_mark(kind, rec.mark, s, m->offset, now, &alerts_);
      break;
    }
    case RepartitionRecord::Kind::kCheckpoint:
      engine_->on_checkpoint(rec.checkpoint, s, m->offset);
      break;
  }
}

void Service::poll(std::chrono::milliseconds wait) {
  // One blocking poll, then whatever is already queued, up to a batch.
  ssize_t n = rd_kafka_consume_batch_queue(consumer_queue_, static_cast<int>(wait.count()),
                                           batch_.data(), batch_.size());
  if (n < 0) n = 0;
  int64_t now = wall_ms();
  bool input_records = false;
  for (ssize_t i = 0; i < n; ++i) {
    rd_kafka_message_t* m = batch_[static_cast<size_t>(i)];
    const char* topic = m->rkt ? rd_kafka_topic_name(m->rkt) : config_.input_topic.c_str();
    int32_t s = slot(topic, m->partition);
    if (!assigned_.count(s)) {
      // Fetched before a revocation that this batch call served (librdkafka 2.0 returns them;
      // only an assignment inside the call purges the batch): the partition's state is gone,
      // and its next owner reads these records from the committed offset.
      rd_kafka_message_destroy(m);
      continue;
    }
    jumps_.check(consumer_.get(), m);
    if (m->err) {
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        at_eof_.insert(s);
        engine_->on_partition_end(s);
      } else {
        log::warning("consume {}: {}", topic, rd_kafka_message_errstr(m));
      }
      rd_kafka_message_destroy(m);
      continue;
    }
    at_eof_.erase(s);
    if (stats_.consumed == 0) {
      // When evaluation (re)starts after a start or restart; bench/restart measures up to here.
      log::info("evaluating {}[{}] from offset {}", topic, m->partition, m->offset);
    }
    ++stats_.consumed;
    if (s >= kRepartitionSlot) {
      consumed_to_[s] = m->offset + 1;
      on_repartition_record(m, s, now);
      rd_kafka_message_destroy(m);
      continue;
    }
    input_records = true;
    std::string error;
    std::string_view value(static_cast<const char*>(m->payload), m->len);
    bool http = s >= kHttpSlot;
    if (http ? http_->parse(value, &record_, &error) : parser_.parse(value, &record_, &error)) {
      engine_->on_record(record_, s, m->offset, now, &alerts_);
    } else {
      engine_->on_bad_record(s, m->offset);
      // Bad input is reported, never fatal; the first ones in full, then a count in the status.
      if ((http ? bad_http_logged_ : bad_logged_)++ < 10) {
        log::warning("{} [{}] offset {}: skipped: {}", topic, m->partition, m->offset, error);
      }
    }
    rd_kafka_message_destroy(m);
  }
  if (input_records) {
    auto t = MonoClock::now();
    if (stats_.first_record == MonoClock::time_point{}) stats_.first_record = t;
    stats_.last_record = t;
  }
  if (now - last_tick_wall_ >= 200) {
    last_tick_wall_ = now;
    engine_->on_tick(now, &alerts_);
  }
  watch_thresholds(false);
  publish(&alerts_);
  send_stage_output();
  send_marks(n <= 0);
  rd_kafka_poll(producer_.get(), 0);
  auto mono = MonoClock::now();
  while (!retry_.empty() && inflight_.count(retry_.front()) &&
         inflight_.at(retry_.front()).retry_at <= mono) {
    uint64_t seq = retry_.front();
    retry_.pop_front();
    produce(seq);
  }
  if (!retry_.empty() && !inflight_.count(retry_.front())) retry_.pop_front();
  maybe_commit(false);
  unowned_.poll(
      consumer_.get(), config_.group, [this] { return subscribed_partitions(); },
      subscription_.get());
  char fatal[512];
  if (rd_kafka_resp_err_t e = rd_kafka_fatal_error(consumer_.get(), fatal, sizeof fatal)) {
    if (fatal_error_.empty()) {
      fatal_error_ = fatal;
      fenced_ = e == RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID;
    }
  }

  if (options_.drain && drain_done(n)) {
    if (flush(std::chrono::seconds(30))) {
      maybe_commit(true);
      drained_ = true;
    }
  }
}

bool Service::drain_done(ssize_t batch) {
  if (batch > 0 || assigned_.empty() || at_eof_.size() != assigned_.size()) return false;
  if (!rekeying()) return true;
  // Stage 1: every input partition's last watermark record said it was read to its end, and
  // everything was acknowledged (so it is in the repartition topic).
  if (!inflight_.empty()) return false;
  for (const auto& [s, sent] : marks_) {
    if (!sent.end) return false;
  }
  // Stage 2: every source of every repartition partition owned said so, and what this instance
  // wrote there has been read back.
  std::vector<int32_t> reparts;
  for (int32_t s : assigned_) {
    if (s < kRepartitionSlot) continue;
    reparts.push_back(s);
    auto produced = produced_to_.find(s);
    if (produced != produced_to_.end() && consumed_to_[s] <= produced->second) return false;
  }
  return engine_->sources_ended(reparts);
}

void Service::maybe_commit(bool force) {
  auto now = MonoClock::now();
  if (force || now >= next_commit_) {
    next_commit_ = now + std::chrono::milliseconds(config_.commit_interval_ms);
    auto offsets = engine_->commit_offsets();
    auto metadata = engine_->commit_metadata();
    for (auto it = offsets.begin(); it != offsets.end();) {
      it = assigned_.count(it->first) ? std::next(it) : offsets.erase(it);
    }
    for (auto it = metadata.begin(); it != metadata.end();) {
      it = offsets.count(it->first) ? std::next(it) : metadata.erase(it);
    }
    bool changed = offsets != committed_ || metadata != committed_metadata_;
    if (!offsets.empty() && changed &&
        (snapshots_.empty() || snapshots_.back().offsets != offsets ||
         snapshots_.back().metadata != metadata)) {
      snapshots_.push_back({next_seq_, std::move(offsets), std::move(metadata)});
    }
  }
  // A snapshot may be committed once everything produced before it was acknowledged.
  while (!snapshots_.empty() &&
         (inflight_.empty() || inflight_.begin()->first >= snapshots_.front().seq)) {
    Snapshot s = std::move(snapshots_.front());
    snapshots_.pop_front();
    if (snapshots_.empty() || force) commit_now(s.offsets, s.metadata, force);
  }
}

void Service::commit_now(const std::map<int32_t, int64_t>& offsets,
                         const std::map<int32_t, std::string>& metadata, bool sync) {
  kafka::TopicPartitionList list(
      rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& [p, off] : offsets) {
    auto md = metadata.find(p);
    std::string text = md == metadata.end() ? std::string() : md->second;
    auto done = committed_.find(p);
    if (done != committed_.end() &&
        (done->second > off || (done->second == off && committed_metadata_[p] == text))) {
      continue;  // never move backwards
    }
    rd_kafka_topic_partition_t* tp =
        rd_kafka_topic_partition_list_add(list.get(), topic_of(p).c_str(), partition_of_slot(p));
    tp->offset = off;
    if (!text.empty()) {
      tp->metadata = malloc(text.size());  // freed with the list
      std::memcpy(tp->metadata, text.data(), text.size());
      tp->metadata_size = text.size();
    }
  }
  if (list->cnt == 0) return;
  rd_kafka_resp_err_t err = rd_kafka_commit(consumer_.get(), list.get(), sync ? 0 : 1);
  if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
    log::warning(
        "commit: {} (the records are replayed after a restart, without duplicate "
        "alerts)",
        rd_kafka_err2str(err));
    return;
  }
  ++stats_.commits;
  std::string text;
  for (int i = 0; i < list->cnt; ++i) {
    const auto& tp = list->elems[i];
    int32_t s = slot(tp.topic, tp.partition);
    committed_[s] = tp.offset;
    committed_metadata_[s] =
        std::string(static_cast<const char*>(tp.metadata), tp.metadata ? tp.metadata_size : 0);
    text += fmt::format(" {}[{}]={}", tp.topic, tp.partition, tp.offset);
  }
  log::debug("committed{}", text);
}

bool Service::flush(std::chrono::milliseconds timeout) {
  auto deadline = MonoClock::now() + timeout;
  while (!inflight_.empty() && MonoClock::now() < deadline) {
    rd_kafka_poll(producer_.get(), 50);
    auto mono = MonoClock::now();
    while (!retry_.empty() && inflight_.count(retry_.front()) &&
           inflight_.at(retry_.front()).retry_at <= mono) {
      uint64_t seq = retry_.front();
      retry_.pop_front();
      produce(seq);
    }
    if (!retry_.empty() && !inflight_.count(retry_.front())) retry_.pop_front();
    if (options_.alive) options_.alive();
  }
  return inflight_.empty();
}

void Service::reload(const AlertsConfig& config) {
  if (config.kafka != config_.kafka || config.input_topic != config_.input_topic ||
      config.output_topic != config_.output_topic || config.group != config_.group ||
      config.http.enabled != config_.http.enabled || config.http.topic != config_.http.topic ||
      config.input_key != config_.input_key ||
      config.repartition.enabled != config_.repartition.enabled ||
      config.repartition.topic != config_.repartition.topic) {
    log::warning(
        "reload: kafka, input, output, group, http topic and repartition settings take "
        "effect at the next start");
  }
  AlertsConfig next = config;
  next.kafka = config_.kafka;
  next.input_topic = config_.input_topic;
  next.output_topic = config_.output_topic;
  next.group = config_.group;
  next.input_key = config_.input_key;
  next.repartition = config_.repartition;
  place_rules(&next);
  std::map<SourceKind, std::vector<std::pair<int64_t, int64_t>>> specs;
  for (const auto& r : next.rules) {
    if (r.placement != Placement::kRekeyed) continue;
    specs[r.from_http ? SourceKind::kHttp : SourceKind::kMetrics].emplace_back(r.window.size_ms,
                                                                               r.window.advance_ms);
  }
  if (!specs.empty() && !rekeying()) {
    log::error(
        "reload failed, keeping the old rules: {} has rules that must be re-keyed through "
        "{}, which this instance did not subscribe at start: restart sentinel-alerts",
        config.source, config_.repartition.topic);
    return;
  }
  if (next.http.enabled != config_.http.enabled || next.http.topic != config_.http.topic) {
    // The subscription stays as it is; so do the HTTP rules and their thresholds.
    next.http = config_.http;
    next.rules.erase(std::remove_if(next.rules.begin(), next.rules.end(),
                                    [](const Rule& r) { return r.from_http; }),
                     next.rules.end());
    apply_thresholds(&next, config_.thresholds);
  }
  if (http_) http_ = std::make_unique<HttpSampler>(next.http.normalize);
  engine_->set_config(next, wall_ms(), &alerts_);
  config_ = std::move(next);
  window_specs_ = std::move(specs);
  watch_thresholds(false);
  publish(&alerts_);
  log::info("reloaded {}: {} rule(s)", config_.source, config_.rules.size());
}

void Service::shutdown(std::chrono::milliseconds timeout) {
  if (!consumer_) return;
  send_stage_output();
  bool flushed = flush(timeout);
  if (!fatal_error_.empty()) {
    // Fenced (or otherwise dead): no commit or leave is possible, nor wanted.
  } else if (flushed) {
    maybe_commit(true);
    commit_now(engine_->commit_offsets(), engine_->commit_metadata(), true);
  } else {
    log::warning(
        "stopping with {} alert(s) not acknowledged: offsets not committed; they are "
        "evaluated again at the next start",
        inflight_.size());
  }
  // A static member stays in the group after close until session.timeout.ms: leave, so that the
  // other instances take its partitions at once (a restart rejoins at once either way).
  if (fatal_error_.empty() && flushed && kafka::is_static_member(consumer_.get()) &&
      !kafka::leave_group(consumer_.get(), std::chrono::seconds(10))) {
    log::warning("could not leave group {} within 10 s: its partitions wait for session.timeout.ms",
                 config_.group);
  }
  rd_kafka_consumer_close(consumer_.get());
  rd_kafka_queue_destroy(consumer_queue_);
  consumer_queue_ = nullptr;
  consumer_.reset();
  rd_kafka_flush(producer_.get(), 1000);
}

std::string Service::status() const {
  const EngineStats& e = engine_->stats();
  std::string rekeyed;
  if (rekeying()) {
    rekeyed = fmt::format(
        "; re-keyed: {} partial(s) sent, {} merged, {} late, {} foreign, {} "
        "checkpoint(s)",
        e.partials_sent, e.partials_merged, e.partials_late, e.partials_foreign, e.checkpoints);
  }
  return fmt::format(
      "{} record(s) evaluated, {} late, {} bad; {} group(s), {} open window(s), "
      "{} open alert(s); {} alert(s) produced, {} unacknowledged{}",
      e.records, e.late, e.bad, engine_->group_count(), engine_->window_count(),
      engine_->open_alerts(), stats_.produced - stats_.repartition_produced, inflight_.size(),
      rekeyed);
}

}  // namespace sentinel::alerts

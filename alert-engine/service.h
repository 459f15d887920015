// The Kafka edges of sentinel-alerts around the pure Engine: consume system_metrics in the
// alert group, evaluate, produce alerts (idempotent producer, key = alert id, Kafka timestamp =
// ts), and commit input offsets only once every alert produced before the commit point was
// acknowledged, no further than Engine::commit_offsets() (the first record of any open window).
//
// The consumer is a static group member (group_instance_id below): killed and restarted, it gets
// its partitions back at once; a clean shutdown leaves the group so the others take over at once.
//
// On every partition assignment the open alerts are read back from system_alerts (recovery.h)
// before the first record, so a restart or a rebalance neither repeats a `firing` nor loses a
// `resolved`: windows are rebuilt by replaying input from the committed offsets and transitions
// already in the topic are not produced again. On revocation the producer is flushed and the
// safe offsets committed before the partitions' state is dropped.
//
// Re-keyed rules (docs/alerts.md, Several instances): the same consumer also reads the
// repartition topic. For the input partitions it owns the service sends the engine's partials
// and watermark records there (stage 1); for the repartition partitions it owns it feeds the
// records to the engine (stage 2) and sends the engine's checkpoints back. Everything produced —
// alerts, partials, watermark records, checkpoints — is acknowledged before a commit past the
// input that caused it, and every commit carries the engine's commit_metadata().
//
// A delivery that fails is produced again until it succeeds; offsets wait for it meanwhile.
// Single-threaded: poll() is the whole loop body.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "alert-engine/engine.h"
#include "alert-engine/http_sample.h"
#include "alert-engine/instance_id.h"
#include "alert-engine/rules.h"
#include "common/clock.h"
#include "common/kafka.h"
#include "common/kafka_offset_jumps.h"
#include "common/static_membership.h"
#include "records/system_metrics.h"

namespace sentinel::alerts {

struct ServiceOptions {
  // Stop once every assigned partition reached its end and its alerts were acknowledged
  // (benchmarks, batch re-evaluation).
  bool drain = false;
  // Called while blocking for a long time (recovery): feeds the systemd watchdog.
  std::function<void()> alive;
  // Checked while blocking: true once the process should stop.
  std::function<bool()> stopping;
};

struct ServiceStats {
  uint64_t consumed = 0;
  uint64_t produced = 0;
  uint64_t acked = 0;
  uint64_t delivery_errors = 0;
  uint64_t commits = 0;
  uint64_t repartition_produced = 0;  // partials, watermark records, checkpoints
  // Wall time from a window's close (when the engine emitted the alert; for a re-keyed rule when
  // stage 1 sent what closed it) to Kafka's ack of the alert, in µs.
  std::vector<int64_t> ack_latency_us;
  MonoClock::time_point first_record{};
  MonoClock::time_point last_record{};
};

class Service {
 public:
  Service(AlertsConfig config, ServiceOptions options);
  ~Service();

  // Creates the clients and subscribes; false with *error for bad Kafka properties. The broker
  // need not be reachable: librdkafka keeps retrying.
  bool start(std::string* error);
  // One turn of the loop: consume a batch (waiting up to `wait`), evaluate, produce, serve
  // delivery reports, tick, commit what is safe.
  void poll(std::chrono::milliseconds wait);
  // New rules (SIGHUP); the Kafka settings of the running clients stay as they are.
  void reload(const AlertsConfig& config);
  // Flush alerts (up to `timeout`), commit, leave the group.
  void shutdown(std::chrono::milliseconds timeout);

  bool drained() const { return drained_; }
  // librdkafka's fatal consumer error, "" while there is none; fenced(): the broker gave this
  // instance's group.instance.id to another consumer. Either way the instance must stop.
  const std::string& fatal_error() const { return fatal_error_; }
  bool fenced() const { return fenced_; }
  std::string status() const;
  const ServiceStats& stats() const { return stats_; }
  const EngineStats& engine_stats() const { return engine_->stats(); }

 private:
  struct InFlight {
    std::string key, value;
    int64_t ts;
    int64_t closed_us;  // alerts: wall µs of the window's close; 0 otherwise
    int32_t partition = RD_KAFKA_PARTITION_UA;  // the repartition topic's: explicit
    bool alert = true;
    MonoClock::time_point retry_at{};
  };
  // What this instance last told the repartition topic about an input partition it owns.
  struct MarkSent {
    int64_t watermark = INT64_MIN;
    MonoClock::time_point at{};
    bool end = false;
    bool due = true;  // send at the next turn (after an assignment)
  };
  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque);
  void assigned(rd_kafka_topic_partition_list_t* partitions);
  // Every partition of the subscribed topics, from metadata (empty when there is no answer).
  kafka::TopicPartitionList subscribed_partitions();
  void revoked(rd_kafka_topic_partition_list_t* partitions);
  void publish(std::vector<Alert>* alerts);
  void send_stage_output();
  void send_marks(bool drain_turn);
  void enqueue(InFlight f);
  void produce(uint64_t seq);
  void on_repartition_record(rd_kafka_message_t* m, int32_t s, int64_t now);
  bool drain_done(ssize_t batch);
  void maybe_commit(bool force);
  void commit_now(const std::map<int32_t, int64_t>& offsets,
                  const std::map<int32_t, std::string>& metadata, bool sync);
  bool flush(std::chrono::milliseconds timeout);
  void watch_thresholds(bool force);
  // The engine sees one partition space: the metrics topic's partitions as they are, the HTTP
  // topic's above kHttpSlot, the repartition topic's above kRepartitionSlot.
  static constexpr int32_t kHttpSlot = 1 << 24;
  static constexpr int32_t kRepartitionSlot = 2 << 24;
  int32_t slot(const char* topic, int32_t partition) const;  // -1: not a topic of ours
  const std::string& topic_of(int32_t slot) const;
  int32_t partition_of_slot(int32_t slot) const;
  bool rekeying() const { return repartition_partitions_ > 0; }

  AlertsConfig config_;
  ServiceOptions options_;
  std::unique_ptr<Engine> engine_;
  kafka::Handle consumer_, producer_;
  rd_kafka_topic_t* output_ = nullptr;               // the alerts topic, on producer_
  rd_kafka_topic_t* repartition_ = nullptr;          // the repartition topic, on producer_
  int repartition_partitions_ = 0;                   // 0: nothing is re-keyed
  std::map<SourceKind, int32_t> source_partitions_;  // partition counts of the input topics
  std::map<int32_t, MarkSent> marks_;                // input slots owned, feeding re-keyed rules
  std::map<int32_t, int64_t> produced_to_;           // repartition slot → last offset acked
  std::map<int32_t, int64_t> consumed_to_;           // repartition slot → next offset to read
  // Window ends of the re-keyed rules, per source kind: (size, advance).
  std::map<SourceKind, std::vector<std::pair<int64_t, int64_t>>> window_specs_;
  rd_kafka_queue_t* consumer_queue_ = nullptr;  // the consumer's queue, batch-consumed by poll()
  kafka::OffsetJumpWatch jumps_{"sentinel-alerts"};  // records deleted before they were read
  kafka::UnownedPartitionsWatch unowned_{"sentinel-alerts"};  // Kafka 2.4's lost static assignment
  kafka::TopicPartitionList subscription_;
  records::MetricParser parser_;
  std::unique_ptr<HttpSampler> http_;
  MetricRecord record_;
  struct FileVersion {
    bool exists = false;
    uint64_t dev = 0, ino = 0;
    int64_t size = 0, mtime_ns = 0;
    bool operator==(const FileVersion&) const = default;
  };
  FileVersion thresholds_version_;
  MonoClock::time_point next_thresholds_check_{};
  uint64_t bad_http_logged_ = 0;
  std::vector<rd_kafka_message_t*> batch_;
  std::vector<Alert> alerts_;
  uint64_t next_seq_ = 1;
  std::map<uint64_t, InFlight> inflight_;  // produced, not yet acknowledged
  std::deque<uint64_t> retry_;
  struct Snapshot {
    uint64_t seq;  // everything produced below this seq must be acknowledged first
    std::map<int32_t, int64_t> offsets;
    std::map<int32_t, std::string> metadata;
  };
  std::deque<Snapshot> snapshots_;
  std::map<int32_t, int64_t> committed_;
  std::map<int32_t, std::string> committed_metadata_;
  std::set<int32_t> assigned_, at_eof_;
  bool drained_ = false;
  std::string fatal_error_;
  bool fenced_ = false;
  int64_t last_tick_wall_ = 0;
  MonoClock::time_point next_commit_{};
  ServiceStats stats_;
  uint64_t bad_logged_ = 0;
};

}  // namespace sentinel::alerts

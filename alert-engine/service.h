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
#include "alert-engine/metric_record.h"
#include "alert-engine/rules.h"
#include "common/clock.h"
#include "common/kafka.h"
#include "common/static_membership.h"
#include "common/kafka_offset_jumps.h"

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
  // Wall time from a window's close (when the engine emitted the alert) to Kafka's ack, in µs.
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
    MonoClock::time_point closed;
    MonoClock::time_point retry_at{};
  };
  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque);
  void assigned(rd_kafka_topic_partition_list_t* partitions);
  // Every partition of the subscribed topics, from metadata (empty when there is no answer).
  kafka::TopicPartitionList subscribed_partitions();
  void revoked(rd_kafka_topic_partition_list_t* partitions);
  void publish(std::vector<Alert>* alerts);
  void produce(uint64_t seq);
  void maybe_commit(bool force);
  void commit_now(const std::map<int32_t, int64_t>& offsets, bool sync);
  bool flush(std::chrono::milliseconds timeout);
  void watch_thresholds(bool force);
  // The engine sees one partition space: the metrics topic's partitions as they are, the HTTP
  // topic's above kHttpSlot.
  static constexpr int32_t kHttpSlot = 1 << 24;
  int32_t slot(const char* topic, int32_t partition) const;
  const std::string& topic_of(int32_t slot) const;

  AlertsConfig config_;
  ServiceOptions options_;
  std::unique_ptr<Engine> engine_;
  kafka::Handle consumer_, producer_;
  rd_kafka_topic_t* output_ = nullptr;           // the alerts topic, on producer_
  rd_kafka_queue_t* consumer_queue_ = nullptr;  // the consumer's queue, batch-consumed by poll()
  kafka::OffsetJumpWatch jumps_{"sentinel-alerts"};  // records deleted before they were read
  kafka::UnownedPartitionsWatch unowned_{"sentinel-alerts"};  // Kafka 2.4's lost static assignment
  kafka::TopicPartitionList subscription_;
  MetricParser parser_;
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
    uint64_t seq;  // every alert below this seq must be acknowledged first
    std::map<int32_t, int64_t> offsets;
  };
  std::deque<Snapshot> snapshots_;
  std::map<int32_t, int64_t> committed_;
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

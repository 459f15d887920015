// The dashboard's in-memory picture of the cluster: per-host ring buffers of the charted metrics,
// each host's state, the alerts (firing first, then a bounded resolved history), per-second HTTP
// counters with the top offending client IPs and URLs, and the health of Kafka and of
// sentinel-connect. Every structure is bounded (hosts, slots per series, keys per minute, resolved
// alerts), so memory does not grow with time or traffic.
//
// Thread-safe: the Kafka reader and the connect poller write, the HTTP threads read JSON
// snapshots. Time is always a parameter (`now_ms`), so tests drive the model with a fake clock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "records/system_metrics.h"
#include "records/url_key.h"

namespace sentinel::dashboard {

struct ModelLimits {
  std::chrono::milliseconds history{std::chrono::minutes(15)};    // what charts show
  std::chrono::milliseconds resolution{std::chrono::seconds(1)};  // one slot per step
  std::chrono::milliseconds host_silent_after{std::chrono::seconds(60)};
  std::chrono::milliseconds top_window{std::chrono::minutes(5)};
  size_t max_hosts = 1000;
  size_t resolved_alerts = 200;
  size_t top_keys_per_minute = 5000;  // distinct IPs (and URLs) counted per minute
  size_t top_n = 10;
};

// One value per resolution step over a fixed window; a newer value for the same step replaces
// the older one. Slots are allocated on the first point.
class Ring {
 public:
  Ring(size_t slots, int64_t step_ms) : slots_(slots), step_ms_(step_ms) {}
  void put(int64_t ts_ms, double value);
  // Points with a time >= from_ms, oldest first, as (step start in ms, value).
  void collect(int64_t from_ms, std::vector<std::pair<int64_t, double>>* out) const;
  std::optional<std::pair<int64_t, double>> latest() const;

 private:
  size_t slots_;
  int64_t step_ms_;
  std::vector<int64_t> step_;  // step number held by each slot, -1 when empty
  std::vector<float> value_;
  int64_t newest_step_ = -1;
};

// One http_logs record, as the dashboard needs it.
struct HttpHit {
  int64_t ts = 0;
  int status = 0;
  std::string_view client_ip;
  std::string_view path;  // as logged; the model keys it as the alert engine does
};

class Model {
 public:
  explicit Model(const ModelLimits& limits = {});

  // --- writers (the Kafka reader, the connect poller) ---
  void add_metric(const records::MetricRecord& record);
  void add_http(const HttpHit& hit);
  // One system_alerts record (already parsed); false with *error when records/ does not read it
  // as an alert (no id, no state).
  bool add_alert(const nlohmann::json& record, std::string* error);
  void count_bad_record(const std::string& topic, const std::string& error);
  void set_kafka_state(bool ok, const std::string& error, int64_t now_ms);
  void set_kafka_progress(int assigned_partitions, bool backfill_done);
  // `connectors` is sentinel-connect's GET /connectors?expand=status answer when ok.
  void set_connect_state(bool ok, const std::string& error, const nlohmann::json& connectors,
                         int64_t now_ms);

  // --- readers (HTTP threads) ---
  nlohmann::json hosts_json(int64_t now_ms) const;
  // Series of `host` with points at or after since_ms (bounded by the history window); null
  // when the host is unknown. {"host":..,"cpu":[[t..],[v..]],"mem":..,"disk":..,
  // "net":[[t..],[rx..],[tx..]]}; t in ms.
  nlohmann::json series_json(const std::string& host, int64_t since_ms, int64_t now_ms) const;
  nlohmann::json alerts_json() const;
  // Per-second requests, 4xx and 5xx over the history (or since since_ms), last-minute totals,
  // and the top offending client IPs and URLs over the top window.
  nlohmann::json http_json(int64_t now_ms, int64_t since_ms = 0) const;
  nlohmann::json connectors_json() const;
  nlohmann::json health_json(int64_t now_ms) const;
  // Everything the page needs at once; the SSE tick is this with the HTTP series limited to the
  // last `http_since_ms`.
  nlohmann::json state_json(int64_t now_ms, int64_t http_since_ms = 0) const;

  // Alerts change → version changes; waiters wake at once (an injected alert reaches browsers
  // without waiting for the next tick).
  uint64_t alerts_version() const;
  // Waits until alerts_version() != seen, wake_all(), or the timeout; returns the version.
  uint64_t wait_alerts_change(uint64_t seen, std::chrono::milliseconds timeout) const;
  void wake_all() const;

 private:
  records::PathNormalizer url_keys_;  // the default URL keys, as the alert engine's
  struct Host {
    explicit Host(size_t slots, int64_t step);
    int64_t last_seen = 0;
    Ring cpu, mem, disk, rx, tx;
    std::map<std::string, double, std::less<>> disk_used;                // mount → used_pct
    std::map<std::string, std::pair<double, double>, std::less<>> nics;  // rx, tx bytes/s
  };
  struct HttpSecond {
    int64_t second = -1;
    uint32_t requests = 0, c4xx = 0, c5xx = 0;
  };
  struct KeyCount {
    uint32_t requests = 0, c4xx = 0, c5xx = 0;
  };
  struct Minute {
    int64_t minute = -1;
    std::unordered_map<std::string, KeyCount> ips, urls;
    KeyCount other_ips, other_urls;  // keys past the per-minute bound
  };

  Host* host_for(std::string_view name, int64_t ts);
  std::string host_state(const std::string& name, const Host& h, int64_t now_ms,
                         const std::vector<std::string>& alerting) const;
  nlohmann::json http_json_locked(int64_t now_ms, int64_t since_ms) const;
  nlohmann::json alerts_json_locked() const;
  nlohmann::json hosts_json_locked(int64_t now_ms) const;
  nlohmann::json health_json_locked(int64_t now_ms) const;
  static void count(std::unordered_map<std::string, KeyCount>* map, KeyCount* other,
                    std::string_view key, int status, size_t bound);

  ModelLimits limits_;
  size_t slots_;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  mutable uint64_t wakeups_ = 0;
  std::map<std::string, Host, std::less<>> hosts_;
  uint64_t hosts_dropped_ = 0;
  std::map<std::string, nlohmann::json> firing_;
  std::deque<nlohmann::json> resolved_;  // newest first
  uint64_t alerts_version_ = 0;
  std::vector<HttpSecond> http_seconds_;
  std::vector<Minute> minutes_;
  uint64_t metrics_records_ = 0, http_records_ = 0, alert_records_ = 0, bad_records_ = 0;
  std::string last_bad_;
  bool kafka_ok_ = false;
  bool kafka_known_ = false;
  std::string kafka_error_;
  int64_t kafka_since_ = 0;
  int kafka_partitions_ = 0;
  bool backfill_done_ = false;
  bool connect_known_ = false;
  bool connect_ok_ = false;
  std::string connect_error_;
  int64_t connect_checked_ = 0, connect_since_ = 0;
  nlohmann::json connectors_ = nlohmann::json::array();
};

}  // namespace sentinel::dashboard

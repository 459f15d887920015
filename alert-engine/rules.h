// alerts.yaml: the windowed threshold rules and the absence rule sentinel-alerts evaluates, plus
// the engine's time and Kafka settings. Validated as a whole, so a reload takes every change or
// none.
//
//   kafka: {bootstrap.servers: "…"}          # any librdkafka property, for both clients
//   input: {topic: system_metrics, group: alert-group, instance_id: web-1,   # id: host name
//           key: resource}                    # what system_metrics is keyed by (locality.h)
//   repartition: {enabled: true, topic: sentinel-alerts-repartition, partitions: 12,
//                 replication_factor: -1, retention: 24h}   # docs/alerts.md, Several instances
//   output: {topic: system_alerts}
//   time: {allowed_lateness: 5s, idle_timeout: 30s}
//   commit_interval: 1s
//   rules:
//     cpu_high:                               # the rule's name, first part of the alert id
//       resource: cpu
//       metric: usage_pct
//       match: {cpu: total}                   # tag equality matchers
//       group_by: [host]                      # "host" or tag names; labels and id follow it
//       window: 60s                           # tumbling; add `advance: 20s` for hopping
//       agg: avg                              # avg min max last sum count rate p50 p95 p99
//       above: 90                             # or below:
//       resolve: 80                           # hysteresis: resolves once not above 80
//       for: 2                                # consecutive breaching windows before firing
//       keep_firing_for: 0s
//       flapping: {max_firings: 3, window: 30m}   # held firing while it flaps
//       severity: critical
//       summary: "cpu usage {value} > {threshold} over {window} on {host}"
//         # also {rule} {resource} {metric} {agg} {op} {cmp} (">" firing, "<=" resolved)
//         # {count} (records in the window) {severity} {state} {labels} and each label
//   host_silent: {after: 60s, severity: warning}
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "alert-engine/thresholds_file.h"
#include "common/config.h"
#include "common/kafka.h"
#include "records/url_key.h"

namespace sentinel::alerts {

// The http: section configures the URL key of records/ (normalize:).
using records::PathNormalization;

enum class Agg { kAvg, kMin, kMax, kLast, kSum, kCount, kRate, kP50, kP95, kP99 };
enum class Op { kAbove, kBelow };

// Where a rule's groups are evaluated (locality.h decides).
enum class Placement {
  kLocal,            // every group's records are in one input partition: evaluated where read
  kCrossPartitions,  // spread over partitions, re-keying off: windows wait for every partition
                     // of this instance (exact with one instance only)
  kRekeyed,          // spread over partitions: per-partition partials through the repartition
                     // topic, merged and judged by the one instance owning the group
};

const char* agg_name(Agg agg);

// Windows are [start, start + size), aligned to the epoch, starting every `advance` ms;
// tumbling when advance == size.
struct WindowSpec {
  int64_t size_ms = 60000;
  int64_t advance_ms = 60000;
};

struct Rule {
  std::string name;
  std::string resource;
  std::string metric;
  std::vector<std::pair<std::string, std::string>> match;  // tag == value
  std::vector<std::string> group_by;                       // "host" or tag names
  WindowSpec window;
  Agg agg = Agg::kAvg;
  Op op = Op::kAbove;
  double threshold = 0;
  std::optional<double> resolve;  // hysteresis threshold
  int for_windows = 1;
  int64_t keep_firing_for_ms = 0;
  int flap_max_firings = 0;  // 0: flap damping off
  int64_t flap_window_ms = 0;
  std::string severity = "warning";
  std::string summary;
  std::string where;  // "alerts.yaml:12", for messages about the rule

  // Windows with fewer records than this are clear whatever their value (an error share from
  // one request says nothing), and a firing group whose records stop is resolved by an empty
  // window instead of firing through the gap.
  int64_t min_count = 0;
  // Set by place_rules() (locality.h) from the input's key and the repartition settings.
  Placement placement = Placement::kLocal;
  // Per-key thresholds: the value of label `key_label` selects an override of `threshold`.
  std::string key_label;
  std::unordered_map<std::string, double> key_thresholds;
  bool from_http = false;  // generated from the http: section and the thresholds file
};

// The http: section: error-rate rules over http_logs, generated per status class × dimension
// (http_5xx_global, http_4xx_ip, http_5xx_url, …) with thresholds from the thresholds file.
//
//   http:
//     topic: http_logs
//     thresholds: /etc/sentinel/thresholds.json   # re-read when it changes
//     window: 60s
//     min_requests: {global: 50, ip: 20, url: 20}
//     dimensions: [global, ip, url]
//     classes: [5xx, 4xx]
//     for: 1
//     severity: {5xx: critical, 4xx: warning}
//     normalize: {ids: true, uuids: true, hex: true, max_segments: 8,
//                 rules: [{pattern: "[a-z0-9-]+\\.html", replace: "{page}"}]}
struct HttpConfig {
  bool enabled = false;
  std::string topic = "http_logs";
  std::string thresholds_path;
  int64_t window_ms = 60000;
  int64_t min_requests[3] = {50, 20, 20};  // by Dimension: global, ip, url
  std::vector<Dimension> dimensions = {Dimension::kGlobal, Dimension::kIp, Dimension::kUrl};
  std::vector<StatusClass> classes = {StatusClass::k5xx, StatusClass::k4xx};
  int for_windows = 1;
  std::string severity_5xx = "critical";
  std::string severity_4xx = "warning";
  PathNormalization normalize;
  std::string where;
};

// The resource and metric names HTTP records are evaluated as (see http_sample.h).
inline constexpr const char* kHttpResource = "http";

// A host that sends nothing for `after` (wall clock) fires `name`/host=…; resolves when it returns.
struct HostSilentRule {
  bool enabled = true;
  std::string name = "host_silent";
  int64_t after_ms = 60000;
  std::string severity = "warning";
  std::string summary = "no metrics from {host} for {value}s";
};

// What system_metrics records are keyed by (the agent's `key:`); decides which rules are
// partition-local. kOther: any other producer — no metric rule is assumed local.
enum class InputKey { kResource, kHost, kHostResource, kOther };

// The internal topic re-keyed rules go through (docs/alerts.md, Several instances).
struct RepartitionConfig {
  bool enabled = true;
  std::string topic = "sentinel-alerts-repartition";
  int partitions = 12;
  int replication_factor = -1;  // the broker's default
  int64_t retention_ms = 24 * 3600 * 1000LL;
};

struct AlertsConfig {
  std::string source;
  kafka::Properties kafka;  // as written (bootstrap override applied)
  std::string input_topic = "system_metrics";
  std::string group = "alert-group";
  // input.instance_id: this instance's identity in the group (static membership); empty: the
  // host name. Two live instances must not share one.
  std::string instance_id;
  InputKey input_key = InputKey::kResource;
  RepartitionConfig repartition;
  std::string output_topic = "system_alerts";
  int64_t allowed_lateness_ms = 5000;
  int64_t idle_timeout_ms = 30000;
  int64_t commit_interval_ms = 1000;
  std::vector<Rule> rules;
  HostSilentRule host_silent;
  HttpConfig http;
  Thresholds thresholds;  // as loaded from http.thresholds (empty when the file is missing)
  std::vector<std::string> warnings;  // unknown keys, with file:line
};

std::string http_rule_name(StatusClass c, Dimension d);  // "http_5xx_ip"
bool thresholds_file_exists(const std::string& path);

// Replaces the generated HTTP rules of `config` by ones built from `thresholds`.
void apply_thresholds(AlertsConfig* config, const Thresholds& thresholds);

// Load and validate; throw ConfigError "config error: alerts.yaml:12: rules.cpu_high.agg: …".
// With an http: section the thresholds file is loaded too (a missing file is a warning: the HTTP
// rules wait for it; an invalid one is an error).
// A non-empty `bootstrap_override` replaces kafka.bootstrap.servers.
AlertsConfig load_alerts_config(const std::string& path, const std::string& bootstrap_override);
AlertsConfig parse_alerts_config(const ConfigFile& file, const std::string& bootstrap_override);

// True when `value` breaches `threshold` in the rule's direction.
inline bool breaches(Op op, double value, double threshold) {
  return op == Op::kAbove ? value > threshold : value < threshold;
}

}  // namespace sentinel::alerts

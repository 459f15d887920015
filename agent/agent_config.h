// agent.yaml: what sentinel-agent reads, with defaults, validated as a whole so that a reload
// either takes every change or none.
//
//   host: web-1                     # default: this machine's hostname
//   interval: 10s
//   topic: system_metrics
//   key: resource                   # resource | host | host_resource
//   kafka: {bootstrap.servers: "…", compression.type: lz4, …}   # any librdkafka property
//   buffer: {max_bytes: 16MB}
//   shutdown_timeout: 5s
//   create_topics: {partitions: 3, replication_factor: 1, retention: 24h}
//   paths: {proc: /proc, sys: /sys}
//   collectors: {cpu: {per_core: true}, disk: {enabled: false}, …}
//   logs: {files: {nginx: {paths: [/var/log/nginx/access.log], format: combined}}, …}  (see
//   config/agent.yaml)
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "agent/collectors/collector.h"
#include "agent/logs/log_shipper.h"
#include "agent/record.h"
#include "common/config.h"
#include "common/kafka.h"

namespace sentinel::agent {

struct AgentConfig {
  std::string source;  // the file it came from
  std::string host;
  std::chrono::milliseconds interval{10000};
  std::string topic = "system_metrics";
  KeyMode key_mode = KeyMode::kResource;
  kafka::Properties kafka;  // librdkafka properties as written (bootstrap override applied)
  uint64_t buffer_max_bytes = 16 * 1024 * 1024;
  std::chrono::milliseconds shutdown_timeout{5000};
  kafka::TopicSpec topic_spec;
  HostPaths paths;
  std::vector<std::unique_ptr<Collector>> collectors;
  LogsConfig logs;                    // access logs; none unless logs.files is set
  std::vector<std::string> warnings;  // unknown keys, with file:line
};

// Loads and validates `path`; throws ConfigError. A non-empty `bootstrap_override` replaces
// kafka.bootstrap.servers (the --bootstrap-servers flag).
AgentConfig load_agent_config(const std::string& path, const std::string& bootstrap_override);
AgentConfig parse_agent_config(const ConfigFile& file, const std::string& bootstrap_override);

// The librdkafka properties the agent's producer runs with: Sentinel's defaults (idempotence,
// no librdkafka timeout or 1 GB queue — the agent bounds memory itself), then the user's.
kafka::Properties producer_properties(const AgentConfig& config);

}  // namespace sentinel::agent

// Loading agent.yaml.
#include "agent/agent_config.h"

#include <unistd.h>

#include <fmt/format.h>

namespace sentinel::agent {
namespace {

std::string system_hostname() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

}  // namespace

AgentConfig parse_agent_config(const ConfigFile& file, const std::string& bootstrap_override) {
  ConfigNode root = file.root();
  AgentConfig c;
  c.source = file.name();
  c.host = root.get_string("host", "");
  if (c.host.empty()) c.host = system_hostname();
  c.interval = root.get_duration("interval", c.interval);
  if (c.interval < std::chrono::milliseconds(100)) {
    root.fail("interval", "must be at least 100ms");
  }
  c.topic = root.get_string("topic", c.topic);
  if (c.topic.empty()) root.fail("topic", "must not be empty");
  std::string key = root.get_choice("key", "resource", {"resource", "host", "host_resource"});
  c.key_mode = key == "host" ? KeyMode::kHost
               : key == "host_resource" ? KeyMode::kHostResource
                                        : KeyMode::kResource;
  c.kafka = root.get_string_map("kafka");
  if (!bootstrap_override.empty()) c.kafka["bootstrap.servers"] = bootstrap_override;
  if (c.kafka["bootstrap.servers"].empty()) {
    root.fail("kafka", "bootstrap.servers is not set (set kafka.bootstrap.servers or pass "
                       "--bootstrap-servers)");
  }
  // Validate every librdkafka property now, so a typo fails the load (and a reload keeps the old
  // config), not the producer later.
  std::string error;
  if (!kafka::make_conf(producer_properties(c), &error)) root.fail("kafka", error);

  ConfigNode buffer = root.child("buffer");
  c.buffer_max_bytes = buffer.get_bytes("max_bytes", c.buffer_max_bytes);
  if (c.buffer_max_bytes < 64 * 1024) buffer.fail("max_bytes", "must be at least 64KB");
  c.shutdown_timeout = root.get_duration("shutdown_timeout", c.shutdown_timeout);

  ConfigNode create = root.child("create_topics");
  c.topic_spec.name = c.topic;
  c.topic_spec.partitions = static_cast<int>(create.get_int("partitions", 3, 1, 100000));
  c.topic_spec.replication_factor =
      static_cast<int>(create.get_int("replication_factor", 1, 1, 100));
  auto retention = create.get_duration("retention", std::chrono::hours(24));
  c.topic_spec.config["retention.ms"] = std::to_string(retention.count());

  ConfigNode paths = root.child("paths");
  c.paths.proc = paths.get_string("proc", c.paths.proc);
  c.paths.sys = paths.get_string("sys", c.paths.sys);

  ConfigNode collectors = root.child("collectors");
  for (const CollectorEntry& entry : collector_registry()) {
    ConfigNode options = collectors.child(entry.name);
    if (!options.get_bool("enabled", true)) continue;
    c.collectors.push_back(entry.make(options, c.paths));
  }
  c.warnings = file.unknown_keys();
  return c;
}

AgentConfig load_agent_config(const std::string& path, const std::string& bootstrap_override) {
  return parse_agent_config(ConfigFile::load(path), bootstrap_override);
}

kafka::Properties producer_properties(const AgentConfig& config) {
  kafka::Properties props = {
      {"client.id", "sentinel-agent"},
      {"enable.idempotence", "true"},
      // The agent keeps records until the broker takes them; it bounds memory itself
      // (buffer.max_bytes) and drops the oldest beyond that, counted.
      {"message.timeout.ms", "0"},
      {"queue.buffering.max.kbytes", std::to_string(std::max<uint64_t>(config.buffer_max_bytes / 1024, 64))},
      {"linger.ms", "50"},
  };
  for (const auto& [k, v] : config.kafka) props[k] = v;
  return props;
}

}  // namespace sentinel::agent

// Loading agent.yaml.
#include "agent/agent_config.h"

#include <fmt/format.h>
#include <unistd.h>

namespace sentinel::agent {
namespace {

std::string system_hostname() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

void parse_logs(const ConfigNode& logs, LogsConfig* out) {
  if (!logs.defined()) return;
  out->topic = logs.get_string("topic", out->topic);
  out->invalid_topic = logs.get_string("invalid_topic", out->invalid_topic);
  if (out->topic.empty()) logs.fail("topic", "must not be empty");
  if (out->invalid_topic.empty()) logs.fail("invalid_topic", "must not be empty");
  out->publish_invalid = logs.get_choice("invalid", "publish", {"publish", "drop"}) == "publish";
  out->read_from_beginning =
      logs.get_choice("read_from", "end", {"end", "beginning"}) == "beginning";
  out->state_dir = logs.get_string("state_dir", out->state_dir);
  out->poll_interval = logs.get_duration("poll_interval", out->poll_interval);
  if (out->poll_interval < std::chrono::milliseconds(10))
    logs.fail("poll_interval", "must be at least 10ms");
  out->rotate_wait = logs.get_duration("rotate_wait", out->rotate_wait);
  out->checkpoint_interval = logs.get_duration("checkpoint_interval", out->checkpoint_interval);
  out->max_inflight_bytes = logs.get_bytes("max_inflight_bytes", out->max_inflight_bytes);
  if (out->max_inflight_bytes < 64 * 1024) logs.fail("max_inflight_bytes", "must be at least 64KB");
  ConfigNode files = logs.child("files");
  for (const std::string& name : files.keys()) {
    ConfigNode f = files.child(name);
    LogSource source;
    source.name = name;
    source.paths = f.get_strings("paths", {});
    if (source.paths.empty())
      f.fail("paths", "expected a list of files or globs, e.g. [/var/log/nginx/access.log]");
    for (const auto& p : source.paths) {
      if (p.empty() || p[0] != '/')
        f.fail("paths", fmt::format("\"{}\": expected an absolute path", p));
    }
    std::string error;
    auto format = AccessLogFormat::compile(f.get_string("format", "combined"), &error);
    if (!format) f.fail("format", error);
    source.format = std::move(*format);
    out->sources.push_back(std::move(source));
  }
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
  c.key_mode = key == "host"            ? KeyMode::kHost
               : key == "host_resource" ? KeyMode::kHostResource
                                        : KeyMode::kResource;
  c.kafka = root.get_string_map("kafka");
  if (!bootstrap_override.empty()) c.kafka["bootstrap.servers"] = bootstrap_override;
  if (c.kafka["bootstrap.servers"].empty()) {
    root.fail("kafka",
              "bootstrap.servers is not set (set kafka.bootstrap.servers or pass "
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
  parse_logs(root.child("logs"), &c.logs);
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
      {"queue.buffering.max.kbytes",
       std::to_string(std::max<uint64_t>(config.buffer_max_bytes / 1024, 64))},
      {"linger.ms", "50"},
  };
  for (const auto& [k, v] : config.kafka) props[k] = v;
  return props;
}

}  // namespace sentinel::agent

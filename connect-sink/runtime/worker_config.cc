// Worker .properties → WorkerConfig.
#include "connect-sink/runtime/worker_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "common/kafka.h"
#include "connect-sink/runtime/connector_config.h"

namespace sentinel::connect {
namespace {

// Connect worker keys that a sink-only standalone worker accepts and does not need.
const std::set<std::string> kIgnored = {"offset.storage.file.filename",
                                        "offset.flush.timeout.ms",
                                        "header.converter",
                                        "access.control.allow.origin",
                                        "access.control.allow.methods",
                                        "admin.listeners",
                                        "rest.extension.classes",
                                        "client.dns.lookup",
                                        "config.providers",
                                        "metric.reporters",
                                        "metrics.num.samples",
                                        "metrics.recording.level",
                                        "metrics.sample.window.ms",
                                        "response.http.headers.config",
                                        "scheduled.rebalance.max.delay.ms",
                                        "client.id",
                                        "worker.sync.timeout.ms",
                                        "worker.unsync.backoff.ms",
                                        "exactly.once.source.support",
                                        "connections.max.idle.ms",
                                        "receive.buffer.bytes",
                                        "send.buffer.bytes",
                                        "request.timeout.ms",
                                        "reconnect.backoff.ms",
                                        "reconnect.backoff.max.ms",
                                        "retry.backoff.ms",
                                        "auto.include.jmx.reporter",
                                        "internal.key.converter",
                                        "internal.value.converter"};

int64_t to_int(const PropertiesFile& file, const std::string& key, const std::string& value,
               int64_t min) {
  try {
    size_t used = 0;
    long long v = std::stoll(value, &used);
    if (used == value.size() && v >= min) return v;
  } catch (...) {
  }
  throw WorkerConfigError(
      fmt::format("config error: {}: {} \"{}\": expected a whole number of at least {}",
                  file.where(key), key, value, min));
}

bool to_bool(const PropertiesFile& file, const std::string& key, const std::string& value) {
  if (value == "true") return true;
  if (value == "false") return false;
  throw WorkerConfigError(fmt::format("config error: {}: {} \"{}\": expected true or false",
                                      file.where(key), key, value));
}

ConverterSpec converter(const PropertiesFile& file, const std::map<std::string, std::string>& map,
                        const std::string& key, std::vector<std::string>* warnings) {
  ConverterSpec spec;
  auto it = map.find(key);
  if (it == map.end()) {
    warnings->push_back(
        fmt::format("{}: {} is not set; using org.apache.kafka.connect.storage.StringConverter "
                    "(Kafka Connect requires this key)",
                    file.name, key));
  } else {
    auto kind = converter_kind(it->second);
    if (!kind) {
      throw WorkerConfigError(fmt::format("config error: {}: {} \"{}\": expected one of {}",
                                          file.where(key), key, it->second,
                                          converter_class_names()));
    }
    spec.kind = *kind;
  }
  if (auto s = map.find(key + ".schemas.enable"); s != map.end()) {
    spec.schemas_enable = to_bool(file, s->first, s->second);
  }
  return spec;
}

// The REST server's bounds (http_limits.h): byte counts, counts and milliseconds, each with a floor
// below which the server could not serve an ordinary request.
template <typename Get>
void parse_rest_limits(const PropertiesFile& file, Get& get, HttpLimits* limits) {
  auto size = [&](const char* key, size_t* out, int64_t min) {
    if (auto v = get(key)) *out = static_cast<size_t>(to_int(file, key, *v, min));
  };
  auto millis = [&](const char* key, std::chrono::milliseconds* out, int64_t min) {
    if (auto v = get(key)) *out = std::chrono::milliseconds(to_int(file, key, *v, min));
  };
  size("sentinel.rest.max.body.bytes", &limits->max_body_bytes, 1024);
  size("sentinel.rest.max.header.bytes", &limits->max_header_bytes, 1024);
  size("sentinel.rest.max.headers", &limits->max_headers, 8);
  millis("sentinel.rest.header.timeout.ms", &limits->header_timeout, 100);
  millis("sentinel.rest.request.timeout.ms", &limits->request_timeout, 100);
  millis("sentinel.rest.idle.timeout.ms", &limits->idle_timeout, 100);
  size("sentinel.rest.max.connections", &limits->max_connections, 1);
  size("sentinel.rest.max.connections.per.client", &limits->max_connections_per_client, 1);
}

// The keys of a distributed worker (Kafka Connect's DistributedConfig) that this file reads.
const char* const kDistributedKeys[] = {"config.storage.topic",
                                        "status.storage.topic",
                                        "offset.storage.topic",
                                        "config.storage.replication.factor",
                                        "status.storage.replication.factor",
                                        "offset.storage.replication.factor",
                                        "status.storage.partitions",
                                        "offset.storage.partitions",
                                        "rest.advertised.listener",
                                        "session.timeout.ms",
                                        "heartbeat.interval.ms",
                                        "rebalance.timeout.ms"};

// group.id and the storage keys → DistributedSettings. Without group.id the worker is standalone
// and the storage keys are noted as ignored (Connect's standalone worker ignores them too).
template <typename Get>
std::optional<DistributedSettings> parse_distributed(const PropertiesFile& file, Get& get,
                                                     const WorkerConfig& c,
                                                     std::vector<std::string>* notes) {
  auto fail = [&](const std::string& key, const std::string& value, const std::string& expected) {
    throw WorkerConfigError(
        fmt::format("config error: {}: {} \"{}\": {}", file.where(key), key, value, expected));
  };
  auto group = get("group.id");
  if (!group) {
    for (const char* key : kDistributedKeys) {
      if (!get(key)) continue;
      if (key == std::string("rest.advertised.listener")) {
        notes->push_back(
            fmt::format("{}: {} is not used by this sink-only standalone worker (ignored)",
                        file.where(key), key));
      } else {
        notes->push_back(fmt::format(
            "{}: {} is only used by a distributed worker (group.id is not set; ignored)",
            file.where(key), key));
      }
    }
    return std::nullopt;
  }
  DistributedSettings d;
  if (group->empty())
    fail("group.id", *group, "expected the name of the workers' group, such as connect-cluster");
  d.group_id = *group;
  // Required, as in Connect: a distributed worker keeps its state in these topics.
  auto topic = [&](const char* key, const char* example, std::string* out) {
    auto v = get(key);
    if (!v || v->empty()) {
      throw WorkerConfigError(fmt::format(
          "config error: {}: {} is {}: a distributed worker (group.id {}) needs it; expected a "
          "topic name such as {}",
          v ? file.where(key) : file.name, key, v ? "empty" : "not set", d.group_id, example));
    }
    *out = *v;
  };
  topic("config.storage.topic", "connect-configs", &d.config_topic);
  topic("offset.storage.topic", "connect-offsets", &d.offset_topic);
  topic("status.storage.topic", "connect-status", &d.status_topic);
  auto distinct = [&](const char* key, const std::string& value, const char* other,
                      const std::string& other_value) {
    if (value == other_value) {
      fail(key, value, fmt::format("expected a topic of its own: {} names it too", other));
    }
  };
  distinct("status.storage.topic", d.status_topic, "config.storage.topic", d.config_topic);
  distinct("offset.storage.topic", d.offset_topic, "config.storage.topic", d.config_topic);
  distinct("offset.storage.topic", d.offset_topic, "status.storage.topic", d.status_topic);
  // -1 (the broker's default) or 1 to 32767 (Kafka's replication factor is a 16-bit number).
  auto count = [&](const char* key, int* out, int64_t max, const char* what) {
    auto v = get(key);
    if (!v) return;
    try {
      size_t used = 0;
      long long n = std::stoll(*v, &used);
      if (used == v->size() && (n == -1 || (n >= 1 && n <= max))) {
        *out = static_cast<int>(n);
        return;
      }
    } catch (...) {
    }
    fail(key, *v,
         fmt::format("expected -1 (the broker's default) or a {} from 1 to {}", what, max));
  };
  count("config.storage.replication.factor", &d.config_replication_factor, 32767,
        "replication factor");
  count("status.storage.replication.factor", &d.status_replication_factor, 32767,
        "replication factor");
  count("offset.storage.replication.factor", &d.offset_replication_factor, 32767,
        "replication factor");
  count("status.storage.partitions", &d.status_partitions, 100000, "partition count");
  count("offset.storage.partitions", &d.offset_partitions, 100000, "partition count");
  // The group's timeouts, in milliseconds (Kafka's are 32-bit), checked against each other as
  // the consumer checks them: librdkafka refuses a heartbeat interval not below the session
  // timeout and a rebalance timeout (its max.poll.interval.ms) below it.
  auto millis = [&](const char* key, int* out) {
    auto v = get(key);
    if (!v) return;
    int64_t n = to_int(file, key, *v, 1);
    if (n > 2147483647) fail(key, *v, "expected a whole number of milliseconds below 2^31");
    *out = static_cast<int>(n);
  };
  millis("session.timeout.ms", &d.session_timeout_ms);
  millis("heartbeat.interval.ms", &d.heartbeat_interval_ms);
  millis("rebalance.timeout.ms", &d.rebalance_timeout_ms);
  // A conflict names the key the file sets (with its line); a key left out shows its default.
  auto shown = [&](const char* key, int value) {
    return get(key) ? std::to_string(value) : fmt::format("{}, the default", value);
  };
  const std::string session = std::to_string(d.session_timeout_ms);
  if (d.heartbeat_interval_ms >= d.session_timeout_ms) {
    if (!get("heartbeat.interval.ms")) {
      fail("session.timeout.ms", session,
           fmt::format("expected more than heartbeat.interval.ms ({}), or heartbeat.interval.ms "
                       "set to about a third of it",
                       shown("heartbeat.interval.ms", d.heartbeat_interval_ms)));
    }
    fail("heartbeat.interval.ms", std::to_string(d.heartbeat_interval_ms),
         fmt::format("expected less than session.timeout.ms ({}); a third of it is usual",
                     shown("session.timeout.ms", d.session_timeout_ms)));
  }
  if (d.rebalance_timeout_ms < d.session_timeout_ms) {
    if (!get("rebalance.timeout.ms")) {
      fail("session.timeout.ms", session,
           fmt::format("expected at most rebalance.timeout.ms ({}), or rebalance.timeout.ms set "
                       "to at least it",
                       shown("rebalance.timeout.ms", d.rebalance_timeout_ms)));
    }
    fail("rebalance.timeout.ms", std::to_string(d.rebalance_timeout_ms),
         fmt::format("expected at least session.timeout.ms ({})",
                     shown("session.timeout.ms", d.session_timeout_ms)));
  }
  d.advertised_host = c.advertised_host;
  d.advertised_port = c.advertised_port;
  if (auto v = get("rest.advertised.listener")) {
    std::string lower = *v;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower != "http" && lower != "https")
      fail("rest.advertised.listener", *v, "expected http or https");
    bool has = std::any_of(c.listeners.begin(), c.listeners.end(),
                           [&](const Listener& l) { return l.scheme == lower; });
    if (!has) fail("rest.advertised.listener", *v, "expected the protocol of one of the listeners");
    d.advertised_listener = lower;
  }
  return d;
}

}  // namespace

std::optional<Listener> parse_listener(const std::string& text, std::string* error) {
  Listener l;
  size_t sep = text.find("://");
  if (sep == std::string::npos) {
    *error = "expected protocol://host:port such as http://127.0.0.1:8083";
    return std::nullopt;
  }
  l.scheme = text.substr(0, sep);
  std::transform(l.scheme.begin(), l.scheme.end(), l.scheme.begin(), ::tolower);
  if (l.scheme != "http" && l.scheme != "https") {
    *error = "protocol \"" + l.scheme + "\": expected http or https";
    return std::nullopt;
  }
  std::string rest = text.substr(sep + 3);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos) {
    *error = "expected a port, as in http://127.0.0.1:8083";
    return std::nullopt;
  }
  l.host = rest.substr(0, colon);
  if (l.host.size() >= 2 && l.host.front() == '[' && l.host.back() == ']')
    l.host = l.host.substr(1, l.host.size() - 2);
  try {
    size_t used = 0;
    l.port = std::stoi(rest.substr(colon + 1), &used);
    if (used != rest.size() - colon - 1 || l.port < 0 || l.port > 65535) throw 1;
  } catch (...) {
    *error = "port \"" + rest.substr(colon + 1) + "\": expected a number from 0 to 65535";
    return std::nullopt;
  }
  return l;
}

WorkerConfig parse_worker_config(const PropertiesFile& file) {
  WorkerConfig c;
  auto map = file.map();
  std::set<std::string> used;
  auto get = [&](const std::string& key) -> std::optional<std::string> {
    auto it = map.find(key);
    if (it == map.end()) return std::nullopt;
    used.insert(key);
    return it->second;
  };
  auto fail = [&](const std::string& key, const std::string& value, const std::string& expected) {
    throw WorkerConfigError(
        fmt::format("config error: {}: {} \"{}\": {}", file.where(key), key, value, expected));
  };

  if (auto v = get("bootstrap.servers")) c.bootstrap_servers = *v;
  if (auto v = get("listeners")) {
    c.listeners.clear();
    for (const std::string& item : parse_list(*v)) {
      std::string error;
      auto l = parse_listener(item, &error);
      if (!l) fail("listeners", item, error);
      c.listeners.push_back(*l);
    }
    if (c.listeners.empty())
      fail("listeners", *v, "expected at least one listener such as http://127.0.0.1:8083");
  }
  if (auto v = get("plugin.path")) c.plugin_path = parse_list(*v);
  if (auto v = get("offset.flush.interval.ms"))
    c.offset_flush_interval_ms = to_int(file, "offset.flush.interval.ms", *v, 1);
  if (auto v = get("task.shutdown.graceful.timeout.ms")) {
    c.task_shutdown_graceful_timeout_ms = to_int(file, "task.shutdown.graceful.timeout.ms", *v, 0);
  }
  if (auto v = get("sentinel.tasks.max.limit")) {
    int64_t n = to_int(file, "sentinel.tasks.max.limit", *v, 1);
    if (n > 100000)
      fail("sentinel.tasks.max.limit", *v, "expected a whole number from 1 to 100000");
    c.tasks_max_limit = static_cast<int>(n);
  }
  get("key.converter.schemas.enable");
  get("value.converter.schemas.enable");
  get("key.converter");
  get("value.converter");
  c.key_converter = converter(file, map, "key.converter", &c.warnings);
  c.value_converter = converter(file, map, "value.converter", &c.warnings);
  if (auto v = get("rest.advertised.host.name")) c.advertised_host = *v;
  if (auto v = get("rest.advertised.port")) {
    int64_t port = to_int(file, "rest.advertised.port", *v, 0);
    if (port > 65535) fail("rest.advertised.port", *v, "expected a port from 0 to 65535");
    c.advertised_port = static_cast<int>(port);
  }
  if (auto v = get("connector.client.config.override.policy")) {
    if (*v != "All" && *v != "None" && *v != "Principal")
      fail("connector.client.config.override.policy", *v, "expected All, None or Principal");
    c.override_policy = *v;
  }
  if (auto v = get("topic.tracking.enable"))
    c.topic_tracking_enable = to_bool(file, "topic.tracking.enable", *v);
  if (auto v = get("topic.tracking.allow.reset"))
    c.topic_tracking_allow_reset = to_bool(file, "topic.tracking.allow.reset", *v);
  if (auto v = get("sentinel.worker.id")) {
    if (v->empty())
      fail("sentinel.worker.id", *v, "expected a name for this worker, such as web-1-archive");
    c.worker_id = *v;
  }
  if (auto v = get("sentinel.state.dir")) c.state_dir = *v;
  if (auto v = get("archive.root")) c.archive_root = *v;
  if (auto v = get("sentinel.allow.jaas.config.override"))
    c.allow_jaas_override = to_bool(file, "sentinel.allow.jaas.config.override", *v);
  if (auto v = get("sentinel.rest.basic.auth.credentials.file")) c.rest_credentials_file = *v;
  if (auto v = get("listeners.https.ssl.certificate.location")) c.tls_certificate = *v;
  if (auto v = get("listeners.https.ssl.key.location")) c.tls_private_key = *v;
  parse_rest_limits(file, get, &c.rest_limits);
  c.distributed = parse_distributed(file, get, c, &c.notes);

  bool https = std::any_of(c.listeners.begin(), c.listeners.end(),
                           [](const Listener& l) { return l.scheme == "https"; });
  if (https && (c.tls_certificate.empty() || c.tls_private_key.empty())) {
    throw WorkerConfigError(
        fmt::format("config error: {}: listeners has an https listener but "
                    "listeners.https.ssl.certificate.location "
                    "and listeners.https.ssl.key.location (PEM files) are not both set",
                    file.where("listeners")));
  }

  for (const PropertyEntry& e : file.entries) {
    const std::string& k = e.key;
    if (used.count(k)) continue;
    std::string where = fmt::format("{}:{}", file.name, e.line);
    if (k.rfind("consumer.", 0) == 0) {
      c.consumer[k.substr(9)] = e.value;
    } else if (k.rfind("producer.", 0) == 0) {
      c.producer[k.substr(9)] = e.value;
    } else if (k == "security.protocol" || k.rfind("sasl.", 0) == 0 || k.rfind("ssl.", 0) == 0) {
      // Refused rather than ignored: a worker that connected without its security would fail
      // later and less clearly (or not at all, to a broker that also listens in plain text).
      std::string error;
      if (!kafka::make_conf({{k, e.value}}, &error)) {
        std::string prefix = "kafka property " + k + ": ";
        if (error.rfind(prefix, 0) == 0) error = error.substr(prefix.size());
        throw WorkerConfigError(fmt::format(
            "config error: {}: {}: {} (the worker's Kafka clients are librdkafka's; Java's keys "
            "differ: sasl.jaas.config -> sasl.username and sasl.password, "
            "ssl.truststore.location -> ssl.ca.location, a PEM file)",
            where, k, error));
      }
      c.client[k] = e.value;
    } else if (k == "rest.port" || k == "rest.host.name") {
      c.warnings.push_back(
          fmt::format("{}: {} was removed in Kafka Connect 3.0 and is ignored: use "
                      "listeners=http://<host>:<port> "
                      "(the default here is http://127.0.0.1:8083)",
                      where, k));
    } else if (k.rfind("admin.", 0) == 0 || k.rfind("listeners.https.", 0) == 0 ||
               kIgnored.count(k) || k.rfind("key.converter.", 0) == 0 ||
               k.rfind("value.converter.", 0) == 0 || k.rfind("header.converter.", 0) == 0 ||
               k.rfind("config.providers.", 0) == 0) {
      c.notes.push_back(fmt::format(
          "{}: {} is not used by this sink-only standalone worker (ignored)", where, k));
    } else {
      c.warnings.push_back(fmt::format("{}: unknown key {} (ignored)", where, k));
    }
  }
  return c;
}

}  // namespace sentinel::connect

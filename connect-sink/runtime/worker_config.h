// The worker's configuration, read from a connect-standalone style .properties file with Connect's
// key names. Unknown keys are warned about, keys Connect removed are explained, Connect keys that
// mean nothing to a sink-only worker are noted as ignored, and Sentinel's own keys start with
// "sentinel." (state dir, archive root, REST auth) or follow Connect's naming (listeners.https.*).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "connect-sink/runtime/converters.h"
#include "connect-sink/runtime/http_limits.h"
#include "connect-sink/runtime/properties.h"

namespace sentinel::connect {

class WorkerConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Listener {
  std::string scheme;  // "http" or "https"
  std::string host;    // "" binds every interface (Connect's "http://:8083")
  int port = 8083;
};

// A distributed worker's settings (Kafka Connect's DistributedConfig keys), present when group.id
// is set. The storage topics are created where missing (storage_topics.h); replication factors
// and partition counts of -1 ask for the broker's default, as in Connect (brokers 2.4 and later).
struct DistributedSettings {
  std::string group_id;               // group.id: the workers of one cluster share it
  std::string config_topic;           // config.storage.topic (1 partition, compacted)
  std::string status_topic;           // status.storage.topic (compacted)
  std::string offset_topic;           // offset.storage.topic: created; sink offsets live in the
                                      // connectors' consumer groups, as in Connect
  int config_replication_factor = 3;  // config.storage.replication.factor
  int status_replication_factor = 3;  // status.storage.replication.factor
  int offset_replication_factor = 3;  // offset.storage.replication.factor
  int status_partitions = 5;          // status.storage.partitions
  int offset_partitions = 25;         // offset.storage.partitions
  std::string advertised_host;        // rest.advertised.host.name (as WorkerConfig's)
  int advertised_port = 0;            // rest.advertised.port (as WorkerConfig's; 0: the listener's)
  std::string advertised_listener;    // rest.advertised.listener: "http", "https" or "" (the first)
  // The workers' group membership (worker_group.h): a worker that stops heartbeating leaves the
  // group after session.timeout.ms; rebalance.timeout.ms bounds how long a rebalance waits for
  // every worker to stop its tasks and rejoin. Session and heartbeat are lower than Connect's
  // defaults (10 s, 3 s) so that a SIGKILLed worker's tasks run elsewhere within 10 s: 6 s is the
  // lowest session a broker allows by default (group.min.session.timeout.ms), and survivors learn
  // of the rebalance at their next heartbeat.
  int session_timeout_ms = 6000;     // session.timeout.ms
  int heartbeat_interval_ms = 1000;  // heartbeat.interval.ms (below session.timeout.ms)
  int rebalance_timeout_ms = 60000;  // rebalance.timeout.ms (at least session.timeout.ms)
};

struct WorkerConfig {
  std::string bootstrap_servers = "localhost:9092";
  std::vector<Listener> listeners = {{"http", "127.0.0.1", 8083}};
  std::vector<std::string> plugin_path;
  int64_t offset_flush_interval_ms = 60000;
  int64_t task_shutdown_graceful_timeout_ms = 5000;
  // The highest tasks.max a connector may ask for (sentinel.tasks.max.limit): each task is a
  // thread with its own Kafka consumer (a few more threads and sockets of its own).
  int tasks_max_limit = 64;
  ConverterSpec key_converter;
  ConverterSpec value_converter;
  std::map<std::string, std::string> consumer;  // consumer.* without the prefix
  std::map<std::string, std::string> producer;  // producer.* (dead-letter queue)
  // security.protocol, sasl.*, ssl.* at the top level, as Connect's files have them: the worker's
  // own Kafka clients (storage topics, worker group, offsets admin). Task consumers take
  // consumer.* as in Connect (consumer.security.protocol, …), the dead letter queue producer.*.
  std::map<std::string, std::string> client;
  std::string advertised_host;          // rest.advertised.host.name
  int advertised_port = 0;              // rest.advertised.port
  std::string override_policy = "All";  // connector.client.config.override.policy
  bool topic_tracking_enable = true;
  bool topic_tracking_allow_reset = true;
  // Sentinel keys.
  // sentinel.worker.id: this worker's identity in its consumers' static group membership
  // (group.instance.id = <id>-<connector>-<task>); empty: <host name>:<REST port>.
  std::string worker_id;
  std::string state_dir;              // sentinel.state.dir; empty: chosen by the program
  std::string archive_root;           // archive.root; empty: paths are not confined
  bool allow_jaas_override = false;   // sentinel.allow.jaas.config.override
  std::string rest_credentials_file;  // sentinel.rest.basic.auth.credentials.file
  std::string tls_certificate;        // listeners.https.ssl.certificate.location (PEM)
  std::string tls_private_key;        // listeners.https.ssl.key.location (PEM)
  HttpLimits rest_limits;             // sentinel.rest.max.body.bytes, … (see http_limits.h)
  std::optional<DistributedSettings> distributed;  // when group.id is set

  std::vector<std::string> warnings;  // "connect.properties:4: unknown key foo (ignored)"
  std::vector<std::string> notes;     // Connect keys this worker accepts and does not need
};

// Throws WorkerConfigError "config error: connect.properties:7: offset.flush.interval.ms "x":
// expected a whole number of milliseconds".
WorkerConfig parse_worker_config(const PropertiesFile& file);

// "http://127.0.0.1:8083" → Listener; nullopt with *error otherwise.
std::optional<Listener> parse_listener(const std::string& text, std::string* error);

}  // namespace sentinel::connect

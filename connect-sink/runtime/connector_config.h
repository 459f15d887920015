// Connector configuration as the worker sees it: the framework's sink keys (Connect's
// ConnectorConfig + SinkConnectorConfig, plus Sentinel's task auto-restart keys), validation of a
// whole config against them and the plugin's ConfigDef, and Connect's ConfigInfos JSON.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "connect-sink/runtime/converters.h"
#include "connect-sink/runtime/plugins.h"
#include "sentinel/connect/sink.h"

namespace sentinel::connect {

// A config as sent by a client: a JSON null value is kept as nullopt so validation can name it.
using RawConfig = std::map<std::string, std::optional<std::string>>;

// Worker settings validation depends on.
struct ValidationContext {
  const PluginRegistry* plugins = nullptr;
  std::string archive_root;             // empty: paths are not confined
  std::string override_policy = "All";  // connector.client.config.override.policy
  bool allow_jaas_override = false;     // sentinel.allow.jaas.config.override
  int tasks_max_limit = 64;             // sentinel.tasks.max.limit: the highest tasks.max
  // archive.root does not exist yet; the start creates it (see confine_path's root_pending).
  bool archive_root_pending = false;
};

struct ValidationResult {
  const PluginInfo* plugin = nullptr;
  int error_count = 0;
  std::vector<std::string> errors;  // every message, in response order
  nlohmann::ordered_json infos;     // Connect's ConfigInfos
  // For PASSWORD-type and secret keys, so that outputs can hide them.
  std::vector<std::string> secret_keys;
};

// Fails (returns false with an HTTP status and Connect's message) only before validation can
// start: no connector.class (400 "Connector config {…} contains no connector type") or an unknown
// one (400 here; Connect answers 500).
bool validate_connector_config(const ValidationContext& ctx, const RawConfig& config,
                               ValidationResult* result, int* status, std::string* message);

// Connect's 400 text: "Connector configuration is invalid and contains the following N error(s):…".
std::string invalid_config_message(const ValidationResult& result);

ConfigDef framework_sink_config_def();
// The plugin's keys first, then the framework's (a plugin key wins on a name clash), as
// GET /connector-plugins/{plugin}/config lists them.
ConfigDef merged_config_def(const ConfigDef& plugin_def);
nlohmann::ordered_json config_key_json(const ConfigKey& key);
const char* config_type_name(ConfigType t);

// Keys whose values are shown as [hidden]: PASSWORD-type keys of the merged def and client
// properties that hold secrets (sasl.jaas.config, ssl.key.password, …).
bool is_secret_key(const ConfigDef& merged_def, const std::string& key);
std::map<std::string, std::string> hide_secrets(const ConfigDef& merged_def,
                                                const std::map<std::string, std::string>& config);

// Parsed framework settings of a valid config.
struct SinkSettings {
  int tasks_max = 1;
  std::vector<std::string> topics;
  std::string topics_regex;
  bool tolerate_all = false;
  std::string dlq_topic;
  bool dlq_context_headers = false;
  std::optional<ConverterSpec> key_converter, value_converter;  // nullopt: the worker's
  int task_restart_max_attempts = 0;                            // 0: never, -1: forever
  int64_t task_restart_backoff_ms = 1000;
};
SinkSettings sink_settings(const std::map<std::string, std::string>& config);

// "a, b" → {"a", "b"} (Connect's LIST parsing: split on commas, trim, drop empties).
std::vector<std::string> parse_list(const std::string& value);

}  // namespace sentinel::connect

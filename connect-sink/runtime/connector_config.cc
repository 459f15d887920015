// Framework config definitions, validation and ConfigInfos, after Connect's AbstractHerder.
#include "connect-sink/runtime/connector_config.h"

#include <fmt/format.h>
#include <regex.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "common/kafka.h"
#include "connect-sink/runtime/connector_name.h"
#include "connect-sink/runtime/path_confinement.h"
#include "connect-sink/runtime/utf8.h"

namespace sentinel::connect {
namespace {

using json = nlohmann::ordered_json;

const char* importance_name(Importance i) {
  switch (i) {
    case Importance::kHigh:
      return "HIGH";
    case Importance::kMedium:
      return "MEDIUM";
    case Importance::kLow:
      return "LOW";
  }
  return "LOW";
}

const char* width_name(Width w) {
  switch (w) {
    case Width::kNone:
      return "NONE";
    case Width::kShort:
      return "SHORT";
    case Width::kMedium:
      return "MEDIUM";
    case Width::kLong:
      return "LONG";
  }
  return "NONE";
}

ConfigKey key(const char* name, ConfigType type, std::optional<std::string> def, Importance imp,
              const char* doc, const char* group, int order, Width width, const char* display) {
  ConfigKey k;
  k.name = name;
  k.type = type;
  k.required =
      !def.has_value() && (std::string(name) == "name" || std::string(name) == "connector.class");
  k.default_value = std::move(def);
  k.importance = imp;
  k.documentation = doc;
  k.group = group;
  k.order_in_group = order;
  k.width = width;
  k.display_name = display;
  return k;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string invalid(const std::string& key, const std::string& value, const std::string& reason) {
  return fmt::format("Invalid value {} for configuration {}: {}", value, key, reason);
}

template <typename T>
bool parse_integer(const std::string& text, T* out) {
  std::string t = trim(text);
  if (t.empty()) return false;
  size_t i = (t[0] == '-' || t[0] == '+') ? 1 : 0;
  if (i == t.size()) return false;
  long long v = 0;
  for (; i < t.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(t[i]))) return false;
    if (v > (std::numeric_limits<long long>::max() - 9) / 10) return false;
    v = v * 10 + (t[i] - '0');
  }
  if (t[0] == '-') v = -v;
  if (v < static_cast<long long>(std::numeric_limits<T>::min()) ||
      v > static_cast<long long>(std::numeric_limits<T>::max())) {
    return false;
  }
  *out = static_cast<T>(v);
  return true;
}

bool parse_bool(const std::string& text, bool* out) {
  std::string t = trim(text);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  if (t == "true")
    *out = true;
  else if (t == "false")
    *out = false;
  else
    return false;
  return true;
}

// Checks that a value parses as its type; returns the error reason or "".
std::string type_error(ConfigType type, const std::string& value) {
  switch (type) {
    case ConfigType::kBoolean: {
      bool b;
      return parse_bool(value, &b) ? "" : "Expected value to be either true or false";
    }
    case ConfigType::kInt: {
      int32_t v;
      return parse_integer(value, &v) ? "" : "Not a number of type INT";
    }
    case ConfigType::kShort: {
      int16_t v;
      return parse_integer(value, &v) ? "" : "Not a number of type SHORT";
    }
    case ConfigType::kLong: {
      int64_t v;
      return parse_integer(value, &v) ? "" : "Not a number of type LONG";
    }
    case ConfigType::kDouble: {
      try {
        size_t used = 0;
        std::string t = trim(value);
        (void)std::stod(t, &used);
        return used == t.size() ? "" : "Not a number of type DOUBLE";
      } catch (...) {
        return "Not a number of type DOUBLE";
      }
    }
    default:
      return "";
  }
}

// The value as Connect prints a parsed value: lists re-joined with ",", passwords hidden.
std::optional<std::string> shown_value(const ConfigKey& k, const std::optional<std::string>& v) {
  if (!v) return std::nullopt;
  if (k.type == ConfigType::kPassword || kafka::is_secret_property(k.name)) {
    return std::string("[hidden]");
  }
  if (k.type == ConfigType::kList) {
    std::string out;
    for (const auto& item : parse_list(*v)) out += (out.empty() ? "" : ",") + item;
    return out;
  }
  if (k.type == ConfigType::kBoolean || k.type == ConfigType::kInt ||
      k.type == ConfigType::kShort || k.type == ConfigType::kLong) {
    return trim(*v);
  }
  return v;
}

json value_json(const std::string& name, const std::optional<std::string>& value,
                const std::vector<std::string>& errors,
                const std::vector<std::string>& recommended = {}) {
  return json{{"name", name},
              {"value", value ? json(*value) : json(nullptr)},
              {"recommended_values", recommended},
              {"errors", errors},
              {"visible", true}};
}

std::string java_map_text(const RawConfig& config) {
  std::string out = "{";
  for (const auto& [k, v] : config) {
    if (out.size() > 1) out += ", ";
    out += k + "=" + (v ? (kafka::is_secret_property(k) ? "[hidden]" : *v) : "null");
  }
  return out + "}";
}

const char* const kClientPrefixes[] = {"consumer.override.", "producer.override.",
                                       "admin.override."};

bool is_client_override(const std::string& key, std::string* prefix) {
  for (const char* p : kClientPrefixes) {
    if (key.rfind(p, 0) == 0) {
      *prefix = p;
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> parse_list(const std::string& value) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string::npos) comma = value.size();
    std::string item = trim(value.substr(start, comma - start));
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

const char* config_type_name(ConfigType t) {
  switch (t) {
    case ConfigType::kBoolean:
      return "BOOLEAN";
    case ConfigType::kString:
      return "STRING";
    case ConfigType::kInt:
      return "INT";
    case ConfigType::kShort:
      return "SHORT";
    case ConfigType::kLong:
      return "LONG";
    case ConfigType::kDouble:
      return "DOUBLE";
    case ConfigType::kList:
      return "LIST";
    case ConfigType::kClass:
      return "CLASS";
    case ConfigType::kPassword:
      return "PASSWORD";
  }
  return "STRING";
}

ConfigDef framework_sink_config_def() {
  using CT = ConfigType;
  using I = Importance;
  using W = Width;
  const char* common = "Common";
  const char* errs = "Error Handling";
  ConfigDef d = {
      key("name", CT::kString, std::nullopt, I::kHigh,
          "Globally unique name to use for this connector.", common, 1, W::kMedium,
          "Connector name"),
      key("connector.class", CT::kString, std::nullopt, I::kHigh,
          "Name or alias of the class for this connector. Must be a subclass of "
          "org.apache.kafka.connect.connector.Connector. If the connector is "
          "org.apache.kafka.connect.file.FileStreamSinkConnector, you can either specify this full "
          "name, "
          " or use \"FileStreamSink\" or \"FileStreamSinkConnector\" to make the configuration a "
          "bit shorter",
          common, 2, W::kLong, "Connector class"),
      key("tasks.max", CT::kInt, "1", I::kHigh,
          "Maximum number of tasks to use for this connector.", common, 3, W::kShort, "Tasks max"),
      key("tasks.max.enforce", CT::kBoolean, "true", I::kLow,
          "(Deprecated) Whether to enforce that the tasks.max property is respected by the "
          "connector.",
          common, 4, W::kShort, "Enforce tasks max"),
      key("topics", CT::kList, "", I::kHigh, "List of topics to consume, separated by commas",
          common, 4, W::kLong, "Topics"),
      key("topics.regex", CT::kString, "", I::kHigh,
          "Regular expression giving topics to consume. Under the hood, the regex is compiled to a "
          "<code>java.util.regex.Pattern</code>. Only one of topics or topics.regex should be "
          "specified.",
          common, 4, W::kLong, "Topics regex"),
      key("key.converter", CT::kClass, std::nullopt, I::kLow,
          "Converter class used to convert between Kafka Connect format and the serialized form "
          "that is "
          "written to Kafka. This controls the format of the keys in messages written to or read "
          "from "
          "Kafka. Sentinel knows StringConverter, JsonConverter and ByteArrayConverter.",
          common, 5, W::kShort, "Key converter class"),
      key("value.converter", CT::kClass, std::nullopt, I::kLow,
          "Converter class used to convert between Kafka Connect format and the serialized form "
          "that is "
          "written to Kafka. This controls the format of the values in messages written to or read "
          "from "
          "Kafka. Sentinel knows StringConverter, JsonConverter and ByteArrayConverter.",
          common, 6, W::kShort, "Value converter class"),
      key("header.converter", CT::kClass, std::nullopt, I::kLow,
          "HeaderConverter class used to convert between Kafka Connect format and the serialized "
          "form "
          "that is written to Kafka. Sentinel passes header bytes through unchanged.",
          common, 7, W::kShort, "Header converter class"),
      key("config.action.reload", CT::kString, "restart", I::kLow,
          "The action that Connect should take on the connector when changes in external "
          "configuration "
          "providers result in a change in the connector's configuration properties.",
          common, 8, W::kMedium, "Reload Action"),
      key("transforms", CT::kList, "", I::kLow,
          "Aliases for the transformations to be applied to records. Sentinel supports none.",
          "Transforms", 1, W::kLong, "Transforms"),
      key("predicates", CT::kList, "", I::kLow,
          "Aliases for the predicates used by transformations. Sentinel supports none.",
          "Predicates", 1, W::kLong, "Predicates"),
      key("errors.retry.timeout", CT::kLong, "0", I::kMedium,
          "The maximum duration in milliseconds that a failed operation will be reattempted.", errs,
          1, W::kMedium, "Retry Timeout for Errors"),
      key("errors.retry.delay.max.ms", CT::kLong, "60000", I::kMedium,
          "The maximum duration in milliseconds between consecutive retry attempts.", errs, 2,
          W::kMedium, "Maximum Delay Between Retries for Errors"),
      key("errors.tolerance", CT::kString, "none", I::kMedium,
          "Behavior for tolerating errors during connector operation. 'none' is the default value "
          "and "
          "signals that any error will result in an immediate connector task failure; 'all' "
          "changes the "
          "behavior to skip over problematic records.",
          errs, 3, W::kShort, "Error Tolerance"),
      key("errors.log.enable", CT::kBoolean, "false", I::kMedium,
          "If true, write each error and the details of the failed operation and problematic "
          "record to "
          "the Connect application log.",
          errs, 4, W::kShort, "Log Errors"),
      key("errors.log.include.messages", CT::kBoolean, "false", I::kMedium,
          "Whether to include in the log the Connect record that resulted in a failure.", errs, 5,
          W::kShort, "Log Error Details"),
      key("errors.deadletterqueue.topic.name", CT::kString, "", I::kMedium,
          "The name of the topic to be used as the dead letter queue (DLQ) for messages that "
          "result in an "
          "error when processed by this sink connector, or its transformations or converters.",
          errs, 6, W::kMedium, "Dead Letter Queue Topic Name"),
      key("errors.deadletterqueue.topic.replication.factor", CT::kShort, "3", I::kMedium,
          "Replication factor used to create the dead letter queue topic when it doesn't already "
          "exist.",
          errs, 7, W::kMedium, "Dead Letter Queue Topic Replication Factor"),
      key("errors.deadletterqueue.context.headers.enable", CT::kBoolean, "false", I::kMedium,
          "If true, add headers containing error context to the messages written to the dead "
          "letter "
          "queue. To avoid clashing with headers from the original record, all error context "
          "header keys, "
          "all error context header keys will start with <code>__connect.errors.</code>",
          errs, 8, W::kMedium, "Enable Error Context Headers"),
      key("sentinel.task.restart.max.attempts", CT::kInt, "0", I::kMedium,
          "Sentinel extension: how many times a FAILED task is restarted automatically, with "
          "exponential "
          "backoff. 0 (the default, like Connect) never restarts; -1 restarts forever.",
          errs, 9, W::kShort, "Task auto-restart attempts"),
      key("sentinel.task.restart.backoff.ms", CT::kLong, "1000", I::kLow,
          "Sentinel extension: delay before the first automatic task restart; doubles after each "
          "attempt up to 60000.",
          errs, 10, W::kShort, "Task auto-restart backoff"),
  };
  return d;
}

ConfigDef merged_config_def(const ConfigDef& plugin_def) {
  ConfigDef out = plugin_def;
  for (const ConfigKey& k : framework_sink_config_def()) {
    bool clash = std::any_of(plugin_def.begin(), plugin_def.end(),
                             [&](const ConfigKey& p) { return p.name == k.name; });
    if (!clash) out.push_back(k);
  }
  return out;
}

json config_key_json(const ConfigKey& k) {
  json def = k.default_value ? json(*k.default_value) : json(nullptr);
  return json{{"name", k.name},
              {"type", config_type_name(k.type)},
              {"required", !k.default_value.has_value() && k.required},
              {"default_value", def},
              {"importance", importance_name(k.importance)},
              {"documentation", k.documentation},
              {"group", k.group.empty() ? json(nullptr) : json(k.group)},
              {"width", width_name(k.width)},
              {"display_name", k.display_name.empty() ? k.name : k.display_name},
              {"dependents", k.dependents},
              {"order", k.group.empty() ? -1 : k.order_in_group}};
}

bool is_secret_key(const ConfigDef& def, const std::string& key) {
  for (const ConfigKey& k : def) {
    if (k.name == key && k.type == ConfigType::kPassword) return true;
  }
  // By name, whatever the key: my.custom.password, value.converter.basic.auth.user.info,
  // consumer.override.sasl.oauthbearer.config, …
  return kafka::is_secret_property(key);
}

std::map<std::string, std::string> hide_secrets(const ConfigDef& def,
                                                const std::map<std::string, std::string>& config) {
  std::map<std::string, std::string> out = config;
  for (auto& [k, v] : out) {
    if (is_secret_key(def, k)) v = "[hidden]";
  }
  return out;
}

SinkSettings sink_settings(const std::map<std::string, std::string>& config) {
  SinkSettings s;
  auto get = [&](const std::string& k) -> std::string {
    auto it = config.find(k);
    return it == config.end() ? "" : it->second;
  };
  int32_t tasks = 1;
  if (parse_integer(get("tasks.max"), &tasks)) s.tasks_max = tasks;
  s.topics = parse_list(get("topics"));
  s.topics_regex = trim(get("topics.regex"));
  s.tolerate_all = trim(get("errors.tolerance")) == "all";
  s.dlq_topic = trim(get("errors.deadletterqueue.topic.name"));
  bool b = false;
  if (parse_bool(get("errors.deadletterqueue.context.headers.enable"), &b))
    s.dlq_context_headers = b;
  for (int which = 0; which < 2; ++which) {
    std::string prefix = which == 0 ? "key.converter" : "value.converter";
    std::string cls = trim(get(prefix));
    if (cls.empty()) continue;
    auto kind = converter_kind(cls);
    if (!kind) continue;
    ConverterSpec spec{*kind, true};
    if (parse_bool(get(prefix + ".schemas.enable"), &b)) spec.schemas_enable = b;
    (which == 0 ? s.key_converter : s.value_converter) = spec;
  }
  int32_t attempts = 0;
  if (parse_integer(get("sentinel.task.restart.max.attempts"), &attempts))
    s.task_restart_max_attempts = attempts;
  int64_t backoff = 0;
  if (parse_integer(get("sentinel.task.restart.backoff.ms"), &backoff))
    s.task_restart_backoff_ms = backoff;
  return s;
}

bool validate_connector_config(const ValidationContext& ctx, const RawConfig& config,
                               ValidationResult* result, int* status, std::string* message) {
  auto cls_it = config.find("connector.class");
  if (cls_it == config.end() || !cls_it->second) {
    *status = 400;
    *message = "Connector config " + java_map_text(config) + " contains no connector type";
    return false;
  }
  const std::string& cls = *cls_it->second;
  const PluginInfo* plugin = ctx.plugins ? ctx.plugins->find(trim(cls)) : nullptr;
  if (!plugin) {
    *status = 400;
    std::string available = ctx.plugins ? ctx.plugins->names() : "";
    *message = "Failed to find any class that implements Connector and which name matches " + cls +
               ", available connectors are: " + (available.empty() ? "(none)" : available);
    return false;
  }
  result->plugin = plugin;

  std::unique_ptr<SinkConnector> connector = plugin->instantiate();
  ConfigDef plugin_def = connector->config_def();
  ConfigDef framework = framework_sink_config_def();

  // Errors per key, starting with type and required checks over every defined key.
  std::map<std::string, std::vector<std::string>> errors;
  auto add_error = [&](const std::string& k, const std::string& e) { errors[k].push_back(e); };
  auto value_of = [&](const std::string& k) -> std::optional<std::string> {
    auto it = config.find(k);
    if (it == config.end()) return std::nullopt;
    return it->second;
  };

  ConfigDef all = framework;
  for (const ConfigKey& k : plugin_def) {
    auto it =
        std::find_if(all.begin(), all.end(), [&](const ConfigKey& f) { return f.name == k.name; });
    if (it != all.end())
      *it = k;
    else
      all.push_back(k);
  }
  // A value as an error message may quote it.
  auto shown = [&](const std::string& k, const std::string& v) {
    return is_secret_key(all, k) ? std::string("[hidden]") : v;
  };

  // Configs are stored and answered as JSON text: keys and values must be UTF-8 (a .properties
  // connector file can hold any bytes).
  for (const auto& [k, v] : config) {
    size_t bad = 0;
    if (!valid_utf8(k, &bad)) {
      add_error(
          k, fmt::format(
                 "Invalid configuration key {}: it is not valid UTF-8 (byte 0x{:02X} at offset {})",
                 printable_name(k), static_cast<unsigned char>(k[bad]), bad));
    } else if (v && !valid_utf8(*v, &bad)) {
      add_error(
          k, invalid(k, is_secret_key(all, k) ? "[hidden]" : printable_name(*v),
                     fmt::format(
                         "String must be valid UTF-8, but the byte at offset {} (0x{:02X}) is not",
                         bad, static_cast<unsigned char>((*v)[bad]))));
    }
  }
  for (const ConfigKey& k : all) {
    auto it = config.find(k.name);
    if (it != config.end() && !it->second) {
      add_error(k.name, "Null value can not be supplied as the configuration value.");
      continue;
    }
    if (it == config.end()) {
      if (!k.default_value && k.required) {
        add_error(k.name,
                  fmt::format("Missing required configuration \"{}\" which has no default value.",
                              k.name));
      }
      continue;
    }
    std::string reason = type_error(k.type, *it->second);
    if (!reason.empty()) add_error(k.name, invalid(k.name, shown(k.name, *it->second), reason));
  }

  // Framework validators.
  if (auto name = value_of("name")) {
    std::string problem = connector_name_problem(*name);
    if (!problem.empty()) add_error("name", invalid("name", printable_name(*name), problem));
  }
  if (auto v = value_of("tasks.max")) {
    int32_t n = 0;
    if (parse_integer(*v, &n) && n < 1)
      add_error("tasks.max", invalid("tasks.max", *v, "Value must be at least 1"));
    if (parse_integer(*v, &n) && n > ctx.tasks_max_limit) {
      add_error(
          "tasks.max",
          invalid("tasks.max", *v,
                  fmt::format("Value must be at most {} (this worker's sentinel.tasks.max.limit)",
                              ctx.tasks_max_limit)));
    }
  }
  if (auto v = value_of("errors.tolerance"); v && *v != "none" && *v != "all") {
    add_error("errors.tolerance",
              invalid("errors.tolerance", *v, "String must be one of: none, all"));
  }
  if (auto v = value_of("config.action.reload"); v && *v != "none" && *v != "restart") {
    add_error("config.action.reload",
              invalid("config.action.reload", *v, "String must be one of: none, restart"));
  }
  for (const char* k :
       {"errors.retry.timeout", "errors.retry.delay.max.ms", "sentinel.task.restart.backoff.ms"}) {
    int64_t n = 0;
    auto v = value_of(k);
    if (v && parse_integer(*v, &n) && n < (std::string(k) == "errors.retry.timeout" ? -1 : 0)) {
      add_error(k, invalid(k, *v,
                           std::string("Value must be at least ") +
                               (std::string(k) == "errors.retry.timeout" ? "-1" : "0")));
    }
  }
  if (auto v = value_of("sentinel.task.restart.max.attempts")) {
    int32_t n = 0;
    if (parse_integer(*v, &n) && n < -1) {
      add_error("sentinel.task.restart.max.attempts",
                invalid("sentinel.task.restart.max.attempts", *v, "Value must be at least -1"));
    }
  }
  for (const char* k : {"transforms", "predicates"}) {
    if (auto v = value_of(k); v && !parse_list(*v).empty()) {
      add_error(k, invalid(k, *v,
                           std::string("Sentinel does not support ") +
                               (std::string(k) == "transforms" ? "transformations (SMTs)"
                                                               : "predicates")));
    }
  }
  for (const char* k : {"key.converter", "value.converter"}) {
    if (auto v = value_of(k); v && !trim(*v).empty() && !converter_kind(trim(*v))) {
      add_error(k, invalid(k, *v,
                           "Class " + *v + " could not be found. Known converters: " +
                               converter_class_names()));
    }
  }
  if (auto v = value_of("header.converter");
      v && !trim(*v).empty() &&
      trim(*v) != "org.apache.kafka.connect.storage.SimpleHeaderConverter" &&
      trim(*v) != "org.apache.kafka.connect.converters.ByteArrayConverter" &&
      trim(*v) != "org.apache.kafka.connect.storage.StringConverter") {
    add_error("header.converter",
              invalid("header.converter", *v, "Class " + *v + " could not be found."));
  }

  // Topics (SinkConnectorConfig.validate).
  std::string topics_text = value_of("topics").value_or("");
  std::string regex_text = value_of("topics.regex").value_or("");
  bool has_topics = !trim(topics_text).empty();
  bool has_regex = !trim(regex_text).empty();
  if (has_topics && has_regex) {
    std::string e = "topics and topics.regex are mutually exclusive options, but both are set.";
    add_error("topics", e);
    add_error("topics.regex", e);
  } else if (!has_topics && !has_regex) {
    std::string e = "Must configure one of topics or topics.regex";
    add_error("topics", e);
    add_error("topics.regex", e);
  }
  if (has_regex) {
    regex_t re;
    int rc = regcomp(&re, regex_text.c_str(), REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
      char buf[256];
      regerror(rc, &re, buf, sizeof buf);
      add_error("topics.regex",
                invalid("topics.regex", regex_text, std::string("Invalid regex: ") + buf));
    } else {
      std::string dlq = trim(value_of("errors.deadletterqueue.topic.name").value_or(""));
      if (!dlq.empty()) {
        regex_t anchored;
        if (regcomp(&anchored, ("^(" + regex_text + ")$").c_str(), REG_EXTENDED | REG_NOSUB) == 0) {
          if (regexec(&anchored, dlq.c_str(), 0, nullptr, 0) == 0) {
            add_error(
                "topics.regex",
                fmt::format("The DLQ topic '{}' may not be matched by the regex for the topics "
                            "consumed by the connector ('topics.regex={}')",
                            dlq, regex_text));
          }
          regfree(&anchored);
        }
      }
      regfree(&re);
    }
  }
  if (has_topics) {
    std::string dlq = trim(value_of("errors.deadletterqueue.topic.name").value_or(""));
    auto topics = parse_list(topics_text);
    // Kafka's own topic name rules (Topic.validate). They matter beyond the broker: plugins
    // render topic names into file paths, where "." and ".." would climb out of a directory.
    size_t bad = 0;
    bool utf8 = valid_utf8(topics_text, &bad);  // otherwise reported above, once
    for (const auto& t : topics) {
      std::string why;
      if (!utf8) break;
      if (t == "." || t == "..") {
        why = "topic name '" + t + "' is illegal, it cannot be '.' or '..'";
      } else if (t.size() > 249) {
        why = "topic name '" + t.substr(0, 40) +
              "...' is illegal, it can't be longer than 249 characters";
      } else if (t.find_first_not_of(
                     "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
                 std::string::npos) {
        why = "topic name '" + t +
              "' is illegal, it contains a character other than ASCII alphanumerics, '.', '_' "
              "and '-'";
      }
      if (!why.empty()) add_error("topics", invalid("topics", topics_text, why));
    }
    if (!dlq.empty() && std::find(topics.begin(), topics.end(), dlq) != topics.end()) {
      std::string list;
      for (const auto& t : topics) list += (list.empty() ? "" : ", ") + t;
      add_error("topics",
                fmt::format("The DLQ topic '{}' may not be included in the list of topics "
                            "('topics=[{}]') consumed by the connector",
                            dlq, list));
    }
  }

  // Output paths are confined under archive.root, which only the worker sets.
  if (auto it = config.find(kArchiveRootKey); it != config.end()) {
    add_error(kArchiveRootKey,
              invalid(kArchiveRootKey, it->second.value_or("null"),
                      "set by the worker from its archive.root, not by a connector config"));
  }
  for (const ConfigKey& k : plugin_def) {
    if (!k.is_output_path) continue;
    auto v = value_of(k.name);
    if (!v) continue;
    std::string reason;
    if (!confine_path(ctx.archive_root, *v, &reason, ctx.archive_root_pending)) {
      add_error(k.name, invalid(k.name, *v, reason));
    }
  }

  // Plugin's own checks.
  Config plain;
  for (const auto& [k, v] : config) {
    if (v) plain[k] = *v;
  }
  std::map<std::string, ConfigValue> plugin_values;
  for (ConfigValue& cv : connector->validate(plain)) {
    for (auto& e : cv.errors) add_error(cv.name, e);
    plugin_values[cv.name] = std::move(cv);
  }

  // Definition-less values: client overrides and converter sub-settings.
  json configs = json::array();
  auto add_undefined = [&](const std::string& k, const std::optional<std::string>& v, bool secret) {
    secret = secret || is_secret_key(all, k);
    auto it = errors.find(k);
    configs.push_back(
        json{{"definition", nullptr},
             {"value", value_json(k, secret && v ? std::optional<std::string>("[hidden]") : v,
                                  it == errors.end() ? std::vector<std::string>{} : it->second)}});
  };
  for (const auto& [k, v] : config) {
    std::string prefix;
    if (is_client_override(k, &prefix)) {
      std::string prop = k.substr(prefix.size());
      bool secret = kafka::is_secret_property(prop);
      if (ctx.override_policy == "None") {
        add_error(k, invalid(k, v.value_or("null"),
                             "The 'None' policy does not allow '" + prop +
                                 "' to be overridden (connector.client.config.override.policy)"));
      } else if (ctx.override_policy == "Principal" && prop != "sasl.jaas.config" &&
                 prop != "sasl.mechanism" && prop != "security.protocol") {
        add_error(k,
                  invalid(k, v.value_or("null"),
                          "The 'Principal' policy does not allow '" + prop + "' to be overridden"));
      }
      if (prop == "sasl.jaas.config" && !ctx.allow_jaas_override) {
        add_error(k, invalid(k, "[hidden]",
                             "sasl.jaas.config overrides are refused by this worker "
                             "(set sentinel.allow.jaas.config.override=true in the worker config "
                             "to allow them)"));
      } else if (v && prefix != "admin.override.") {
        std::string err;
        if (!kafka::make_conf({{prop, *v}}, &err))
          add_error(k, invalid(k, secret ? "[hidden]" : *v, err));
      }
      add_undefined(k, v, secret);
    } else if ((k.rfind("key.converter.", 0) == 0 || k.rfind("value.converter.", 0) == 0 ||
                k.rfind("header.converter.", 0) == 0)) {
      if (v && k.ends_with(".schemas.enable")) {
        bool b;
        if (!parse_bool(*v, &b)) {
          add_error(k, invalid(k, shown(k, *v), "Expected value to be either true or false"));
        }
      }
      add_undefined(k, v, false);
    } else if (!std::any_of(
                   all.begin(), all.end(),
                   // clang 14 cannot capture a structured binding: named by an init-capture
                   [&key = k](const ConfigKey& d) { return d.name == key; }) &&
               errors.count(k)) {
      add_undefined(k, v, false);  // a plugin's error about a key it did not define
    }
  }

  // Defined keys: framework first, the plugin's own last.
  ConfigDef ordered;
  for (const ConfigKey& k : framework) {
    if (!std::any_of(plugin_def.begin(), plugin_def.end(),
                     [&](const ConfigKey& p) { return p.name == k.name; })) {
      ordered.push_back(k);
    }
  }
  for (const ConfigKey& k : plugin_def) ordered.push_back(k);
  std::set<std::string> groups_seen;
  std::vector<std::string> groups;
  for (const char* g : {"Common", "Transforms", "Predicates", "Error Handling"}) {
    groups.push_back(g);
    groups_seen.insert(g);
  }
  for (const ConfigKey& k : ordered) {
    if (!k.group.empty() && groups_seen.insert(k.group).second) groups.push_back(k.group);
    std::optional<std::string> v;
    auto it = config.find(k.name);
    if (it != config.end())
      v = it->second;
    else
      v = k.default_value;
    auto e = errors.find(k.name);
    std::vector<std::string> recommended = k.recommended_values;
    if (auto pv = plugin_values.find(k.name);
        pv != plugin_values.end() && !pv->second.recommended_values.empty()) {
      recommended = pv->second.recommended_values;
    }
    configs.push_back(json{
        {"definition", config_key_json(k)},
        {"value",
         value_json(k.name, shown_value(k, v),
                    e == errors.end() ? std::vector<std::string>{} : e->second, recommended)}});
  }
  for (const auto& [k, v] : config) {
    if (is_secret_key(all, k)) result->secret_keys.push_back(k);
  }

  // Count and list messages in response order.
  for (const auto& c : configs) {
    for (const auto& e : c["value"]["errors"]) result->errors.push_back(e.get<std::string>());
  }
  result->error_count = static_cast<int>(result->errors.size());
  result->infos = json{{"name", cls},
                       {"error_count", result->error_count},
                       {"groups", groups},
                       {"configs", configs}};
  return true;
}

std::string invalid_config_message(const ValidationResult& result) {
  std::string m =
      fmt::format("Connector configuration is invalid and contains the following {} error(s):",
                  result.error_count);
  for (const auto& e : result.errors) m += "\n" + e;
  m += "\nYou can also find the above list of errors at the endpoint "
       "`/connector-plugins/{connectorType}/config/validate`";
  return m;
}

}  // namespace sentinel::connect

// Routing and JSON shapes of the Connect REST API.
#include "rest-api/rest_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "common/log.h"
#include "rest-api/json_depth.h"

namespace sentinel::connect {
namespace {

using json = nlohmann::ordered_json;
constexpr int kMaxJsonDepth = 64;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

HttpResponse ok_json(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.body = dump(body);
  return r;
}

HttpResponse empty(int status) {
  HttpResponse r;
  r.status = status;
  r.content_type.clear();
  return r;
}

HttpResponse from(const Outcome& o) { return error_response(o.status, o.message); }

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    if (i >= path.size()) break;
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool is_json_content_type(const std::string& ct) {
  if (ct.empty()) return true;  // like Jersey, a body without a type is accepted
  std::string t = ct.substr(0, ct.find(';'));
  t.erase(std::remove_if(t.begin(), t.end(), ::isspace), t.end());
  std::transform(t.begin(), t.end(), t.begin(), ::tolower);
  return t == "application/json" || t == "*/*" || (t.ends_with("+json") && t.rfind("application/", 0) == 0);
}

// Parses a JSON body; on failure *error is the response to send.
bool parse_body(const HttpRequest& req, json* out, HttpResponse* error) {
  if (!is_json_content_type(req.content_type)) {
    *error = error_response(415, "HTTP 415 Unsupported Media Type");
    return false;
  }
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    *error = error_response(400, "Request body is empty: expected a JSON document");
    return false;
  }
  if (!json_depth_within(req.body, kMaxJsonDepth)) {
    *error = error_response(400, fmt::format("Request body is nested more than {} levels deep", kMaxJsonDepth));
    return false;
  }
  try {
    *out = json::parse(req.body);
  } catch (const json::exception& e) {
    *error = error_response(400, std::string("Malformed JSON in request body: ") + e.what());
    return false;
  }
  return true;
}

// A Connect config map: string values; numbers and booleans are taken as their text (Jackson's
// coercion); null is kept so validation can name it.
bool to_config(const json& j, const std::string& what, RawConfig* out, HttpResponse* error) {
  if (!j.is_object()) {
    *error = error_response(400, what + " must be a JSON object of string values");
    return false;
  }
  for (const auto& [k, v] : j.items()) {
    if (v.is_string()) (*out)[k] = v.get<std::string>();
    else if (v.is_null()) (*out)[k] = std::nullopt;
    else if (v.is_boolean() || v.is_number()) (*out)[k] = dump(v);
    else {
      *error = error_response(400, fmt::format("{}: value of \"{}\" must be a string, number, boolean or null, "
                                               "not {}",
                                               what, k, v.type_name()));
      return false;
    }
  }
  return true;
}

bool query_flag(const HttpRequest& req, const std::string& name) {
  auto it = req.query.find(name);
  if (it == req.query.end()) return false;
  std::string v = it->second;
  std::transform(v.begin(), v.end(), v.begin(), ::tolower);
  return v == "true";
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

json state_json(const StateView& s, const std::string& worker_id, std::optional<int> id = std::nullopt) {
  json j = json::object();
  if (id) j["id"] = *id;
  j["state"] = s.state;
  j["worker_id"] = worker_id;
  if (!s.trace.empty()) j["trace"] = s.trace;
  return j;
}

json status_json(const ConnectorStatusView& v, const std::string& worker_id) {
  json tasks = json::array();
  for (const auto& [id, s] : v.tasks) tasks.push_back(state_json(s, worker_id, id));
  return json{{"name", v.name}, {"connector", state_json(v.connector, worker_id)}, {"tasks", tasks}, {"type", "sink"}};
}

json info_json(const ConnectorInfoView& v) {
  json tasks = json::array();
  for (int t : v.tasks) tasks.push_back(json{{"connector", v.name}, {"task", t}});
  return json{{"name", v.name}, {"config", v.config}, {"tasks", tasks}, {"type", "sink"}};
}

std::string url_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

bool parse_int(const json& v, int64_t* out) {
  if (v.is_number_integer()) {
    *out = v.get<int64_t>();
    return true;
  }
  if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v.get<uint64_t>());
    return true;
  }
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    try {
      size_t used = 0;
      long long n = std::stoll(s, &used);
      if (used != s.size() || s.empty()) return false;
      *out = n;
      return true;
    } catch (...) {
      return false;
    }
  }
  return false;
}

// The PATCH /offsets body → partition → offset (nullopt resets).
bool parse_offsets(const json& body, std::map<TopicPartition, std::optional<int64_t>>* out, HttpResponse* error) {
  auto bad = [&](const std::string& m) {
    *error = error_response(400, m);
    return false;
  };
  if (!body.is_object()) return bad("The request body must be a JSON object with an \"offsets\" array");
  for (const auto& [k, v] : body.items()) {
    if (k != "offsets") return bad("Unrecognized field \"" + k + "\" in the request body: expected \"offsets\"");
  }
  if (!body.contains("offsets") || body["offsets"].is_null() || (body["offsets"].is_array() && body["offsets"].empty())) {
    return bad("Partitions / offsets need to be provided for an alter offsets request");
  }
  if (!body["offsets"].is_array()) return bad("\"offsets\" must be an array of {\"partition\":…,\"offset\":…} objects");
  for (const json& e : body["offsets"]) {
    if (!e.is_object() || !e.contains("partition") || !e["partition"].is_object()) {
      return bad("The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'");
    }
    const json& p = e["partition"];
    if (!p.contains("kafka_topic") || !p.contains("kafka_partition")) {
      return bad("The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'");
    }
    if (!p["kafka_topic"].is_string() || p["kafka_topic"].get<std::string>().empty()) {
      return bad("Kafka topic names must be valid strings, but '" + dump(p["kafka_topic"]) + "' is not");
    }
    int64_t partition = 0;
    if (!parse_int(p["kafka_partition"], &partition) || partition < 0 || partition > INT32_MAX) {
      return bad("Failed to parse the following Kafka partition value in the provided offsets: '" +
                 dump(p["kafka_partition"]) + "'. Partition values for sink connectors need to be integers.");
    }
    TopicPartition tp{p["kafka_topic"].get<std::string>(), static_cast<int32_t>(partition)};
    if (!e.contains("offset") || e["offset"].is_null()) {
      (*out)[tp] = std::nullopt;
      continue;
    }
    const json& o = e["offset"];
    if (!o.is_object() || !o.contains("kafka_offset")) {
      return bad("The offset for a sink connector should either be null or contain the key 'kafka_offset'");
    }
    int64_t offset = 0;
    if (!parse_int(o["kafka_offset"], &offset) || offset < 0) {
      return bad("Failed to parse the following Kafka offset value in the provided offsets: '" +
                 dump(o["kafka_offset"]) + "'. Offset values for sink connectors need to be non-negative integers.");
    }
    (*out)[tp] = offset;
  }
  return true;
}

const char* kConverterClasses[] = {"org.apache.kafka.connect.converters.ByteArrayConverter",
                                   "org.apache.kafka.connect.json.JsonConverter",
                                   "org.apache.kafka.connect.storage.StringConverter"};

std::string normalized_plugin_name(const std::string& s) {
  return s.ends_with("Connector") ? s.substr(0, s.size() - 9) : s;
}

// Every resource of the API ("*" stands for one path segment) and the methods it allows, as
// Jersey's automatic OPTIONS lists them for Connect (HEAD comes with GET). OPTIONS answers from
// this table and 405 answers carry its Allow header; the router below must agree with it (a unit
// test calls every method on every resource).
struct Resource {
  std::vector<std::string_view> segments;
  const char* allow;
};
const Resource kResources[] = {
    {{}, "HEAD,GET,OPTIONS"},
    {{"health"}, "HEAD,GET,OPTIONS"},
    {{"metrics"}, "HEAD,GET,OPTIONS"},
    {{"connector-plugins"}, "HEAD,GET,OPTIONS"},
    {{"connector-plugins", "*", "config"}, "HEAD,GET,OPTIONS"},
    {{"connector-plugins", "*", "config", "validate"}, "PUT,OPTIONS"},
    {{"admin", "loggers"}, "HEAD,GET,OPTIONS"},
    {{"admin", "loggers", "*"}, "HEAD,PUT,GET,OPTIONS"},
    {{"connectors"}, "HEAD,POST,GET,OPTIONS"},
    {{"connectors", "*"}, "HEAD,DELETE,GET,OPTIONS"},
    {{"connectors", "*", "config"}, "HEAD,PUT,PATCH,GET,OPTIONS"},
    {{"connectors", "*", "status"}, "HEAD,GET,OPTIONS"},
    {{"connectors", "*", "restart"}, "POST,OPTIONS"},
    {{"connectors", "*", "pause"}, "PUT,OPTIONS"},
    {{"connectors", "*", "resume"}, "PUT,OPTIONS"},
    {{"connectors", "*", "stop"}, "PUT,OPTIONS"},
    {{"connectors", "*", "tasks"}, "HEAD,GET,OPTIONS"},
    {{"connectors", "*", "tasks-config"}, "HEAD,GET,OPTIONS"},
    {{"connectors", "*", "tasks", "*", "status"}, "HEAD,GET,OPTIONS"},
    {{"connectors", "*", "tasks", "*", "restart"}, "POST,OPTIONS"},
    {{"connectors", "*", "topics"}, "HEAD,GET,OPTIONS"},
    {{"connectors", "*", "topics", "reset"}, "PUT,OPTIONS"},
    {{"connectors", "*", "offsets"}, "HEAD,PATCH,DELETE,GET,OPTIONS"},
};

const char* allowed_methods(const std::vector<std::string>& seg) {
  for (const Resource& r : kResources) {
    if (r.segments.size() != seg.size()) continue;
    bool match = true;
    for (size_t i = 0; i < seg.size() && match; ++i) {
      match = r.segments[i] == "*" || r.segments[i] == seg[i];
    }
    if (match) return r.allow;
  }
  return nullptr;
}

// Loggers: Sentinel has one level for the whole process ("root"); other names are remembered so
// the endpoints behave like Connect's, and the level of the last one set applies.
struct LoggerRegistry {
  std::mutex mu;
  std::map<std::string, std::pair<std::string, std::optional<int64_t>>> levels = {{"root", {"INFO", std::nullopt}}};
};
LoggerRegistry& loggers() {
  static LoggerRegistry r;
  return r;
}

}  // namespace

HttpResponse error_response(int status, const std::string& message) {
  HttpResponse r;
  r.status = status;
  r.body = dump(json{{"error_code", status}, {"message", message}});
  return r;
}

HttpResponse RestApi::handle(const HttpRequest& req) {
  std::vector<std::string> seg = split_path(req.path);
  const std::string& m = req.method;
  const std::string worker_id = herder_->settings().worker_id;
  auto not_allowed = [&seg] {
    HttpResponse r = error_response(405, "HTTP 405 Method Not Allowed");
    if (const char* allow = allowed_methods(seg)) r.headers["Allow"] = allow;
    return r;
  };
  auto not_found = [] { return error_response(404, "HTTP 404 Not Found"); };
  if (m == "OPTIONS") {
    const char* allow = allowed_methods(seg);
    if (!allow) return not_found();
    HttpResponse r = empty(200);
    r.headers["Allow"] = allow;
    return r;
  }

  try {
    // GET /
    if (seg.empty()) {
      if (m != "GET") return not_allowed();
      return ok_json(200, json{{"version", info_.version},
                               {"commit", info_.commit},
                               {"kafka_cluster_id", info_.cluster_id ? info_.cluster_id() : ""}});
    }
    if (seg.size() == 1 && seg[0] == "health") {
      if (m != "GET") return not_allowed();
      if (info_.ready && !info_.ready()) {
        return ok_json(503, json{{"status", "starting"},
                                 {"message", "Worker is still starting up: connectors from the state directory "
                                             "and the command line are being started."}});
      }
      return ok_json(200, json{{"status", "healthy"},
                               {"message", "Worker has completed startup and is ready to handle requests."}});
    }
    if (seg.size() == 1 && seg[0] == "metrics") {
      if (m != "GET") return not_allowed();
      HttpResponse r;
      r.body = herder_->metrics_text();
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      return r;
    }

    // /connector-plugins
    if (seg[0] == "connector-plugins") {
      if (seg.size() == 1) {
        if (m != "GET") return not_allowed();
        auto it = req.query.find("connectorsOnly");
        bool connectors_only = it == req.query.end() || it->second != "false";
        json list = json::array();
        std::vector<PluginInfo> plugins = herder_->plugins().plugins();
        std::sort(plugins.begin(), plugins.end(), [](const auto& a, const auto& b) { return a.class_name < b.class_name; });
        for (const auto& p : plugins) {
          json e = {{"class", p.class_name}, {"type", "sink"}};
          if (p.version != "undefined") e["version"] = p.version;
          list.push_back(e);
        }
        if (!connectors_only) {
          for (const char* c : kConverterClasses) list.push_back(json{{"class", c}, {"type", "converter"}});
        }
        return ok_json(200, list);
      }
      const std::string& plugin = seg[1];
      if (seg.size() == 3 && seg[2] == "config") {
        if (m != "GET") return not_allowed();
        if (const PluginInfo* p = herder_->plugins().find(plugin)) {
          json list = json::array();
          for (const ConfigKey& k : merged_config_def(p->instantiate()->config_def())) list.push_back(config_key_json(k));
          return ok_json(200, list);
        }
        if (converter_kind(plugin)) {
          json list = json::array();
          if (*converter_kind(plugin) == ConverterKind::kJson) {
            ConfigKey k;
            k.name = "schemas.enable";
            k.type = ConfigType::kBoolean;
            k.default_value = "true";
            k.importance = Importance::kHigh;
            k.documentation = "Include schemas within each of the serialized values and keys.";
            k.group = "Schemas";
            k.order_in_group = 1;
            k.width = Width::kMedium;
            k.display_name = "Enable Schemas";
            list.push_back(config_key_json(k));
          }
          return ok_json(200, list);
        }
        return error_response(404, "Unknown plugin " + plugin + ".");
      }
      if (seg.size() == 4 && seg[2] == "config" && seg[3] == "validate") {
        if (m != "PUT") return not_allowed();
        json body;
        HttpResponse error;
        if (!parse_body(req, &body, &error)) return error;
        RawConfig config;
        if (!to_config(body, "The connector config", &config, &error)) return error;
        auto cls = config.find("connector.class");
        if (cls != config.end() && cls->second &&
            !normalized_plugin_name(*cls->second).ends_with(normalized_plugin_name(plugin))) {
          return error_response(400, "Included connector type " + *cls->second + " does not match request type " + plugin);
        }
        ValidationResult result;
        Outcome o = herder_->validate(config, &result);
        if (!o.ok()) return from(o);
        return ok_json(200, result.infos);
      }
      return not_found();
    }

    // /admin/loggers
    if (seg[0] == "admin" && seg.size() >= 2 && seg[1] == "loggers") {
      LoggerRegistry& reg = loggers();
      if (seg.size() == 2) {
        if (m != "GET") return not_allowed();
        std::lock_guard lock(reg.mu);
        json out = json::object();
        for (const auto& [name, l] : reg.levels) {
          out[name] = json{{"level", l.first}, {"last_modified", l.second ? json(*l.second) : json(nullptr)}};
        }
        return ok_json(200, out);
      }
      if (seg.size() != 3) return not_found();
      const std::string& name = seg[2];
      if (m == "GET") {
        std::lock_guard lock(reg.mu);
        auto it = reg.levels.find(name);
        if (it == reg.levels.end()) return error_response(404, "Logger " + name + " not found.");
        return ok_json(200, json{{"level", it->second.first},
                                 {"last_modified", it->second.second ? json(*it->second.second) : json(nullptr)}});
      }
      if (m != "PUT") return not_allowed();
      json body;
      HttpResponse error;
      if (!parse_body(req, &body, &error)) return error;
      if (!body.is_object() || !body.contains("level") || body["level"].is_null()) {
        return error_response(400, "Desired 'level' parameter was not specified in request.");
      }
      std::string level = body["level"].is_string() ? body["level"].get<std::string>() : dump(body["level"]);
      std::string upper = level;
      std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
      static const std::map<std::string, log::Level> kLevels = {
          {"OFF", log::Level::kError},   {"FATAL", log::Level::kError}, {"ERROR", log::Level::kError},
          {"WARN", log::Level::kWarning}, {"INFO", log::Level::kInfo},   {"DEBUG", log::Level::kDebug},
          {"TRACE", log::Level::kDebug}, {"ALL", log::Level::kDebug}};
      auto lv = kLevels.find(upper);
      if (lv == kLevels.end()) return error_response(404, "invalid log level '" + level + "'.");
      std::vector<std::string> changed;
      {
        std::lock_guard lock(reg.mu);
        int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
        for (auto& [n, l] : reg.levels) {
          if (name == "root" || n == name || n.rfind(name + ".", 0) == 0) {
            l = {upper, now};
            changed.push_back(n);
          }
        }
        if (!reg.levels.count(name)) {
          reg.levels[name] = {upper, now};
          changed.push_back(name);
        }
      }
      log::set_max_level(lv->second);
      std::sort(changed.begin(), changed.end());
      auto scope = req.query.find("scope");
      if (scope != req.query.end() && scope->second == "cluster") return empty(204);
      return ok_json(200, changed);
    }

    if (seg[0] != "connectors") return not_found();

    // /connectors
    if (seg.size() == 1) {
      if (m == "GET") {
        std::vector<std::string> names = herder_->names();
        auto [b, e] = req.query.equal_range("expand");
        if (b == e) return ok_json(200, names);
        json out = json::object();
        for (const auto& name : names) {
          json entry = json::object();
          for (auto it = b; it != e; ++it) {
            if (it->second == "status") {
              ConnectorStatusView v;
              if (herder_->status(name, &v).ok()) entry["status"] = status_json(v, worker_id);
            } else if (it->second == "info") {
              ConnectorInfoView v;
              if (herder_->info(name, &v).ok()) entry["info"] = info_json(v);
            } else {
              log::info("GET /connectors: ignoring unknown expand value {}", it->second);
            }
          }
          out[name] = entry;
        }
        return ok_json(200, out);
      }
      if (m != "POST") return not_allowed();
      json body;
      HttpResponse error;
      if (!parse_body(req, &body, &error)) return error;
      if (!body.is_object()) return error_response(400, "The request body must be a JSON object {\"name\":…,\"config\":{…}}");
      for (const auto& [k, v] : body.items()) {
        if (k != "name" && k != "config" && k != "initial_state") {
          return error_response(400, "Unrecognized field \"" + k + "\" in the request body: expected name, config, initial_state");
        }
      }
      std::string name;
      if (body.contains("name") && !body["name"].is_null()) {
        if (!body["name"].is_string()) return error_response(400, "\"name\" must be a string");
        name = trim(body["name"].get<std::string>());
      }
      if (!body.contains("config") || body["config"].is_null()) {
        return error_response(400, "Request body is missing the connector config: expected {\"name\":…,\"config\":{…}}");
      }
      RawConfig config;
      if (!to_config(body["config"], "config", &config, &error)) return error;
      std::optional<std::string> initial_state;
      if (body.contains("initial_state") && !body["initial_state"].is_null()) {
        if (!body["initial_state"].is_string()) return error_response(400, "\"initial_state\" must be RUNNING, PAUSED or STOPPED");
        initial_state = body["initial_state"].get<std::string>();
      }
      if (name.find('/') != std::string::npos) return error_response(400, "connector name should not contain '/'");
      auto cn = config.find("name");
      if (cn != config.end() && cn->second && *cn->second != name) {
        return error_response(400, "Connector name configuration (" + *cn->second +
                                       ") doesn't match connector name in the URL (" + name + ")");
      }
      config["name"] = name;
      bool created = false;
      ConnectorInfoView info;
      Outcome o = herder_->put_connector(name, config, initial_state, false, &created, &info);
      if (!o.ok()) return from(o);
      HttpResponse r = ok_json(201, info_json(info));
      r.headers["Location"] = "/connectors/" + url_encode(name);
      return r;
    }

    const std::string& name = seg[1];
    // /connectors/{name}
    if (seg.size() == 2) {
      if (m == "GET") {
        ConnectorInfoView v;
        Outcome o = herder_->info(name, &v);
        return o.ok() ? ok_json(200, info_json(v)) : from(o);
      }
      if (m == "DELETE") {
        Outcome o = herder_->remove(name);
        return o.ok() ? empty(204) : from(o);
      }
      return not_allowed();
    }
    const std::string& sub = seg[2];
    if (seg.size() == 3) {
      if (sub == "config") {
        if (m == "GET") {
          std::map<std::string, std::string> c;
          Outcome o = herder_->config(name, &c);
          return o.ok() ? ok_json(200, c) : from(o);
        }
        if (m != "PUT" && m != "PATCH") return not_allowed();
        json body;
        HttpResponse error;
        if (!parse_body(req, &body, &error)) return error;
        RawConfig config;
        if (!to_config(body, "The connector config", &config, &error)) return error;
        ConnectorInfoView info;
        if (m == "PATCH") {
          Outcome o = herder_->patch_connector(name, config, &info);
          return o.ok() ? ok_json(200, info_json(info)) : from(o);
        }
        auto cn = config.find("name");
        if (cn != config.end() && cn->second && *cn->second != name) {
          return error_response(400, "Connector name configuration (" + *cn->second +
                                         ") doesn't match connector name in the URL (" + name + ")");
        }
        config["name"] = name;
        bool created = false;
        Outcome o = herder_->put_connector(name, config, std::nullopt, true, &created, &info);
        if (!o.ok()) return from(o);
        HttpResponse r = ok_json(created ? 201 : 200, info_json(info));
        if (created) r.headers["Location"] = "/connectors/" + url_encode(name);
        return r;
      }
      if (sub == "status") {
        if (m != "GET") return not_allowed();
        ConnectorStatusView v;
        Outcome o = herder_->status(name, &v);
        return o.ok() ? ok_json(200, status_json(v, worker_id)) : from(o);
      }
      if (sub == "restart") {
        if (m != "POST") return not_allowed();
        bool include_tasks = query_flag(req, "includeTasks");
        bool only_failed = query_flag(req, "onlyFailed");
        ConnectorStatusView plan;
        Outcome o = herder_->restart(name, include_tasks, only_failed, &plan);
        if (!o.ok()) return from(o);
        if (!include_tasks && !only_failed) return empty(204);
        return ok_json(202, status_json(plan, worker_id));
      }
      if (sub == "pause" || sub == "resume" || sub == "stop") {
        if (m != "PUT") return not_allowed();
        Outcome o = sub == "pause" ? herder_->pause(name) : sub == "resume" ? herder_->resume(name) : herder_->stop(name);
        if (!o.ok()) return from(o);
        return empty(sub == "stop" ? 204 : 202);
      }
      if (sub == "tasks") {
        if (m != "GET") return not_allowed();
        std::vector<TaskInfoView> tasks;
        Outcome o = herder_->tasks(name, &tasks);
        if (!o.ok()) return from(o);
        json out = json::array();
        for (const auto& t : tasks) out.push_back(json{{"id", {{"connector", name}, {"task", t.id}}}, {"config", t.config}});
        return ok_json(200, out);
      }
      if (sub == "tasks-config") {
        if (m != "GET") return not_allowed();
        std::vector<TaskInfoView> tasks;
        Outcome o = herder_->tasks(name, &tasks);
        if (!o.ok()) return from(o);
        json out = json::object();
        for (const auto& t : tasks) out[fmt::format("{}-{}", name, t.id)] = t.config;
        return ok_json(200, out);
      }
      if (sub == "topics") {
        if (m != "GET") return not_allowed();
        std::vector<std::string> topics;
        Outcome o = herder_->active_topics(name, &topics);
        if (!o.ok()) return from(o);
        return ok_json(200, json{{name, {{"topics", topics}}}});
      }
      if (sub == "offsets") {
        if (m == "GET") {
          std::vector<PartitionOffset> offsets;
          Outcome o = herder_->offsets(name, &offsets);
          if (!o.ok()) return from(o);
          json list = json::array();
          for (const auto& p : offsets) {
            list.push_back(json{{"partition", {{"kafka_topic", p.topic}, {"kafka_partition", p.partition}}},
                                {"offset", {{"kafka_offset", p.offset}}}});
          }
          return ok_json(200, json{{"offsets", list}});
        }
        std::string message;
        if (m == "DELETE") {
          Outcome o = herder_->reset_offsets(name, &message);
          return o.ok() ? ok_json(200, json{{"message", message}}) : from(o);
        }
        if (m != "PATCH") return not_allowed();
        json body;
        HttpResponse error;
        if (!parse_body(req, &body, &error)) return error;
        std::map<TopicPartition, std::optional<int64_t>> offsets;
        if (!parse_offsets(body, &offsets, &error)) return error;
        Outcome o = herder_->alter_offsets(name, offsets, &message);
        return o.ok() ? ok_json(200, json{{"message", message}}) : from(o);
      }
      return not_found();
    }
    if (seg.size() == 4 && sub == "topics" && seg[3] == "reset") {
      if (m != "PUT") return not_allowed();
      Outcome o = herder_->reset_active_topics(name);
      return o.ok() ? empty(202) : from(o);
    }
    if (seg.size() == 5 && sub == "tasks" && (seg[4] == "status" || seg[4] == "restart")) {
      int64_t task = 0;
      bool numeric = parse_int(json(seg[3]), &task) && task >= 0 && task <= INT32_MAX;
      if (seg[4] == "status") {
        if (m != "GET") return not_allowed();
        if (!numeric) return not_found();  // Jersey cannot bind a non-integer {task}
        StateView v;
        Outcome o = herder_->task_status(name, static_cast<int>(task), &v);
        return o.ok() ? ok_json(200, state_json(v, worker_id, static_cast<int>(task))) : from(o);
      }
      if (m != "POST") return not_allowed();
      if (!numeric) return not_found();
      Outcome o = herder_->restart_task(name, static_cast<int>(task));
      return o.ok() ? empty(204) : from(o);
    }
    return not_found();
  } catch (const std::exception& e) {
    log::error("REST {} {}: {}", req.method, req.path, e.what());
    return error_response(500, std::string("Internal error: ") + e.what());
  }
}

}  // namespace sentinel::connect

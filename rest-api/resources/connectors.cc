// /connectors: list (with ?expand=status|info), create, read, delete, config (PUT creates or
// updates, PATCH merges), status, restart, pause/resume/stop, tasks and their status and restart,
// and the active topics. Offsets are in offsets.cc.
#include <fmt/format.h>

#include <optional>

#include "common/log.h"
#include "rest-api/rest_json.h"
#include "rest-api/route.h"

namespace sentinel::connect {
namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string url_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

json state_json(const StateView& s, std::optional<int> id = std::nullopt) {
  json j = json::object();
  if (id) j["id"] = *id;
  j["state"] = to_string(s.state);
  j["worker_id"] = s.worker_id;
  if (!s.trace.empty()) j["trace"] = s.trace;
  return j;
}

json status_json(const ConnectorStatusView& v) {
  json tasks = json::array();
  for (const auto& [id, s] : v.tasks) tasks.push_back(state_json(s, id));
  return json{
      {"name", v.name}, {"connector", state_json(v.connector)}, {"tasks", tasks}, {"type", "sink"}};
}

json info_json(const ConnectorInfoView& v) {
  json tasks = json::array();
  for (int t : v.tasks) tasks.push_back(json{{"connector", v.name}, {"task", t}});
  return json{{"name", v.name}, {"config", v.config}, {"tasks", tasks}, {"type", "sink"}};
}

// A config's "name" must be the connector's own (the URL's or the body's).
std::optional<HttpResponse> name_mismatch(const RawConfig& config, const std::string& name) {
  auto cn = config.find("name");
  if (cn != config.end() && cn->second && *cn->second != name) {
    return error_response(400, "Connector name configuration (" + *cn->second +
                                   ") doesn't match connector name in the URL (" + name + ")");
  }
  return std::nullopt;
}

HttpResponse list_connectors(const RouteCall& c) {
  std::vector<std::string> names = c.herder.names();
  auto [b, e] = c.request.query.equal_range("expand");
  if (b == e) return ok_json(200, names);
  json out = json::object();
  for (const auto& name : names) {
    json entry = json::object();
    for (auto it = b; it != e; ++it) {
      if (it->second == "status") {
        ConnectorStatusView v;
        if (c.herder.status(name, &v).ok()) entry["status"] = status_json(v);
      } else if (it->second == "info") {
        ConnectorInfoView v;
        if (c.herder.info(name, &v).ok()) entry["info"] = info_json(v);
      } else {
        log::info("GET /connectors: ignoring unknown expand value {}", it->second);
      }
    }
    out[name] = entry;
  }
  return ok_json(200, out);
}

HttpResponse create_connector(const RouteCall& c) {
  json body;
  HttpResponse error;
  if (!parse_body(c.request, &body, &error)) return error;
  if (!body.is_object())
    return error_response(400,
                          "The request body must be a JSON object {\"name\":…,\"config\":{…}}");
  for (const auto& [k, v] : body.items()) {
    if (k != "name" && k != "config" && k != "initial_state") {
      return error_response(400,
                            "Unrecognized field \"" + k +
                                "\" in the request body: expected name, config, initial_state");
    }
  }
  std::string name;
  if (body.contains("name") && !body["name"].is_null()) {
    if (!body["name"].is_string()) return error_response(400, "\"name\" must be a string");
    name = trim(body["name"].get<std::string>());
  }
  if (!body.contains("config") || body["config"].is_null()) {
    return error_response(
        400, "Request body is missing the connector config: expected {\"name\":…,\"config\":{…}}");
  }
  RawConfig config;
  if (!to_config(body["config"], "config", &config, &error)) return error;
  std::optional<std::string> initial_state;
  if (body.contains("initial_state") && !body["initial_state"].is_null()) {
    if (!body["initial_state"].is_string())
      return error_response(400, "\"initial_state\" must be RUNNING, PAUSED or STOPPED");
    initial_state = body["initial_state"].get<std::string>();
  }
  if (name.find('/') != std::string::npos)
    return error_response(400, "connector name should not contain '/'");
  if (auto mismatch = name_mismatch(config, name)) return *mismatch;
  config["name"] = name;
  bool created = false;
  ConnectorInfoView info;
  Outcome o = c.herder.put_connector(name, config, initial_state, false, &created, &info);
  if (!o.ok()) return error_from(o);
  HttpResponse r = ok_json(201, info_json(info));
  r.headers["Location"] = "/connectors/" + url_encode(name);
  return r;
}

HttpResponse get_connector(const RouteCall& c) {
  ConnectorInfoView v;
  Outcome o = c.herder.info(c.params[0], &v);
  return o.ok() ? ok_json(200, info_json(v)) : error_from(o);
}

HttpResponse delete_connector(const RouteCall& c) {
  Outcome o = c.herder.remove(c.params[0]);
  return o.ok() ? empty_response(204) : error_from(o);
}

HttpResponse get_config(const RouteCall& c) {
  std::map<std::string, std::string> config;
  Outcome o = c.herder.config(c.params[0], &config);
  return o.ok() ? ok_json(200, config) : error_from(o);
}

HttpResponse put_config(const RouteCall& c) {
  const std::string& name = c.params[0];
  json body;
  HttpResponse error;
  if (!parse_body(c.request, &body, &error)) return error;
  RawConfig config;
  if (!to_config(body, "The connector config", &config, &error)) return error;
  if (auto mismatch = name_mismatch(config, name)) return *mismatch;
  config["name"] = name;
  bool created = false;
  ConnectorInfoView info;
  Outcome o = c.herder.put_connector(name, config, std::nullopt, true, &created, &info);
  if (!o.ok()) return error_from(o);
  HttpResponse r = ok_json(created ? 201 : 200, info_json(info));
  if (created) r.headers["Location"] = "/connectors/" + url_encode(name);
  return r;
}

HttpResponse patch_config(const RouteCall& c) {
  json body;
  HttpResponse error;
  if (!parse_body(c.request, &body, &error)) return error;
  RawConfig config;
  if (!to_config(body, "The connector config", &config, &error)) return error;
  ConnectorInfoView info;
  Outcome o = c.herder.patch_connector(c.params[0], config, &info);
  return o.ok() ? ok_json(200, info_json(info)) : error_from(o);
}

HttpResponse get_status(const RouteCall& c) {
  ConnectorStatusView v;
  Outcome o = c.herder.status(c.params[0], &v);
  return o.ok() ? ok_json(200, status_json(v)) : error_from(o);
}

HttpResponse restart_connector(const RouteCall& c) {
  bool include_tasks = query_flag(c.request, "includeTasks");
  bool only_failed = query_flag(c.request, "onlyFailed");
  ConnectorStatusView plan;
  Outcome o = c.herder.restart(c.params[0], include_tasks, only_failed, &plan);
  if (!o.ok()) return error_from(o);
  if (!include_tasks && !only_failed) return empty_response(204);
  return ok_json(202, status_json(plan));
}

HttpResponse pause_connector(const RouteCall& c) {
  Outcome o = c.herder.pause(c.params[0]);
  return o.ok() ? empty_response(202) : error_from(o);
}

HttpResponse resume_connector(const RouteCall& c) {
  Outcome o = c.herder.resume(c.params[0]);
  return o.ok() ? empty_response(202) : error_from(o);
}

HttpResponse stop_connector(const RouteCall& c) {
  Outcome o = c.herder.stop(c.params[0]);
  return o.ok() ? empty_response(204) : error_from(o);
}

HttpResponse get_tasks(const RouteCall& c) {
  const std::string& name = c.params[0];
  std::vector<TaskInfoView> tasks;
  Outcome o = c.herder.tasks(name, &tasks);
  if (!o.ok()) return error_from(o);
  json out = json::array();
  for (const auto& t : tasks)
    out.push_back(json{{"id", {{"connector", name}, {"task", t.id}}}, {"config", t.config}});
  return ok_json(200, out);
}

HttpResponse get_tasks_config(const RouteCall& c) {
  const std::string& name = c.params[0];
  std::vector<TaskInfoView> tasks;
  Outcome o = c.herder.tasks(name, &tasks);
  if (!o.ok()) return error_from(o);
  json out = json::object();
  for (const auto& t : tasks) out[fmt::format("{}-{}", name, t.id)] = t.config;
  return ok_json(200, out);
}

// {task}: Jersey cannot bind a non-integer, so such a path is 404.
std::optional<int> task_id(const RouteCall& c) {
  int64_t task = 0;
  if (!parse_int(json(c.params[1]), &task) || task < 0 || task > INT32_MAX) return std::nullopt;
  return static_cast<int>(task);
}

HttpResponse get_task_status(const RouteCall& c) {
  std::optional<int> task = task_id(c);
  if (!task) return error_response(404, "HTTP 404 Not Found");
  StateView v;
  Outcome o = c.herder.task_status(c.params[0], *task, &v);
  return o.ok() ? ok_json(200, state_json(v, *task)) : error_from(o);
}

HttpResponse restart_task(const RouteCall& c) {
  std::optional<int> task = task_id(c);
  if (!task) return error_response(404, "HTTP 404 Not Found");
  Outcome o = c.herder.restart_task(c.params[0], *task);
  return o.ok() ? empty_response(204) : error_from(o);
}

HttpResponse get_topics(const RouteCall& c) {
  const std::string& name = c.params[0];
  std::vector<std::string> topics;
  Outcome o = c.herder.active_topics(name, &topics);
  if (!o.ok()) return error_from(o);
  return ok_json(200, json{{name, {{"topics", topics}}}});
}

HttpResponse reset_topics(const RouteCall& c) {
  Outcome o = c.herder.reset_active_topics(c.params[0]);
  return o.ok() ? empty_response(202) : error_from(o);
}

}  // namespace

std::vector<Route> connector_routes() {
  return {
      {"POST", "/connectors", create_connector},
      {"GET", "/connectors", list_connectors},
      {"DELETE", "/connectors/{connector}", delete_connector},
      {"GET", "/connectors/{connector}", get_connector},
      {"PUT", "/connectors/{connector}/config", put_config},
      {"PATCH", "/connectors/{connector}/config", patch_config},
      {"GET", "/connectors/{connector}/config", get_config},
      {"GET", "/connectors/{connector}/status", get_status},
      {"POST", "/connectors/{connector}/restart", restart_connector},
      {"PUT", "/connectors/{connector}/pause", pause_connector},
      {"PUT", "/connectors/{connector}/resume", resume_connector},
      {"PUT", "/connectors/{connector}/stop", stop_connector},
      {"GET", "/connectors/{connector}/tasks", get_tasks},
      {"GET", "/connectors/{connector}/tasks-config", get_tasks_config},
      {"GET", "/connectors/{connector}/tasks/{task}/status", get_task_status},
      {"POST", "/connectors/{connector}/tasks/{task}/restart", restart_task},
      {"GET", "/connectors/{connector}/topics", get_topics},
      {"PUT", "/connectors/{connector}/topics/reset", reset_topics},
  };
}

}  // namespace sentinel::connect

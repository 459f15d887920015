// /admin/loggers: Sentinel has one level for the whole process ("root"); other names are
// remembered so the endpoints behave like Connect's, and the level of the last one set applies.
// The names are bounded in count and length, so PUTs of new names cannot grow memory without end.
#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>

#include "common/log.h"
#include "rest-api/rest_json.h"
#include "rest-api/route.h"

namespace sentinel::connect {
namespace {

constexpr size_t kMaxLoggers = 1024;
constexpr size_t kMaxLoggerNameLength = 255;

struct LoggerRegistry {
  std::mutex mu;
  std::map<std::string, std::pair<std::string, std::optional<int64_t>>> levels = {
      {"root", {"INFO", std::nullopt}}};
};

LoggerRegistry& loggers() {
  static LoggerRegistry r;
  return r;
}

HttpResponse list_loggers(const RouteCall&) {
  LoggerRegistry& reg = loggers();
  std::lock_guard lock(reg.mu);
  json out = json::object();
  for (const auto& [name, l] : reg.levels) {
    out[name] =
        json{{"level", l.first}, {"last_modified", l.second ? json(*l.second) : json(nullptr)}};
  }
  return ok_json(200, out);
}

HttpResponse get_logger(const RouteCall& c) {
  const std::string& name = c.params[0];
  LoggerRegistry& reg = loggers();
  std::lock_guard lock(reg.mu);
  auto it = reg.levels.find(name);
  if (it == reg.levels.end()) return error_response(404, "Logger " + name + " not found.");
  return ok_json(
      200, json{{"level", it->second.first},
                {"last_modified", it->second.second ? json(*it->second.second) : json(nullptr)}});
}

HttpResponse set_logger(const RouteCall& c) {
  const std::string& name = c.params[0];
  LoggerRegistry& reg = loggers();
  if (name.size() > kMaxLoggerNameLength) {
    return error_response(400, "Logger name is " + std::to_string(name.size()) +
                                   " characters long; at most " +
                                   std::to_string(kMaxLoggerNameLength) + " are allowed.");
  }
  json body;
  HttpResponse error;
  if (!parse_body(c.request, &body, &error)) return error;
  if (!body.is_object() || !body.contains("level") || body["level"].is_null()) {
    return error_response(400, "Desired 'level' parameter was not specified in request.");
  }
  std::string level =
      body["level"].is_string() ? body["level"].get<std::string>() : dump(body["level"]);
  std::string upper = level;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  static const std::map<std::string, log::Level> kLevels = {
      {"OFF", log::Level::kError},    {"FATAL", log::Level::kError}, {"ERROR", log::Level::kError},
      {"WARN", log::Level::kWarning}, {"INFO", log::Level::kInfo},   {"DEBUG", log::Level::kDebug},
      {"TRACE", log::Level::kDebug},  {"ALL", log::Level::kDebug}};
  auto lv = kLevels.find(upper);
  if (lv == kLevels.end()) return error_response(404, "invalid log level '" + level + "'.");
  std::vector<std::string> changed;
  {
    std::lock_guard lock(reg.mu);
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    for (auto& [n, l] : reg.levels) {
      if (name == "root" || n == name || n.rfind(name + ".", 0) == 0) {
        l = {upper, now};
        changed.push_back(n);
      }
    }
    if (!reg.levels.count(name)) {
      if (reg.levels.size() >= kMaxLoggers) {
        return error_response(400, "Logger " + name +
                                       " cannot be added: this worker remembers at most " +
                                       std::to_string(kMaxLoggers) + " logger names.");
      }
      reg.levels[name] = {upper, now};
      changed.push_back(name);
    }
  }
  log::set_max_level(lv->second);
  std::sort(changed.begin(), changed.end());
  auto scope = c.request.query.find("scope");
  if (scope != c.request.query.end() && scope->second == "cluster") return empty_response(204);
  return ok_json(200, changed);
}

}  // namespace

std::vector<Route> logger_routes() {
  return {
      {"GET", "/admin/loggers", list_loggers},
      {"PUT", "/admin/loggers/{logger}", set_logger},
      {"GET", "/admin/loggers/{logger}", get_logger},
  };
}

}  // namespace sentinel::connect

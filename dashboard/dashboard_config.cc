// Parsing of sentinel-dashboard's settings (see dashboard_config.h).
#include "dashboard/dashboard_config.h"

#include <fmt/format.h>

#include <charconv>

namespace sentinel::dashboard {

bool parse_listen(const std::string& text, std::string* host, int* port, std::string* error) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    *error = fmt::format("\"{}\": expected host:port such as 127.0.0.1:8501", text);
    return false;
  }
  std::string h = text.substr(0, colon);
  std::string p = text.substr(colon + 1);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  int value = -1;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc() || end != p.data() + p.size() || value < 0 || value > 65535) {
    *error = fmt::format("\"{}\": port \"{}\": expected a number from 0 to 65535", text, p);
    return false;
  }
  *host = h.empty() ? "0.0.0.0" : h;
  *port = value;
  return true;
}

DashboardConfig parse_dashboard_config(const ConfigFile* file, const Overrides& overrides) {
  DashboardConfig c;
  if (file) {
    c.source = file->name();
    ConfigNode root = file->root();
    c.kafka = root.get_string_map("kafka");
    std::string listen = root.get_string("listen", "");
    if (!listen.empty()) {
      std::string error;
      if (!parse_listen(listen, &c.listen_host, &c.listen_port, &error)) root.fail("listen", error);
    }
    c.web_root = root.get_string("web_root", c.web_root);
    ConfigNode connect = root.child("connect");
    c.connect_url = connect.get_string("url", c.connect_url);
    c.connect_poll_interval = connect.get_duration("poll_interval", c.connect_poll_interval);
    c.connect_timeout = connect.get_duration("timeout", c.connect_timeout);
    ConfigNode topics = root.child("topics");
    c.metrics_topic = topics.get_string("metrics", c.metrics_topic);
    c.http_topic = topics.get_string("http", c.http_topic);
    c.alerts_topic = topics.get_string("alerts", c.alerts_topic);
    c.backfill = root.get_duration("backfill", c.backfill);
    c.backfill_max_records =
        root.get_int("backfill_max_records", c.backfill_max_records, 0, int64_t{1} << 40);
    c.alerts_from_beginning = root.get_bool("alerts_from_beginning", c.alerts_from_beginning);
    c.push_interval = root.get_duration("push_interval", c.push_interval);
    if (c.push_interval > std::chrono::seconds(1) ||
        c.push_interval < std::chrono::milliseconds(100)) {
      root.fail(
          "push_interval",
          "expected a duration from 100ms to 1s (browsers get updates at least once a second)");
    }
    c.max_streams = static_cast<size_t>(
        root.get_int("max_streams", static_cast<int64_t>(c.max_streams), 1, 1000));
    ModelLimits& l = c.limits;
    l.history = root.get_duration("history", l.history);
    l.resolution = root.get_duration("resolution", l.resolution);
    if (l.resolution.count() <= 0) root.fail("resolution", "expected a duration above 0");
    if (l.history < l.resolution || l.history / l.resolution > 100000) {
      root.fail("history", "expected at least one and at most 100000 resolution steps");
    }
    l.host_silent_after = root.get_duration("host_silent_after", l.host_silent_after);
    l.top_window = root.get_duration("top_window", l.top_window);
    if (l.top_window < std::chrono::minutes(1) || l.top_window > std::chrono::hours(1)) {
      root.fail("top_window", "expected a duration from 1m to 1h");
    }
    ConfigNode limits = root.child("limits");
    l.max_hosts = static_cast<size_t>(
        limits.get_int("max_hosts", static_cast<int64_t>(l.max_hosts), 1, 100000));
    l.resolved_alerts = static_cast<size_t>(
        limits.get_int("resolved_alerts", static_cast<int64_t>(l.resolved_alerts), 0, 100000));
    l.top_keys_per_minute = static_cast<size_t>(limits.get_int(
        "top_keys_per_minute", static_cast<int64_t>(l.top_keys_per_minute), 10, 1000000));
    l.top_n = static_cast<size_t>(limits.get_int("top_n", static_cast<int64_t>(l.top_n), 1, 100));
    c.warnings = file->unknown_keys();
  }
  if (!overrides.bootstrap.empty()) c.kafka["bootstrap.servers"] = overrides.bootstrap;
  if (!overrides.connect_url.empty()) c.connect_url = overrides.connect_url;
  if (!overrides.web_root.empty()) c.web_root = overrides.web_root;
  if (!overrides.listen.empty()) {
    std::string error;
    if (!parse_listen(overrides.listen, &c.listen_host, &c.listen_port, &error)) {
      throw ConfigError("command line: --listen " + error);
    }
  }
  if (!c.kafka.count("bootstrap.servers")) {
    throw ConfigError(
        fmt::format("config error: {}: kafka.bootstrap.servers is missing: set it in the "
                    "config or pass --bootstrap-servers",
                    c.source));
  }
  if (c.connect_url.rfind("http://", 0) != 0 && c.connect_url.rfind("https://", 0) != 0) {
    throw ConfigError(fmt::format("config error: {}: connect.url \"{}\": expected http://host:port",
                                  c.source, c.connect_url));
  }
  return c;
}

DashboardConfig load_dashboard_config(const std::string& path, const Overrides& overrides) {
  if (path.empty()) return parse_dashboard_config(nullptr, overrides);
  ConfigFile file = ConfigFile::load(path);
  return parse_dashboard_config(&file, overrides);
}

}  // namespace sentinel::dashboard

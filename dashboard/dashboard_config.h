// sentinel-dashboard's settings: the YAML file (config/dashboard.yaml, installed as
// /etc/sentinel/dashboard.yaml) with the command line's overrides on top. Without a file every
// setting has its default, so `sentinel-dashboard --bootstrap-servers B` is enough to start.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/kafka.h"
#include "dashboard/model.h"

namespace sentinel::dashboard {

struct Overrides {
  std::string bootstrap;
  std::string connect_url;
  std::string listen;
  std::string web_root;
};

struct DashboardConfig {
  std::string source = "(defaults)";
  kafka::Properties kafka;
  std::string listen_host = "127.0.0.1";
  int listen_port = 8501;
  std::string web_root;  // set by main from the install prefix when neither file nor CLI sets it
  std::string connect_url = "http://127.0.0.1:8083";
  std::chrono::milliseconds connect_poll_interval{std::chrono::seconds(2)};
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(2)};
  std::string metrics_topic = "system_metrics";
  std::string http_topic = "http_logs";
  std::string alerts_topic = "system_alerts";
  // How far back the metrics and HTTP topics are read at start (by timestamp).
  std::chrono::milliseconds backfill{std::chrono::minutes(15)};
  // At most this many records per partition are read back when the broker cannot look offsets
  // up by time (librdkafka's mock cluster, so sentinel-devkafka, answers "no offset").
  int64_t backfill_max_records = 200000;
  // system_alerts is read from its beginning: an alert firing for hours must still show.
  bool alerts_from_beginning = true;
  std::chrono::milliseconds push_interval{std::chrono::seconds(1)};
  size_t max_streams = 32;  // concurrent browser event streams
  ModelLimits limits;
  std::vector<std::string> warnings;
};

// "127.0.0.1:8501", "[::1]:8501", ":8501" (all interfaces); false with *error otherwise.
bool parse_listen(const std::string& text, std::string* host, int* port, std::string* error);

// Parses `file` (may be null: defaults) and applies `overrides`; throws ConfigError.
DashboardConfig parse_dashboard_config(const ConfigFile* file, const Overrides& overrides);
// Loads `path` (empty: no file) and parses it.
DashboardConfig load_dashboard_config(const std::string& path, const Overrides& overrides);

}  // namespace sentinel::dashboard

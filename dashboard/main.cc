// sentinel-dashboard: a live web page over system_metrics, http_logs, system_alerts and
// sentinel-connect's connectors. A systemd Type=notify daemon: SIGHUP re-reads the config (web
// root, sentinel-connect's URL; Kafka and the listen address need a restart), SIGTERM stops.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "common/cli.h"
#include "common/clock.h"
#include "common/daemon.h"
#include "common/log.h"
#include "dashboard/connect_poller.h"
#include "dashboard/dashboard_config.h"
#include "dashboard/kafka_reader.h"
#include "dashboard/model.h"
#include "dashboard/web_server.h"

namespace {

using namespace sentinel;
using namespace sentinel::dashboard;

// The page's files: beside the program as installed (<prefix>/bin/../share/sentinel/dashboard)
// and as built (build/bin/../share/sentinel/dashboard), else the configured install prefix.
std::string default_web_root() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto beside = exe.parent_path().parent_path() / "share/sentinel/dashboard";
    if (std::filesystem::exists(beside / "index.html", ec)) return beside.string();
  }
  return SENTINEL_DASHBOARD_WEB_ROOT;
}

DashboardConfig load(const std::string& path, const Overrides& overrides) {
  DashboardConfig c = load_dashboard_config(path, overrides);
  if (c.web_root.empty()) c.web_root = default_web_root();
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  Daemon daemon;  // first, so every thread inherits the blocked signals
  sentinel::cli::App app{
      "sentinel-dashboard: a live web page (per-host charts, host states, alerts, HTTP traffic,\n"
      "archive connectors) over system_metrics, http_logs and system_alerts, read without a\n"
      "consumer group and without committing offsets. Settings: config/dashboard.yaml.\n"
      "Signals: SIGHUP re-reads the config (web root, connect URL); SIGTERM stops.\n"
      "Exit codes: 0 ok, 1 invalid configuration (--check-config) or startup error, 2 invalid\n"
      "configuration at start.\n"
      "Environment: SENTINEL_LOG_LEVEL=error|warning|notice|info|debug (default info)."};
  std::string config_path;
  Overrides overrides;
  bool check_config = false;
  app.add_option("-c,--config", config_path, "Settings (YAML); without it every default applies");
  app.add_option("--bootstrap-servers", overrides.bootstrap, "Overrides kafka.bootstrap.servers");
  app.add_option(
      "--connect-url", overrides.connect_url,
      "sentinel-connect's REST API (default http://127.0.0.1:8083); overrides connect.url");
  app.add_option("--listen", overrides.listen,
                 "host:port to serve on (default 127.0.0.1:8501; port 0 picks one)");
  app.add_option("--web-root", overrides.web_root,
                 "Folder with index.html, app.js, style.css and uPlot's files (default: "
                 "share/sentinel/dashboard of the install prefix)");
  app.add_flag("--check-config", check_config,
               "Validate the configuration and the web root, print any error, and exit (non-zero "
               "when invalid)");
  app.set_version_flag("--version", SENTINEL_VERSION);
  if (auto rc = app.parse(argc, argv)) return *rc;

  DashboardConfig config;
  StaticFiles files;
  try {
    config = load(config_path, overrides);
  } catch (const ConfigError& e) {
    log::error("{}", e.what());
    return check_config ? 1 : 2;
  }
  for (const auto& w : config.warnings) log::warning("{}", w);
  std::string error;
  if (!load_static_files(config.web_root, &files, &error)) {
    log::error("{}", error);
    return check_config ? 1 : 2;
  }
  if (check_config) {
    std::cout << config.source << ": ok, listen " << config.listen_host << ":" << config.listen_port
              << ", web root " << config.web_root << ", connect " << config.connect_url
              << std::endl;
    return 0;
  }

  Model model(config.limits);
  WebOptions web_options;
  web_options.push_interval = config.push_interval;
  web_options.max_streams = config.max_streams;
  WebServer web(&model, std::move(files), web_options);
  if (!web.bind(config.listen_host, config.listen_port, &error)) {
    log::error("{}", error);
    return 1;
  }
  KafkaReader reader(config, &model);
  if (!reader.start(&error)) {
    log::error("{}", error);
    return 1;
  }
  ConnectPoller poller(&model, config.connect_url, config.connect_poll_interval,
                       config.connect_timeout);
  poller.start();
  web.start();
  std::string host = config.listen_host.find(':') != std::string::npos
                         ? "[" + config.listen_host + "]"
                         : config.listen_host;
  // Tests and scripts read the address from this line (port 0 picks one).
  std::cout << "listening http://" << host << ":" << web.port() << "/" << std::endl;
  log::info("serving http://{}:{}/ from {}; kafka {}; connect {}", host, web.port(),
            config.web_root, config.kafka["bootstrap.servers"], config.connect_url);

  DaemonLoop loop;
  loop.wait_at_most = [](MonoClock::time_point) { return std::chrono::milliseconds(250); };
  loop.status = [&] {
    auto h = model.health_json(0);
    return fmt::format("kafka {}, connect {}, {} host(s), {} firing alert(s), {} viewer(s)",
                       h["kafka"]["state"].get<std::string>(),
                       h["connect"]["state"].get<std::string>(), h["hosts"].get<size_t>(),
                       model.alerts_json()["firing"].size(), web.streams());
  };
  loop.reload = [&] {
    DashboardConfig next = load(config_path, overrides);
    for (const auto& w : next.warnings) log::warning("{}", w);
    StaticFiles next_files;
    if (!load_static_files(next.web_root, &next_files, &error)) throw ConfigError(error);
    web.set_files(std::move(next_files));
    poller.set_url(next.connect_url);
    if (next.kafka != config.kafka || next.listen_host != config.listen_host ||
        next.listen_port != config.listen_port) {
      log::warning("reload: kafka settings and the listen address change at the next restart");
    }
    log::info("reloaded {}", next.source);
    config.web_root = next.web_root;
    config.connect_url = next.connect_url;
  };
  loop.stop = [&](const DaemonStop& how) {
    log::info("stopping on signal {}", how.signal);
    web.stop();
    poller.stop();
    reader.stop();
    log::info("stopped");
    return 0;
  };
  return daemon.run(loop);
}

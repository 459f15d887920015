// sentinel-alerts: windowed alert rules over system_metrics, firing/resolved alerts to
// system_alerts. A systemd Type=notify daemon: SIGHUP reloads the rules (keeping the old ones
// when the new file is bad), SIGTERM stops cleanly.
#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

#include "alert-engine/rules.h"
#include "alert-engine/service.h"
#include "common/cli.h"
#include "common/clock.h"
#include "common/daemon.h"
#include "common/identity_lock.h"
#include "common/log.h"

namespace {

using namespace sentinel;

int64_t percentile(std::vector<int64_t> v, double q) {
  if (v.empty()) return 0;
  size_t i = static_cast<size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(i), v.end());
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  Daemon daemon;  // first, so every thread inherits the blocked signals
  sentinel::cli::App app{
      "sentinel-alerts: windowed alert rules over system_metrics and, with an http: section,\n"
      "error-rate rules over http_logs (global, per client IP, per URL; thresholds from\n"
      "thresholds.json, re-read when it changes); consumer group alert-group; firing/resolved\n"
      "alerts to system_alerts. Rules and Kafka settings: docs/alerts.md.\n"
      "Signals: SIGHUP reloads the rules (a bad file is reported and the old rules kept);\n"
      "SIGTERM flushes the alerts, commits and exits 0.\n"
      "Exit codes: 0 ok, 1 invalid configuration (--check-config), startup or fatal Kafka error,\n"
      "2 invalid configuration at start, 4 another instance uses this one's identity (on this\n"
      "host, or fenced by the broker).\n"
      "Environment: SENTINEL_LOG_LEVEL=error|warning|notice|info|debug (default info)."};
  std::string config_path = "/etc/sentinel/alerts.yaml";
  std::string bootstrap;
  bool check_config = false;
  bool drain = false;
  app.add_option("-c,--config", config_path, "Rules and settings (YAML)")->capture_default_str();
  app.add_option("--bootstrap-servers", bootstrap, "Overrides kafka.bootstrap.servers");
  app.add_flag("--check-config", check_config,
               "Validate the configuration, print any error (file:line, key), and exit (non-zero "
               "when invalid)");
  app.add_flag("--drain", drain,
               "Exit once every assigned partition is consumed to its end and its alerts are "
               "acknowledged; print a summary line (benchmarks, re-evaluation)");
  app.set_version_flag("--version", SENTINEL_VERSION);
  if (auto rc = app.parse(argc, argv)) return *rc;

  alerts::AlertsConfig config;
  try {
    config = alerts::load_alerts_config(config_path, bootstrap);
  } catch (const ConfigError& e) {
    log::error("{}", e.what());
    return check_config ? 1 : 2;
  }
  for (const auto& w : config.warnings) log::warning("{}", w);
  if (check_config) {
    size_t http = 0;
    for (const auto& r : config.rules) http += r.from_http;
    std::cout << config.source << ": ok, " << config.rules.size() - http << " rule(s)"
              << (config.host_silent.enabled ? " and host_silent" : "");
    if (config.http.enabled) {
      std::cout << "; " << http << " HTTP error-rate rule(s) over " << config.http.topic
                << ", thresholds " << config.http.thresholds_path
                << (alerts::thresholds_file_exists(config.http.thresholds_path) ? ""
                                                                                : " (missing)");
    }
    std::cout << std::endl;
    return 0;
  }

  alerts::ServiceOptions options;
  options.drain = drain;
  options.alive = [&] { daemon.keep_alive(); };
  options.stopping = [&] { return daemon.stop_requested(); };
  // One process per static-membership identity on this host: a second one would fence the
  // first (and be fenced back on its next restart). Across hosts the broker fences a duplicate.
  std::string instance = alerts::group_instance_id(config, drain);
  std::unique_ptr<IdentityLock> identity_lock;
  if (!instance.empty()) {
    int holder = 0;
    std::string why;
    identity_lock = IdentityLock::acquire(
        fmt::format("sentinel-alerts {} {} {}", config.kafka.at("bootstrap.servers"), config.group,
                    instance),
        &holder, &why);
    if (!identity_lock) {
      log::error(
          "another sentinel-alerts ({}) already runs as instance {} of group {} for the Kafka "
          "cluster at {} on this host: two instances with one identity would fence each other "
          "(group.instance.id); give this one its own input.instance_id in {}",
          holder ? fmt::format("process {}", holder) : why, instance, config.group,
          config.kafka.at("bootstrap.servers"), config_path);
      return 4;
    }
  }
  alerts::Service service(config, options);
  std::string error;
  if (!service.start(&error)) {
    log::error("{}", error);
    return 1;
  }
  DaemonLoop loop;
  loop.ready_status = "waiting for partitions of " + config.input_topic;
  // The consumer's poll in the tick is the loop's wait.
  loop.wait_at_most = [](MonoClock::time_point) { return std::chrono::milliseconds(0); };
  loop.tick = [&](MonoClock::time_point) -> std::optional<int> {
    service.poll(std::chrono::milliseconds(100));
    daemon.keep_alive();
    if (!service.fatal_error().empty()) {
      if (service.fenced()) {
        log::error(
            "fenced: another consumer joined group {} as instance {} (a second sentinel-alerts "
            "with the same input.instance_id, on another host?). This one stops consuming and "
            "exits with code 4 (systemd does not restart it), so that the two do not take the "
            "partitions from each other in turn: give each instance its own input.instance_id",
            config.group, instance);
        return 4;
      }
      log::error("fatal Kafka consumer error: {}", service.fatal_error());
      return 1;
    }
    if (drain && service.drained()) return 0;
    return std::nullopt;
  };
  loop.reload_keeps = "the old rules";
  loop.reload = [&] {
    alerts::AlertsConfig next = alerts::load_alerts_config(config_path, bootstrap);
    for (const auto& w : next.warnings) log::warning("{}", w);
    service.reload(next);
  };
  loop.status = [&] {
    std::string s = service.status();
    log::debug("{}", s);
    return s;
  };
  loop.stop = [&](const DaemonStop& how) {
    if (how.signal != 0) log::info("stopping on signal {}", how.signal);
    service.shutdown(std::chrono::seconds(10));
    if (drain) {
      const auto& s = service.stats();
      const auto& e = service.engine_stats();
      double secs = std::chrono::duration<double>(s.last_record - s.first_record).count();
      std::printf(
          "{\"records\":%llu,\"seconds\":%.3f,\"records_per_s\":%.0f,\"late\":%llu,\"bad\":%llu,"
          "\"alerts\":%llu,\"acked\":%llu,\"ack_p50_us\":%lld,\"ack_p99_us\":%lld}\n",
          static_cast<unsigned long long>(e.records), secs,
          secs > 0 ? static_cast<double>(e.records) / secs : 0.0,
          static_cast<unsigned long long>(e.late), static_cast<unsigned long long>(e.bad),
          static_cast<unsigned long long>(s.produced), static_cast<unsigned long long>(s.acked),
          static_cast<long long>(percentile(s.ack_latency_us, 0.50)),
          static_cast<long long>(percentile(s.ack_latency_us, 0.99)));
      std::fflush(stdout);
    }
    log::info("stopped: {}", service.status());
    return how.exit_code;
  };
  return daemon.run(loop);
}

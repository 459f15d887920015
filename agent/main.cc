// sentinel-agent: collects host metrics every interval and publishes them to Kafka.
//
// One thread runs everything (librdkafka keeps its own): a poll(2) on the signalfd and
// librdkafka's event pipe, waking for the next tick, the watchdog and delivery reports. If this
// loop hangs, the watchdog pings stop and systemd restarts the agent.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "agent/agent_config.h"
#include "agent/logs/log_shipper.h"
#include "agent/publisher.h"
#include "agent/record.h"
#include "common/cli.h"
#include "common/clock.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/units.h"
#include "common/whole_file.h"

namespace sentinel::agent {
namespace {

using std::chrono::milliseconds;

// Runs every collector once; logs a collector's error once, and again only when it changes.
class CollectionRound {
 public:
  void run(AgentConfig& config, MonoClock::time_point now, std::vector<Sample>* samples) {
    samples->clear();
    for (auto& collector : config.collectors) {
      std::string error = collector->collect(now, samples);
      std::string& last = last_error_[collector->name()];
      if (error != last) {
        if (!error.empty())
          log::error("collector {}: {}", collector->name(), error);
        else
          log::notice("collector {}: recovered", collector->name());
        last = error;
      }
    }
  }

 private:
  std::map<std::string, std::string> last_error_;
};

std::string status_line(const AgentConfig& config, const PublisherStats& s,
                        const LogShipper* logs) {
  std::string state = s.broker_down
                          ? fmt::format("broker unreachable ({}), buffering", s.last_error)
                          : "publishing";
  std::string line =
      fmt::format("{} to {} every {}; {} delivered, {} buffered ({} bytes), {} dropped, {} failed",
                  state, config.topic, format_duration(config.interval), s.delivered,
                  s.queued_records, s.queued_bytes + s.inflight_bytes, s.dropped, s.failed);
  if (logs) {
    const LogStats& l = logs->stats();
    line += fmt::format(
        "; access logs: {} files, {} lines, {} published to {}, {} invalid, {} failed{}", l.files,
        l.lines, l.published, logs->config().topic, l.invalid, l.failed,
        l.paused ? ", reading paused until Kafka catches up" : "");
  }
  return line;
}

// The access-log shipper for `config`, or nullptr when no logs are configured (or on *error).
std::unique_ptr<LogShipper> make_log_shipper(const AgentConfig& config, std::string* error) {
  if (!config.logs.enabled()) return nullptr;
  kafka::Properties props = producer_properties(config);
  // Reading pauses at logs.max_inflight_bytes until Kafka acknowledges, so a long linger only
  // idles the reader between windows (the metrics' 50 ms held shipping to less than half of
  // what bench/logs measures with 5 ms): access logs use librdkafka's default 5 ms unless the
  // config sets linger.ms itself.
  if (!config.kafka.count("linger.ms") && !config.kafka.count("queue.buffering.max.ms")) {
    // Assigned as a std::string: assigning the literal, GCC 12 inlines it into a false -Wrestrict
    // error (GCC bug 105651), once this file no longer holds CLI11's code.
    props.insert_or_assign("linger.ms", std::string("5"));
  }
  return LogShipper::create(config.logs, props, config.host, error);
}

int run_once(AgentConfig& config) {
  CollectionRound round;
  std::vector<Sample> samples;
  // Rates need two readings: take a baseline, wait, then report.
  round.run(config, MonoClock::now(), &samples);
  std::this_thread::sleep_for(std::min<milliseconds>(config.interval, milliseconds(1000)));
  round.run(config, MonoClock::now(), &samples);
  int64_t ts = wall_ms();
  std::string line;
  for (const Sample& s : samples) {
    line.clear();
    append_record(&line, config.host, ts, s);
    line.push_back('\n');
    fwrite(line.data(), 1, line.size(), stdout);
  }
  return 0;
}

int create_topics(const AgentConfig& config) {
  std::string error;
  kafka::Conf conf = kafka::make_conf(producer_properties(config), &error);
  kafka::Handle rk =
      conf ? kafka::make_handle(RD_KAFKA_PRODUCER, std::move(conf), &error) : nullptr;
  if (!rk || !kafka::create_topics(rk.get(), {config.topic_spec}, milliseconds(15000), &error)) {
    log::error("{}", error);
    return 1;
  }
  log::info("topic {} is ready ({} partitions, retention.ms {})", config.topic,
            config.topic_spec.partitions, config.topic_spec.config.at("retention.ms"));
  return 0;
}

int run_daemon(const std::string& config_path, const std::string& bootstrap_override,
               AgentConfig config, Daemon& daemon) {
  std::string error;
  auto publisher =
      Publisher::create(producer_properties(config), config.topic, config.buffer_max_bytes, &error);
  if (!publisher) {
    log::error("{}", error);
    return 1;
  }
  std::unique_ptr<LogShipper> logs = make_log_shipper(config, &error);
  if (config.logs.enabled() && !logs) {
    log::error("{}", error);
    return 1;
  }
  log::info("sentinel-agent {}: host {}, {} collectors, every {}, to {} at {}{}", SENTINEL_VERSION,
            config.host, config.collectors.size(), format_duration(config.interval), config.topic,
            config.kafka["bootstrap.servers"],
            logs ? fmt::format("; {} access-log sources to {}", config.logs.sources.size(),
                               config.logs.topic)
                 : "");

  CollectionRound round;
  std::vector<Sample> samples;
  std::string value;
  auto next_tick = MonoClock::now();
  auto next_logs = MonoClock::now();
  std::string last_status;

  DaemonLoop loop;
  loop.wait_at_most = [&](MonoClock::time_point now) {
    auto wake = logs ? std::min(next_tick, next_logs) : next_tick;
    return std::chrono::duration_cast<milliseconds>(wake - now) + milliseconds(1);
  };
  loop.wake_fds = [&] {
    std::vector<int> fds = {publisher->event_fd()};
    if (logs) fds.push_back(logs->event_fd());
    if (logs && logs->change_fd() >= 0) fds.push_back(logs->change_fd());
    return fds;
  };
  loop.reload = [&] {
    daemon.report_status_now();
    AgentConfig fresh = load_agent_config(config_path, bootstrap_override);
    for (const auto& w : fresh.warnings) log::warning("config: {}", w);
    if (fresh.kafka != config.kafka || fresh.topic != config.topic ||
        fresh.buffer_max_bytes != config.buffer_max_bytes) {
      auto next = Publisher::create(producer_properties(fresh), fresh.topic, fresh.buffer_max_bytes,
                                    &error);
      if (!next) throw ConfigError(error);
      publisher->flush(std::min(config.shutdown_timeout, milliseconds(2000)));
      next->adopt_queue(publisher.get());
      publisher = std::move(next);
    }
    if (!(fresh.logs == config.logs) || fresh.kafka != config.kafka || fresh.host != config.host) {
      // Everything read so far is delivered and checkpointed first; the new shipper resumes there.
      if (logs) logs->flush(std::min(config.shutdown_timeout, milliseconds(2000)));
      logs.reset();
      logs = make_log_shipper(fresh, &error);
      if (fresh.logs.enabled() && !logs) {
        log::error("access logs: {}; not following access logs until the next reload", error);
      }
    }
    bool interval_changed = fresh.interval != config.interval;
    config = std::move(fresh);
    if (interval_changed) next_tick = MonoClock::now();
    log::notice("reloaded {}", config_path);
  };
  loop.tick = [&](MonoClock::time_point) -> std::optional<int> {
    publisher->service();
    if (publisher->fatal()) {
      auto next = Publisher::create(producer_properties(config), config.topic,
                                    config.buffer_max_bytes, &error);
      if (next) {
        log::warning("kafka: replacing the producer after a fatal error; records it held are lost");
        next->adopt_queue(publisher.get());
        publisher = std::move(next);
      }
    }

    auto now = MonoClock::now();
    if (logs) {
      logs->poll(now);
      if (now >= next_logs) next_logs = now + config.logs.poll_interval;
    }
    if (now >= next_tick) {
      round.run(config, now, &samples);
      int64_t ts = wall_ms();
      for (const Sample& s : samples) {
        value.clear();
        append_record(&value, config.host, ts, s);
        publisher->enqueue(record_key(config.key_mode, config.host, s), value, ts);
      }
      publisher->service();
      // Skip ticks missed (e.g. after a suspend) instead of bursting to catch up.
      do next_tick += config.interval;
      while (next_tick <= now);
    }
    return std::nullopt;
  };
  // Sent only when it changed.
  loop.status = [&] {
    std::string status = status_line(config, publisher->stats(), logs.get());
    if (status == last_status) return std::string();
    last_status = status;
    return status;
  };
  loop.stop = [&](const DaemonStop&) {
    log::info("stopping: delivering what is buffered (up to {})",
              format_duration(config.shutdown_timeout));
    bool all = publisher->flush(config.shutdown_timeout);
    if (logs && !logs->flush(config.shutdown_timeout)) {
      log::warning(
          "stopped with access-log lines not yet acknowledged; they are read again at the next "
          "start");
    }
    const PublisherStats& s = publisher->stats();
    if (!all) {
      log::warning(
          "stopped after {} with {} records not yet handed to Kafka and {} bytes unacknowledged",
          format_duration(config.shutdown_timeout), s.queued_records, s.inflight_bytes);
    }
    log::info("stopped: {} delivered, {} dropped, {} failed", s.delivered, s.dropped, s.failed);
    return 0;
  };
  return daemon.run(loop);
}

// librdkafka initialises Cyrus SASL at start, which loads every plugin in the system's sasl2
// directory (and Berkeley DB with them): half a megabyte of resident memory that only Kerberos
// (sasl.mechanisms=GSSAPI) needs — PLAIN, SCRAM and OAUTHBEARER are built into librdkafka. Unless
// the config mentions GSSAPI, or the operator set SASL_PATH, point Cyrus at a folder with none.
void skip_sasl_plugins_unless_needed(const std::string& config_path) {
  if (std::getenv("SASL_PATH")) return;
  std::string why;
  std::optional<std::string> read = read_whole_file(config_path, &why);
  if (!read) return;  // loading the config reports why it cannot be read
  std::string& text = *read;
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (text.find("gssapi") == std::string::npos)
    setenv("SASL_PATH", "/nonexistent/sentinel-no-sasl-plugins", 0);
}

}  // namespace
}  // namespace sentinel::agent

int main(int argc, char** argv) {
  using namespace sentinel;
  Daemon daemon;  // first, before librdkafka starts threads
  sentinel::cli::App app{
      "sentinel-agent: collects host metrics (cpu, memory, disk, diskio, network, load, pressure)\n"
      "and publishes them as JSON records to the Kafka topic system_metrics; follows nginx/apache\n"
      "access logs (logs: in the config) into http_logs, checkpointed after Kafka acknowledged "
      "them.\n"
      "Signals: SIGHUP reloads the config (a bad one is reported and the old one kept);\n"
      "SIGTERM delivers what is buffered (up to shutdown_timeout) and exits 0.\n"
      "Environment: SENTINEL_LOG_LEVEL=error|warning|notice|info|debug (default info)."};
  std::string config_path = "/etc/sentinel/agent.yaml";
  std::string bootstrap;
  bool check = false, once = false, create = false;
  app.add_option("-c,--config", config_path, "Configuration file")->capture_default_str();
  app.add_option("--bootstrap-servers", bootstrap,
                 "Kafka bootstrap servers (overrides kafka.bootstrap.servers)");
  app.add_flag("--check-config", check,
               "Validate the configuration, print any error, and exit (non-zero when invalid)");
  app.add_flag(
      "--once", once,
      "Collect one sample, print the records as JSON lines to stdout, and exit (no Kafka)");
  app.add_flag("--create-topics", create,
               "Create the metrics topic (partitions, retention from create_topics:) through the "
               "admin API, and exit");
  app.set_version_flag("--version", SENTINEL_VERSION);
  if (auto rc = app.parse(argc, argv)) return *rc;

  agent::skip_sasl_plugins_unless_needed(config_path);
  agent::AgentConfig config;
  try {
    // --once needs no Kafka: give it a placeholder broker if none is configured.
    config = agent::load_agent_config(config_path,
                                      bootstrap.empty() && once ? "unused:9092" : bootstrap);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  for (const auto& w : config.warnings) log::warning("config: {}", w);
  if (check) {
    std::string logs = config.logs.enabled()
                           ? fmt::format("; access logs: {} source(s) to {}",
                                         config.logs.sources.size(), config.logs.topic)
                           : "";
    std::printf("%s: ok (%zu collectors, interval %s, topic %s%s)\n", config_path.c_str(),
                config.collectors.size(), format_duration(config.interval).c_str(),
                config.topic.c_str(), logs.c_str());
    return 0;
  }
  if (once) return agent::run_once(config);
  if (create) return agent::create_topics(config);
  return agent::run_daemon(config_path, bootstrap, std::move(config), daemon);
}

// sentinel-loggen: synthetic web traffic from a YAML scenario, as combined-format lines appended
// to a file (as nginx writes access.log) or as http_logs records produced to Kafka, at a given
// rate or as fast as possible, reproducible from a seed.
//
// Signals: SIGUSR1 (as nginx's USR1) and SIGHUP reopen the output file by its path, so logrotate
// can rename it and signal; SIGTERM and SIGINT stop after delivering what was generated.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "common/cli.h"
#include "common/clock.h"
#include "common/kafka.h"
#include "common/log.h"
#include "common/signals.h"
#include "common/units.h"
#include "tools/loggen/expected_alerts.h"
#include "tools/loggen/output.h"
#include "tools/loggen/scenario.h"
#include "tools/loggen/start_time.h"
#include "tools/loggen/traffic.h"

namespace {

using namespace std::chrono;
using sentinel::loggen::Request;

constexpr size_t kMaxBatch = 512;

// SIGUSR1 through its own signalfd: common's SignalWaiter covers TERM, INT and HUP, and polls
// this descriptor beside its own.
int usr1_fd() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

bool take_usr1(int fd) {
  signalfd_siginfo info{};
  bool any = false;
  while (read(fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) any = true;
  return any;
}

}  // namespace

int main(int argc, char** argv) {
  int reopen_fd = usr1_fd();
  sentinel::SignalWaiter signals;

  sentinel::cli::App app{
      "sentinel-loggen: realistic web traffic in Apache/nginx combined format, from a YAML "
      "scenario (clients, URLs, baseline error rates, scheduled anomalies), appended to a file "
      "as a web server writes its access log, or produced to Kafka as http_logs records.\n"
      "The same scenario, --seed and --start-time give byte-identical output."};
  app.footer(
      "Output: without --output or --kafka, lines go to stdout. --output FILE is opened with "
      "O_APPEND and written in whole lines, one write(2) per batch as they are generated. "
      "SIGUSR1 (as nginx) or SIGHUP reopens FILE by its path: rename it, signal, and no line is "
      "lost. SIGTERM or SIGINT stops after delivering what was generated.\n"
      "Kafka: records {v, host, source \"sentinel-loggen\", ts, client_ip, method, path, "
      "protocol, status, bytes, referer, user_agent}, key = client IP, Kafka timestamp = ts, "
      "idempotent producer; -X passes any librdkafka property.\n"
      "Time: lines carry timestamps from --start-time (default: now) advancing by the rate; they "
      "are paced in real time unless --as-fast-as-possible.\n"
      "Exit status: 0 done, 1 output failure, 2 bad arguments or scenario.\n"
      "Scenario reference and examples: docs/loggen.md, config/loggen/demo.yaml.");
  std::string scenario_path;
  uint64_t seed = 1;
  std::optional<double> rate;
  std::string duration_text;
  std::optional<uint64_t> lines;
  std::string output_path;
  bool to_kafka = false;
  std::string bootstrap;
  std::string topic = "http_logs";
  std::string host;
  std::string start_text;
  bool fast = false;
  bool expected = false;
  std::vector<std::string> properties;
  bool create_topic = false;
  int partitions = 3;

  app.add_option("--scenario", scenario_path, "Scenario YAML file (see docs/loggen.md)")
      ->required();
  app.add_option("--seed", seed, "Seed of the random choices (default 1)");
  app.add_option("--rate", rate, "Baseline lines per second, overriding the scenario's rate")
      ->check_positive();
  auto* duration_opt = app.add_option(
      "--duration", duration_text,
      "Stop after this much traffic time (30s, 5m, 1h30m); default: the scenario's duration, "
      "else run until stopped");
  auto* lines_opt = app.add_option("--lines", lines, "Stop after this many lines");
  duration_opt->excludes(lines_opt);
  auto* output_opt = app.add_option("--output", output_path,
                                    "Append combined-format lines to this file (- for stdout)");
  auto* kafka_opt = app.add_flag("--kafka", to_kafka, "Produce http_logs records to Kafka instead");
  output_opt->excludes(kafka_opt);
  app.add_option("--bootstrap-servers", bootstrap, "Kafka bootstrap servers (with --kafka)");
  app.add_option("--topic", topic, "Kafka topic (default http_logs)");
  app.add_option("-X,--property", properties,
                 "librdkafka property as key=value, repeatable (e.g. -X compression.type=zstd)");
  app.add_flag("--create-topics", create_topic,
               "With --kafka: create the topic (--partitions, retention 24 h) through the admin "
               "API before producing; an existing topic is fine");
  app.add_option("--partitions", partitions, "Partitions of a topic made by --create-topics (3)")
      ->check_range(1, 10000);
  app.add_option("--host", host, "Host name in Kafka records (default: the scenario's host)");
  app.add_option("--start-time", start_text,
                 "Start of the traffic: ISO 8601 (2026-11-22T10:15:32Z) or epoch ms; default now");
  app.add_flag("--as-fast-as-possible", fast,
               "Do not pace: simulated time advances by the rate, lines are written at once");
  app.add_flag("--expected-alerts", expected,
               "Print the alerts the scenario should cause as JSON lines (dimension global/ip/url, "
               "key, window, expected shares) and exit without generating traffic");
  app.set_version_flag("--version", SENTINEL_VERSION);
  if (auto rc = app.parse(argc, argv)) return *rc;

  sentinel::loggen::Scenario scenario;
  try {
    scenario = sentinel::loggen::load_scenario(scenario_path);
  } catch (const sentinel::loggen::ScenarioError& e) {
    std::cerr << e.what() << std::endl;
    return 2;
  }
  if (rate) scenario.rate = *rate;
  if (host.empty()) host = scenario.host;

  int64_t start_ms = sentinel::wall_ms();
  if (!start_text.empty()) {
    std::string error;
    auto parsed = sentinel::loggen::parse_start_time(start_text, &error);
    if (!parsed) {
      std::cerr << error << std::endl;
      return 2;
    }
    start_ms = *parsed;
  }

  if (expected) {
    for (const auto& alert : sentinel::loggen::expected_alerts(scenario)) {
      std::cout << sentinel::loggen::expected_alert_json(alert, start_ms) << "\n";
    }
    std::cout.flush();
    return 0;
  }

  std::optional<int64_t> duration_us;
  if (!duration_text.empty()) {
    std::string error;
    auto d = sentinel::parse_duration(duration_text, &error);
    if (!d) {
      std::cerr << "--duration " << error << std::endl;
      return 2;
    }
    duration_us = d->count() * 1000;
  } else if (!lines && scenario.duration) {
    duration_us = scenario.duration->count() * 1000;
  }

  std::string error;
  std::unique_ptr<sentinel::loggen::Output> output;
  if (to_kafka) {
    sentinel::kafka::Properties props;
    if (!bootstrap.empty()) props["bootstrap.servers"] = bootstrap;
    for (const auto& p : properties) {
      size_t eq = p.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::cerr << "-X " << p << ": expected a librdkafka property as key=value" << std::endl;
        return 2;
      }
      props[p.substr(0, eq)] = p.substr(eq + 1);
    }
    if (!props.count("bootstrap.servers")) {
      std::cerr << "--kafka needs --bootstrap-servers (or -X bootstrap.servers=...)" << std::endl;
      return 2;
    }
    if (create_topic) {
      sentinel::kafka::Conf conf = sentinel::kafka::make_conf(props, &error);
      sentinel::kafka::Handle rk =
          conf ? sentinel::kafka::make_handle(RD_KAFKA_PRODUCER, std::move(conf), &error) : nullptr;
      sentinel::kafka::TopicSpec spec{topic, partitions, 1, {{"retention.ms", "86400000"}}};
      if (!rk || !sentinel::kafka::create_topics(rk.get(), {spec}, seconds(15), &error)) {
        sentinel::log::error("{}", error);
        return 1;
      }
      sentinel::log::info("topic {} is ready", topic);
    }
    output = sentinel::loggen::make_kafka_output(props, topic, host, &error);
  } else {
    if (!properties.empty() || !bootstrap.empty() || create_topic) {
      std::cerr << "--bootstrap-servers, -X and --create-topics apply to --kafka only" << std::endl;
      return 2;
    }
    output = sentinel::loggen::make_file_output(output_path.empty() ? "-" : output_path, &error);
  }
  if (!output) {
    sentinel::log::error("{}", error);
    return to_kafka ? 2 : 1;
  }

  sentinel::loggen::Traffic traffic(scenario, seed, start_ms);
  auto mono_start = sentinel::MonoClock::now();
  uint64_t emitted = 0;
  bool stop = false;
  std::vector<Request> batch;
  auto handle = [&](int sig) {
    if (sig == SIGTERM || sig == SIGINT) stop = true;
    if (sig == SIGHUP || take_usr1(reopen_fd)) output->reopen();
  };
  auto done = [&](int64_t next_us) {
    return (lines && emitted >= *lines) || (duration_us && next_us >= *duration_us);
  };

  while (!stop) {
    int64_t next_us = traffic.next_offset_us();
    if (done(next_us)) break;
    auto now = sentinel::MonoClock::now();
    if (!fast) {
      auto due = mono_start + microseconds(next_us);
      if (due > now) {
        handle(signals.wait(ceil<milliseconds>(due - now), {reopen_fd}));
        output->poll();
        continue;
      }
    }
    batch.clear();
    while (batch.size() < kMaxBatch) {
      next_us = traffic.next_offset_us();
      if (done(next_us) || (!fast && mono_start + microseconds(next_us) > now)) break;
      batch.push_back(traffic.next());
      ++emitted;
    }
    if (!output->write(batch, &error)) {
      sentinel::log::error("{}", error);
      return 1;
    }
    output->poll();
    handle(signals.wait(milliseconds(0), {reopen_fd}));
  }

  if (!output->finish(&error)) {
    sentinel::log::error("{}", error);
    return 1;
  }
  sentinel::log::info("{} line(s) generated", emitted);
  return 0;
}

// sentinel-devkafka: an in-memory Kafka-protocol broker for one machine, around librdkafka's mock
// cluster. Not for production: nothing is persisted, and each partition keeps only its newest
// ~5 MB or 100 000 message sets (older records are dropped; trim_report.h says so on stderr as
// it happens). No CreateTopics, OffsetsForTimes or OffsetDelete either: tests that need them run
// on a real broker (tests/support/real_kafka.h).
//
// It prints the bootstrap list as the first line of stdout (and to --bootstrap-file), then reads
// control commands from stdin, one a line, so tests can simulate outages:
//   down N | up N        set broker N (1-based) down or up
//   down all | up all    every broker
//   topic NAME:PARTS     create a topic
// SIGTERM or SIGINT stops it cleanly.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "common/atomic_file.h"
#include "common/cli.h"
#include "common/kafka.h"
#include "common/log.h"
#include "common/signals.h"
#include "tools/devkafka/trim_report.h"

namespace {

struct TopicArg {
  std::string name;
  int partitions = 1;
};

bool parse_topic(const std::string& text, TopicArg* out, std::string* error) {
  size_t colon = text.rfind(':');
  out->name = text.substr(0, colon);
  out->partitions = 1;
  if (colon != std::string::npos) {
    try {
      size_t used = 0;
      out->partitions = std::stoi(text.substr(colon + 1), &used);
      if (used != text.size() - colon - 1) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      *error = "--topic " + text + ": expected name:partitions, like system_metrics:3";
      return false;
    }
  }
  if (out->name.empty() || out->partitions < 1 || out->partitions > 10000) {
    *error = "--topic " + text + ": expected name:partitions with 1 to 10000 partitions";
    return false;
  }
  return true;
}

class Broker {
 public:
  Broker(rd_kafka_mock_cluster_t* cluster, int brokers) : cluster_(cluster), brokers_(brokers) {}

  bool create_topic(const TopicArg& t) {
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster_, t.name.c_str(), t.partitions, 1);
    if (err) {
      sentinel::log::error("topic {}: {}", t.name, rd_kafka_err2str(err));
      return false;
    }
    sentinel::log::info("topic {} created with {} partition(s)", t.name, t.partitions);
    return true;
  }

  // One control command from stdin.
  void command(const std::string& line) {
    std::string verb, arg;
    size_t sp = line.find(' ');
    verb = line.substr(0, sp);
    if (sp != std::string::npos) arg = line.substr(sp + 1);
    if (verb == "down" || verb == "up") {
      std::vector<int> ids;
      if (arg == "all") {
        for (int i = 1; i <= brokers_; ++i) ids.push_back(i);
      } else {
        int id = std::atoi(arg.c_str());
        if (id < 1 || id > brokers_) {
          sentinel::log::error("control: \"{}\": expected down|up 1..{} or all", line, brokers_);
          return;
        }
        ids.push_back(id);
      }
      for (int id : ids) {
        rd_kafka_resp_err_t err = verb == "down" ? rd_kafka_mock_broker_set_down(cluster_, id)
                                                 : rd_kafka_mock_broker_set_up(cluster_, id);
        if (err) sentinel::log::error("control: broker {} {}: {}", id, verb, rd_kafka_err2str(err));
      }
      sentinel::log::notice("broker(s) {} {}", arg, verb);
      std::cout << "ok " << line << std::endl;
    } else if (verb == "topic") {
      TopicArg t;
      std::string error;
      if (!parse_topic(arg, &t, &error)) {
        sentinel::log::error("control: {}", error);
        return;
      }
      if (create_topic(t)) std::cout << "ok " << line << std::endl;
    } else if (!verb.empty()) {
      sentinel::log::error(
          "control: unknown command \"{}\": expected down N, up N, topic NAME:PARTS", line);
    }
  }

 private:
  rd_kafka_mock_cluster_t* cluster_;
  int brokers_;
};

}  // namespace

int main(int argc, char** argv) {
  sentinel::SignalWaiter signals;
  sentinel::cli::App app{
      "sentinel-devkafka: an in-memory Kafka-protocol broker for development and tests "
      "(librdkafka's mock cluster; nothing is persisted, not for production).\n"
      "Limits: each partition keeps only its newest ~5 MB or 100000 message sets; older records "
      "are dropped, and every such trim is reported on stderr (topic, partition, records gone). "
      "No CreateTopics, OffsetsForTimes (lookup by time) or OffsetDelete: use a real Kafka broker "
      "for those and for more data.\n"
      "Prints the bootstrap list as the first line of stdout. Control commands on stdin: "
      "down N|all, up N|all, topic NAME:PARTITIONS."};
  int brokers = 1;
  std::vector<std::string> topic_args;
  std::string bootstrap_file;
  app.add_option("--brokers", brokers, "Number of brokers")->check_range(1, 16);
  app.add_option("--topic", topic_args, "Pre-create a topic, as name:partitions (repeatable)");
  app.add_option("--bootstrap-file", bootstrap_file, "Also write the bootstrap list to this file");
  app.set_version_flag("--version", SENTINEL_VERSION);
  if (auto rc = app.parse(argc, argv)) return *rc;

  std::vector<TopicArg> topics;
  for (const auto& t : topic_args) {
    TopicArg parsed;
    std::string error;
    if (!parse_topic(t, &parsed, &error)) {
      sentinel::log::error("{}", error);
      return 2;
    }
    topics.push_back(parsed);
  }

  std::string error;
  sentinel::kafka::Conf conf =
      sentinel::kafka::make_conf({{"client.id", "sentinel-devkafka"}, {"log_level", "4"}}, &error);
  sentinel::kafka::Handle rk =
      sentinel::kafka::make_handle(RD_KAFKA_PRODUCER, std::move(conf), &error);
  if (!rk) {
    sentinel::log::error("{}", error);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk.get(), brokers);
  if (!cluster) {
    sentinel::log::error("could not start the mock cluster");
    return 1;
  }
  Broker broker(cluster, brokers);
  for (const auto& t : topics) {
    if (!broker.create_topic(t)) return 1;
  }
  std::string bootstraps = rd_kafka_mock_cluster_bootstraps(cluster);
  std::cout << bootstraps << std::endl;
  if (!bootstrap_file.empty()) {
    std::string why;
    if (!sentinel::write_file_atomically(bootstrap_file, bootstraps + "\n", 0644, &why)) {
      sentinel::log::error("--bootstrap-file {}", why);
      return 1;
    }
  }
  sentinel::log::info("sentinel-devkafka: {} broker(s) at {}; {}", brokers, bootstraps,
                      sentinel::devkafka::kMockLimits);
  // Stopped (after a last look) before the cluster goes away.
  auto trims = std::make_unique<sentinel::devkafka::TrimReporter>(bootstraps);

  std::string pending;
  bool stdin_open = true;
  for (;;) {
    int sig = signals.wait(std::chrono::milliseconds(1000),
                           stdin_open ? std::vector<int>{STDIN_FILENO} : std::vector<int>{});
    if (sig == SIGTERM || sig == SIGINT) break;
    if (!stdin_open) continue;
    pollfd p{STDIN_FILENO, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0) continue;
    char buf[4096];
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) {
      stdin_open = false;  // stdin closed: keep serving until a signal
      continue;
    }
    pending.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      broker.command(pending.substr(0, nl));
      pending.erase(0, nl + 1);
    }
  }
  sentinel::log::info("sentinel-devkafka: stopping");
  trims.reset();
  rd_kafka_mock_cluster_destroy(cluster);
  return 0;
}

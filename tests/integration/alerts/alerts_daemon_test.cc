// sentinel-alerts as a process against sentinel-devkafka, with kcat as the independent client:
// a CPU spike gives exactly one firing and one resolved; SIGKILL while the alert is open and a
// restart give no second firing and still the resolved; config errors, reloads and signals.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/clock.h"
#include "tests/support/build_paths.h"
#include "tests/support/kafka_env.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

using namespace std::chrono_literals;

const char* kAlertId = "cpu_high/host=synthetic-1";

std::string config_text(const std::string& bootstrap, const std::string& commit_interval,
                        double threshold = 90, const std::string& instance = "") {
  // A short session timeout: after SIGKILL the dead member leaves the group in seconds (the dev
  // broker ignores static membership).
  return "kafka: {bootstrap.servers: \"" + bootstrap +
         "\", session.timeout.ms: 3000, heartbeat.interval.ms: 300}\n" +
         (instance.empty() ? "" : "input: {instance_id: " + instance + "}\n") +
         "time: {allowed_lateness: 1s, idle_timeout: 1s}\n"
         "commit_interval: " +
         commit_interval +
         "\n"
         "rules:\n"
         "  cpu_high:\n"
         "    resource: cpu\n"
         "    metric: usage_pct\n"
         "    match: {cpu: total}\n"
         "    group_by: [host]\n"
         "    window: 5s\n"
         "    agg: avg\n"
         "    above: " +
         std::to_string(threshold) +
         "\n"
         "    resolve: 80\n"
         "    for: 2\n"
         "    severity: critical\n"
         "host_silent: {enabled: false}\n";
}

// One cpu record a second for `host`, from `from_ms`, as (seconds, usage) runs; key = resource.
std::vector<std::string> cpu_records(const std::string& host, int64_t from_ms,
                                     std::vector<std::pair<int, double>> runs) {
  std::vector<std::string> lines;
  int64_t ts = from_ms;
  for (auto [seconds, usage] : runs) {
    for (int i = 0; i < seconds; ++i, ts += 1000) {
      nlohmann::json j = {{"v", 1},
                          {"host", host},
                          {"resource", "cpu"},
                          {"ts", ts},
                          {"tags", {{"cpu", "total"}}},
                          {"metrics", {{"usage_pct", usage}, {"user_pct", usage / 2}}}};
      lines.push_back("cpu\t" + j.dump());
    }
  }
  return lines;
}

// The states published for `id`, in topic order.
std::vector<std::string> states_of(const std::string& bootstrap, const std::string& id) {
  std::vector<std::string> states;
  for (const auto& r : kcat_consume(bootstrap, "system_alerts")) {
    auto j = nlohmann::json::parse(r.value, nullptr, false);
    if (j.is_discarded() || j.value("id", "") != id) continue;
    EXPECT_EQ(r.key, id) << "alert key must be the alert id";
    states.push_back(j.value("state", "?"));
  }
  return states;
}

using States = std::vector<std::string>;

class AlertsDaemon : public ::testing::Test {
 protected:
  AlertsDaemon() : kafka_({"system_metrics:3", "system_alerts:3"}) {}

  // `instance`: input.instance_id; instances running side by side on one host need their own.
  std::unique_ptr<Process> start(const std::string& commit_interval = "200ms",
                                 const std::string& instance = "") {
    std::string path = dir_.file("alerts" + instance + ".yaml");
    write_file(path, config_text(kafka_.bootstrap(), commit_interval, 90, instance));
    Process::Options options;
    options.env["SENTINEL_LOG_LEVEL"] = "debug";  // commits are logged at debug level
    return std::make_unique<Process>(
        std::vector<std::string>{bin("sentinel-alerts"), "--config", path}, options);
  }
  // Event time ten minutes ago, on a window boundary, so the idle close flushes every window.
  int64_t past() const { return (wall_ms() - 600000) / 5000 * 5000; }

  DevKafka kafka_;
  TempDir dir_;
};

TEST_F(AlertsDaemon, CpuSpikeGivesExactlyOneFiringThenOneResolved) {
  auto daemon = start();
  ASSERT_TRUE(kcat_produce(kafka_.bootstrap(), "system_metrics",
                           cpu_records("synthetic-1", past(), {{20, 10}, {20, 99}, {20, 10}}),
                           true));
  ASSERT_TRUE(wait_until([&] { return states_of(kafka_.bootstrap(), kAlertId).size() >= 2; }, 40s))
      << daemon->err();
  EXPECT_EQ(states_of(kafka_.bootstrap(), kAlertId), (States{"firing", "resolved"}));

  auto alerts = kcat_consume(kafka_.bootstrap(), "system_alerts");
  auto firing = nlohmann::json::parse(alerts.at(0).value);
  EXPECT_EQ(firing["rule"], "cpu_high");
  EXPECT_EQ(firing["severity"], "critical");
  EXPECT_EQ(firing["labels"]["host"], "synthetic-1");
  EXPECT_EQ(firing["labels"]["resource"], "cpu");
  EXPECT_DOUBLE_EQ(firing["value"].get<double>(), 99);
  EXPECT_EQ(firing["window"]["agg"], "avg");
  EXPECT_EQ(firing["window"]["end"].get<int64_t>() - firing["window"]["start"].get<int64_t>(),
            5000);
  EXPECT_EQ(alerts.at(0).timestamp, firing["ts"].get<int64_t>()) << "Kafka timestamp = ts";

  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(20s), 0) << daemon->err();
}

// Killed with the alert open, before any offset was committed: the restart replays every
// record; recovery from system_alerts keeps it from firing twice.
TEST_F(AlertsDaemon, SigkillWhileFiringThenRestartGivesNoSecondFiringAndTheResolved) {
  int64_t t0 = past();
  auto daemon = start("1h");
  ASSERT_TRUE(kcat_produce(kafka_.bootstrap(), "system_metrics",
                           cpu_records("synthetic-1", t0, {{20, 10}, {20, 99}}), true));
  ASSERT_TRUE(wait_until([&] { return !states_of(kafka_.bootstrap(), kAlertId).empty(); }, 40s))
      << daemon->err();
  daemon->signal(SIGKILL);
  daemon->wait(10s);

  ASSERT_TRUE(kcat_produce(kafka_.bootstrap(), "system_metrics",
                           cpu_records("synthetic-1", t0 + 40000, {{20, 10}}), true));
  auto restarted = start("1h");
  ASSERT_TRUE(wait_until([&] { return states_of(kafka_.bootstrap(), kAlertId).size() >= 2; }, 40s))
      << restarted->err();
  EXPECT_EQ(states_of(kafka_.bootstrap(), kAlertId), (States{"firing", "resolved"}));
}

// Killed after offsets were committed past the spike: the restart starts mid-stream; the
// firing alert recovered from system_alerts still gets its resolved, once.
TEST_F(AlertsDaemon, SigkillAfterCommitsThenRestartStillResolvesOnce) {
  int64_t t0 = past();
  auto daemon = start("100ms");
  ASSERT_TRUE(kcat_produce(kafka_.bootstrap(), "system_metrics",
                           cpu_records("synthetic-1", t0, {{20, 10}, {20, 99}}), true));
  ASSERT_TRUE(wait_until([&] { return !states_of(kafka_.bootstrap(), kAlertId).empty(); }, 40s))
      << daemon->err();
  // Kill once every record (40, one partition) is committed: the idle close flushed the
  // spike's windows, the firing was acknowledged, then the offsets moved past it.
  ASSERT_TRUE(wait_until([&] { return daemon->err().find("]=40") != std::string::npos; }, 20s))
      << daemon->err();
  daemon->signal(SIGKILL);
  daemon->wait(10s);

  ASSERT_TRUE(kcat_produce(kafka_.bootstrap(), "system_metrics",
                           cpu_records("synthetic-1", t0 + 40000, {{20, 10}}), true));
  auto restarted = start("100ms");
  ASSERT_TRUE(wait_until([&] { return states_of(kafka_.bootstrap(), kAlertId).size() >= 2; }, 40s))
      << restarted->err();
  EXPECT_EQ(states_of(kafka_.bootstrap(), kAlertId), (States{"firing", "resolved"}));
}

// Several instances share alert-group. One instance fires for six hosts spread over the three
// partitions; a second joins (the partitions are split, each takes over open alerts it did not
// fire) and the spikes end; then the first is SIGKILLed and the survivor takes everything over
// through a second spike. Every host shows exactly firing, resolved, firing, resolved.
TEST_F(AlertsDaemon, InstancesShareTheGroupAndHandOverOpenAlertsWithoutDuplicates) {
  // Keyed by host (the default rules are partition-local with that key, docs/alerts.md); these
  // six keys land on all three partitions with librdkafka's default (crc32) partitioner.
  const std::vector<std::string> hosts = {"synthetic-1", "synthetic-2",  "synthetic-4",
                                          "synthetic-9", "synthetic-10", "synthetic-12"};
  auto produce = [&](int64_t from_ms, std::vector<std::pair<int, double>> runs) {
    // In time order across hosts, as live agents send: the watermark is per partition.
    std::vector<std::vector<std::string>> per_host;
    for (const auto& h : hosts) per_host.push_back(cpu_records(h, from_ms, runs));
    std::vector<std::string> lines;
    for (size_t i = 0; i < per_host[0].size(); ++i) {
      for (size_t k = 0; k < hosts.size(); ++k) {
        const std::string& l = per_host[k][i];
        lines.push_back(hosts[k] + l.substr(l.find('\t')));
      }
    }
    return kcat_produce(kafka_.bootstrap(), "system_metrics", lines, true);
  };
  auto all_have = [&](size_t n) {
    for (const auto& h : hosts) {
      if (states_of(kafka_.bootstrap(), "cpu_high/host=" + h).size() < n) return false;
    }
    return true;
  };
  auto count = [](const std::string& text, const std::string& needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
      ++n;
    return n;
  };
  int64_t t0 = past();

  auto first = start("200ms", "first");
  ASSERT_TRUE(produce(t0, {{20, 10}, {20, 99}}));
  ASSERT_TRUE(wait_until([&] { return all_have(1); }, 40s)) << first->err();

  auto second = start("200ms", "second");
  // The group settles: the newcomer gets partitions, the first one is reassigned a share.
  ASSERT_TRUE(wait_until(
      [&] {
        return second->err().find("assigned system_metrics") != std::string::npos &&
               count(first->err(), "assigned system_metrics") >= 2;
      },
      40s))
      << first->err() << "\n---\n"
      << second->err();
  ASSERT_TRUE(produce(t0 + 40000, {{20, 10}}));
  ASSERT_TRUE(wait_until([&] { return all_have(2); }, 40s)) << first->err() << "\n---\n"
                                                            << second->err();
  EXPECT_GE(count(second->err(), " resolved: "), 1u)
      << "the newcomer must resolve alerts the first instance fired:\n"
      << second->err();
  EXPECT_GE(count(first->err(), " resolved: "), 1u)
      << "the first instance keeps a share of the partitions:\n"
      << first->err();

  first->signal(SIGKILL);
  first->wait(10s);
  ASSERT_TRUE(produce(t0 + 60000, {{20, 99}, {20, 10}}));
  ASSERT_TRUE(wait_until([&] { return all_have(4); }, 60s)) << second->err();
  for (const auto& h : hosts) {
    EXPECT_EQ(states_of(kafka_.bootstrap(), "cpu_high/host=" + h),
              (States{"firing", "resolved", "firing", "resolved"}))
        << h << "\n"
        << second->err();
  }
  EXPECT_EQ(count(second->err(), " firing: "), hosts.size())
      << "after the SIGKILL the survivor evaluates every host:\n"
      << second->err();
  second->signal(SIGTERM);
  EXPECT_EQ(second->wait(20s), 0) << second->err();
}

TEST_F(AlertsDaemon, SighupWithBadRulesKeepsTheOldRules) {
  auto daemon = start();
  ASSERT_TRUE(wait_until([&] { return daemon->err().find("assigned") != std::string::npos; }, 30s))
      << daemon->err();
  write_file(dir_.file("alerts.yaml"), "rules:\n  cpu_high: {resource: cpu, agg: median}\n");
  daemon->signal(SIGHUP);
  ASSERT_TRUE(wait_until(
      [&] {
        return daemon->err().find("reload failed, keeping the old rules") != std::string::npos;
      },
      10s))
      << daemon->err();
  EXPECT_NE(daemon->err().find("alerts.yaml:"), std::string::npos) << "error names file:line";
  ASSERT_TRUE(kcat_produce(kafka_.bootstrap(), "system_metrics",
                           cpu_records("synthetic-1", past(), {{20, 99}, {20, 10}}), true));
  ASSERT_TRUE(wait_until([&] { return states_of(kafka_.bootstrap(), kAlertId).size() >= 2; }, 40s))
      << daemon->err();
  EXPECT_EQ(states_of(kafka_.bootstrap(), kAlertId), (States{"firing", "resolved"}));
}

TEST_F(AlertsDaemon, BrokerDownAtStartKeepsItRunningUntilTheBrokerReturns) {
  ASSERT_TRUE(kafka_.control("down all"));
  auto daemon = start();
  // It keeps retrying: still running once librdkafka has reported the broker unreachable.
  ASSERT_TRUE(wait_until([&] { return daemon->err().find("kafka") != std::string::npos; }, 20s))
      << daemon->err();
  EXPECT_TRUE(daemon->running());
  ASSERT_TRUE(kafka_.control("up all"));
  ASSERT_TRUE(kcat_produce(kafka_.bootstrap(), "system_metrics",
                           cpu_records("synthetic-1", past(), {{20, 99}, {20, 10}}), true));
  ASSERT_TRUE(wait_until([&] { return states_of(kafka_.bootstrap(), kAlertId).size() >= 2; }, 40s))
      << daemon->err();
  EXPECT_EQ(states_of(kafka_.bootstrap(), kAlertId), (States{"firing", "resolved"}));
}

TEST(AlertsDaemonConfig, CheckConfigNamesFileLineAndKey) {
  TempDir dir;
  write_file(dir.file("alerts.yaml"),
             "kafka: {bootstrap.servers: \"k:9092\"}\nrules:\n  cpu_high:\n    resource: cpu\n"
             "    metric: usage_pct\n    window: 60s\n    agg: median\n    above: 90\n");
  std::string out, err;
  int rc = run({bin("sentinel-alerts"), "--check-config", "--config", dir.file("alerts.yaml")},
               &out, 20s, &err);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(err.find("alerts.yaml:7: rules.cpu_high.agg: \"median\""), std::string::npos) << err;

  rc = run({bin("sentinel-alerts"), "--check-config", "--bootstrap-servers", "k:9092", "--config",
            source_dir() + "/config/alerts.yaml"},
           &out, 20s, &err);
  EXPECT_EQ(rc, 0) << err;
  EXPECT_NE(out.find("ok, 6 rule(s)"), std::string::npos) << out;
}

}  // namespace
}  // namespace sentinel::test

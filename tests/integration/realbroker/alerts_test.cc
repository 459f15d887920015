// sentinel-alerts on the real broker, with a backlog bigger than the mock behind
// sentinel-devkafka keeps of a partition (~5 MB): twelve hosts, eighty CPU spikes each, ~8 MB a
// partition. The daemon is SIGKILLed twice and stopped once while it works through the backlog
// and more records keep arriving; in the end every host shows exactly eighty firing/resolved
// pairs in the alerts topic, one per spike, in order: no duplicate, none lost. On the mock the
// oldest spikes would be gone before they were read.
#include <gtest/gtest.h>
#include <signal.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/clock.h"
#include "tests/support/kafka_env.h"
#include "tests/support/process.h"
#include "tests/support/real_kafka.h"

namespace sentinel::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr int kHosts = 12;
constexpr int kSpikes = 80;
constexpr int kCycle = 40;  // seconds: 20 at 10 % CPU, then 20 at 99 %
// Each record carries a note so that a record is ~600 bytes: fewer records for the same bytes.
const std::string kNote(400, 'n');

std::string config_text(const std::string& bootstrap, const std::string& metrics,
                        const std::string& alerts, const std::string& group) {
  return "kafka: {bootstrap.servers: \"" + bootstrap +
         "\", session.timeout.ms: 6000, heartbeat.interval.ms: 500}\n"
         "input: {topic: " +
         metrics + ", group: " + group +
         "}\n"
         "output: {topic: " +
         alerts +
         "}\n"
         "time: {allowed_lateness: 1s, idle_timeout: 1s}\n"
         "commit_interval: 200ms\n"
         "rules:\n"
         "  cpu_high:\n"
         "    resource: cpu\n"
         "    metric: usage_pct\n"
         "    match: {cpu: total}\n"
         "    group_by: [host]\n"
         "    window: 5s\n"
         "    agg: avg\n"
         "    above: 90\n"
         "    resolve: 80\n"
         "    for: 2\n"
         "    severity: critical\n"
         "host_silent: {enabled: false}\n";
}

std::string host_name(int h) { return "synthetic-" + std::to_string(h); }

// The records of seconds [from, to) of every host, in time order across hosts (as live agents
// send them: the watermark is per partition), keyed by host. Then 20 quiet seconds close the
// last spike.
std::vector<TimedRecord> records(int64_t t0, int from, int to) {
  std::vector<TimedRecord> out;
  for (int s = from; s < to; ++s) {
    double usage = (s % kCycle) >= kCycle / 2 && s < kSpikes * kCycle ? 99 : 10;
    for (int h = 0; h < kHosts; ++h) {
      int64_t ts = t0 + int64_t{s} * 1000;
      json j = {{"v", 1},
                {"host", host_name(h)},
                {"resource", "cpu"},
                {"ts", ts},
                {"tags", {{"cpu", "total"}, {"note", kNote}}},
                {"metrics", {{"usage_pct", usage}, {"user_pct", usage / 2}}}};
      out.push_back({host_name(h), j.dump(), ts, -1});
    }
  }
  return out;
}

// Every alert in the topic: host → states in topic order, and the window starts of the firings.
struct Published {
  std::map<std::string, std::vector<std::string>> states;
  std::map<std::string, std::vector<int64_t>> firing_windows;
  size_t total = 0;
};

Published published(const std::string& bootstrap, const std::string& topic) {
  Published p;
  for (const auto& r : kcat_consume(bootstrap, topic)) {
    json j = json::parse(r.value, nullptr, false);
    if (j.is_discarded()) continue;
    std::string host = j["labels"].value("host", "?");
    p.states[host].push_back(j.value("state", "?"));
    if (j.value("state", "") == "firing") p.firing_windows[host].push_back(j["window"]["start"]);
    ++p.total;
  }
  return p;
}

TEST(AlertsOnRealBroker, KillsAndARestartOverABacklogBeyondTheMockLoseAndRepeatNoAlert) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  std::string metrics = RealKafka::unique_name("system_metrics");
  std::string alerts = RealKafka::unique_name("system_alerts");
  std::string group = RealKafka::unique_name("alert-group");
  std::string error;
  ASSERT_TRUE(kafka.create_topics({{metrics, 3, 1, {}}, {alerts, 3, 1, {}}}, &error)) << error;

  // Event time ends two minutes ago, on a window boundary.
  const int seconds = kSpikes * kCycle + 20;
  const int64_t t0 = (wall_ms() - 120'000 - int64_t{seconds} * 1000) / 5000 * 5000;
  // The backlog: three quarters of the history before the daemon first starts.
  const int backlog = seconds * 3 / 4;
  auto first = records(t0, 0, backlog);
  ASSERT_TRUE(produce_records(kafka.bootstrap(), metrics, first, &error)) << error;
  // What each partition holds, by kcat: the backlog alone must be more than the mock keeps.
  std::map<int, size_t> bytes;
  for (const auto& r : kcat_consume(kafka.bootstrap(), metrics))
    bytes[r.partition] += r.value.size() + r.key.size();
  size_t biggest = 0;
  for (const auto& [p, b] : bytes) {
    std::cout << metrics << "[" << p << "]: " << b << " bytes of backlog" << std::endl;
    biggest = std::max(biggest, b);
  }
  ASSERT_GT(biggest, 5u * 1024 * 1024) << "the backlog must exceed the mock's ~5 MB a partition";

  TempDir dir;
  write_file(dir.file("alerts.yaml"), config_text(kafka.bootstrap(), metrics, alerts, group));
  std::vector<std::string> argv = {bin("sentinel-alerts"), "--config", dir.file("alerts.yaml")};
  Process::Options options;
  options.env["SENTINEL_LOG_LEVEL"] = "debug";

  // The rest of the history arrives in slices of 40 s (one spike a host, 24 alerts) while the
  // daemon runs: three runs ended by SIGKILL, SIGTERM, SIGKILL once it published some more.
  const int slice = kCycle;
  int next = backlog;
  size_t seen = 0;
  const int ends[] = {SIGKILL, SIGTERM, SIGKILL};
  for (int end : ends) {
    Process daemon(argv, options);
    size_t before = seen;
    for (int i = 0; i < 6 && next < seconds; ++i, next += slice) {
      ASSERT_TRUE(produce_records(kafka.bootstrap(), metrics,
                                  records(t0, next, std::min(seconds, next + slice)), &error))
          << error;
      std::this_thread::sleep_for(200ms);
    }
    ASSERT_TRUE(wait_until(
        [&] {
          seen = published(kafka.bootstrap(), alerts).total;
          return seen >= before + 100;
        },
        90s))
        << seen << " alert(s) published\n"
        << daemon.err().substr(0, 4000);
    daemon.signal(end);
    auto rc = daemon.wait(30s);
    std::cout << (end == SIGKILL ? "SIGKILL" : "SIGTERM") << " after " << seen << " alert(s)"
              << std::endl;
    if (end == SIGTERM) {
      EXPECT_EQ(rc, 0) << daemon.err().substr(0, 4000);
    }
  }
  if (next < seconds) {
    ASSERT_TRUE(produce_records(kafka.bootstrap(), metrics, records(t0, next, seconds), &error))
        << error;
  }

  Process daemon(argv, options);
  const size_t want = size_t{kHosts} * kSpikes * 2;
  Published p;
  bool complete = wait_until(
      [&] {
        p = published(kafka.bootstrap(), alerts);
        return p.total >= want;
      },
      120s, 500ms);
  EXPECT_TRUE(complete) << p.total << " of " << want << " alerts\n" << daemon.err().substr(0, 4000);
  std::vector<std::string> expected;
  for (int i = 0; i < kSpikes; ++i) {
    expected.push_back("firing");
    expected.push_back("resolved");
  }
  for (int h = 0; h < kHosts; ++h) {
    std::string host = host_name(h);
    EXPECT_EQ(p.states[host], expected) << host << ": " << p.states[host].size() << " states";
    // One firing per spike: window starts strictly increasing, each inside its spike.
    const auto& w = p.firing_windows[host];
    for (size_t i = 0; i < w.size(); ++i) {
      int64_t spike_start = t0 + (int64_t(i) * kCycle + kCycle / 2) * 1000;
      EXPECT_GE(w[i], spike_start) << host << " firing " << i;
      EXPECT_LT(w[i], spike_start + kCycle / 2 * 1000) << host << " firing " << i;
    }
  }
  EXPECT_EQ(p.total, want);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait(30s), 0);
}

}  // namespace
}  // namespace sentinel::test

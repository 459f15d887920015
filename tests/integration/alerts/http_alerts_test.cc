// HTTP error-rate alerts end to end: sentinel-loggen produces the demo scenario to http_logs on
// sentinel-devkafka, sentinel-alerts evaluates it as a process, kcat reads system_alerts back.
// The alerts must be the ones `sentinel-loggen --expected-alerts` predicts, each firing then
// resolved, during its anomaly — and none on baseline traffic. A changed thresholds file is
// picked up while the daemon runs; a broken one is reported and the thresholds in use are kept.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "tests/support/build_paths.h"
#include "tests/support/kafka_env.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

using namespace std::chrono_literals;

const std::string kDemo = source_dir() + "/config/loggen/demo.yaml";

// Shares per class and dimension, chosen for the demo scenario: the hammering IP's 4xx (0.86),
// the failing URL's 5xx (0.6) and the outage's 5xx (0.85) stand out; baseline windows (2.5 %
// errors) and the side effects of the first two anomalies on the other dimensions (site-wide 4xx
// ~0.4 while one client hammers, site-wide 5xx ~0.09 while one URL fails) stay below.
const char* kThresholds = R"({
  "global": {"5xx": 0.2, "4xx": 0.5},
  "ip":     {"5xx": 0.3, "4xx": 0.3},
  "url":    {"5xx": 0.5, "4xx": 0.5}
})";

std::string config_text(const std::string& bootstrap) {
  return "kafka: {bootstrap.servers: \"" + bootstrap +
         "\", session.timeout.ms: 6000, heartbeat.interval.ms: 500}\n"
         "time: {allowed_lateness: 1s, idle_timeout: 1s}\n"
         "commit_interval: 200ms\n"
         "host_silent: {enabled: false}\n"
         "http:\n"
         "  topic: http_logs\n"
         "  thresholds: thresholds.json\n"
         "  window: 10s\n"
         "  min_requests: {global: 50, ip: 20, url: 20}\n";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

struct Published {
  std::string id, state, rule;
  int64_t start = 0, end = 0;
};

std::vector<Published> published(const std::string& bootstrap) {
  std::vector<Published> out;
  for (const auto& r : kcat_consume(bootstrap, "system_alerts")) {
    auto j = nlohmann::json::parse(r.value, nullptr, false);
    if (j.is_discarded()) continue;
    out.push_back({j.value("id", ""), j.value("state", ""), j.value("rule", ""),
                   j["window"].value("start", int64_t{0}), j["window"].value("end", int64_t{0})});
  }
  return out;
}

// True once every alert in `ids` has been resolved.
bool all_resolved(const std::string& bootstrap, const std::set<std::string>& ids) {
  std::map<std::string, int> resolved;
  for (const auto& p : published(bootstrap)) resolved[p.id] += p.state == "resolved";
  for (const auto& id : ids) {
    if (!resolved[id]) return false;
  }
  return true;
}

// The alert id sentinel-alerts gives an expected alert of sentinel-loggen.
std::string id_of(const nlohmann::json& expected, const std::string& host) {
  std::string cls = expected["status_class"];
  std::string dim = expected["dimension"];
  std::string key = expected["key"];
  if (dim == "ip") return "http_" + cls + "_ip/client_ip=" + key;
  if (dim == "url") return "http_" + cls + "_url/host=" + host + ",path=" + key;
  return "http_" + cls + "_global/host=" + key;
}

// What the demo scenario must give: each expected alert fires in a window overlapping its
// anomaly. An anomaly also shows in other dimensions — the outage gives every busy URL and
// client its 5xx share, the hammering client's 4xx fill the URLs it hammers — so those may alert
// too, but only in the anomaly's status class and in windows that overlap it: nothing fires on
// baseline traffic. Every alert alternates firing → resolved and ends resolved.
void verify_demo_alerts(const std::vector<nlohmann::json>& expected,
                        const std::vector<Published>& all) {
  std::set<std::string> want;
  for (const auto& e : expected) want.insert(id_of(e, "web-1"));
  std::map<std::string, const nlohmann::json*> by_id;
  for (const auto& e : expected) by_id[id_of(e, "web-1")] = &e;
  auto overlaps = [](const Published& p, const nlohmann::json& e) {
    return p.start < e["end"].get<int64_t>() && p.end > e["start"].get<int64_t>();
  };
  std::map<std::string, std::vector<std::string>> states;
  std::set<std::string> fired_in_anomaly;
  std::map<std::string, Published> open;  // id → its firing, until resolved
  for (const auto& p : all) {
    states[p.id].push_back(p.state);
    auto e = by_id.find(p.id);
    if (p.state == "resolved") {
      // Firing from open[id].start until this window's end: detected if that covers the anomaly
      // (an alert that fired as another anomaly's side effect and stays firing through its own).
      auto f = open.find(p.id);
      if (f != open.end() && e != by_id.end()) {
        Published span = f->second;
        span.end = p.end;
        if (overlaps(span, *e->second)) fired_in_anomaly.insert(p.id);
      }
      open.erase(p.id);
      continue;
    }
    open[p.id] = p;
    if (e != by_id.end() && overlaps(p, *e->second)) {
      fired_in_anomaly.insert(p.id);
      continue;
    }
    // A side effect of an anomaly on another dimension, in the anomaly's status class and time.
    bool side_effect = false;
    for (const auto& e : expected) {
      std::string cls = e["status_class"];
      side_effect |= p.rule.find("_" + cls + "_") != std::string::npos && overlaps(p, e);
    }
    EXPECT_TRUE(side_effect) << "unexpected alert " << p.id << " window [" << p.start << ", "
                             << p.end << ")";
  }
  EXPECT_EQ(fired_in_anomaly, want);
  // Every alert alternates firing → resolved and ends resolved.
  for (const auto& [id, s] : states) {
    ASSERT_EQ(s.size() % 2, 0u) << id;
    for (size_t i = 0; i < s.size(); ++i) EXPECT_EQ(s[i], i % 2 ? "resolved" : "firing") << id;
  }
}

class HttpAlerts : public ::testing::Test {
 protected:
  HttpAlerts() : kafka_({"system_metrics:1", "http_logs:4", "http_history:8", "system_alerts:3"}) {
    write_file(dir_.file("alerts.yaml"), config_text(kafka_.bootstrap()));
  }
  std::unique_ptr<Process> start_alerts() {
    return std::make_unique<Process>(
        std::vector<std::string>{bin("sentinel-alerts"), "--config", dir_.file("alerts.yaml")});
  }
  // Event time a quarter of an hour ago on a window boundary: the scenario runs as fast as
  // loggen can produce it, the windows close on event time and the last ones by idle close.
  static int64_t past() { return (wall_ms() - 900000) / 10000 * 10000; }
  int loggen(int64_t start_ms, const std::string& extra_duration = "") {
    std::vector<std::string> argv = {bin("sentinel-loggen"),
                                     "--scenario",
                                     kDemo,
                                     "--kafka",
                                     "--bootstrap-servers",
                                     kafka_.bootstrap(),
                                     "--start-time",
                                     std::to_string(start_ms),
                                     "--as-fast-as-possible",
                                     "--seed",
                                     "7"};
    if (!extra_duration.empty()) {
      argv.push_back("--duration");
      argv.push_back(extra_duration);
    }
    std::string out, err;
    int rc = run(argv, &out, 120s, &err);
    EXPECT_EQ(rc, 0) << err;
    return rc;
  }

  // What `sentinel-loggen --expected-alerts` says the demo scenario starting at `start` causes.
  static std::vector<nlohmann::json> expected_alerts(int64_t start) {
    std::string text;
    EXPECT_EQ(run({bin("sentinel-loggen"), "--scenario", kDemo, "--expected-alerts", "--start-time",
                   std::to_string(start)},
                  &text),
              0);
    std::vector<nlohmann::json> expected;
    for (const auto& l : lines_of(text)) expected.push_back(nlohmann::json::parse(l));
    EXPECT_EQ(expected.size(), 3u) << text;
    return expected;
  }
  // Waits until every expected alert has resolved, then checks all that was published.
  void expect_demo_alerts(const std::vector<nlohmann::json>& expected, Process& daemon,
                          const std::string& context = "") {
    std::set<std::string> want;
    for (const auto& e : expected) want.insert(id_of(e, "web-1"));
    ASSERT_TRUE(wait_until([&] { return all_resolved(kafka_.bootstrap(), want); }, 60s))
        << daemon.err() << context;
    verify_demo_alerts(expected, published(kafka_.bootstrap()));
  }

  DevKafka kafka_;
  TempDir dir_;
};

TEST_F(HttpAlerts, TheDemoScenarioGivesItsExpectedAlertsFiringThenResolvedAndNoneOnBaseline) {
  write_file(dir_.file("thresholds.json"), kThresholds);
  auto daemon = start_alerts();
  int64_t start = past();
  auto expected = expected_alerts(start);
  ASSERT_EQ(loggen(start), 0);
  expect_demo_alerts(expected, *daemon);
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(20s), 0) << daemon->err();
}

// Thresholds learned by sentinel-thresholds from a quiet history (the demo scenario's traffic
// model without its anomalies, an hour before) detect the scenario's anomalies. The floor of 15 %
// is the operator's smallest share worth a page: the baseline's 99th percentiles (5–9 %) come
// from windows of 20 requests, where 2 errors are already 10 %.
TEST_F(HttpAlerts, ThresholdsLearnedFromHistoryDetectTheScenario) {
  std::string demo = read_file(kDemo);
  write_file(dir_.file("history.yaml"), demo.substr(0, demo.find("\nanomalies:")) + "\n");
  int64_t history = past() - 3600000;
  std::string err;
  ASSERT_EQ(
      run({bin("sentinel-loggen"), "--scenario", dir_.file("history.yaml"), "--kafka",
           "--bootstrap-servers", kafka_.bootstrap(), "--topic", "http_history", "--start-time",
           std::to_string(history), "--duration", "10m", "--as-fast-as-possible", "--seed", "11"},
          nullptr, 120s, &err),
      0)
      << err;
  std::string summary;
  ASSERT_EQ(run({bin("sentinel-thresholds"),
                 "--bootstrap-servers",
                 kafka_.bootstrap(),
                 "--topic",
                 "http_history",
                 "--from",
                 std::to_string(history),
                 "--to",
                 std::to_string(history + 600000),
                 "--window",
                 "10s",
                 "--min-requests-global",
                 "50",
                 "--min-requests-ip",
                 "20",
                 "--min-requests-url",
                 "20",
                 "--floor",
                 "0.15",
                 "--output",
                 dir_.file("thresholds.json")},
                &summary, 120s, &err),
            0)
      << err;
  std::cout << summary;  // the summary table, in the test log

  auto daemon = start_alerts();
  int64_t start = past();
  auto expected = expected_alerts(start);
  ASSERT_EQ(loggen(start), 0);
  expect_demo_alerts(expected, *daemon, read_file(dir_.file("thresholds.json")));
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(20s), 0) << daemon->err();
}

// SIGKILL while alerts are open, then a restart in the same group: the windows are
// rebuilt from the committed offsets (global and per-URL windows span all four partitions) and
// the open alerts recovered from system_alerts — no alert fires twice, none is lost.
TEST_F(HttpAlerts, SigkillMidScenarioThenRestartGivesEachAlertOnce) {
  write_file(dir_.file("thresholds.json"), kThresholds);
  int64_t start = past();
  auto expected = expected_alerts(start);
  // The whole scenario is in http_logs before the daemon starts; it is killed as soon as the
  // first alert is out, while the last windows (the outage) wait for their idle close.
  ASSERT_EQ(loggen(start), 0);
  auto daemon = start_alerts();
  ASSERT_TRUE(wait_until([&] { return !published(kafka_.bootstrap()).empty(); }, 30s, 10ms))
      << daemon->err();
  daemon->signal(SIGKILL);
  daemon->wait(10s);
  daemon = start_alerts();
  expect_demo_alerts(expected, *daemon);
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(20s), 0) << daemon->err();
}

TEST_F(HttpAlerts, BaselineTrafficAloneGivesNoAlert) {
  write_file(dir_.file("thresholds.json"), kThresholds);
  // The demo scenario's first 10 s are baseline only; then 60 s more of a scenario without
  // anomalies, at a higher rate.
  write_file(dir_.file("baseline.yaml"),
             "host: web-1\nrate: 200\nduration: 60s\nclients: {count: 300, skew: 1.1}\n"
             "urls:\n  - {path: \"/\", weight: 10}\n  - {path: \"/products/{id}\", weight: 20, "
             "ids: 5000}\n"
             "  - {path: \"/api/orders/{id}\", weight: 8, ids: 100000}\n"
             "errors: {4xx: 0.02, 5xx: 0.005}\n");
  auto daemon = start_alerts();
  std::string err;
  ASSERT_EQ(run({bin("sentinel-loggen"), "--scenario", dir_.file("baseline.yaml"), "--kafka",
                 "--bootstrap-servers", kafka_.bootstrap(), "--start-time", std::to_string(past()),
                 "--as-fast-as-possible"},
                nullptr, 120s, &err),
            0)
      << err;
  // A marker after it: one client's 404s in a later window. Once its alert is out, every
  // baseline window before it was evaluated.
  std::vector<std::string> marker;
  int64_t at = past() + 80000;
  for (int i = 0; i < 30; ++i) {
    marker.push_back(
        "192.0.2.250\t{\"v\":1,\"host\":\"web-1\",\"ts\":" + std::to_string(at + i * 100) +
        ",\"client_ip\":\"192.0.2.250\",\"method\":\"GET\",\"path\":\"/x\",\"status\":404}");
  }
  ASSERT_TRUE(kcat_produce(kafka_.bootstrap(), "http_logs", marker, true));
  const std::string kMarker = "http_4xx_ip/client_ip=192.0.2.250";
  ASSERT_TRUE(wait_until(
      [&] {
        for (const auto& p : published(kafka_.bootstrap())) {
          if (p.id == kMarker) return true;
        }
        return false;
      },
      30s))
      << daemon->err();
  std::this_thread::sleep_for(2s);
  for (const auto& p : published(kafka_.bootstrap())) {
    // The marker's own alerts (its IP, its URL /x) are in its window; nothing before it.
    EXPECT_GE(p.start, at / 10000 * 10000) << "an alert on baseline traffic: " << p.id;
  }
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(20s), 0) << daemon->err();
}

TEST_F(HttpAlerts, AChangedThresholdsFileIsPickedUpAndABrokenOneKeepsTheOldThresholds) {
  // At first no share is low enough to alert on anything.
  write_file(dir_.file("thresholds.json"), R"({"global": 1.0, "ip": 1.0, "url": 1.0})");
  auto daemon = start_alerts();
  int64_t start = past();
  ASSERT_EQ(loggen(start, "40s"), 0);  // the hammering client (10–30 s) among it
  std::this_thread::sleep_for(3s);
  EXPECT_TRUE(published(kafka_.bootstrap()).empty());

  // A broken file: reported with its name, nothing changes.
  write_file(dir_.file("thresholds.json"), R"({"ip": "low"})");
  ASSERT_TRUE(wait_until(
      [&] { return daemon->err().find("keeping the thresholds in use") != std::string::npos; },
      10s))
      << daemon->err();
  EXPECT_NE(daemon->err().find("thresholds.json"), std::string::npos);

  // The original form: the same client hammering again, later, is an alert now.
  write_file(dir_.file("thresholds.json"), R"({"global": 0.5, "ip": 0.3, "url": 0.9})");
  ASSERT_TRUE(wait_until(
      [&] { return daemon->err().find("thresholds reloaded") != std::string::npos; }, 10s))
      << daemon->err();
  ASSERT_EQ(loggen(start + 120000, "40s"), 0);
  ASSERT_TRUE(wait_until(
      [&] {
        for (const auto& p : published(kafka_.bootstrap())) {
          if (p.id == "http_4xx_ip/client_ip=203.0.113.66" && p.state == "firing") return true;
        }
        return false;
      },
      30s))
      << daemon->err();
  for (const auto& p : published(kafka_.bootstrap())) {
    EXPECT_GE(p.start, start + 120000) << p.id << ": the first run must not have alerted";
  }
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(20s), 0) << daemon->err();
}

}  // namespace
}  // namespace sentinel::test

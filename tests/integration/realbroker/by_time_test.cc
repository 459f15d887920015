// Reading history by time (OffsetsForTimes) on the real broker — the mock behind
// sentinel-devkafka answers no lookup by time, so there both programs fall back to reading more
// and filtering:
// - sentinel-thresholds --from/--to reads exactly the records of the range (lines_read equals the
//   range, nothing read outside it, no fallback warning);
// - sentinel-dashboard's back-fill starts at the first record of the back-fill window: every
//   newer record is shown (more than backfill_max_records, the fallback's cap), no older one.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "common/clock.h"
#include "tests/support/process.h"
#include "tests/support/real_kafka.h"

namespace sentinel::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

// 2026-11-22T00:00:00Z: the history lies in the past of the test's clock.
constexpr int64_t kT0 = 1795305600000;

const std::string kSite = R"(host: web-1
rate: 20
clients:
  count: 200
urls:
  - path: /
    weight: 10
  - path: /products/{id}
    weight: 20
    ids: 5000
errors:
  4xx: 0.02
  5xx: 0.005
)";

// loggen sets each record's Kafka timestamp to its time.
void loggen(const std::string& bootstrap, const std::string& topic, const std::string& scenario,
            int64_t start_ms, int lines) {
  std::string err;
  ASSERT_EQ(
      run({bin("sentinel-loggen"), "--scenario", scenario, "--seed", "3", "--start-time",
           std::to_string(start_ms), "--lines", std::to_string(lines), "--as-fast-as-possible",
           "--kafka", "--bootstrap-servers", bootstrap, "--topic", topic},
          nullptr, 120s, &err),
      0)
      << err;
}

TEST(ThresholdsOnRealBroker, FromAndToReadOnlyTheRangeThroughOffsetsForTimes) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  TempDir dir;
  write_file(dir.file("site.yaml"), kSite);
  std::string topic = RealKafka::unique_name("http_logs");
  std::string error;
  // Kept forever: the history is older than the broker's default retention (7 days), whose first
  // check, 30 s after the broker started, deletes it (CI, 2026-12-07: a late run read nothing).
  ASSERT_TRUE(kafka.create_topics({{topic, 3, 1, {{"retention.ms", "-1"}}}}, &error)) << error;
  loggen(kafka.bootstrap(), topic, dir.file("site.yaml"), kT0 - 3600'000, 3000);  // before
  loggen(kafka.bootstrap(), topic, dir.file("site.yaml"), kT0, 12000);            // the range
  loggen(kafka.bootstrap(), topic, dir.file("site.yaml"), kT0 + 7200'000, 2000);  // after

  std::string out, err;
  int rc = run({bin("sentinel-thresholds"), "--bootstrap-servers", kafka.bootstrap(), "--topic",
                topic, "--from", "2026-11-22T00:00:00Z", "--to", "2026-11-22T01:00:00Z", "--output",
                dir.file("t.json")},
               &out, 120s, &err);
  ASSERT_EQ(rc, 0) << err;
  EXPECT_EQ(err.find("cannot look offsets up by time"), std::string::npos) << err;
  EXPECT_EQ(err.find("offsets by time not available"), std::string::npos) << err;
  auto meta = json::parse(read_file(dir.file("t.json")))["_meta"];
  EXPECT_EQ(meta["lines_read"], 12000)
      << "read from the range's first offset to its last: " << meta.dump();
  EXPECT_EQ(meta["outside_range"], 0) << meta.dump();
  EXPECT_EQ(meta["records"], 12000) << meta.dump();
}

int listening_port(Process& p) {
  int port = 0;
  wait_until(
      [&] {
        std::smatch m;
        std::string out = p.out();
        if (!std::regex_search(out, m, std::regex("listening http://127.0.0.1:(\\d+)")))
          return false;
        port = std::stoi(m[1]);
        return true;
      },
      20s);
  return port;
}

json get_json(int port, const std::string& path) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(10, 0);
  auto r = c.Get(path.c_str());
  if (!r || r->status != 200) return json();
  return json::parse(r->body, nullptr, false);
}

std::vector<TimedRecord> cpu_history(const std::string& host, int64_t from_ms, int seconds) {
  std::vector<TimedRecord> records;
  for (int i = 0; i < seconds; ++i) {
    int64_t ts = from_ms + i * 1000;
    json j = {{"v", 1},
              {"host", host},
              {"resource", "cpu"},
              {"ts", ts},
              {"tags", {{"cpu", "total"}}},
              {"metrics", {{"usage_pct", 20.0 + i % 7}}}};
    records.push_back({"cpu", j.dump(), ts, 0});
  }
  return records;
}

TEST(DashboardOnRealBroker, BackfillStartsAtTheWindowByTimeShowingEveryNewerRecordAndNoOlder) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  TempDir dir;
  std::string metrics = RealKafka::unique_name("system_metrics");
  std::string http = RealKafka::unique_name("http_logs");
  std::string alerts = RealKafka::unique_name("system_alerts");
  std::string error;
  ASSERT_TRUE(
      kafka.create_topics({{metrics, 1, 1, {}}, {http, 1, 1, {}}, {alerts, 1, 1, {}}}, &error))
      << error;
  // 300 records from 10 to 5 minutes ago, then 150 over the last 150 s; the back-fill is 4
  // minutes, and the fallback (no lookup by time) would read only the last 50.
  int64_t now = wall_ms() / 1000 * 1000;
  auto old_records = cpu_history("old-host", now - 600'000, 300);
  auto new_records = cpu_history("new-host", now - 150'000, 150);
  ASSERT_TRUE(produce_records(kafka.bootstrap(), metrics, old_records, &error)) << error;
  ASSERT_TRUE(produce_records(kafka.bootstrap(), metrics, new_records, &error)) << error;

  // Stand-ins for the page's files: the JSON endpoints are what count here.
  for (const char* f :
       {"index.html", "app.js", "style.css", "uPlot.iife.min.js", "uPlot.min.css"}) {
    write_file(dir.file(std::string("web/") + f), "\n");
  }
  write_file(dir.file("dashboard.yaml"), "kafka: {bootstrap.servers: \"" + kafka.bootstrap() +
                                             "\"}\n"
                                             "listen: 127.0.0.1:0\n"
                                             "web_root: " +
                                             dir.file("web") +
                                             "\n"
                                             "connect: {url: \"http://127.0.0.1:9\"}\n"
                                             "topics: {metrics: " +
                                             metrics + ", http: " + http + ", alerts: " + alerts +
                                             "}\n"
                                             "backfill: 4m\n"
                                             "backfill_max_records: 50\n"
                                             "history: 15m\n"
                                             "host_silent_after: 1h\n");
  Process dashboard({bin("sentinel-dashboard"), "--config", dir.file("dashboard.yaml")});
  int port = listening_port(dashboard);
  ASSERT_GT(port, 0) << dashboard.err();
  json series;
  ASSERT_TRUE(wait_until(
      [&] {
        series = get_json(port, "/api/hosts/new-host/series");
        return series.is_object() && series["cpu"][0].size() >= 150;
      },
      30s))
      << "every record of the back-fill window: " << series.dump().substr(0, 400) << "\n"
      << dashboard.err();
  EXPECT_EQ(series["cpu"][0].size(), 150u);
  EXPECT_EQ(series["cpu"][0][0], now - 150'000);
  json hosts = get_json(port, "/api/hosts");
  ASSERT_TRUE(hosts.is_array()) << hosts.dump();
  for (const auto& h : hosts) EXPECT_NE(h["host"], "old-host") << "older than the back-fill";
  EXPECT_TRUE(get_json(port, "/api/hosts/old-host/series").is_null());
  // It seeked by time: to the first record of the window, not to the last 50.
  EXPECT_NE(dashboard.err().find("reading " + metrics + "[0] from offset 300"), std::string::npos)
      << dashboard.err();
  dashboard.signal(SIGTERM);
  EXPECT_EQ(dashboard.wait(20s), 0) << dashboard.err();
}

}  // namespace
}  // namespace sentinel::test

// The http: section of alerts.yaml and the error-rate rules it generates, driven with http_logs
// records through HttpSampler and the engine: per IP, per URL (normalised), global across
// partitions, the minimum request count, per-key overrides, thresholds changed mid-window, and
// the commit offsets of partitions feeding cross-partition windows.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "alert-engine/engine.h"
#include "alert-engine/http_sample.h"
#include "common/config.h"
#include "tests/support/process.h"

namespace sentinel::alerts {
namespace {

using test::TempDir;
using test::write_file;

AlertsConfig load(const TempDir& dir, const std::string& http_section,
                  const std::string& thresholds = R"({"global": 0.1, "ip": 0.3, "url": 0.5})") {
  if (!thresholds.empty()) write_file(dir.path() + "/thresholds.json", thresholds);
  write_file(dir.path() + "/alerts.yaml",
             "kafka: {bootstrap.servers: localhost:9092}\n"
             "time: {allowed_lateness: 0s}\n"
             // One engine, no Kafka: site and URL rules wait for every partition it reads (the
             // re-keyed path is rekeyed_rules_test.cc's).
             "repartition: {enabled: false}\n"
             "host_silent: {enabled: false}\n" +
                 http_section);
  return load_alerts_config(dir.path() + "/alerts.yaml", "");
}

const char* kHttp =
    "http:\n"
    "  thresholds: thresholds.json\n"
    "  window: 10s\n"
    "  min_requests: {global: 20, ip: 10, url: 10}\n";

const Rule* find_rule(const AlertsConfig& c, const std::string& name) {
  for (const auto& r : c.rules) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::string record(int64_t ts, const std::string& ip, const std::string& path, int status,
                   const std::string& host = "web-1") {
  return fmt::format(R"({{"v":1,"host":"{}","source":"test","ts":{},"client_ip":"{}",)"
                     R"("method":"GET","path":"{}","protocol":"HTTP/1.1","status":{},"bytes":1,)"
                     R"("referer":"-","user_agent":"t"}})",
                     host, ts, ip, path, status);
}

struct Feeder {
  explicit Feeder(const AlertsConfig& c) : config(c), engine(c), sampler(c.http.normalize) {}
  void add(const std::string& json, int32_t partition = 0) {
    MetricRecord m;
    std::string error;
    ASSERT_TRUE(sampler.parse(json, &m, &error)) << error;
    engine.on_record(m, partition, next_offset[partition]++, 0, &out);
  }
  std::vector<std::string> fired() const {
    std::vector<std::string> ids;
    for (const auto& a : out) {
      if (a.firing) ids.push_back(a.id);
    }
    return ids;
  }
  std::vector<std::string> resolved() const {
    std::vector<std::string> ids;
    for (const auto& a : out) {
      if (!a.firing) ids.push_back(a.id);
    }
    return ids;
  }
  AlertsConfig config;
  Engine engine;
  HttpSampler sampler;
  std::map<int32_t, int64_t> next_offset;
  std::vector<Alert> out;
};

TEST(HttpRules, TheOriginalThresholdsFileGivesSixRulesWithItsShares) {
  TempDir dir;
  AlertsConfig c = load(dir, kHttp);
  ASSERT_TRUE(c.http.enabled);
  EXPECT_EQ(c.http.thresholds_path, dir.path() + "/thresholds.json");  // relative to alerts.yaml
  int http = 0;
  for (const auto& r : c.rules) http += r.from_http;
  EXPECT_EQ(http, 6);
  EXPECT_DOUBLE_EQ(find_rule(c, "http_5xx_global")->threshold, 0.1);
  EXPECT_DOUBLE_EQ(find_rule(c, "http_4xx_global")->threshold, 0.1);
  EXPECT_DOUBLE_EQ(find_rule(c, "http_5xx_ip")->threshold, 0.3);
  EXPECT_DOUBLE_EQ(find_rule(c, "http_4xx_url")->threshold, 0.5);
  EXPECT_EQ(find_rule(c, "http_5xx_ip")->min_count, 10);
  EXPECT_EQ(find_rule(c, "http_5xx_global")->min_count, 20);
  EXPECT_EQ(find_rule(c, "http_5xx_url")->placement, Placement::kCrossPartitions);
  EXPECT_EQ(find_rule(c, "http_5xx_global")->placement, Placement::kCrossPartitions);
  EXPECT_EQ(find_rule(c, "http_5xx_ip")->placement, Placement::kLocal);
}

TEST(HttpRules, AMissingThresholdsFileIsAWarningAndNothingAlerts) {
  TempDir dir;
  AlertsConfig c = load(dir, kHttp, "");
  ASSERT_FALSE(c.warnings.empty());
  EXPECT_NE(c.warnings.back().find("does not exist"), std::string::npos) << c.warnings.back();
  Feeder f(c);
  for (int i = 0; i < 50; ++i) f.add(record(i * 100, "10.0.0.1", "/", 500));
  f.add(record(30000, "10.0.0.2", "/", 200));
  EXPECT_TRUE(f.out.empty());
}

TEST(HttpRules, BadSectionsAndFilesAreErrorsNamingWhere) {
  TempDir dir;
  try {
    load(dir, kHttp, R"({"ip": 1.5})");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("thresholds.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("ip"), std::string::npos) << e.what();
  }
  try {
    load(dir, "http:\n  window: 10s\n");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("http.thresholds"), std::string::npos) << e.what();
  }
  try {
    load(dir, std::string(kHttp) + "  dimensions: [global, site]\n");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("site"), std::string::npos) << e.what();
  }
  try {
    load(dir, std::string(kHttp) + "  normalize: {rules: [{pattern: \"[a-\", replace: x}]}\n");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("pattern"), std::string::npos) << e.what();
  }
}

TEST(HttpRules, AnIpAboveItsShareWithEnoughRequestsFiresAndResolvesWhenItStops) {
  TempDir dir;
  Feeder f(load(dir, std::string(kHttp) + "  dimensions: [ip]\n"));
  // Window [0, 10 s): 20 requests from the hammering IP, 18 of them 404; one request from a
  // quiet IP, a 500 (100 % errors but below min_requests); background traffic all 200.
  for (int i = 0; i < 20; ++i) f.add(record(i * 400, "203.0.113.66", "/login", i < 18 ? 404 : 200));
  f.add(record(500, "198.51.100.9", "/", 500));
  for (int i = 0; i < 100; ++i)
    f.add(record(i * 100, "10.0.0." + std::to_string(i % 50), "/", 200));
  f.add(record(10000, "10.0.0.1", "/", 200));  // closes [0, 10 s)
  EXPECT_EQ(f.fired(), std::vector<std::string>{"http_4xx_ip/client_ip=203.0.113.66"});
  ASSERT_EQ(f.out.size(), 1u);
  EXPECT_NEAR(f.out[0].value, 0.9, 1e-9);
  EXPECT_DOUBLE_EQ(f.out[0].threshold, 0.3);
  EXPECT_NE(f.out[0].summary.find("of 20 requests"), std::string::npos) << f.out[0].summary;
  // The IP sends nothing more: the empty window after it resolves the alert.
  for (int i = 0; i < 200; ++i)
    f.add(record(10000 + i * 100, "10.0.0." + std::to_string(i % 50), "/", 200));
  f.add(record(30000, "10.0.0.1", "/", 200));
  EXPECT_EQ(f.resolved(), std::vector<std::string>{"http_4xx_ip/client_ip=203.0.113.66"});
  EXPECT_NE(f.out.back().summary.find("4xx share 0 <= 0.3 of 0 requests"), std::string::npos)
      << f.out.back().summary;
}

TEST(HttpRules, UrlsAreGroupedByTheirNormalisedPathPerSite) {
  TempDir dir;
  Feeder f(load(dir, kHttp));
  for (int i = 0; i < 30; ++i) {
    f.add(record(i * 300, "10.0.0." + std::to_string(i),
                 "/api/orders/" + std::to_string(1000 + i) + "?x=1", i % 3 == 0 ? 200 : 502));
  }
  for (int i = 0; i < 30; ++i) f.add(record(i * 300, "10.0.1." + std::to_string(i), "/", 200));
  f.add(record(10000, "10.0.0.1", "/", 200));
  auto fired = f.fired();
  EXPECT_NE(std::find(fired.begin(), fired.end(), "http_5xx_url/host=web-1,path=/api/orders/{id}"),
            fired.end())
      << ::testing::PrintToString(fired);
  // 20 of 60 requests site-wide are 5xx: above the global 0.1 too.
  EXPECT_NE(std::find(fired.begin(), fired.end(), "http_5xx_global/host=web-1"), fired.end());
  // No per-IP alert: each IP sent one request.
  for (const auto& id : fired) EXPECT_EQ(id.find("_ip/"), std::string::npos) << id;
}

TEST(HttpRules, PerKeyOverridesRaiseOrLowerTheShareForThatKeyOnly) {
  TempDir dir;
  Feeder f(load(dir, kHttp,
                R"({"global": 1.0, "url": 1.0,
                    "ip": {"4xx": 0.3, "5xx": 0.3, "keys": {"192.0.2.1": {"4xx": 0.95}, "192.0.2.3": 0.05}}})"));
  for (int i = 0; i < 20; ++i) {
    f.add(record(i * 400, "192.0.2.1", "/", i < 18 ? 404 : 200));  // 0.9 < its own 0.95
    f.add(record(i * 400, "192.0.2.2", "/", i < 18 ? 404 : 200));  // 0.9 > 0.3
    f.add(record(i * 400, "192.0.2.3", "/", i < 2 ? 500 : 200));   // 0.1 > its own 0.05
  }
  f.add(record(10000, "10.0.0.1", "/", 200));
  auto fired = f.fired();
  std::sort(fired.begin(), fired.end());
  EXPECT_EQ(fired, (std::vector<std::string>{"http_4xx_ip/client_ip=192.0.2.2",
                                             "http_5xx_ip/client_ip=192.0.2.3"}));
}

TEST(HttpRules, NewThresholdsApplyToTheOpenWindowWithoutLosingIt) {
  TempDir dir;
  AlertsConfig c = load(dir, std::string(kHttp) + "  dimensions: [ip]\n");
  Feeder f(c);
  for (int i = 0; i < 20; ++i) f.add(record(i * 400, "192.0.2.7", "/", i < 4 ? 404 : 200));  // 0.2
  Thresholds lower = parse_thresholds(R"({"global": 0.1, "ip": 0.15, "url": 0.5})", "new.json");
  AlertsConfig next = c;
  apply_thresholds(&next, lower);
  f.engine.set_config(next, 0, &f.out);
  f.add(record(10000, "10.0.0.1", "/", 200));
  EXPECT_EQ(f.fired(), std::vector<std::string>{"http_4xx_ip/client_ip=192.0.2.7"});
}

TEST(HttpRules, GlobalWindowsSpanPartitionsAndHoldTheirCommitOffsets) {
  TempDir dir;
  Feeder f(load(dir, std::string(kHttp) + "  dimensions: [global]\n"));
  // Each partition alone has 10 requests (below min_requests 20); together 20, half 5xx.
  for (int i = 0; i < 10; ++i) {
    f.add(record(i * 900, "10.0.0.1", "/", i % 2 ? 503 : 200), 0);
    f.add(record(i * 900 + 50, "10.0.0.2", "/", i % 2 ? 503 : 200), 1);
  }
  // Partition 1's records are in the open global window: its commit offset stays at 0.
  auto offsets = f.engine.commit_offsets();
  EXPECT_EQ(offsets.at(0), 0);
  EXPECT_EQ(offsets.at(1), 0);
  // Partition 0 at 10 s: the window waits for partition 1, which is behind.
  f.add(record(10000, "10.0.0.1", "/", 200), 0);
  EXPECT_TRUE(f.out.empty());
  // Partition 1 at 10 s too: the lowest watermark passed the window's end.
  f.add(record(10000, "10.0.0.2", "/", 200), 1);
  EXPECT_EQ(f.fired(), std::vector<std::string>{"http_5xx_global/host=web-1"});
  offsets = f.engine.commit_offsets();
  EXPECT_EQ(offsets.at(0), 10);  // the record at 10 s opened the next window
  EXPECT_EQ(offsets.at(1), 10);
}

TEST(HttpRules, APartitionReadAfterAnotherStillLandsInTheSameGlobalWindow) {
  TempDir dir;
  Feeder f(load(dir, std::string(kHttp) + "  dimensions: [global]\n"));
  f.engine.add_cross_partitions({0, 1}, 0);
  // A backlog: all of partition 0 (two windows) first, then partition 1. Partition 0 alone is
  // 10 % 5xx per window, partition 1 is 50 %; together 30 % in window [0, 10 s).
  for (int i = 0; i < 20; ++i) f.add(record(i * 500, "10.0.0.1", "/", i < 2 ? 500 : 200), 0);
  for (int i = 0; i < 20; ++i) f.add(record(10000 + i * 500, "10.0.0.1", "/", 200), 0);
  EXPECT_TRUE(f.out.empty()) << "closed without partition 1";
  for (int i = 0; i < 20; ++i) f.add(record(i * 500, "10.0.0.2", "/", i % 2 ? 500 : 200), 1);
  f.add(record(10000, "10.0.0.2", "/", 200), 1);
  ASSERT_EQ(f.fired(), std::vector<std::string>{"http_5xx_global/host=web-1"});
  EXPECT_NEAR(f.out[0].value, 0.3, 1e-9);
  EXPECT_EQ(f.engine.stats().late, 0u);
}

TEST(HttpRules, AQuietPartitionIsNotWaitedForAfterTheIdleTimeout) {
  TempDir dir;
  AlertsConfig c = load(dir, std::string(kHttp) + "  dimensions: [global]\n");
  c.idle_timeout_ms = 5000;
  Engine e(c);
  HttpSampler s(c.http.normalize);
  e.add_cross_partitions({0, 1}, 0);  // partition 1 never sends anything
  std::vector<Alert> out;
  MetricRecord m;
  std::string error;
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(s.parse(record(i * 400, "10.0.0.1", "/", 503), &m, &error));
    e.on_record(m, 0, i, 1000, &out);
  }
  ASSERT_TRUE(s.parse(record(12000, "10.0.0.1", "/", 200), &m, &error));
  e.on_record(m, 0, 30, 1000, &out);
  EXPECT_TRUE(out.empty());
  e.on_tick(5500, &out);  // partition 1 quiet for 5.5 s: left out; partition 0 is not quiet
  EXPECT_EQ(out.size(), 1u);
}

TEST(HttpRules, HttpRecordsAreNotMetricHostsForHostSilent) {
  TempDir dir;
  write_file(dir.path() + "/thresholds.json", R"({"global": 0.1, "ip": 0.3, "url": 0.5})");
  write_file(dir.path() + "/alerts.yaml", std::string("kafka: {bootstrap.servers: localhost:9092}\n"
                                                      "host_silent: {after: 10s}\n") +
                                              kHttp);
  AlertsConfig c = load_alerts_config(dir.path() + "/alerts.yaml", "");
  Engine e(c);
  HttpSampler s(c.http.normalize);
  MetricRecord m;
  std::string error;
  ASSERT_TRUE(s.parse(record(1000, "10.0.0.1", "/", 200), &m, &error)) << error;
  std::vector<Alert> out;
  e.on_record(m, 0, 0, 0, &out);
  e.on_tick(60000, &out);
  EXPECT_TRUE(out.empty());
}

TEST(HttpSample, BadRecordsAreRejectedWithTheField) {
  HttpSampler s(PathNormalization{});
  MetricRecord m;
  std::string error;
  EXPECT_FALSE(s.parse(R"({"host":"a","ts":1})", &m, &error));
  EXPECT_NE(error.find("status"), std::string::npos) << error;
  EXPECT_FALSE(s.parse("not json", &m, &error));
  ASSERT_TRUE(s.parse(record(5, "2001:db8::1", "/a/123/b?q=1", 404), &m, &error)) << error;
  EXPECT_EQ(m.tag("path"), "/a/{id}/b");
  EXPECT_EQ(m.tag("client_ip"), "2001:db8::1");
  EXPECT_EQ(*m.metric("err4xx"), 1.0);
  EXPECT_EQ(*m.metric("err5xx"), 0.0);
}

// A client that stopped sending before the commit point never sends the records that would
// resolve its alert: after a restart its group is made from system_alerts with the empty window
// that follows the last window judged before the commit, and resolves when that closes.
TEST(HttpRules, AFiringIpAlertWhoseClientStoppedResolvesAfterARestart) {
  TempDir dir;
  AlertsConfig c = load(dir, std::string(kHttp) + "  dimensions: [ip]\n");
  auto run = [&](bool resume) {
    Engine e(c);
    RecoveredAlert firing{"http_5xx_ip/client_ip=10.0.0.9",
                          true,
                          10000,
                          0,
                          10000,
                          {{"client_ip", "10.0.0.9"}, {"resource", "http"}}};
    e.restore({firing}, 0);
    e.add_partitions({3}, SourceKind::kHttp, 0);
    e.restore_metadata(3, "w=20000");  // windows up to 20 s were judged before the commit
    if (resume) {
      e.resume_firing([](const Rule&, const Labels& labels) {
        return labels.at(0).second == "10.0.0.9" ? 3 : -1;
      });
    }
    std::vector<Alert> out;
    e.on_partition_end(3);
    e.on_tick(1000000, &out);  // the partition is quiet: its windows close on wall clock
    return out;
  };
  EXPECT_TRUE(run(false).empty());
  auto out = run(true);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, "http_5xx_ip/client_ip=10.0.0.9");
  EXPECT_FALSE(out[0].firing);
  EXPECT_EQ(out[0].window_end, 30000);
}

// A replay after a rebalance starts before a client's alert (the commit failed, or stopped at an
// open window): the client sent a few requests, paused for a window — its group closed and was
// evicted — then sent the requests that fired and resolved the alert, both already in
// system_alerts. The group made again after the pause still knows what was published: nothing is
// produced twice. Before, only the first group of an id after an assignment knew it, and a
// three-instance run published this client's firing and resolved twice (AlertsScale, starved).
TEST(HttpRules, AReplayedClientThatPausedBeforeItsAlertPublishesNothingTwice) {
  TempDir dir;
  Feeder f(load(dir, std::string(kHttp) + "  dimensions: [ip]\n"));
  const std::string id = "http_5xx_ip/client_ip=10.0.0.9";
  f.engine.restore({{id, false, 40000, 30000, 40000, {{"client_ip", "10.0.0.9"}}}}, 0);
  auto background = [&](int64_t from) {  // clear traffic that moves the watermark
    for (int i = 0; i < 20; ++i) f.add(record(from + i * 500, "10.0.0.1", "/", 200));
  };
  for (int i = 0; i < 10; ++i) f.add(record(i * 900, "10.0.0.9", "/", 200));  // [0, 10 s): clear
  background(0);
  background(10000);  // [10 s, 20 s): nothing from the client; its group is evicted
  for (int i = 0; i < 10; ++i) f.add(record(20000 + i * 900, "10.0.0.9", "/", 500));  // fires
  background(20000);
  for (int i = 0; i < 10; ++i) f.add(record(30000 + i * 900, "10.0.0.9", "/", 200));  // resolves
  background(30000);
  background(40000);
  f.add(record(60000, "10.0.0.1", "/", 200));
  EXPECT_TRUE(f.out.empty()) << f.out.size() << " alert(s), the first: " << f.out[0].id << " "
                             << (f.out[0].firing ? "firing" : "resolved") << " at "
                             << f.out[0].window_end;
  EXPECT_EQ(f.engine.stats().suppressed, 2u);
}

}  // namespace
}  // namespace sentinel::alerts

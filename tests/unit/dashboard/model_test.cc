// The dashboard's model with values and a fake clock: series per host, host states, alerts
// (firing first, bounded resolved history), HTTP counters and top offenders, and its bounds.
#include "dashboard/model.h"

#include <gtest/gtest.h>

#include <string>

namespace sentinel::dashboard {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr int64_t kT0 = 1'795'316'100'000;  // a whole minute

records::MetricRecord metric(std::string_view host, std::string_view resource, int64_t ts,
                             std::vector<std::pair<std::string_view, std::string_view>> tags,
                             std::vector<std::pair<std::string_view, double>> metrics) {
  records::MetricRecord r;
  r.host = host;
  r.resource = resource;
  r.ts = ts;
  r.tags = std::move(tags);
  r.metrics = std::move(metrics);
  return r;
}

json alert(const std::string& id, const std::string& state, const std::string& host, int64_t since,
           const std::string& severity = "critical") {
  return {{"v", 1},
          {"id", id},
          {"rule", id.substr(0, id.find('/'))},
          {"state", state},
          {"severity", severity},
          {"labels", {{"host", host}}},
          {"value", 97.5},
          {"threshold", 90.0},
          {"since", since},
          {"ts", since + 10},
          {"summary", "cpu high on " + host}};
}

TEST(DashboardRing, KeepsTheNewestValuePerStepAndForgetsPastTheWindow) {
  Ring ring(5, 1000);
  ring.put(kT0 + 100, 1);
  ring.put(kT0 + 900, 2);  // same step: replaces
  ring.put(kT0 + 2000, 3);
  std::vector<std::pair<int64_t, double>> out;
  ring.collect(0, &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], std::make_pair(kT0, 2.0));
  EXPECT_EQ(out[1], std::make_pair(kT0 + 2000, 3.0));
  ring.put(kT0 + 10000, 4);  // five slots: everything before kT0+6000 is gone
  ring.put(kT0 + 1000, 9);   // too old to keep
  ring.collect(0, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].second, 4.0);
  ring.collect(kT0 + 10001, &out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(ring.latest()->second, 4.0);
}

TEST(DashboardModel, ChartsCpuMemoryFullestDiskAndNetworkWithoutLoopback) {
  Model model;
  model.add_metric(metric("web-1", "cpu", kT0, {{"cpu", "total"}}, {{"usage_pct", 12.5}}));
  model.add_metric(metric("web-1", "cpu", kT0, {{"cpu", "cpu0"}},
                          {{"usage_pct", 99}}));  // per-core: not charted
  model.add_metric(metric("web-1", "memory", kT0, {}, {{"used_pct", 40}}));
  model.add_metric(metric("web-1", "disk", kT0, {{"mount", "/"}}, {{"used_pct", 30}}));
  model.add_metric(metric("web-1", "disk", kT0, {{"mount", "/var"}}, {{"used_pct", 80}}));
  model.add_metric(metric("web-1", "network", kT0, {{"interface", "eth0"}},
                          {{"rx_bytes_per_s", 100}, {"tx_bytes_per_s", 10}}));
  model.add_metric(metric("web-1", "network", kT0, {{"interface", "eth1"}},
                          {{"rx_bytes_per_s", 50}, {"tx_bytes_per_s", 5}}));
  model.add_metric(metric("web-1", "network", kT0, {{"interface", "lo"}},
                          {{"rx_bytes_per_s", 1e9}, {"tx_bytes_per_s", 1e9}}));
  model.add_metric(metric("web-1", "cpu", kT0 + 1000, {{"cpu", "total"}}, {{"usage_pct", 20}}));

  json s = model.series_json("web-1", 0, kT0 + 2000);
  EXPECT_EQ(s["cpu"], json::parse(R"([[1795316100000,1795316101000],[12.5,20.0]])"));
  EXPECT_EQ(s["mem"], json::parse(R"([[1795316100000],[40.0]])"));
  EXPECT_EQ(s["disk"], json::parse(R"([[1795316100000],[80.0]])"));
  EXPECT_EQ(s["net"], json::parse(R"([[1795316100000],[150.0],[15.0]])"));
  // Incremental: from a time on.
  EXPECT_EQ(model.series_json("web-1", kT0 + 1000, kT0 + 2000)["cpu"],
            json::parse(R"([[1795316101000],[20.0]])"));
  // The charts reach back 15 minutes.
  EXPECT_EQ(model.series_json("web-1", 0, kT0 + 15 * 60000 + 500)["cpu"][0].size(), 1u);
  EXPECT_TRUE(model.series_json("nope", 0, kT0).is_null());

  json hosts = model.hosts_json(kT0 + 2000);
  ASSERT_EQ(hosts.size(), 1u);
  EXPECT_EQ(hosts[0]["cpu"], 20.0);
  EXPECT_EQ(hosts[0]["disk"], 80.0);
  EXPECT_EQ(hosts[0]["rx"], 150.0);
}

TEST(DashboardModel, HostStateIsOkAlertingOrSilent) {
  ModelLimits limits;
  limits.host_silent_after = 60s;
  Model model(limits);
  model.add_metric(metric("a", "cpu", kT0, {}, {{"usage_pct", 1}}));
  model.add_metric(metric("b", "cpu", kT0, {}, {{"usage_pct", 1}}));
  std::string error;
  ASSERT_TRUE(model.add_alert(alert("cpu_high/host=b", "firing", "b", kT0), &error)) << error;
  auto state_of = [&](int64_t now, const std::string& host) {
    for (const auto& h : model.hosts_json(now)) {
      if (h["host"] == host) return h["state"].get<std::string>();
    }
    return std::string("?");
  };
  EXPECT_EQ(state_of(kT0 + 1000, "a"), "ok");
  EXPECT_EQ(state_of(kT0 + 1000, "b"), "alerting");
  EXPECT_EQ(state_of(kT0 + 61000, "a"), "silent");
  ASSERT_TRUE(model.add_alert(alert("cpu_high/host=b", "resolved", "b", kT0), &error));
  EXPECT_EQ(state_of(kT0 + 1000, "b"), "ok");
}

TEST(DashboardModel, AlertsFiringFirstByAgeThenABoundedResolvedHistory) {
  ModelLimits limits;
  limits.resolved_alerts = 2;
  Model model(limits);
  std::string error;
  uint64_t v0 = model.alerts_version();
  ASSERT_TRUE(model.add_alert(alert("r1/host=a", "firing", "a", kT0, "warning"), &error));
  ASSERT_TRUE(model.add_alert(alert("r2/host=a", "firing", "a", kT0 + 5000), &error));
  ASSERT_TRUE(model.add_alert(alert("r3/host=a", "firing", "a", kT0 + 1000), &error));
  EXPECT_NE(model.alerts_version(), v0);
  json a = model.alerts_json();
  ASSERT_EQ(a["firing"].size(), 3u);
  // Critical before warning; within a severity the newest first.
  EXPECT_EQ(a["firing"][0]["id"], "r2/host=a");
  EXPECT_EQ(a["firing"][1]["id"], "r3/host=a");
  EXPECT_EQ(a["firing"][2]["id"], "r1/host=a");
  EXPECT_EQ(a["firing"][0]["host"], "a");
  EXPECT_EQ(a["firing"][0]["value"], 97.5);
  EXPECT_EQ(a["firing"][0]["threshold"], 90.0);
  EXPECT_EQ(a["firing"][0]["summary"], "cpu high on a");

  for (const char* id : {"r1/host=a", "r2/host=a", "r3/host=a"}) {
    ASSERT_TRUE(model.add_alert(alert(id, "resolved", "a", kT0), &error));
  }
  a = model.alerts_json();
  EXPECT_TRUE(a["firing"].empty());
  ASSERT_EQ(a["resolved"].size(), 2u);  // bounded
  EXPECT_EQ(a["resolved"][0]["id"], "r3/host=a");
  EXPECT_EQ(a["resolved"][1]["id"], "r2/host=a");

  EXPECT_FALSE(model.add_alert(json::parse(R"({"state":"firing"})"), &error));
  EXPECT_EQ(error, "field id: expected a string");
  EXPECT_FALSE(model.add_alert(json::parse(R"({"id":"x","state":"maybe"})"), &error));
  EXPECT_NE(error.find("field state"), std::string::npos);
}

TEST(DashboardModel, WaitersWakeAtOnceWhenAnAlertArrives) {
  Model model;
  uint64_t seen = model.alerts_version();
  std::thread writer([&] {
    std::string error;
    std::this_thread::sleep_for(50ms);
    model.add_alert(alert("x/host=a", "firing", "a", kT0), &error);
  });
  uint64_t now = model.wait_alerts_change(seen, 60s);  // would fail the test by its timeout
  writer.join();
  EXPECT_NE(now, seen);
}

TEST(DashboardModel, HttpPerSecondCountsAndTopOffendersOverTheWindow) {
  Model model;
  auto hit = [&](int64_t ts, int status, std::string_view ip, std::string_view path) {
    model.add_http(HttpHit{ts, status, ip, path});
  };
  for (int i = 0; i < 10; ++i) hit(kT0 + 1000, 200, "10.0.0.1", "/ok?page=" + std::to_string(i));
  for (int i = 0; i < 4; ++i)
    hit(kT0 + 1500, 502, "10.0.0.2", "/api/orders/" + std::to_string(100 + i));
  for (int i = 0; i < 3; ++i) hit(kT0 + 2000, 404, "10.0.0.3", "/missing");
  json h = model.http_json(kT0 + 3000);
  // Per second: [t, requests, 4xx, 5xx], zero-filled.
  const json& s = h["series"];
  auto at = [&](int64_t t) {
    for (size_t i = 0; i < s[0].size(); ++i) {
      if (s[0][i] == t) return json::array({s[1][i], s[2][i], s[3][i]});
    }
    return json();
  };
  EXPECT_EQ(at(kT0 + 1000), json::parse("[14,0,4]"));
  EXPECT_EQ(at(kT0 + 2000), json::parse("[3,3,0]"));
  EXPECT_EQ(at(kT0), json::parse("[0,0,0]"));
  EXPECT_EQ(h["top_ips"][0]["key"], "10.0.0.2");  // most errors first
  EXPECT_EQ(h["top_ips"][0]["c5xx"], 4);
  EXPECT_EQ(h["top_ips"][1]["key"], "10.0.0.3");
  EXPECT_EQ(h["top_ips"][2]["key"], "10.0.0.1");
  EXPECT_EQ(h["top_urls"][0]["key"], "/api/orders/{id}");  // the alert engine's URL key
  EXPECT_EQ(h["top_urls"][0]["requests"], 4);
  EXPECT_EQ(h["top_urls"][2]["key"], "/ok");  // query strings dropped: one URL
  EXPECT_EQ(h["top_urls"][2]["requests"], 10);
  EXPECT_EQ(h["last_minute"]["requests"], 17);
  EXPECT_DOUBLE_EQ(h["last_minute"]["error_5xx_pct"].get<double>(), 400.0 / 17);
  // Six minutes later the top window (5 min) holds nothing.
  EXPECT_TRUE(model.http_json(kT0 + 6 * 60000 + 3000)["top_ips"].empty());
  // Incremental series: only from `since`.
  EXPECT_EQ(model.http_json(kT0 + 3000, kT0 + 2000)["series"][0].size(), 2u);
}

TEST(DashboardModel, MemoryIsBoundedInHostsAndKeys) {
  ModelLimits limits;
  limits.max_hosts = 3;
  limits.top_keys_per_minute = 10;
  Model model(limits);
  for (int i = 0; i < 5; ++i) {
    std::string host = "h" + std::to_string(i);
    model.add_metric(metric(host, "cpu", kT0, {}, {{"usage_pct", 1}}));
  }
  EXPECT_EQ(model.hosts_json(kT0).size(), 3u);
  EXPECT_EQ(model.health_json(kT0)["hosts_dropped"], 2);
  // A host silent for longer than the history makes room.
  model.add_metric(metric("late", "cpu", kT0 + 16 * 60000, {}, {{"usage_pct", 1}}));
  EXPECT_EQ(model.hosts_json(kT0).size(), 3u);
  EXPECT_EQ(model.health_json(kT0)["hosts_dropped"], 2);

  std::vector<std::string> ips;
  for (int i = 0; i < 100; ++i) ips.push_back("10.1.0." + std::to_string(i));
  for (const auto& ip : ips) model.add_http(HttpHit{kT0, 500, ip, "/x"});
  json h = model.http_json(kT0 + 1000);
  EXPECT_EQ(h["distinct_ips"], 10);
  EXPECT_EQ(h["top_ips"].size(), 10u);
}

TEST(DashboardModel, ConnectorsAndHealthStates) {
  Model model;
  EXPECT_EQ(model.connectors_json()["state"], "unknown");
  EXPECT_EQ(model.health_json(kT0)["kafka"]["state"], "connecting");
  json connect = json::parse(R"({"alerts-archive":{"status":{"name":"alerts-archive","type":"sink",
      "connector":{"state":"RUNNING","worker_id":"127.0.0.1:8083"},
      "tasks":[{"id":0,"state":"FAILED","worker_id":"127.0.0.1:8083","trace":"disk full"}]}}})");
  model.set_connect_state(true, "", connect, kT0);
  json c = model.connectors_json();
  EXPECT_EQ(c["state"], "ok");
  ASSERT_EQ(c["connectors"].size(), 1u);
  EXPECT_EQ(c["connectors"][0]["name"], "alerts-archive");
  EXPECT_EQ(c["connectors"][0]["state"], "RUNNING");
  EXPECT_EQ(c["connectors"][0]["tasks"][0]["state"], "FAILED");
  EXPECT_EQ(c["connectors"][0]["tasks"][0]["trace"], "disk full");
  // Unreachable: the error, and the last known connectors kept.
  model.set_connect_state(false, "http://127.0.0.1:8083: cannot connect", nullptr, kT0 + 2000);
  c = model.connectors_json();
  EXPECT_EQ(c["state"], "unreachable");
  EXPECT_EQ(c["error"], "http://127.0.0.1:8083: cannot connect");
  EXPECT_EQ(c["connectors"].size(), 1u);
  model.set_kafka_state(false, "all brokers down", kT0);
  json h = model.health_json(kT0);
  EXPECT_EQ(h["kafka"]["state"], "unreachable");
  EXPECT_EQ(h["kafka"]["error"], "all brokers down");
  EXPECT_EQ(h["connect"]["state"], "unreachable");
}

}  // namespace
}  // namespace sentinel::dashboard

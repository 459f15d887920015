// sentinel-dashboard as a process against a live pipeline: sentinel-devkafka, records produced
// with kcat (metrics of three hosts over the last two minutes, HTTP logs, alerts) and a real
// sentinel-connect archiving system_alerts with FileStreamSink. The page is checked in Debian's
// headless Chromium by dashboard/web/test/e2e.mjs (playwright-core), through a reverse proxy that
// serves it under /sentinel/ (relative URLs): it loads, its charts get
// points, an alert produced with kcat shows within 3 s, the connector shows RUNNING, a
// screenshot is saved; then Kafka and sentinel-connect go away and the page says so.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/support/build_paths.h"
#include "tests/support/connect_worker.h"
#include "tests/support/kafka_env.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The port a program printed in "listening http://127.0.0.1:PORT", or 0.
int listening_port(Process& p, const std::string& what) {
  int port = 0;
  wait_until(
      [&] {
        std::string out = p.out();
        std::smatch m;
        if (!std::regex_search(out, m, std::regex("listening http://127.0.0.1:(\\d+)")))
          return false;
        port = std::stoi(m[1]);
        return true;
      },
      15s);
  if (port == 0) ADD_FAILURE() << what << " did not start: " << p.err();
  return port;
}

json get_json(int port, const std::string& path) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(10, 0);
  auto r = c.Get(path.c_str());
  if (!r || r->status != 200) return json();
  return json::parse(r->body, nullptr, false);
}

// Three hosts, one sample a second over the last two minutes: the dashboard must read them back
// at start (backfill), as if it had been running.
void produce_history(const std::string& bootstrap) {
  std::vector<std::string> lines;
  int64_t now = now_ms();
  for (const char* host : {"web-1", "web-2", "db-1"}) {
    for (int i = 120; i >= 1; --i) {
      int64_t ts = now - i * 1000;
      double cpu = 20 + (i % 17);
      lines.push_back(json{{"v", 1},
                           {"host", host},
                           {"resource", "cpu"},
                           {"ts", ts},
                           {"tags", {{"cpu", "total"}}},
                           {"metrics", {{"usage_pct", cpu}}}}
                          .dump());
      lines.push_back(json{{"v", 1},
                           {"host", host},
                           {"resource", "memory"},
                           {"ts", ts},
                           {"metrics", {{"used_pct", 55.0}, {"total_bytes", 8e9}}}}
                          .dump());
      lines.push_back(json{{"v", 1},
                           {"host", host},
                           {"resource", "disk"},
                           {"ts", ts},
                           {"tags", {{"mount", "/"}, {"device", "sda1"}, {"fstype", "ext4"}}},
                           {"metrics", {{"used_pct", 71.5}}}}
                          .dump());
      lines.push_back(
          json{{"v", 1},
               {"host", host},
               {"resource", "network"},
               {"ts", ts},
               {"tags", {{"interface", "eth0"}}},
               {"metrics", {{"rx_bytes_per_s", 120000.0 + i * 100}, {"tx_bytes_per_s", 40000.0}}}}
              .dump());
    }
  }
  ASSERT_TRUE(kcat_produce(bootstrap, "system_metrics", lines));
  std::vector<std::string> http;
  for (int i = 0; i < 300; ++i) {
    int64_t ts = now - (i % 60) * 1000;
    int status = i % 10 == 0 ? 502 : i % 7 == 0 ? 404 : 200;
    std::string ip = i % 10 == 0 ? "203.0.113.7" : "198.51.100." + std::to_string(i % 20);
    http.push_back(json{
        {"v", 1},
        {"host", "web-1"},
        {"ts", ts},
        {"client_ip", ip},
        {"method", "GET"},
        {"path", i % 10 == 0 ? "/api/orders" : "/index.html"},
        {"status", status},
        {"bytes", 512}}.dump());
  }
  ASSERT_TRUE(kcat_produce(bootstrap, "http_logs", http));
}

struct Pipeline {
  Pipeline() : kafka({"system_metrics:3", "http_logs:3", "system_alerts:1"}) {
    produce_history(kafka.bootstrap());
    connect = std::make_unique<ConnectWorker>(
        dir, kafka.bootstrap(),
        "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
        "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
        "offset.flush.interval.ms=300\narchive.root=" +
            dir.file("archive") + "\n",
        ConnectWorker::Options{.state_dir = "connect-state", .start_timeout = 15s});
    auto [status, body] = connect->send(
        "POST", "/connectors",
        R"({"name":"alerts-archive","config":{"connector.class":"FileStreamSink","tasks.max":"1",
                        "topics":"system_alerts","file":"alerts.log"}})");
    EXPECT_EQ(status, 201) << body.dump();

    dashboard = std::make_unique<Process>(std::vector<std::string>{
        bin("sentinel-dashboard"), "--bootstrap-servers", kafka.bootstrap(), "--connect-url",
        "http://127.0.0.1:" + std::to_string(connect->port()), "--listen", "127.0.0.1:0"});
    port = listening_port(*dashboard, "sentinel-dashboard");
  }
  ~Pipeline() {
    if (HasFailure()) {
      std::cout << "--- sentinel-dashboard stderr:\n"
                << dashboard->err() << "--- sentinel-connect stderr:\n"
                << connect->process().err() << std::endl;
    }
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/"; }
  bool HasFailure() const { return ::testing::Test::HasFailure(); }

  TempDir dir;
  DevKafka kafka;
  std::unique_ptr<ConnectWorker> connect;
  std::unique_ptr<Process> dashboard;
  int port = 0;
};

// Runs e2e.mjs; returns its exit code and prints its output.
int run_e2e(const std::vector<std::string>& args, std::string* out) {
  if (!fs::exists("/usr/bin/chromium")) {
    ADD_FAILURE() << "no /usr/bin/chromium: install Debian's chromium (scripts/install-deps.sh)";
    return -1;
  }
  std::vector<std::string> argv = {"node", dashboard_web_build() + "/e2e.mjs"};
  argv.insert(argv.end(), args.begin(), args.end());
  Process node(argv);
  auto rc = node.wait(180s);
  *out = node.out() + node.err();
  std::cout << *out << std::flush;
  return rc ? *rc : -1;
}

// The screenshot stays where a developer can open it after the temporary folder is gone.
std::string keep(const std::string& path) {
  fs::create_directories(dashboard_artifact_dir());
  std::string kept = dashboard_artifact_dir() + "/" + fs::path(path).filename().string();
  std::error_code ec;
  fs::copy_file(path, kept, fs::copy_options::overwrite_existing, ec);
  std::cout << "screenshot: " << path << " (kept as " << kept << ")" << std::endl;
  return kept;
}

TEST(DashboardEndToEnd, PipelineInHeadlessChromiumShowsChartsAlertsAndConnectors) {
  Pipeline p;
  ASSERT_NE(p.port, 0);
  // The JSON side first: Kafka and sentinel-connect reachable, the history read back.
  ASSERT_TRUE(wait_until(
      [&] {
        json h = get_json(p.port, "/api/health");
        return h.is_object() && h["kafka"]["state"] == "ok" && h["connect"]["state"] == "ok" &&
               h["hosts"] == 3 && h["records"]["http"] == 300;
      },
      30s))
      << get_json(p.port, "/api/health").dump();
  json series = get_json(p.port, "/api/hosts/web-1/series");
  EXPECT_GE(series["cpu"][0].size(), 100u) << "backfill: " << series.dump().substr(0, 300);
  json connectors = get_json(p.port, "/api/connectors");
  ASSERT_TRUE(wait_until(
      [&] {
        connectors = get_json(p.port, "/api/connectors");
        return connectors["connectors"].size() == 1 &&
               connectors["connectors"][0]["state"] == "RUNNING";
      },
      30s))
      << connectors.dump();

  std::string shot = p.dir.file("dashboard.png");
  std::string out;
  int rc = run_e2e(
      {"--url", p.url(), "--mode", "pipeline", "--bootstrap", p.kafka.bootstrap(), "--connector",
       "alerts-archive", "--host", "web-1", "--screenshot", shot, "--proxy-prefix", "/sentinel/"},
      &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("e2e passed (pipeline)"), std::string::npos) << out;
  EXPECT_NE(out.find("e2e ok injected alert in the table within 3 s"), std::string::npos) << out;
  EXPECT_NE(out.find("e2e ok connector state RUNNING"), std::string::npos) << out;
  ASSERT_TRUE(fs::exists(shot));
  EXPECT_GT(fs::file_size(shot), 10000u);
  keep(shot);
  // The probe alert went through Kafka, so the archive connector wrote it too.
  EXPECT_TRUE(wait_until(
      [&] {
        return read_file(p.dir.file("archive/alerts.log")).find("e2e_probe") != std::string::npos;
      },
      20s));
}

TEST(DashboardEndToEnd, PageShowsKafkaAndConnectUnreachableAndKafkaRecovery) {
  Pipeline p;
  ASSERT_NE(p.port, 0);
  ASSERT_TRUE(wait_until(
      [&] {
        json h = get_json(p.port, "/api/health");
        return h.is_object() && h["kafka"]["state"] == "ok" && h["connect"]["state"] == "ok" &&
               h["kafka"]["partitions"] == 7 && h["hosts"] == 3;
      },
      30s));
  ASSERT_TRUE(p.kafka.control("down all"));
  p.connect->process().signal(SIGTERM);
  ASSERT_TRUE(p.connect->process().wait(30s).has_value());
  json h;
  ASSERT_TRUE(wait_until(
      [&] {
        h = get_json(p.port, "/api/health");
        return h.is_object() && h["kafka"]["state"] == "unreachable" &&
               h["connect"]["state"] == "unreachable";
      },
      30s))
      << h.dump();
  EXPECT_NE(h["kafka"]["error"].get<std::string>(), "");
  EXPECT_NE(h["connect"]["error"].get<std::string>().find("cannot connect"), std::string::npos)
      << h.dump();

  std::string shot = p.dir.file("dashboard-outage.png");
  std::string out;
  int rc = run_e2e({"--url", p.url(), "--mode", "outage", "--screenshot", shot}, &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("e2e passed (outage)"), std::string::npos) << out;
  if (fs::exists(shot)) keep(shot);
  // The page keeps the history it had, and Kafka coming back is noticed.
  EXPECT_EQ(get_json(p.port, "/api/hosts").size(), 3u);
  ASSERT_TRUE(p.kafka.control("up all"));
  EXPECT_TRUE(
      wait_until([&] { return get_json(p.port, "/api/health")["kafka"]["state"] == "ok"; }, 30s));
}

// 200 hosts reporting: the page lists them in pages of 50, filtering and charting one works, and
// ticks keep arriving (the render time per tick is printed, not asserted).
TEST(DashboardEndToEnd, TwoHundredHostsArePagedAndThePageKeepsUp) {
  DevKafka kafka({"system_metrics:3", "http_logs:3", "system_alerts:1"});
  std::vector<std::string> lines;
  int64_t now = now_ms();
  for (int h = 0; h < 200; ++h) {
    std::string host = "node-" + std::to_string(1000 + h);
    for (int i = 60; i >= 1; --i) {
      int64_t ts = now - i * 1000;
      lines.push_back(json{{"v", 1},
                           {"host", host},
                           {"resource", "cpu"},
                           {"ts", ts},
                           {"tags", {{"cpu", "total"}}},
                           {"metrics", {{"usage_pct", (h + i) % 100}}}}
                          .dump());
      lines.push_back(json{{"v", 1},
                           {"host", host},
                           {"resource", "memory"},
                           {"ts", ts},
                           {"metrics", {{"used_pct", 40.0}}}}
                          .dump());
    }
  }
  ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "system_metrics", lines));
  Process dashboard({bin("sentinel-dashboard"), "--bootstrap-servers", kafka.bootstrap(),
                     "--connect-url", "http://127.0.0.1:1", "--listen", "127.0.0.1:0"});
  int port = listening_port(dashboard, "sentinel-dashboard");
  ASSERT_NE(port, 0);
  ASSERT_TRUE(wait_until([&] { return get_json(port, "/api/health")["hosts"] == 200; }, 30s));
  TempDir dir;
  std::string out;
  int rc = run_e2e(
      {"--url", "http://127.0.0.1:" + std::to_string(port) + "/", "--mode", "scale", "--hosts",
       "200", "--host", "node-1123", "--screenshot", dir.file("dashboard-200-hosts.png")},
      &out);
  EXPECT_EQ(rc, 0) << out << dashboard.err();
  EXPECT_NE(out.find("e2e passed (scale)"), std::string::npos) << out;
  if (fs::exists(dir.file("dashboard-200-hosts.png"))) keep(dir.file("dashboard-200-hosts.png"));
}

}  // namespace
}  // namespace sentinel::test

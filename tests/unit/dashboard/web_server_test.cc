// The dashboard's HTTP side over loopback (port 0) with httplib::Client: the page's files, every
// JSON endpoint, the event stream (a snapshot at once, then every push interval, and at once on a
// new alert), errors as JSON, the stream bound; and the connect poller against a REST stand-in.
#include "dashboard/web_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <thread>

#include "dashboard/connect_poller.h"
#include "tests/support/process.h"

namespace sentinel::dashboard {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr int64_t kNow = 1'795'316'160'000;

StaticFiles page() {
  StaticFiles f;
  f["index.html"] = {"<!doctype html><title>Sentinel</title>", "text/html; charset=utf-8"};
  f["app.js"] = {"console.log(1)", "text/javascript; charset=utf-8"};
  f["style.css"] = {"body{}", "text/css; charset=utf-8"};
  f["uPlot.iife.min.js"] = {"var uPlot", "text/javascript; charset=utf-8"};
  f["uPlot.min.css"] = {".uplot{}", "text/css; charset=utf-8"};
  return f;
}

struct Server {
  explicit Server(size_t max_streams = 4) : web(&model, page(), options(max_streams)) {
    std::string error;
    EXPECT_TRUE(web.bind("127.0.0.1", 0, &error)) << error;
    web.start();
    client = std::make_unique<httplib::Client>("127.0.0.1", web.port());
    client->set_read_timeout(10, 0);
    test::wait_until([&] { return static_cast<bool>(client->Get("/api/health")); }, 5s);
  }
  static WebOptions options(size_t max_streams) {
    WebOptions o;
    o.max_streams = max_streams;
    o.push_interval = 200ms;
    o.now_ms = [] { return kNow; };
    return o;
  }
  std::pair<int, json> get(const std::string& path) {
    auto r = client->Get(path.c_str());
    if (!r) return {0, json()};
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << path;
    return {r->status, json::parse(r->body, nullptr, false)};
  }
  Model model;
  WebServer web;
  std::unique_ptr<httplib::Client> client;
};

void feed(Model* model) {
  records::MetricRecord r;
  r.host = "web-1";
  r.resource = "cpu";
  r.ts = kNow - 2000;
  r.metrics = {{"usage_pct", 42.0}};
  model->add_metric(r);
  r.host = "web-2";
  model->add_metric(r);
  model->add_http(HttpHit{kNow - 1500, 503, "198.51.100.7", "/api/orders/1"});
  std::string error;
  model->add_alert(json{{"id", "cpu_high/host=web-1"},
                        {"state", "firing"},
                        {"labels", {{"host", "web-1"}}},
                        {"since", kNow - 5000},
                        {"value", 97.3},
                        {"threshold", 90.0}},
                   &error);
}

TEST(DashboardWeb, ServesThePageWithAPolicyThatAllowsNothingForeign) {
  Server s;
  auto r = s.client->Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "<!doctype html><title>Sentinel</title>");
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(r->get_header_value("Content-Security-Policy").find("default-src 'self'"),
            std::string::npos);
  r = s.client->Get("/uPlot.iife.min.js");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(s.client->Get("/secret.js")->status, 404);
  EXPECT_EQ(s.client->Get("/../etc/passwd")->status, 404);
}

TEST(DashboardWeb, JsonEndpointsShowTheModel) {
  Server s;
  feed(&s.model);
  auto [status, state] = s.get("/api/state");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(state["now"], kNow);
  ASSERT_EQ(state["hosts"].size(), 2u);
  EXPECT_EQ(state["hosts"][0]["host"], "web-1");
  EXPECT_EQ(state["hosts"][0]["state"], "alerting");
  EXPECT_EQ(state["hosts"][1]["state"], "ok");
  EXPECT_EQ(state["alerts"]["firing"][0]["id"], "cpu_high/host=web-1");
  EXPECT_EQ(state["http"]["top_ips"][0]["key"], "198.51.100.7");
  EXPECT_EQ(state["connectors"]["state"], "unknown");
  EXPECT_EQ(state["health"]["kafka"]["state"], "connecting");

  auto [hs, hosts] = s.get("/api/hosts");
  EXPECT_EQ(hs, 200);
  EXPECT_EQ(hosts.size(), 2u);
  auto [ss, series] = s.get("/api/hosts/web-1/series");
  ASSERT_EQ(ss, 200);
  EXPECT_EQ(series["cpu"], json::parse("[[1795316158000],[42.0]]"));
  EXPECT_EQ(s.get("/api/hosts/web-1/series?since=" + std::to_string(kNow)).second["cpu"],
            json::parse("[[],[]]"));
  auto [ms, multi] = s.get("/api/series?hosts=web-1,web-2,ghost&since=0");
  ASSERT_EQ(ms, 200);
  EXPECT_EQ(multi["hosts"].size(), 2u);
  EXPECT_EQ(multi["hosts"]["web-2"]["cpu"][1][0], 42.0);
  auto [as, alerts] = s.get("/api/alerts");
  EXPECT_EQ(as, 200);
  EXPECT_EQ(alerts["firing"].size(), 1u);
  auto [ps, http] = s.get("/api/http?since=" + std::to_string(kNow - 2000));
  EXPECT_EQ(ps, 200);
  EXPECT_EQ(http["series"],
            json::parse("[[1795316158000,1795316159000,1795316160000],[1,0,0],[0,0,0],[1,0,0]]"));
  auto [cs, connectors] = s.get("/api/connectors");
  EXPECT_EQ(cs, 200);
  EXPECT_EQ(connectors["state"], "unknown");
  auto [hh, health] = s.get("/api/health");
  EXPECT_EQ(hh, 200);
  EXPECT_EQ(health["records"]["metrics"], 2);
  EXPECT_EQ(health["streams"], 0);
}

TEST(DashboardWeb, ErrorsAreJsonWithAMessage) {
  Server s;
  auto [status, body] = s.get("/api/hosts/ghost/series");
  EXPECT_EQ(status, 404);
  EXPECT_EQ(body["message"], "host ghost not seen");
  std::tie(status, body) = s.get("/api/http?since=yesterday");
  EXPECT_EQ(status, 400);
  EXPECT_NE(body["message"].get<std::string>().find("since \"yesterday\""), std::string::npos);
  std::tie(status, body) = s.get("/api/nothing");
  EXPECT_EQ(status, 404);
  EXPECT_EQ(body["error_code"], 404);
}

// Reads the event stream on its own thread, counting "event: state" messages.
struct StreamReader {
  explicit StreamReader(int port) {
    thread = std::thread([this, port] {
      httplib::Client c("127.0.0.1", port);
      c.set_read_timeout(10, 0);
      auto r = c.Get("/events", [this](const char* data, size_t len) {
        std::lock_guard lock(mu);
        text.append(data, len);
        return !stop;
      });
      status = r ? r->status : -1;
      done = true;
    });
  }
  ~StreamReader() {
    stop = true;
    thread.join();
  }
  size_t events() {
    std::lock_guard lock(mu);
    size_t n = 0;
    for (size_t at = text.find("event: state\n"); at != std::string::npos;
         at = text.find("event: state\n", at + 1))
      ++n;
    return n;
  }
  std::string last() {
    std::lock_guard lock(mu);
    size_t at = text.rfind("data: ");
    size_t end = text.find("\n\n", at);
    return at == std::string::npos || end == std::string::npos ? ""
                                                               : text.substr(at + 6, end - at - 6);
  }
  std::mutex mu;
  std::string text;
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
  std::atomic<int> status{0};
  std::thread thread;
};

TEST(DashboardWeb, EventStreamSendsSnapshotsAndNewAlertsAtOnce) {
  Server s;
  StreamReader reader(s.web.port());
  ASSERT_TRUE(test::wait_until([&] { return reader.events() >= 1; }, 10s));
  json first = json::parse(reader.last());
  EXPECT_EQ(first["now"], kNow);
  EXPECT_TRUE(first["alerts"]["firing"].empty());
  // Snapshots keep coming (every push interval).
  ASSERT_TRUE(test::wait_until([&] { return reader.events() >= 3; }, 10s));
  EXPECT_EQ(s.get("/api/health").second["streams"], 1);
  // A new alert is in the very next event.
  std::string error;
  s.model.add_alert(json{{"id", "disk_full/host=db-1"}, {"state", "firing"}}, &error);
  ASSERT_TRUE(test::wait_until(
      [&] {
        json e = json::parse(reader.last(), nullptr, false);
        return e.is_object() && e["alerts"]["firing"].size() == 1;
      },
      10s));
}

TEST(DashboardWeb, EventStreamsAreBoundedAndStopEndsThem) {
  Server s(1);
  auto reader = std::make_unique<StreamReader>(s.web.port());
  ASSERT_TRUE(test::wait_until([&] { return reader->events() >= 1; }, 10s));
  auto r = s.client->Get("/events");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->get_header_value("Retry-After"), "5");
  s.web.stop();  // returns with a stream open
  EXPECT_TRUE(test::wait_until([&] { return reader->done.load(); }, 10s));
}

TEST(DashboardConnectPoller, ReadsConnectorsBehindAPrefixAndReportsUnreachable) {
  std::string base, prefix, error;
  ASSERT_TRUE(split_url("http://127.0.0.1:8083/connect/", &base, &prefix, &error));
  EXPECT_EQ(base, "http://127.0.0.1:8083");
  EXPECT_EQ(prefix, "/connect");
  EXPECT_FALSE(split_url("127.0.0.1:8083", &base, &prefix, &error));

  httplib::Server rest;
  rest.Get("/connect/connectors", [](const httplib::Request& req, httplib::Response& res) {
    if (req.get_param_value("expand") != "status") {
      res.status = 400;
      return;
    }
    res.set_content(
        R"({"a":{"status":{"name":"a","type":"sink","connector":{"state":"RUNNING","worker_id":"w"},
                        "tasks":[{"id":0,"state":"RUNNING","worker_id":"w"}]}}})",
        "application/json");
  });
  int port = rest.bind_to_any_port("127.0.0.1");
  std::thread t([&] { rest.listen_after_bind(); });
  Model model;
  ConnectPoller poller(&model, "http://127.0.0.1:" + std::to_string(port) + "/connect", 2s, 2s);
  poller.poll_once();
  json c = model.connectors_json();
  EXPECT_EQ(c["state"], "ok") << c.dump();
  EXPECT_EQ(c["connectors"][0]["tasks"][0]["state"], "RUNNING");
  rest.stop();
  t.join();
  poller.poll_once();
  c = model.connectors_json();
  EXPECT_EQ(c["state"], "unreachable");
  EXPECT_NE(c["error"].get<std::string>().find("cannot connect"), std::string::npos) << c.dump();
  EXPECT_EQ(c["connectors"].size(), 1u);  // last known kept
}

}  // namespace
}  // namespace sentinel::dashboard

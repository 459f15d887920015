// The REST API routed in-process over a Herder with a fake backend: status codes, headers, JSON
// shapes and error texts of every endpoint (docs/connect.md), persistence through the state
// store, and a generated corpus of hostile bodies over every JSON endpoint.
#include "rest-api/rest_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "tests/support/connect_fakes.h"
#include "tests/support/process.h"

namespace sentinel::connect {
namespace {

using json = nlohmann::json;

struct Api {
  explicit Api(const std::string& state_dir = "") {
    plugins.add(testing::memory_sink_plugin());
    WorkerSettings s;
    s.worker_id = "10.0.0.5:8083";
    s.validation.plugins = &plugins;
    if (!state_dir.empty()) store = std::make_unique<StateStore>(state_dir);
    herder = std::make_unique<Herder>(s, &backend, store.get());
    ServerInfo info;
    info.commit = "abc";
    info.cluster_id = [] { return "cid"; };
    api = std::make_unique<RestApi>(herder.get(), info);
  }
  HttpResponse call(const std::string& method, const std::string& target,
                    const std::string& body = "", const std::string& type = "application/json") {
    HttpRequest r;
    r.method = method;
    size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string qs = target.substr(q + 1);
      size_t i = 0;
      while (i < qs.size()) {
        size_t amp = qs.find('&', i);
        if (amp == std::string::npos) amp = qs.size();
        std::string kv = qs.substr(i, amp - i);
        size_t eq = kv.find('=');
        r.query.emplace(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
        i = amp + 1;
      }
    }
    r.body = body;
    r.content_type = body.empty() ? "" : type;
    return api->handle(r);
  }
  json body(const HttpResponse& r) { return json::parse(r.body); }
  HttpResponse create(const std::string& name, const std::string& extra_config = "",
                      const std::string& extra = "") {
    return call("POST", "/connectors",
                R"({"name":")" + name +
                    R"(","config":{"connector.class":"Memory","topics":"t1","tasks.max":2)" +
                    extra_config + "}" + extra + "}");
  }

  PluginRegistry plugins;
  testing::FakeBackend backend;
  std::unique_ptr<StateStore> store;
  std::unique_ptr<Herder> herder;
  std::unique_ptr<RestApi> api;
};

void expect_error(const HttpResponse& r, int status, const std::string& message_prefix) {
  EXPECT_EQ(r.status, status) << r.body;
  json j = json::parse(r.body);
  EXPECT_EQ(j["error_code"], status);
  EXPECT_EQ(j["message"].get<std::string>().rfind(message_prefix, 0), 0u) << j["message"];
}

TEST(RestApi, RootHealthAndUnknownRoutes) {
  Api a;
  auto root = a.call("GET", "/");
  EXPECT_EQ(root.status, 200);
  EXPECT_EQ(a.body(root),
            (json{{"version", "3.9.0"}, {"commit", "abc"}, {"kafka_cluster_id", "cid"}}));
  auto health = a.call("GET", "/health");
  EXPECT_EQ(a.body(health)["status"], "healthy");
  EXPECT_EQ(a.body(health)["message"],
            "Worker has completed startup and is ready to handle requests.");
  expect_error(a.call("GET", "/nope"), 404, "HTTP 404 Not Found");
  expect_error(a.call("DELETE", "/connectors"), 405, "HTTP 405 Method Not Allowed");
  expect_error(a.call("POST", "/connectors/x/pause"), 405, "HTTP 405 Method Not Allowed");
}

TEST(RestApi, CreateAnswers201WithLocationAndConnectorInfo) {
  Api a;
  auto r = a.create("archive-1");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.headers.at("Location"), "/connectors/archive-1");
  json j = a.body(r);
  EXPECT_EQ(j["name"], "archive-1");
  EXPECT_EQ(j["config"]["name"], "archive-1");
  EXPECT_EQ(j["config"]["tasks.max"], "2");  // numbers are taken as strings
  EXPECT_EQ(
      j["tasks"],
      json::parse(R"([{"connector":"archive-1","task":0},{"connector":"archive-1","task":1}])"));
  EXPECT_EQ(j["type"], "sink");
  expect_error(a.create("archive-1"), 409, "Connector archive-1 already exists");
  EXPECT_EQ(a.body(a.call("GET", "/connectors")), json::parse(R"(["archive-1"])"));
}

TEST(RestApi, CreateErrorsAre400WithConnectMessages) {
  Api a;
  expect_error(a.call("POST", "/connectors", R"({"name":"x"})"), 400,
               "Request body is missing the connector config");
  expect_error(a.call("POST", "/connectors", R"({"name":"x","config":{"topics":"t"}})"), 400,
               "Connector config {name=x, topics=t} contains no connector type");
  expect_error(a.call("POST", "/connectors", R"({"name":"x","config":{"connector.class":"Nope"}})"),
               400,
               "Failed to find any class that implements Connector and which name matches Nope");
  expect_error(a.call("POST", "/connectors",
                      R"({"name":"x","config":{"connector.class":"Memory","name":"y"}})"),
               400, "Connector name configuration (y) doesn't match connector name in the URL (x)");
  expect_error(
      a.call("POST", "/connectors", R"({"config":{"connector.class":"Memory","topics":"t"}})"), 400,
      "Connector configuration is invalid and contains the following 1 error(s):\nInvalid value  "
      "for "
      "configuration name: String may not be empty");
  expect_error(
      a.call("POST", "/connectors",
             R"({"name":"x","config":{"connector.class":"Memory","topics":"t"},"bogus":1})"),
      400, "Unrecognized field \"bogus\"");
  expect_error(a.call("POST", "/connectors",
                      R"({"name":"x","config":{"connector.class":"Memory","topics":{"a":1}}})"),
               400, "config: value of \"topics\" must be a string");
  expect_error(a.create("x", "", R"(,"initial_state":"SLEEPING")"), 400, "Invalid initial_state");
  expect_error(a.call("POST", "/connectors", "{\"name\":", "application/json"), 400,
               "Malformed JSON in request body");
  expect_error(
      a.call("POST", "/connectors", R"({"name":"x"})", "application/x-www-form-urlencoded"), 415,
      "HTTP 415 Unsupported Media Type");
  expect_error(a.call("POST", "/connectors", std::string(1000, '[') + std::string(1000, ']')), 400,
               "Request body is nested more than 64 levels deep");
  EXPECT_TRUE(a.body(a.call("GET", "/connectors")).empty());
}

TEST(RestApi, StatusInfoConfigTasksAndExpand) {
  Api a;
  ASSERT_EQ(a.create("c", R"(,"secret":"hunter2")").status, 201);
  json status = a.body(a.call("GET", "/connectors/c/status"));
  EXPECT_EQ(status,
            json::parse(R"({"name":"c","connector":{"state":"RUNNING","worker_id":"10.0.0.5:8083"},
      "tasks":[{"id":0,"state":"RUNNING","worker_id":"10.0.0.5:8083"},{"id":1,"state":"RUNNING","worker_id":"10.0.0.5:8083"}],
      "type":"sink"})"));
  json config = a.body(a.call("GET", "/connectors/c/config"));
  EXPECT_EQ(config["secret"], "[hidden]");
  EXPECT_EQ(config["name"], "c");
  json tasks = a.body(a.call("GET", "/connectors/c/tasks"));
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[1]["id"], json::parse(R"({"connector":"c","task":1})"));
  EXPECT_EQ(tasks[0]["config"]["task.class"], "com.example.MemorySinkTask");
  EXPECT_EQ(tasks[0]["config"]["secret"], "[hidden]");
  json tc = a.body(a.call("GET", "/connectors/c/tasks-config"));
  EXPECT_TRUE(tc.contains("c-0") && tc.contains("c-1"));
  json ts = a.body(a.call("GET", "/connectors/c/tasks/1/status"));
  EXPECT_EQ(ts, json::parse(R"({"id":1,"state":"RUNNING","worker_id":"10.0.0.5:8083"})"));
  json both = a.body(a.call("GET", "/connectors?expand=status&expand=info"));
  EXPECT_EQ(both["c"]["status"]["connector"]["state"], "RUNNING");
  EXPECT_EQ(both["c"]["info"]["config"]["secret"], "[hidden]");
  EXPECT_EQ(a.body(a.call("GET", "/connectors?expand=bogus")), json::parse(R"({"c":{}})"));
  expect_error(a.call("GET", "/connectors/zz"), 404, "Connector zz not found");
  expect_error(a.call("GET", "/connectors/zz/config"), 404, "Connector zz not found");
  expect_error(a.call("GET", "/connectors/zz/status"), 404, "No status found for connector zz");
  expect_error(a.call("GET", "/connectors/c/tasks/7/status"), 404, "No status found for task c-7");
  expect_error(a.call("GET", "/connectors/zz/tasks"), 404, "Connector zz not found");
}

TEST(RestApi, PutPatchConfigKeepHiddenSecretsAndAnswer201Or200) {
  Api a;
  auto created = a.call("PUT", "/connectors/p/config",
                        R"({"connector.class":"Memory","topics":"t","secret":"s1"})");
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(created.headers.at("Location"), "/connectors/p");
  json cfg = a.body(a.call("GET", "/connectors/p/config"));
  cfg["tasks.max"] = "3";  // a GET-edit-PUT round trip sends "[hidden]" back
  auto updated = a.call("PUT", "/connectors/p/config", cfg.dump());
  EXPECT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(a.body(updated)["tasks"].size(), 3u);
  EXPECT_EQ(a.backend.last->spec_.task_config.at("secret"), "s1");
  expect_error(a.call("PUT", "/connectors/p/config",
                      R"({"connector.class":"Memory","topics":"t","name":"q"})"),
               400, "Connector name configuration (q) doesn't match connector name in the URL (p)");
  auto patched = a.call("PATCH", "/connectors/p/config", R"({"tasks.max":null,"topics":"t2"})");
  EXPECT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(a.body(patched)["config"].contains("tasks.max"), false);
  EXPECT_EQ(a.body(patched)["config"]["topics"], "t2");
  expect_error(a.call("PATCH", "/connectors/zz/config", R"({"a":"b"})"), 404,
               "Connector zz not found");
  expect_error(a.call("PATCH", "/connectors/p/config", R"({"connector.class":null})"), 400,
               "Connector config {");
}

TEST(RestApi, PauseResumeStopRestartDelete) {
  Api a;
  ASSERT_EQ(a.create("l").status, 201);
  auto pause = a.call("PUT", "/connectors/l/pause");
  EXPECT_EQ(pause.status, 202);
  EXPECT_TRUE(pause.body.empty());
  json s = a.body(a.call("GET", "/connectors/l/status"));
  EXPECT_EQ(s["connector"]["state"], "PAUSED");
  EXPECT_EQ(s["tasks"][0]["state"], "PAUSED");
  EXPECT_EQ(a.call("PUT", "/connectors/l/pause").status, 202);  // idempotent
  EXPECT_EQ(a.call("PUT", "/connectors/l/resume").status, 202);
  EXPECT_EQ(a.body(a.call("GET", "/connectors/l/status"))["tasks"][1]["state"], "RUNNING");
  EXPECT_EQ(a.call("PUT", "/connectors/l/stop").status, 204);
  s = a.body(a.call("GET", "/connectors/l/status"));
  EXPECT_EQ(s["connector"]["state"], "STOPPED");
  EXPECT_TRUE(s["tasks"].empty());
  EXPECT_TRUE(a.body(a.call("GET", "/connectors/l"))["tasks"].empty());
  EXPECT_EQ(a.call("PUT", "/connectors/l/resume").status, 202);  // resumes a stopped connector
  EXPECT_EQ(a.body(a.call("GET", "/connectors/l/status"))["tasks"].size(), 2u);

  EXPECT_EQ(a.call("POST", "/connectors/l/restart").status, 204);
  a.backend.last->fail("Boom\n\tat here");
  auto plan = a.call("POST", "/connectors/l/restart?includeTasks=true&onlyFailed=true");
  EXPECT_EQ(plan.status, 202);
  json p = a.body(plan);
  EXPECT_EQ(p["connector"]["state"], "RUNNING");  // not failed, so not restarted
  EXPECT_EQ(p["tasks"][0]["state"], "RUNNING");
  EXPECT_EQ(p["tasks"][1]["state"], "RESTARTING");
  EXPECT_EQ(a.body(a.call("GET", "/connectors/l/status"))["tasks"][1]["state"], "RUNNING");
  json all = a.body(a.call("POST", "/connectors/l/restart?includeTasks=true"));
  EXPECT_EQ(all["connector"]["state"], "RESTARTING");
  EXPECT_EQ(all["tasks"][0]["state"], "RESTARTING");
  EXPECT_EQ(a.call("POST", "/connectors/l/tasks/0/restart").status, 204);
  expect_error(a.call("POST", "/connectors/l/tasks/9/restart"), 404, "Task l-9 not found");
  expect_error(a.call("POST", "/connectors/zz/restart"), 404, "Connector zz not found");
  expect_error(a.call("POST", "/connectors/zz/restart?onlyFailed=true"), 404,
               "Unknown connector: zz");
  expect_error(a.call("PUT", "/connectors/zz/pause"), 404, "Unknown connector zz");
  expect_error(a.call("PUT", "/connectors/zz/stop"), 404, "Connector zz not found");
  EXPECT_EQ(a.call("DELETE", "/connectors/l").status, 204);
  expect_error(a.call("DELETE", "/connectors/l"), 404, "Connector l not found");
}

TEST(RestApi, FailedTaskShowsTraceOnlyWhenFailed) {
  Api a;
  ASSERT_EQ(a.create("f", R"(,"fail.start":"1")").status, 201);
  json s = a.body(a.call("GET", "/connectors/f/status"));
  EXPECT_EQ(s["tasks"][0]["state"], "FAILED");
  EXPECT_EQ(s["tasks"][0]["trace"], "Boom: trace");
  EXPECT_FALSE(s["connector"].contains("trace"));
}

TEST(RestApi, OffsetsRequireStoppedAndUseSinkShape) {
  Api a;
  ASSERT_EQ(a.create("o").status, 201);
  EXPECT_EQ(a.body(a.call("GET", "/connectors/o/offsets")), json::parse(R"({"offsets":[]})"));
  std::string alter =
      R"({"offsets":[{"partition":{"kafka_topic":"t1","kafka_partition":"0"},"offset":{"kafka_offset":42}}]})";
  expect_error(
      a.call("PATCH", "/connectors/o/offsets", alter), 400,
      "Connectors must be in the STOPPED state before their offsets can be modified. This can be "
      "done for "
      "the specified connector by issuing a 'PUT' request to the '/connectors/o/stop' endpoint");
  expect_error(a.call("DELETE", "/connectors/o/offsets"), 400,
               "Connectors must be in the STOPPED state");
  ASSERT_EQ(a.call("PUT", "/connectors/o/stop").status, 204);
  auto r = a.call("PATCH", "/connectors/o/offsets", alter);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(a.body(r),
            json::parse(
                R"({"message":"The offsets for this connector have been altered successfully"})"));
  EXPECT_EQ(
      a.body(a.call("GET", "/connectors/o/offsets")),
      json::parse(
          R"({"offsets":[{"partition":{"kafka_topic":"t1","kafka_partition":0},"offset":{"kafka_offset":42}}]})"));
  expect_error(a.call("PATCH", "/connectors/o/offsets", R"({"offsets":[]})"), 400,
               "Partitions / offsets need to be provided for an alter offsets request");
  expect_error(a.call("PATCH", "/connectors/o/offsets",
                      R"({"offsets":[{"partition":{"kafka_topic":"t"}}]})"),
               400,
               "The partition for a sink connector offset must contain the keys 'kafka_topic' and "
               "'kafka_partition'");
  expect_error(
      a.call(
          "PATCH", "/connectors/o/offsets",
          R"({"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":"x"},"offset":null}]})"),
      400, "Failed to parse the following Kafka partition value");
  expect_error(
      a.call(
          "PATCH", "/connectors/o/offsets",
          R"({"offsets":[{"partition":{"kafka_topic":"t","kafka_partition":0},"offset":{"kafka_offset":-5}}]})"),
      400, "Failed to parse the following Kafka offset value");
  auto reset = a.call("DELETE", "/connectors/o/offsets");
  EXPECT_EQ(a.body(reset)["message"],
            "The offsets for this connector have been reset successfully");
  EXPECT_EQ(a.body(a.call("GET", "/connectors/o/offsets"))["offsets"].size(), 0u);
  expect_error(a.call("GET", "/connectors/zz/offsets"), 404, "Connector zz not found");
}

TEST(RestApi, ConnectorPluginsConfigAndValidate) {
  Api a;
  json list = a.body(a.call("GET", "/connector-plugins"));
  EXPECT_EQ(list,
            json::parse(
                R"([{"class":"com.example.MemorySinkConnector","type":"sink","version":"2.0"}])"));
  EXPECT_GT(a.body(a.call("GET", "/connector-plugins?connectorsOnly=false")).size(), 1u);
  json defs = a.body(a.call("GET", "/connector-plugins/MemorySink/config"));
  EXPECT_EQ(defs[0]["name"], "path");  // the plugin's keys first
  EXPECT_EQ(defs[2]["name"], "name");
  expect_error(a.call("GET", "/connector-plugins/Nope/config"), 404, "Unknown plugin Nope.");
  auto v = a.call("PUT", "/connector-plugins/Memory/config/validate",
                  R"({"connector.class":"Memory","tasks.max":"0"})");
  EXPECT_EQ(v.status, 200);
  json infos = a.body(v);
  EXPECT_EQ(infos["name"], "Memory");
  EXPECT_EQ(infos["error_count"], 4);  // name missing, tasks.max, topics, topics.regex
  expect_error(a.call("PUT", "/connector-plugins/Memory/config/validate", R"({"topics":"x"})"), 400,
               "Connector config {topics=x} contains no connector type");
  expect_error(
      a.call("PUT", "/connector-plugins/Other/config/validate", R"({"connector.class":"Memory"})"),
      400, "Included connector type Memory does not match request type Other");
}

TEST(RestApi, TopicsLoggersAndMetrics) {
  Api a;
  EXPECT_EQ(a.body(a.call("GET", "/connectors/none/topics")),
            json::parse(R"({"none":{"topics":[]}})"));
  EXPECT_EQ(a.call("PUT", "/connectors/none/topics/reset").status, 404);
  json loggers = a.body(a.call("GET", "/admin/loggers"));
  EXPECT_TRUE(loggers.contains("root"));
  expect_error(a.call("PUT", "/admin/loggers/root", R"({})"), 400,
               "Desired 'level' parameter was not specified");
  expect_error(a.call("PUT", "/admin/loggers/root", R"({"level":"LOUD"})"), 404,
               "invalid log level 'LOUD'.");
  auto set = a.call("PUT", "/admin/loggers/org.example", R"({"level":"INFO"})");
  EXPECT_EQ(a.body(set), json::parse(R"(["org.example"])"));
  expect_error(a.call("GET", "/admin/loggers/nope"), 404, "Logger nope not found.");
  ASSERT_EQ(a.create("m").status, 201);
  auto metrics = a.call("GET", "/metrics");
  EXPECT_EQ(metrics.content_type.rfind("text/plain", 0), 0u);
  EXPECT_NE(metrics.body.find(
                "sentinel_connect_task_state{connector=\"m\",task=\"0\",state=\"RUNNING\"} 1"),
            std::string::npos);
  EXPECT_NE(
      metrics.body.find("sentinel_connect_records_consumed_total{connector=\"m\",task=\"1\"} 0"),
      std::string::npos);
}

TEST(RestApi, StatePersistsCreatePauseStopDelete) {
  test::TempDir dir;
  {
    Api a(dir.path());
    ASSERT_EQ(a.create("kept").status, 201);
    ASSERT_EQ(a.create("paused", "", R"(,"initial_state":"paused")").status, 201);
    ASSERT_EQ(a.create("stopped").status, 201);
    ASSERT_EQ(a.call("PUT", "/connectors/stopped/stop").status, 204);
    ASSERT_EQ(a.create("gone").status, 201);
    ASSERT_EQ(a.call("DELETE", "/connectors/gone").status, 204);
  }
  Api b(dir.path());
  std::string error;
  ASSERT_TRUE(b.herder->restore(&error)) << error;
  EXPECT_EQ(b.body(b.call("GET", "/connectors")), json::parse(R"(["kept","paused","stopped"])"));
  EXPECT_EQ(b.body(b.call("GET", "/connectors/paused/status"))["tasks"][0]["state"], "PAUSED");
  EXPECT_EQ(b.body(b.call("GET", "/connectors/stopped/status"))["connector"]["state"], "STOPPED");
  EXPECT_EQ(b.body(b.call("GET", "/connectors/kept/status"))["connector"]["state"], "RUNNING");
}

TEST(RestApi, FailedTasksRestartAutomaticallyWithBackoffWhenConfigured) {
  Api a;
  ASSERT_EQ(
      a.create(
           "auto",
           R"(,"sentinel.task.restart.max.attempts":"1","sentinel.task.restart.backoff.ms":"1000")")
          .status,
      201);
  ASSERT_EQ(a.create("manual").status, 201);
  int started = a.backend.started;
  testing::FakeRunner* manual_task = a.backend.last;
  manual_task->fail("boom");
  auto now = MonoClock::now();
  a.herder->tick(now);  // manual: never restarted (Connect's default)
  EXPECT_EQ(a.backend.started, started);
  // Fail task 0 of "auto": the first tick schedules, a tick after the backoff restarts it.
  ConnectorStatusView v;
  ASSERT_TRUE(a.herder->restart("auto", true, false, &v).ok());
  started = a.backend.started;
  testing::FakeRunner* t = a.backend.last;  // task 1 of "auto"
  t->fail("boom");
  a.herder->tick(now);
  EXPECT_EQ(a.backend.started, started);
  a.herder->tick(now + std::chrono::milliseconds(500));
  EXPECT_EQ(a.backend.started, started);
  a.herder->tick(now + std::chrono::milliseconds(1100));
  EXPECT_EQ(a.backend.started, started + 1);
  EXPECT_EQ(a.body(a.call("GET", "/connectors/auto/tasks/1/status"))["state"], "RUNNING");
  EXPECT_NE(a.call("GET", "/metrics")
                .body.find("sentinel_connect_task_restarts_total{connector=\"auto\",task=\"1\"} 1"),
            std::string::npos);
  a.backend.last->fail("again");  // attempts exhausted: stays FAILED
  a.herder->tick(now + std::chrono::seconds(10));
  a.herder->tick(now + std::chrono::seconds(100));
  EXPECT_EQ(a.body(a.call("GET", "/connectors/auto/tasks/1/status"))["state"], "FAILED");
}

// A generated corpus of hostile bodies over every JSON endpoint: nothing crashes, every answer is
// a well-formed JSON document and every non-2xx answer uses the error envelope.
TEST(RestApi, HostileBodyCorpusNeverCrashesAndAlwaysAnswersWithTheEnvelope) {
  Api a;
  ASSERT_EQ(a.create("h").status, 201);
  ASSERT_EQ(a.create("s").status, 201);
  ASSERT_EQ(a.call("PUT", "/connectors/s/stop").status, 204);
  std::vector<std::pair<std::string, std::string>> endpoints = {
      {"POST", "/connectors"},
      {"PUT", "/connectors/h/config"},
      {"PATCH", "/connectors/h/config"},
      {"PUT", "/connectors/new/config"},
      {"PATCH", "/connectors/s/offsets"},
      {"PUT", "/connector-plugins/Memory/config/validate"},
      {"PUT", "/admin/loggers/x"}};
  std::vector<std::string> seeds = {
      "",
      "null",
      "[]",
      "{}",
      "\"str\"",
      "1e999",
      "-0",
      "{\"name\":null,\"config\":null}",
      R"({"name":"n","config":{"connector.class":"Memory","topics":"t","tasks.max":"99999999999"}})",
      R"({"name":"n\u0000x","config":{"connector.class":"Memory","topics":"t"}})",
      R"({"connector.class":"Memory","topics.regex":"(","tasks.max":1.5})",
      R"({"offsets":[{"partition":{"kafka_topic":1,"kafka_partition":1e20},"offset":{"kafka_offset":"9223372036854775808"}}]})",
      R"({"offsets":"x"})",
      R"({"level":[1]})",
      "{\"a\":\"\xff\xfe\"}",
      std::string(200, '{'),
      std::string(100000, 'x'),
      "{\"k\":\"" + std::string(100000, 'v') + "\"}"};
  std::mt19937 rng(42);
  const std::string alphabet = "{}[]\":,0123456789.-+eEtrufalsn \\u\x01\xff";
  for (int i = 0; i < 1500; ++i) {
    std::string s = seeds[rng() % seeds.size()];
    int edits = static_cast<int>(rng() % 6);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      size_t pos = rng() % s.size();
      switch (rng() % 3) {
        case 0:
          s[pos] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          s.insert(pos, 1, alphabet[rng() % alphabet.size()]);
          break;
        default:
          s.erase(pos, 1);
      }
    }
    seeds.push_back(s);
  }
  int count = 0;
  for (const auto& body : seeds) {
    for (const auto& [method, path] : endpoints) {
      for (const char* type : {"application/json", "text/plain"}) {
        HttpResponse r = a.call(method, path, body, type);
        ++count;
        ASSERT_GE(r.status, 200);
        ASSERT_LT(r.status, 600);
        ASSERT_NE(r.status, 500) << method << " " << path << " " << body.substr(0, 200) << " → "
                                 << r.body;
        if (r.status >= 300) {
          json j = json::parse(r.body);
          ASSERT_EQ(j["error_code"], r.status);
          ASSERT_TRUE(j["message"].is_string());
        } else if (!r.body.empty()) {
          ASSERT_FALSE(json::parse(r.body, nullptr, false).is_discarded());
        }
      }
    }
    if (a.herder->names().size() > 20) {
      for (const auto& n : a.herder->names()) {
        if (n != "h" && n != "s") a.herder->remove(n);
      }
    }
  }
  EXPECT_GT(count, 20000);
}

// Last in this file: the worker's logger names are process-wide and this fills them up.
TEST(RestApi, LoggerNamesAreBoundedInLengthAndCount) {
  Api a;
  expect_error(a.call("PUT", "/admin/loggers/" + std::string(256, 'x'), R"({"level":"INFO"})"), 400,
               "Logger name is 256 characters long; at most 255 are allowed.");
  size_t known = a.body(a.call("GET", "/admin/loggers")).size();
  for (size_t i = known; i < 1024; ++i) {
    ASSERT_EQ(a.call("PUT", "/admin/loggers/l" + std::to_string(i), R"({"level":"INFO"})").status,
              200)
        << i;
  }
  expect_error(a.call("PUT", "/admin/loggers/one.more", R"({"level":"INFO"})"), 400,
               "Logger one.more cannot be added: this worker remembers at most 1024 logger names.");
  EXPECT_EQ(a.call("PUT", "/admin/loggers/l1000", R"({"level":"DEBUG"})").status, 200)
      << "a known name still changes";
  EXPECT_EQ(a.body(a.call("GET", "/admin/loggers")).size(), 1024u);
  a.call("PUT", "/admin/loggers/root", R"({"level":"INFO"})");
}

}  // namespace
}  // namespace sentinel::connect

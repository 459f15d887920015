// The herder saves before it changes: when the state file cannot be written, create, update,
// pause, resume, stop and delete answer 500 and leave the worker exactly as it was — in memory
// and on disk — so that a restart brings back what the API said exists.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "connect-sink/runtime/state_store.h"
#include "rest-api/rest_api.h"
#include "tests/support/connect_fakes.h"
#include "tests/support/process.h"

namespace sentinel::connect {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

struct PersistedWorker {
  explicit PersistedWorker(const std::string& dir) : store(dir) {
    plugins.add(testing::memory_sink_plugin());
    WorkerSettings s;
    s.validation.plugins = &plugins;
    herder = std::make_unique<Herder>(s, &backend, &store);
    std::string error;
    EXPECT_TRUE(herder->restore(&error)) << error;
    api = std::make_unique<RestApi>(herder.get(), ServerInfo{});
  }
  HttpResponse call(const std::string& method, const std::string& path,
                    const std::string& body = "") {
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.content_type = body.empty() ? "" : "application/json";
    return api->handle(r);
  }
  json connectors() { return json::parse(call("GET", "/connectors").body); }
  std::string target(const std::string& name) {
    return json::parse(call("GET", "/connectors/" + name + "/status").body)["connector"]["state"];
  }
  PluginRegistry plugins;
  testing::FakeBackend backend;
  StateStore store;
  std::unique_ptr<Herder> herder;
  std::unique_ptr<RestApi> api;
};

std::string create_body(const std::string& name) {
  return R"({"name":")" + name + R"(","config":{"connector.class":"Memory","topics":"t"}})";
}

TEST(HerderPersistence, AChangeThatCannotBeSavedIsNotMade) {
  sentinel::test::TempDir dir;
  PersistedWorker w(dir.path());
  ASSERT_EQ(w.call("POST", "/connectors", create_body("kept")).status, 201);
  ASSERT_EQ(w.call("POST", "/connectors", create_body("paused")).status, 201);
  ASSERT_EQ(w.call("PUT", "/connectors/paused/pause").status, 202);
  std::string saved = sentinel::test::read_file(w.store.path());

  // The temporary file the store writes first cannot be created: every save fails.
  fs::create_directory(w.store.path() + ".tmp");
  auto expect_500 = [](const HttpResponse& r) {
    EXPECT_EQ(r.status, 500) << r.body;
    EXPECT_NE(json::parse(r.body)["message"].get<std::string>().find(
                  "could not be saved, so nothing was changed"),
              std::string::npos)
        << r.body;
  };
  int started = w.backend.started;
  expect_500(w.call("POST", "/connectors", create_body("new")));
  expect_500(
      w.call("PUT", "/connectors/new2/config", R"({"connector.class":"Memory","topics":"t"})"));
  expect_500(w.call("PUT", "/connectors/kept/config",
                    R"({"connector.class":"Memory","topics":"changed"})"));
  expect_500(w.call("PATCH", "/connectors/kept/config", R"({"topics":"patched"})"));
  expect_500(w.call("PUT", "/connectors/kept/pause"));
  expect_500(w.call("PUT", "/connectors/kept/stop"));
  expect_500(w.call("PUT", "/connectors/paused/resume"));
  expect_500(w.call("DELETE", "/connectors/kept"));

  EXPECT_EQ(w.connectors(), json::parse(R"(["kept","paused"])"));
  EXPECT_EQ(json::parse(w.call("GET", "/connectors/kept/config").body)["topics"], "t");
  EXPECT_EQ(w.target("kept"), "RUNNING");
  EXPECT_EQ(w.target("paused"), "PAUSED");
  EXPECT_EQ(w.backend.started, started);  // no task was started for a change that was not made
  EXPECT_EQ(sentinel::test::read_file(w.store.path()), saved);

  // An unchanged config needs no save and still succeeds.
  EXPECT_EQ(w.call("PUT", "/connectors/kept/config", R"({"connector.class":"Memory","topics":"t"})")
                .status,
            200);

  fs::remove(w.store.path() + ".tmp");
  ASSERT_EQ(w.call("DELETE", "/connectors/kept").status, 204);
  ASSERT_EQ(w.call("POST", "/connectors", create_body("new")).status, 201);
  PersistedWorker again(dir.path());
  EXPECT_EQ(again.connectors(), json::parse(R"(["new","paused"])"));
  EXPECT_EQ(again.target("paused"), "PAUSED");
}

}  // namespace
}  // namespace sentinel::connect

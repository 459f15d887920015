// Connector names and UTF-8: the name rules, refused with Connect's 400 envelope on every REST
// path that creates a connector (and nothing created), in validation (which connector files and
// --check-config go through), and at state-file load; config text that is not UTF-8 is refused
// at validation and can never make the state store throw.
#include "connect-sink/runtime/connector_name.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "connect-sink/runtime/state_store.h"
#include "connect-sink/runtime/utf8.h"
#include "rest-api/rest_api.h"
#include "tests/support/connect_fakes.h"
#include "tests/support/process.h"

namespace sentinel::connect {
namespace {

using json = nlohmann::json;

TEST(Utf8, WellFormedOnly) {
  size_t bad = 99;
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_TRUE(valid_utf8("\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(valid_utf8("ab\xFF", &bad));
  EXPECT_EQ(bad, 2u);
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(valid_utf8("\xE2\x82"));          // truncated
  EXPECT_EQ(utf8_length("\xC3\xA9t\xC3\xA9"), 3u);
}

TEST(ConnectorName, Rules) {
  EXPECT_EQ(connector_name_problem("archive-1"), "");
  EXPECT_EQ(connector_name_problem("\xC3\xA9t\xC3\xA9 sink"), "");
  EXPECT_EQ(connector_name_problem(std::string(249, 'a')), "");
  EXPECT_EQ(connector_name_problem(std::string(249, 'a') + "b"),
            "String must be at most 249 characters long, but has 250");
  EXPECT_EQ(connector_name_problem(std::string(300, '\xE2')),
            connector_name_problem("\xE2"));  // UTF-8 first
  EXPECT_EQ(connector_name_problem("  "), "String may not be empty");
  EXPECT_EQ(connector_name_problem("\xff\xfe"),
            "String must be valid UTF-8, but the byte at offset 0 (0xFF) is not");
  EXPECT_EQ(connector_name_problem("a\nb"),
            "String may not contain control sequences but had the following ASCII chars: 10");
  EXPECT_EQ(connector_name_problem("a\xC2\x85"),
            "String may not contain control characters, but has U+0085");
  EXPECT_NE(connector_name_problem("a/b"), "");
  EXPECT_NE(connector_name_problem(".."), "");
  EXPECT_NE(connector_name_problem("."), "");
  EXPECT_EQ(connector_name_problem("a.b"), "");
  EXPECT_EQ(printable_name("a\xff\nb"), "a\\xFF\\x0Ab");
  EXPECT_EQ(printable_name(std::string(100, 'x')), std::string(64, 'x') + "… (100 bytes)");
}

struct Api {
  explicit Api(const std::string& state_dir) : store(state_dir) {
    plugins.add(testing::memory_sink_plugin());
    WorkerSettings s;
    s.validation.plugins = &plugins;
    herder = std::make_unique<Herder>(s, &backend, &store);
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
  PluginRegistry plugins;
  testing::FakeBackend backend;
  StateStore store;
  std::unique_ptr<Herder> herder;
  std::unique_ptr<RestApi> api;
};

const std::string kConfig = R"({"connector.class":"Memory","topics":"t"})";

void expect_refused_name(const HttpResponse& r, const std::string& problem) {
  EXPECT_EQ(r.status, 400) << r.body;
  json j = json::parse(r.body);  // valid JSON even when the name is not UTF-8
  EXPECT_EQ(j["error_code"], 400);
  EXPECT_NE(j["message"].get<std::string>().find(problem), std::string::npos) << j["message"];
}

TEST(ConnectorName, RefusedOnEveryRestPathAndNothingIsCreatedOrSaved) {
  sentinel::test::TempDir dir;
  Api a(dir.path());
  ASSERT_EQ(a.call("POST", "/connectors", R"({"name":"good","config":)" + kConfig + "}").status,
            201);
  expect_refused_name(a.call("PUT", "/connectors/\xff\xfe/config", kConfig), "must be valid UTF-8");
  std::string long_name(10000, 'n');
  expect_refused_name(a.call("PUT", "/connectors/" + long_name + "/config", kConfig),
                      "at most 249 characters");
  expect_refused_name(
      a.call("POST", "/connectors", R"({"name":")" + long_name + R"(","config":)" + kConfig + "}"),
      "at most 249 characters");
  expect_refused_name(a.call("POST", "/connectors", R"({"name":"..","config":)" + kConfig + "}"),
                      "'.' or '..'");
  EXPECT_EQ(a.call("PUT", "/connectors/a\x01/config", kConfig).status, 400);
  EXPECT_EQ(json::parse(a.call("GET", "/connectors").body), json::parse(R"(["good"])"));

  // What was saved is what exists: a new worker over the same state sees the same connectors.
  Api again(dir.path());
  std::string error;
  ASSERT_TRUE(again.herder->restore(&error)) << error;
  EXPECT_EQ(json::parse(again.call("GET", "/connectors").body), json::parse(R"(["good"])"));
}

TEST(ConnectorName, ValidationRefusesSlashesSoConnectorFilesAndCheckConfigDoToo) {
  PluginRegistry plugins;
  plugins.add(testing::memory_sink_plugin());
  ValidationContext ctx;
  ctx.plugins = &plugins;
  ValidationResult r;
  int status = 0;
  std::string message;
  ASSERT_TRUE(validate_connector_config(
      ctx, {{"connector.class", "Memory"}, {"name", "a/b"}, {"topics", "t"}}, &r, &status,
      &message));
  ASSERT_EQ(r.error_count, 1);
  EXPECT_EQ(
      r.errors[0].rfind("Invalid value a/b for configuration name: String may not contain '/'", 0),
      0u)
      << r.errors[0];
}

TEST(ConnectorName, ConfigTextThatIsNotUtf8IsRefusedAtValidation) {
  PluginRegistry plugins;
  plugins.add(testing::memory_sink_plugin());
  ValidationContext ctx;
  ctx.plugins = &plugins;
  ValidationResult r;
  int status = 0;
  std::string message;
  ASSERT_TRUE(validate_connector_config(ctx,
                                        {{"connector.class", "Memory"},
                                         {"name", "n"},
                                         {"topics", "t\xff"},
                                         {"x\xfe", "1"},
                                         {"my.password", "p\xff"}},
                                        &r, &status, &message));
  EXPECT_EQ(r.error_count, 3) << json(r.errors).dump(-1, ' ', false,
                                                     json::error_handler_t::replace);
  std::string all;
  for (const auto& e : r.errors) all += e + "\n";
  EXPECT_NE(all.find("Invalid value t\\xFF for configuration topics: String must be valid UTF-8"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("Invalid configuration key x\\xFE: it is not valid UTF-8"), std::string::npos)
      << all;
  EXPECT_NE(all.find("Invalid value [hidden] for configuration my.password"), std::string::npos)
      << all;
}

TEST(StateStore, NeverThrowsOnTextThatIsNotUtf8) {
  sentinel::test::TempDir dir;
  StateStore store(dir.path());
  std::string error;
  EXPECT_FALSE(
      store.save({{"c", StoredConnector{{{"file", "a\xff"}}, TargetState::kStarted}}}, &error));
  EXPECT_NE(error.find("connector \"c\": config file is not valid UTF-8"), std::string::npos)
      << error;
  EXPECT_FALSE(std::filesystem::exists(store.path()));
}

TEST(StateStore, RefusesAtLoadANameTheWorkerWouldRefuse) {
  sentinel::test::TempDir dir;
  StateStore store(dir.path());
  std::string long_name(10000, 'n');
  for (const std::string& name : {long_name, std::string("a/b")}) {
    sentinel::test::write_file(
        store.path(),
        json{{"version", 1}, {"connectors", {{name, {{"config", {{"name", name}}}}}}}}.dump());
    std::map<std::string, StoredConnector> out;
    std::string error;
    EXPECT_FALSE(store.load(&out, &error)) << name;
    EXPECT_NE(error.find("rename the connector in the file"), std::string::npos) << error;
    EXPECT_NE(error.find(store.path()), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace sentinel::connect

// Secret config values — PASSWORD-typed keys and every key whose name contains secret, password,
// jaas, oauthbearer or user.info (any case) — show as [hidden] in every answer: GET config, GET
// connector, tasks, tasks-config, expand=info, validate, and error messages.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/kafka.h"
#include "rest-api/http_request_parser.h"
#include "rest-api/rest_api.h"
#include "tests/support/connect_fakes.h"

namespace sentinel::connect {
namespace {

using json = nlohmann::json;

const std::map<std::string, std::string> kSecrets = {
    {"my.custom.password", "pw-1"},
    {"value.converter.basic.auth.user.info", "user:pw-2"},
    {"consumer.override.sasl.oauthbearer.config", "clientSecret=pw-3"},
    {"Some.SECRET.Key", "pw-4"},
    {"secret", "pw-5"},  // the plugin's PASSWORD-typed key
};

struct SecretsApi {
  SecretsApi() {
    plugins.add(testing::memory_sink_plugin());
    WorkerSettings s;
    s.validation.plugins = &plugins;
    herder = std::make_unique<Herder>(s, &backend, nullptr);
    api = std::make_unique<RestApi>(herder.get(), ServerInfo{});
  }
  std::string call(const std::string& method, const std::string& path,
                   const std::string& body = "") {
    HttpRequest r;
    r.method = method;
    std::string error;
    EXPECT_TRUE(split_target(path, &r.path, &r.query, &error)) << error;
    r.body = body;
    r.content_type = body.empty() ? "" : "application/json";
    HttpResponse out = api->handle(r);
    EXPECT_LT(out.status, 300) << method << " " << path << ": " << out.body;
    return out.body;
  }
  PluginRegistry plugins;
  testing::FakeBackend backend;
  std::unique_ptr<Herder> herder;
  std::unique_ptr<RestApi> api;
};

TEST(SecretKeys, NamesThatHoldSecrets) {
  for (const auto& [k, v] : kSecrets)
    EXPECT_TRUE(kafka::is_secret_property(k) || k == "secret") << k;
  EXPECT_TRUE(kafka::is_secret_property("sasl.jaas.config"));
  EXPECT_FALSE(kafka::is_secret_property("topics"));
  EXPECT_FALSE(kafka::is_secret_property("consumer.override.max.poll.records"));
}

TEST(SecretKeys, HiddenInEveryAnswer) {
  SecretsApi a;
  json config = {{"connector.class", "Memory"}, {"topics", "t"}, {"tasks.max", "2"}};
  for (const auto& [k, v] : kSecrets) config[k] = v;
  a.call("POST", "/connectors", json{{"name", "c"}, {"config", config}}.dump());
  std::vector<std::string> answers = {
      a.call("GET", "/connectors/c/config"),
      a.call("GET", "/connectors/c"),
      a.call("GET", "/connectors/c/tasks"),
      a.call("GET", "/connectors/c/tasks-config"),
      a.call("GET", "/connectors?expand=info&expand=status"),
      a.call("PUT", "/connector-plugins/Memory/config/validate", config.dump()),
      a.call("PUT", "/connectors/c/config", config.dump()),
  };
  for (const std::string& body : answers) {
    for (int i = 1; i <= 5; ++i) {
      EXPECT_EQ(body.find("pw-" + std::to_string(i)), std::string::npos) << body;
    }
    EXPECT_NE(body.find("[hidden]"), std::string::npos) << body;
  }
  json shown = json::parse(a.call("GET", "/connectors/c/config"));
  for (const auto& [k, v] : kSecrets) EXPECT_EQ(shown[k], "[hidden]") << k;
  EXPECT_EQ(shown["topics"], "t");

  // A bad value of a secret key is not quoted back in the error either.
  config["my.custom.password"] = "pw-6";
  config["consumer.override.sasl.oauthbearer.config"] = nullptr;
  HttpRequest r;
  r.method = "PUT";
  r.path = "/connector-plugins/Memory/config/validate";
  r.body = config.dump();
  std::string validated = a.api->handle(r).body;
  EXPECT_EQ(validated.find("pw-6"), std::string::npos) << validated;
}

TEST(SecretKeys, HiddenValueSentBackKeepsTheStoredOne) {
  SecretsApi a;
  json config = {{"connector.class", "Memory"}, {"topics", "t"}, {"my.custom.password", "pw-1"}};
  a.call("POST", "/connectors", json{{"name", "c"}, {"config", config}}.dump());
  json edited = json::parse(a.call("GET", "/connectors/c/config"));
  edited["topics"] = "t2";
  a.call("PUT", "/connectors/c/config", edited.dump());
  ASSERT_NE(a.backend.last, nullptr);
  EXPECT_EQ(a.backend.last->spec_.task_config.at("my.custom.password"), "pw-1");
}

}  // namespace
}  // namespace sentinel::connect

// Validation: Connect's messages and the ConfigInfos shape.
#include "connect-sink/runtime/connector_config.h"

#include <gtest/gtest.h>

#include "tests/support/connect_fakes.h"
#include "tests/support/process.h"

namespace sentinel::connect {
namespace {

struct Fixture {
  Fixture() {
    plugins.add(testing::memory_sink_plugin());
    ctx.plugins = &plugins;
  }
  ValidationResult validate(const RawConfig& c) {
    ValidationResult r;
    int status = 0;
    std::string message;
    EXPECT_TRUE(validate_connector_config(ctx, c, &r, &status, &message)) << message;
    return r;
  }
  PluginRegistry plugins;
  ValidationContext ctx;
};

bool has(const std::vector<std::string>& errors, const std::string& e) {
  return std::find(errors.begin(), errors.end(), e) != errors.end();
}

TEST(ConnectorConfig, MissingOrUnknownConnectorClassStopsBeforeValidation) {
  Fixture f;
  ValidationResult r;
  int status = 0;
  std::string message;
  EXPECT_FALSE(validate_connector_config(f.ctx, {{"name", "a"}}, &r, &status, &message));
  EXPECT_EQ(status, 400);
  EXPECT_EQ(message, "Connector config {name=a} contains no connector type");
  EXPECT_FALSE(
      validate_connector_config(f.ctx, {{"connector.class", "Nope"}}, &r, &status, &message));
  EXPECT_EQ(status, 400);
  EXPECT_NE(message.find("Failed to find any class that implements Connector and which name "
                         "matches Nope, available "
                         "connectors are: com.example.MemorySinkConnector"),
            std::string::npos);
}

TEST(ConnectorConfig, ConnectErrorTexts) {
  Fixture f;
  auto r = f.validate({{"connector.class", "Memory"},
                       {"name", ""},
                       {"tasks.max", "0"},
                       {"errors.tolerance", "foo"},
                       {"topics", "a"},
                       {"topics.regex", "b.*"},
                       {"secret", std::nullopt}});
  EXPECT_TRUE(has(r.errors, "Invalid value  for configuration name: String may not be empty"));
  EXPECT_TRUE(
      has(r.errors, "Invalid value 0 for configuration tasks.max: Value must be at least 1"));
  EXPECT_TRUE(has(
      r.errors,
      "Invalid value foo for configuration errors.tolerance: String must be one of: none, all"));
  EXPECT_TRUE(
      has(r.errors, "topics and topics.regex are mutually exclusive options, but both are set."));
  EXPECT_TRUE(has(r.errors, "Null value can not be supplied as the configuration value."));
  auto none = f.validate({{"connector.class", "Memory"}, {"name", "x"}, {"tasks.max", "x"}});
  EXPECT_TRUE(has(none.errors, "Must configure one of topics or topics.regex"));
  EXPECT_TRUE(
      has(none.errors, "Invalid value x for configuration tasks.max: Not a number of type INT"));
  EXPECT_EQ(none.error_count, 3);  // the topics message counts once per key
  auto dlq = f.validate({{"connector.class", "Memory"},
                         {"name", "x"},
                         {"topics", "a,dlq"},
                         {"errors.deadletterqueue.topic.name", "dlq"}});
  EXPECT_TRUE(
      has(dlq.errors,
          "The DLQ topic 'dlq' may not be included in the list of topics ('topics=[a, dlq]') "
          "consumed by the connector"));
  auto missing = f.validate({{"connector.class", "Memory"}, {"topics", "a"}});
  EXPECT_TRUE(
      has(missing.errors, "Missing required configuration \"name\" which has no default value."));
}

TEST(ConnectorConfig, ConfigInfosShapeHidesPasswordsAndListsPluginKeysLast) {
  Fixture f;
  auto r = f.validate({{"connector.class", "Memory"},
                       {"name", "x"},
                       {"topics", "a, b"},
                       {"secret", "hunter2"},
                       {"consumer.override.max.poll.interval.ms", "60000"},
                       {"unknown.key", "kept out"}});
  EXPECT_EQ(r.error_count, 0) << invalid_config_message(r);
  const auto& j = r.infos;
  EXPECT_EQ(j["name"], "Memory");
  EXPECT_EQ(j["groups"][0], "Common");
  EXPECT_EQ(j["groups"][3], "Error Handling");
  EXPECT_EQ(j["groups"].back(), "Memory");
  const auto& configs = j["configs"];
  EXPECT_TRUE(configs[0]["definition"].is_null());
  EXPECT_EQ(configs[0]["value"]["name"], "consumer.override.max.poll.interval.ms");
  EXPECT_EQ(configs.back()["definition"]["name"], "secret");
  EXPECT_EQ(configs.back()["definition"]["type"], "PASSWORD");
  EXPECT_EQ(configs.back()["value"]["value"], "[hidden]");
  for (const auto& c : configs) {
    EXPECT_NE(c["value"]["name"], "unknown.key");
    if (c["value"]["name"] == "topics") {
      EXPECT_EQ(c["value"]["value"], "a,b");
    }
    if (c["value"]["name"] == "name") {
      EXPECT_EQ(c["definition"]["required"], true);
      EXPECT_TRUE(c["definition"]["default_value"].is_null());
      EXPECT_EQ(c["definition"]["order"], 1);
      EXPECT_EQ(c["definition"]["width"], "MEDIUM");
    }
    if (c["value"]["name"] == "path") {
      EXPECT_EQ(c["definition"]["required"], false);
      EXPECT_TRUE(c["definition"]["group"].is_null());
      EXPECT_EQ(c["definition"]["order"], -1);
    }
  }
}

TEST(ConnectorConfig, PluginValidatorPathConfinementAndJaasOverride) {
  Fixture f;
  test::TempDir root;
  f.ctx.archive_root = root.path();
  auto r = f.validate({{"connector.class", "Memory"},
                       {"name", "x"},
                       {"topics", "a"},
                       {"path", "../../etc/cron.d/x"},
                       {"consumer.override.sasl.jaas.config",
                        "com.sun.security.auth.module.JndiLoginModule required;"},
                       {"consumer.override.no.such.property", "1"}});
  ASSERT_EQ(r.error_count, 3) << invalid_config_message(r);
  EXPECT_NE(invalid_config_message(r).find(
                "Invalid value ../../etc/cron.d/x for configuration path: path must not "
                "contain '..'"),
            std::string::npos);
  EXPECT_NE(invalid_config_message(r).find("sasl.jaas.config overrides are refused by this worker"),
            std::string::npos);
  EXPECT_NE(invalid_config_message(r).find("No such configuration property"), std::string::npos);
  EXPECT_EQ(invalid_config_message(r).find("JndiLoginModule"),
            std::string::npos);  // the secret is not echoed
  auto plugin = f.validate(
      {{"connector.class", "Memory"}, {"name", "x"}, {"topics", "a"}, {"path", "forbidden"}});
  EXPECT_TRUE(has(plugin.errors, "path may not be 'forbidden'"));
  f.ctx.allow_jaas_override = true;
  auto allowed = f.validate({{"connector.class", "Memory"},
                             {"name", "x"},
                             {"topics", "a"},
                             {"consumer.override.sasl.jaas.config", "x required;"}});
  // Allowed by the worker, the value still goes through librdkafka's own check (which refuses
  // Java JAAS syntax, so the CVE-2023-25194 class of attack cannot reach a JNDI login module).
  EXPECT_EQ(invalid_config_message(allowed).find("refused by this worker"), std::string::npos);
}

TEST(ConnectorConfig, InvalidMessageEndsWithTheValidateEndpointHint) {
  Fixture f;
  auto r = f.validate({{"connector.class", "Memory"}, {"name", "x"}});
  std::string m = invalid_config_message(r);
  EXPECT_EQ(
      m.rfind("Connector configuration is invalid and contains the following 2 error(s):\n", 0), 0u)
      << m;
  EXPECT_TRUE(
      m.ends_with("\nYou can also find the above list of errors at the endpoint "
                  "`/connector-plugins/{connectorType}/config/validate`"));
}

}  // namespace
}  // namespace sentinel::connect

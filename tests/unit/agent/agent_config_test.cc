// agent.yaml as the agent reads it: defaults, overrides, and errors that name the place.
#include "agent/agent_config.h"

#include <gtest/gtest.h>

namespace sentinel::agent {
namespace {

EnvLookup env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

AgentConfig parse(const std::string& text, const std::string& bootstrap = "",
                  std::map<std::string, std::string> vars = {}) {
  return parse_agent_config(ConfigFile::parse(text, "agent.yaml", env(vars)), bootstrap);
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(AgentConfig, DefaultsMatchTheDocumentedOnes) {
  AgentConfig c = parse("kafka: {bootstrap.servers: 'k:9092'}\n");
  EXPECT_EQ(c.interval, std::chrono::seconds(10));
  EXPECT_EQ(c.topic, "system_metrics");
  EXPECT_EQ(c.key_mode, KeyMode::kResource);
  EXPECT_EQ(c.buffer_max_bytes, 16u * 1024 * 1024);
  EXPECT_EQ(c.topic_spec.config.at("retention.ms"), "86400000");
  EXPECT_EQ(c.collectors.size(), 7u);
  EXPECT_FALSE(c.host.empty());
}

TEST(AgentConfig, BootstrapFlagOverridesTheFileAndEnvironmentFillsValues) {
  AgentConfig c =
      parse("host: ${H}\nkafka: {bootstrap.servers: 'file:9092'}\n", "flag:9092", {{"H", "web-7"}});
  EXPECT_EQ(c.kafka.at("bootstrap.servers"), "flag:9092");
  EXPECT_EQ(c.host, "web-7");
}

TEST(AgentConfig, UserKafkaPropertiesWinOverSentinelDefaults) {
  AgentConfig c =
      parse("kafka: {bootstrap.servers: 'k:1', linger.ms: '5', compression.type: zstd}\n");
  kafka::Properties p = producer_properties(c);
  EXPECT_EQ(p.at("linger.ms"), "5");
  EXPECT_EQ(p.at("enable.idempotence"), "true");
  EXPECT_EQ(p.at("message.timeout.ms"), "0");
  EXPECT_EQ(p.at("queue.buffering.max.kbytes"), "16384");
}

TEST(AgentConfig, DisabledCollectorsAreNotBuilt) {
  AgentConfig c = parse(
      "kafka: {bootstrap.servers: 'k:1'}\ncollectors:\n  disk: {enabled: false}\n"
      "  pressure: {enabled: no}\n");
  EXPECT_EQ(c.collectors.size(), 5u);
  for (const auto& col : c.collectors) {
    EXPECT_STRNE(col->name(), "disk");
    EXPECT_STRNE(col->name(), "pressure");
  }
}

TEST(AgentConfig, ErrorsNameFileLineAndKey) {
  EXPECT_NE(error_of("interval: 50ms\nkafka: {bootstrap.servers: 'k:1'}\n")
                .find("agent.yaml:1: interval: must be at least 100ms"),
            std::string::npos);
  EXPECT_NE(error_of("kafka: {bootstrap.servers: 'k:1'}\nbuffer:\n  max_bytes: lots\n")
                .find("agent.yaml:3: buffer.max_bytes: \"lots\": expected a size"),
            std::string::npos);
  EXPECT_NE(error_of("interval: 1s\n").find("bootstrap.servers is not set"), std::string::npos);
  EXPECT_NE(
      error_of("kafka: {bootstrap.servers: 'k:1', acks: sometimes}\n").find("kafka property acks"),
      std::string::npos);
  EXPECT_NE(error_of("kafka: {bootstrap.servers: 'k:1'}\ncollectors:\n  disk: {timeout: never}\n")
                .find("agent.yaml:3: collectors.disk.timeout"),
            std::string::npos);
}

TEST(AgentConfig, UnknownKeysAreWarnedWithLines) {
  AgentConfig c = parse(
      "kafka: {bootstrap.servers: 'k:1'}\ncolectors: {}\ncollectors:\n  cpu: {per_cor: false}\n");
  ASSERT_EQ(c.warnings.size(), 2u);
  EXPECT_EQ(c.warnings[0], "agent.yaml:2: unknown key colectors");
  EXPECT_EQ(c.warnings[1], "agent.yaml:4: unknown key collectors.cpu.per_cor");
}

}  // namespace
}  // namespace sentinel::agent

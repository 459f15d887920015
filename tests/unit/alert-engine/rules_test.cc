// alerts.yaml parsing: the shipped defaults load, and every mistake names file:line and key.
#include "alert-engine/rules.h"

#include <gtest/gtest.h>

#include "tests/support/build_paths.h"

namespace sentinel::alerts {
namespace {

AlertsConfig parse(const std::string& text) {
  return parse_alerts_config(ConfigFile::parse(text, "alerts.yaml"), "");
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

const char* kHead = "kafka: {bootstrap.servers: \"k:9092\"}\nrules:\n  cpu_high:\n";

TEST(AlertRules, ShippedDefaultsLoadWithoutWarnings) {
  auto config = parse_alerts_config(
      ConfigFile::load(sentinel::test::source_dir() + "/config/alerts.yaml"), "k:9092");
  size_t http = 0;
  for (const auto& r : config.rules) http += r.from_http;
  EXPECT_EQ(config.rules.size() - http, 6u);
  EXPECT_EQ(http, 6u);  // 5xx and 4xx × global, ip, url, from config/thresholds.json
  EXPECT_TRUE(config.warnings.empty()) << config.warnings.front();
  EXPECT_DOUBLE_EQ(config.thresholds.ip.shares.err4xx.value_or(-1), 0.3);
  EXPECT_TRUE(config.host_silent.enabled);
  EXPECT_EQ(config.kafka.at("bootstrap.servers"), "k:9092");
}

TEST(AlertRules, FullRuleIsParsed) {
  auto c = parse(std::string(kHead) +
                 "    resource: disk\n    metric: used_pct\n    match: {fstype: ext4}\n"
                 "    group_by: [host, mount]\n    window: 5m\n    advance: 1m\n    agg: p95\n"
                 "    above: 90\n    resolve: 85\n    for: 3\n    keep_firing_for: 2m\n"
                 "    flapping: {max_firings: 4, window: 1h}\n    severity: critical\n");
  ASSERT_EQ(c.rules.size(), 1u);
  const Rule& r = c.rules[0];
  EXPECT_EQ(r.name, "cpu_high");
  EXPECT_EQ(r.window.size_ms, 300000);
  EXPECT_EQ(r.window.advance_ms, 60000);
  EXPECT_EQ(r.agg, Agg::kP95);
  EXPECT_EQ(r.op, Op::kAbove);
  EXPECT_EQ(*r.resolve, 85);
  EXPECT_EQ(r.for_windows, 3);
  EXPECT_EQ(r.keep_firing_for_ms, 120000);
  EXPECT_EQ(r.flap_max_firings, 4);
  EXPECT_EQ(r.group_by, (std::vector<std::string>{"host", "mount"}));
  EXPECT_EQ(r.where, "alerts.yaml:4");
}

TEST(AlertRules, UnknownAggregationNamesFileLineAndKey) {
  std::string e = error_of(std::string(kHead) +
                           "    resource: cpu\n    metric: usage_pct\n    window: 60s\n"
                           "    agg: median\n    above: 90\n");
  EXPECT_NE(e.find("alerts.yaml:7: rules.cpu_high.agg: \"median\": expected one of avg"),
            std::string::npos)
      << e;
}

TEST(AlertRules, MissingMetricIsAnError) {
  std::string e =
      error_of(std::string(kHead) + "    resource: cpu\n    window: 60s\n    above: 90\n");
  EXPECT_NE(e.find("alerts.yaml:4: rules.cpu_high.metric: missing"), std::string::npos) << e;
}

TEST(AlertRules, BothAboveAndBelowIsAnError) {
  std::string e = error_of(std::string(kHead) +
                           "    resource: cpu\n    metric: m\n    window: 60s\n    above: 90\n"
                           "    below: 10\n");
  EXPECT_NE(e.find("alerts.yaml:8: rules.cpu_high.below: expected exactly one of above"),
            std::string::npos)
      << e;
}

TEST(AlertRules, ResolveThresholdOnTheWrongSideIsAnError) {
  std::string e = error_of(std::string(kHead) +
                           "    resource: cpu\n    metric: m\n    window: 60s\n    above: 90\n"
                           "    resolve: 95\n");
  EXPECT_NE(e.find("alerts.yaml:8: rules.cpu_high.resolve: 95 is above the threshold 90"),
            std::string::npos)
      << e;
}

TEST(AlertRules, AdvanceLongerThanWindowIsAnError) {
  std::string e = error_of(std::string(kHead) +
                           "    resource: cpu\n    metric: m\n    window: 60s\n    advance: 2m\n"
                           "    above: 90\n");
  EXPECT_NE(e.find("alerts.yaml:7: rules.cpu_high.advance:"), std::string::npos) << e;
}

TEST(AlertRules, BadDurationAndNumberAreErrors) {
  std::string e = error_of(std::string(kHead) +
                           "    resource: cpu\n    metric: m\n    window: 60x\n    above: 90\n");
  EXPECT_NE(e.find("alerts.yaml:6: rules.cpu_high.window:"), std::string::npos) << e;
  e = error_of(std::string(kHead) +
               "    resource: cpu\n    metric: m\n    window: 60s\n"
               "    above: lots\n");
  EXPECT_NE(e.find("alerts.yaml:7: rules.cpu_high.above: \"lots\": expected a number"),
            std::string::npos)
      << e;
}

TEST(AlertRules, MissingBootstrapServersIsAnError) {
  std::string e = error_of("rules:\n  r: {resource: cpu, metric: m, window: 1m, above: 1}\n");
  EXPECT_NE(e.find("bootstrap.servers is missing"), std::string::npos) << e;
}

TEST(AlertRules, UnknownKeysBecomeWarningsWithLines) {
  auto c = parse(std::string(kHead) +
                 "    resource: cpu\n    metric: m\n    window: 60s\n    above: 90\n"
                 "    treshold: 3\n");
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0], "alerts.yaml:8: unknown key rules.cpu_high.treshold");
}

}  // namespace
}  // namespace sentinel::alerts

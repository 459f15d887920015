// Which rules are partition-local for which key of the input (docs/alerts.md, Several
// instances): the rest are re-keyed, or evaluated per instance with re-keying off.
#include "alert-engine/locality.h"

#include <gtest/gtest.h>

#include "common/config.h"
#include "tests/support/process.h"

namespace sentinel::alerts {
namespace {

Rule metric_rule(std::vector<std::string> group_by) {
  Rule r;
  r.name = "r";
  r.resource = "cpu";
  r.group_by = std::move(group_by);
  return r;
}

TEST(Locality, KeyedByResourceEveryMetricRuleIsLocal) {
  for (auto g : std::vector<std::vector<std::string>>{{"host"}, {}, {"mount"}, {"host", "cpu"}}) {
    EXPECT_TRUE(partition_local(metric_rule(g), InputKey::kResource));
  }
}

TEST(Locality, KeyedByHostOnlyRulesGroupedByHostAreLocal) {
  for (InputKey k : {InputKey::kHost, InputKey::kHostResource}) {
    EXPECT_TRUE(partition_local(metric_rule({"host"}), k));
    EXPECT_TRUE(partition_local(metric_rule({"mount", "host"}), k));
    EXPECT_FALSE(partition_local(metric_rule({}), k));  // fleet-wide
    EXPECT_FALSE(partition_local(metric_rule({"mount"}), k));
  }
  EXPECT_FALSE(partition_local(metric_rule({"host"}), InputKey::kOther));
}

TEST(Locality, HttpLogsAreKeyedByClientIp) {
  Rule ip, site, url;
  ip.from_http = site.from_http = url.from_http = true;
  ip.group_by = {"client_ip"};
  site.group_by = {"host"};
  url.group_by = {"host", "path"};
  for (InputKey k : {InputKey::kResource, InputKey::kHost}) {
    EXPECT_TRUE(partition_local(ip, k));
    EXPECT_FALSE(partition_local(site, k));
    EXPECT_FALSE(partition_local(url, k));
  }
}

TEST(Locality, TheConfigPlacesRulesAndNamesBadSettings) {
  test::TempDir dir;
  test::write_file(dir.file("alerts.yaml"),
                   "kafka: {bootstrap.servers: localhost:9092}\n"
                   "input: {key: host}\n"
                   "rules:\n"
                   "  cpu_high: {resource: cpu, metric: usage_pct, window: 60s, above: 90}\n"
                   "  fleet: {resource: cpu, metric: usage_pct, group_by: [], window: 60s, "
                   "above: 90}\n");
  AlertsConfig c = load_alerts_config(dir.file("alerts.yaml"), "");
  EXPECT_EQ(c.input_key, InputKey::kHost);
  EXPECT_EQ(c.rules.at(0).placement, Placement::kLocal);
  EXPECT_EQ(c.rules.at(1).placement, Placement::kRekeyed);
  EXPECT_EQ(c.repartition.topic, "sentinel-alerts-repartition");
  EXPECT_EQ(c.repartition.partitions, 12);
  EXPECT_EQ(c.repartition.retention_ms, 86400000);

  test::write_file(dir.file("alerts.yaml"),
                   "kafka: {bootstrap.servers: localhost:9092}\n"
                   "input: {key: host}\n"
                   "repartition: {enabled: false}\n"
                   "rules:\n"
                   "  fleet: {resource: cpu, metric: usage_pct, group_by: [], window: 60s, "
                   "above: 90}\n");
  EXPECT_EQ(load_alerts_config(dir.file("alerts.yaml"), "").rules.at(0).placement,
            Placement::kCrossPartitions);

  test::write_file(dir.file("alerts.yaml"),
                   "kafka: {bootstrap.servers: localhost:9092}\n"
                   "input: {key: hostname}\n"
                   "rules:\n"
                   "  fleet: {resource: cpu, metric: usage_pct, window: 60s, above: 90}\n");
  try {
    load_alerts_config(dir.file("alerts.yaml"), "");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("alerts.yaml:2: input.key"), std::string::npos)
        << e.what();
  }
  test::write_file(dir.file("alerts.yaml"),
                   "kafka: {bootstrap.servers: localhost:9092}\n"
                   "repartition: {topic: system_alerts, partitions: 0}\n"
                   "rules:\n"
                   "  fleet: {resource: cpu, metric: usage_pct, window: 60s, above: 90}\n");
  try {
    load_alerts_config(dir.file("alerts.yaml"), "");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("repartition.partitions"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sentinel::alerts

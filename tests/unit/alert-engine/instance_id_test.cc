// sentinel-alerts' static membership identity: from input.instance_id or the host name, turned
// off by an empty kafka: group.instance.id, never used by --drain runs.
#include "alert-engine/instance_id.h"

#include <gtest/gtest.h>

#include "common/static_membership.h"

namespace sentinel::alerts {
namespace {

AlertsConfig parse_with_kafka(const std::string& text, const std::string& kafka_extra = "") {
  return parse_alerts_config(
      ConfigFile::parse("kafka: {bootstrap.servers: k:9092" + kafka_extra + "}\n" + text,
                        "alerts.yaml"),
      "");
}

TEST(AlertsInstanceId, DefaultsToTheHostName) {
  EXPECT_EQ(group_instance_id(parse_with_kafka(""), false),
            kafka::group_instance_id(kafka::host_name()));
}

TEST(AlertsInstanceId, InputInstanceIdNamesIt) {
  AlertsConfig c = parse_with_kafka("input: {group: alert-group, instance_id: web-1-b}\n");
  EXPECT_TRUE(c.warnings.empty()) << c.warnings[0];
  EXPECT_EQ(group_instance_id(c, false), "web-1-b");
}

TEST(AlertsInstanceId, KafkaGroupInstanceIdWinsAndEmptyTurnsItOff) {
  EXPECT_EQ(group_instance_id(
                parse_with_kafka("input: {instance_id: y}\n", ", group.instance.id: x"), false),
            "x");
  EXPECT_EQ(group_instance_id(parse_with_kafka("", ", group.instance.id: \"\""), false), "");
}

TEST(AlertsInstanceId, DrainRunsAreNeverStaticMembers) {
  EXPECT_EQ(group_instance_id(parse_with_kafka("input: {instance_id: y}\n"), true), "");
}

}  // namespace
}  // namespace sentinel::alerts

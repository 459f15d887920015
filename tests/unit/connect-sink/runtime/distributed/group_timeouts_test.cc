// The workers' group timeouts (session.timeout.ms, heartbeat.interval.ms, rebalance.timeout.ms):
// Sentinel's defaults (lower than Connect's), read from the worker's file, refused where the
// consumer would refuse them, and passed to the group's consumer (rebalance.timeout.ms as
// librdkafka's max.poll.interval.ms).
#include <gtest/gtest.h>

#include "connect-sink/runtime/distributed/worker_group.h"
#include "connect-sink/runtime/worker_config.h"
#include "tests/unit/connect-sink/runtime/distributed/worker_file.h"

namespace sentinel::connect::distributed {
namespace {

using testing::error_of;
using testing::kDistributed;
using testing::parse;

// Lower than Connect's 10 s and 3 s: a killed worker's tasks move within 10 s (worker_config.h).
TEST(GroupTimeouts, DefaultsHandAKilledWorkersTasksOverWithinTenSeconds) {
  DistributedSettings d = *parse(kDistributed).distributed;
  EXPECT_EQ(d.session_timeout_ms, 6000);
  EXPECT_EQ(d.heartbeat_interval_ms, 1000);
  EXPECT_EQ(d.rebalance_timeout_ms, 60000);
}

TEST(GroupTimeouts, ReadFromTheWorkersFile) {
  WorkerConfig c = parse(kDistributed +
                         "session.timeout.ms=10000\nheartbeat.interval.ms=3000\n"
                         "rebalance.timeout.ms=20000\n");
  EXPECT_TRUE(c.warnings.empty()) << c.warnings[0];
  EXPECT_EQ(c.distributed->session_timeout_ms, 10000);
  EXPECT_EQ(c.distributed->heartbeat_interval_ms, 3000);
  EXPECT_EQ(c.distributed->rebalance_timeout_ms, 20000);
}

TEST(GroupTimeouts, NotedAsIgnoredByAStandaloneWorker) {
  WorkerConfig c = parse(
      "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
      "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
      "session.timeout.ms=6000\n");
  EXPECT_TRUE(c.warnings.empty()) << c.warnings[0];
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_NE(c.notes[0].find("w.properties:3: session.timeout.ms is only used by a distributed"),
            std::string::npos)
      << c.notes[0];
}

TEST(GroupTimeouts, RefusedWhereTheConsumerWouldRefuseThem) {
  EXPECT_EQ(error_of(kDistributed + "session.timeout.ms=10s\n"),
            "config error: w.properties:7: session.timeout.ms \"10s\": expected a whole number "
            "of at least 1");
  EXPECT_EQ(error_of(kDistributed + "heartbeat.interval.ms=6000\n"),
            "config error: w.properties:7: heartbeat.interval.ms \"6000\": expected less than "
            "session.timeout.ms (6000, the default); a third of it is usual");
  EXPECT_EQ(error_of(kDistributed + "rebalance.timeout.ms=5000\n"),
            "config error: w.properties:7: rebalance.timeout.ms \"5000\": expected at least "
            "session.timeout.ms (6000, the default)");
}

// The key the file sets is the one named, with its line; the other is shown as the default.
TEST(GroupTimeouts, AConflictWithADefaultNamesTheKeyTheFileSetsAndTheDefault) {
  EXPECT_EQ(error_of(kDistributed + "session.timeout.ms=1000\n"),
            "config error: w.properties:7: session.timeout.ms \"1000\": expected more than "
            "heartbeat.interval.ms (1000, the default), or heartbeat.interval.ms set to about a "
            "third of it");
  EXPECT_EQ(error_of(kDistributed + "session.timeout.ms=70000\n"),
            "config error: w.properties:7: session.timeout.ms \"70000\": expected at most "
            "rebalance.timeout.ms (60000, the default), or rebalance.timeout.ms set to at least "
            "it");
  EXPECT_EQ(error_of(kDistributed + "session.timeout.ms=9000\nheartbeat.interval.ms=9000\n"),
            "config error: w.properties:8: heartbeat.interval.ms \"9000\": expected less than "
            "session.timeout.ms (9000); a third of it is usual");
}

TEST(GroupTimeouts, PassedToTheGroupsConsumerWithItsMembershipKeys) {
  DistributedSettings d = *parse(kDistributed + "session.timeout.ms=7000\n").distributed;
  WorkerGroupSettings s = worker_group_settings({{"bootstrap.servers", "k:9092"}}, d, "web-1:8083");
  kafka::Properties p = worker_group_consumer_properties(s);
  EXPECT_EQ(p["bootstrap.servers"], "k:9092");
  EXPECT_EQ(p["group.id"], "connect-cluster");
  EXPECT_EQ(s.slot_topic, "connect-offsets");
  EXPECT_EQ(p["group.instance.id"], kafka::group_instance_id("web-1:8083"));
  EXPECT_EQ(p["partition.assignment.strategy"], "roundrobin");
  EXPECT_EQ(p["session.timeout.ms"], "7000");
  EXPECT_EQ(p["heartbeat.interval.ms"], "1000");
  EXPECT_EQ(p["max.poll.interval.ms"], "60000");
  EXPECT_EQ(p["enable.auto.commit"], "false");
}

}  // namespace
}  // namespace sentinel::connect::distributed

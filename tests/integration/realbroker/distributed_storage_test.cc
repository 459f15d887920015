// sentinel-connect distributed mode's storage topics on a real broker (issue #15): created
// compacted with the configured partitions (a refusal names the command that creates them),
// refused where the config topic has more than one partition or is not compacted, and the config
// topic written by kcat in Kafka Connect's format read back into the config log, a bad record
// reported with its topic, partition and offset. On sentinel-devkafka the message says that a real
// broker is needed.
#include <gtest/gtest.h>

#include "connect-sink/runtime/distributed/storage_topics.h"
#include "tests/support/kafka_env.h"
#include "tests/support/real_kafka.h"

namespace sentinel::test {
namespace {

using namespace sentinel::connect;
using namespace sentinel::connect::distributed;
using namespace std::chrono_literals;

DistributedSettings settings(const std::string& base) {
  DistributedSettings s;
  s.group_id = base;
  s.config_topic = RealKafka::unique_name(base + "-configs");
  s.offset_topic = RealKafka::unique_name(base + "-offsets");
  s.status_topic = RealKafka::unique_name(base + "-status");
  s.config_replication_factor = s.offset_replication_factor = s.status_replication_factor = 1;
  return s;
}

kafka::Properties client(const std::string& bootstrap) {
  return {{"bootstrap.servers", bootstrap}};
}

TEST(DistributedStorage, CreatesTheThreeTopicsCompactedWithTheConfiguredPartitions) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  DistributedSettings s = settings("create");
  s.status_partitions = 3;
  s.offset_partitions = 4;
  std::string error;
  ASSERT_TRUE(ensure_storage_topics(client(kafka.bootstrap()), s, 30s, &error)) << error;
  EXPECT_EQ(kafka.partition_count(s.config_topic), 1);
  EXPECT_EQ(kafka.partition_count(s.offset_topic), 4);
  EXPECT_EQ(kafka.partition_count(s.status_topic), 3);
  for (const auto& topic : {s.config_topic, s.offset_topic, s.status_topic}) {
    EXPECT_EQ(kafka.topic_config(topic, &error)["cleanup.policy"], "compact") << topic << error;
  }
  // A worker that starts later finds them and accepts them as they are.
  EXPECT_TRUE(ensure_storage_topics(client(kafka.bootstrap()), s, 30s, &error)) << error;
}

TEST(DistributedStorage, MinusOneAsksForTheBrokersDefaultPartitionsAndReplication) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  DistributedSettings s = settings("defaults");
  s.config_replication_factor = s.offset_replication_factor = s.status_replication_factor = -1;
  s.offset_partitions = -1;
  std::string error;
  ASSERT_TRUE(ensure_storage_topics(client(kafka.bootstrap()), s, 30s, &error)) << error;
  EXPECT_EQ(kafka.partition_count(s.config_topic), 1);
  EXPECT_GE(kafka.partition_count(s.offset_topic), 1);
  EXPECT_EQ(kafka.partition_count(s.status_topic), 5);
}

TEST(DistributedStorage, ATopicTheBrokerWillNotCreateIsNamedWithTheCommandThatCreatesIt) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  DistributedSettings s = settings("refused");
  s.config_replication_factor = 3;  // Connect's default, more than this one broker
  std::string error;
  EXPECT_FALSE(ensure_storage_topics(client(kafka.bootstrap()), s, 30s, &error));
  EXPECT_NE(error.find("larger than available brokers"), std::string::npos) << error;
  EXPECT_NE(error.find("kafka-topics.sh --bootstrap-server " + kafka.bootstrap() +
                       " --create --topic " + s.config_topic +
                       " --partitions 1 --replication-factor 3 --config cleanup.policy=compact"),
            std::string::npos)
      << error;
  EXPECT_EQ(kafka.partition_count(s.config_topic), -1);
}

TEST(DistributedStorage, RefusesAConfigTopicWithThreePartitions) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  DistributedSettings s = settings("three");
  std::string error;
  ASSERT_TRUE(
      kafka.create_topics({{s.config_topic, 3, 1, {{"cleanup.policy", "compact"}}}}, &error))
      << error;
  EXPECT_FALSE(ensure_storage_topics(client(kafka.bootstrap()), s, 30s, &error));
  EXPECT_NE(error.find("config.storage.topic " + s.config_topic +
                       " has 3 partitions: a distributed worker needs exactly 1"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("Name a new topic in config.storage.topic"), std::string::npos) << error;
  EXPECT_EQ(kafka.partition_count(s.config_topic), 3) << "an existing topic is never changed";
}

TEST(DistributedStorage, RefusesAConfigTopicThatIsNotCompacted) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  DistributedSettings s = settings("deleting");
  std::string error;
  ASSERT_TRUE(kafka.create_topics({{s.config_topic, 1, 1, {{"cleanup.policy", "delete"}}}}, &error))
      << error;
  EXPECT_FALSE(ensure_storage_topics(client(kafka.bootstrap()), s, 30s, &error));
  EXPECT_NE(error.find("config.storage.topic " + s.config_topic +
                       " has cleanup.policy=delete: a distributed worker needs "
                       "cleanup.policy=compact only"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("--entity-name " + s.config_topic + " --add-config cleanup.policy=compact"),
            std::string::npos)
      << error;
}

TEST(DistributedStorage, ReadsTheConfigTopicKcatWroteInConnectsFormatIntoTheConfigLog) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  DistributedSettings s = settings("read");
  std::string error;
  ASSERT_TRUE(ensure_storage_topics(client(kafka.bootstrap()), s, 30s, &error)) << error;
  // As Connect writes them; an empty value is a tombstone (kcat -Z), offset 7 is not Connect's.
  TempDir dir;
  write_file(dir.file("records"),
             "connector-archive\t{\"properties\":{\"name\":\"archive\",\"connector.class\":"
             "\"RotatingFileSink\",\"topics\":\"logs\",\"tasks.max\":\"2\"}}\n"
             "task-archive-0\t{\"properties\":{\"topics\":\"logs\",\"task.id\":\"0\"}}\n"
             "task-archive-1\t{\"properties\":{\"topics\":\"logs\",\"task.id\":\"1\"}}\n"
             "commit-archive\t{\"tasks\":2}\n"
             "target-state-archive\t{\"state\":\"PAUSED\",\"state.v2\":\"STOPPED\"}\n"
             "connector-old\t{\"properties\":{\"name\":\"old\"}}\n"
             "connector-old\t\n"
             "commit-broken\t{\"tasks\":\"two\"}\n"
             "restart-connector-archive\t{\"include-tasks\":true,\"only-failed\":false}\n");
  ASSERT_EQ(run({"kcat", "-P", "-b", kafka.bootstrap(), "-t", s.config_topic, "-K", "\t", "-Z",
                 "-l", dir.file("records")}),
            0);
  ConfigLog log;
  ConfigTopicRead read;
  ASSERT_TRUE(
      read_config_topic(client(kafka.bootstrap()), s.config_topic, &log, &read, 30s, &error))
      << error;
  EXPECT_EQ(read.records, 9);
  EXPECT_EQ(log.next_offset(), 9);
  ASSERT_EQ(read.bad.size(), 1u);
  EXPECT_EQ(read.bad[0], s.config_topic +
                             "/0@7: value of commit-broken: \"tasks\" must be a whole number from "
                             "0 to 1000000, got \"two\"");
  auto connectors = log.connectors();
  ASSERT_EQ(connectors.size(), 1u) << "connector-old was deleted by its tombstone";
  const ConnectorView& archive = connectors.at("archive");
  EXPECT_EQ(archive.config.at("connector.class"), "RotatingFileSink");
  EXPECT_EQ(archive.target_state, TargetState::kStopped);
  ASSERT_EQ(archive.tasks.size(), 2u);
  EXPECT_EQ(archive.tasks[1].at("task.id"), "1");
}

TEST(DistributedStorage, AnEmptyConfigTopicReadsAsNoConnectors) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  DistributedSettings s = settings("empty");
  std::string error;
  ASSERT_TRUE(ensure_storage_topics(client(kafka.bootstrap()), s, 30s, &error)) << error;
  ConfigLog log;
  ConfigTopicRead read;
  ASSERT_TRUE(
      read_config_topic(client(kafka.bootstrap()), s.config_topic, &log, &read, 30s, &error))
      << error;
  EXPECT_EQ(read.records, 0);
  EXPECT_TRUE(log.connectors().empty());
}

// sentinel-devkafka can neither create topics nor describe their configs: topics made at its
// start are taken as they are; a missing one is named with the flag that makes it.
TEST(DistributedStorage, OnTheDevBrokerExistingTopicsAreUsedAndAMissingOneNamesItsFlag) {
  DistributedSettings s;
  s.group_id = "g";
  s.config_topic = "cfg";
  s.offset_topic = "off";
  s.status_topic = "sts";
  s.offset_partitions = 25;
  DevKafka dev({"cfg:1", "sts:1"});
  std::string error;
  EXPECT_FALSE(ensure_storage_topics(client(dev.bootstrap()), s, 5s, &error));
  EXPECT_NE(error.find("sentinel-devkafka cannot create topics: start it with --topic off:25"),
            std::string::npos)
      << error;
  ASSERT_TRUE(dev.control("topic off:25"));
  EXPECT_TRUE(ensure_storage_topics(client(dev.bootstrap()), s, 5s, &error)) << error;
}

}  // namespace
}  // namespace sentinel::test

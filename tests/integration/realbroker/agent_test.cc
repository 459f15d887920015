// sentinel-agent on the real broker: `--create-topics` creates the metrics topic with the
// partitions and retention of `create_topics:` through the admin API (the mock cannot create
// topics, so this is the only place it is proven), a second run finds it and succeeds, and the
// agent then delivers every collector's records into it.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <set>

#include "tests/support/kafka_env.h"
#include "tests/support/process.h"
#include "tests/support/real_kafka.h"

namespace sentinel::test {
namespace {

using namespace std::chrono_literals;

std::string agent_config(const std::string& topic) {
  return "host: realbroker-host\n"
         "interval: 1s\n"
         "topic: " +
         topic +
         "\n"
         "kafka:\n  bootstrap.servers: set-by-flag:9092\n"
         "create_topics:\n  partitions: 5\n  replication_factor: 1\n  retention: 36h\n";
}

TEST(AgentOnRealBroker, CreateTopicsMakesTheTopicWithTheConfiguredPartitionsAndRetention) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  TempDir dir;
  std::string topic = RealKafka::unique_name("system_metrics");
  write_file(dir.file("agent.yaml"), agent_config(topic));
  std::vector<std::string> create = {bin("sentinel-agent"),  "--config",
                                     dir.file("agent.yaml"), "--bootstrap-servers",
                                     kafka.bootstrap(),      "--create-topics"};
  std::string out, err;
  ASSERT_EQ(run(create, &out, 60s, &err), 0) << err;
  EXPECT_NE(err.find("topic " + topic + " is ready (5 partitions, retention.ms 129600000)"),
            std::string::npos)
      << err;
  EXPECT_EQ(kafka.partition_count(topic), 5);
  std::string error;
  auto config = kafka.topic_config(topic, &error);
  EXPECT_EQ(config["retention.ms"], "129600000") << error << " (36h)";

  // Again: the topic exists, which is success.
  ASSERT_EQ(run(create, &out, 60s, &err), 0) << err;
  EXPECT_NE(err.find("already exists"), std::string::npos) << err;
  EXPECT_EQ(kafka.partition_count(topic), 5);

  // The agent delivers into it: records from every partition-keyed resource arrive.
  Process agent({bin("sentinel-agent"), "--config", dir.file("agent.yaml"), "--bootstrap-servers",
                 kafka.bootstrap()});
  std::set<std::string> resources;
  ASSERT_TRUE(wait_until(
      [&] {
        for (const auto& r : kcat_consume(kafka.bootstrap(), topic)) {
          auto j = nlohmann::json::parse(r.value, nullptr, false);
          if (!j.is_discarded() && j.value("host", "") == "realbroker-host") {
            resources.insert(j.value("resource", "?"));
          }
        }
        return resources.count("cpu") && resources.count("memory") && resources.count("disk");
      },
      30s))
      << agent.err();
  agent.signal(SIGTERM);
  EXPECT_EQ(agent.wait(20s), 0) << agent.err();
}

}  // namespace
}  // namespace sentinel::test

// Distributed sentinel-connect on sentinel-devkafka (issue #15): three workers as processes share
// a connector through the broker — the scenarios of distributed_worker_scenarios.h. The same run
// on the real broker in tests/integration/realbroker/distributed_worker_test.cc. devkafka has no
// CreateTopics: the storage topics are made on its stdin, as an operator would start it with
// --topic.
#include <gtest/gtest.h>

#include "tests/integration/connect/distributed_worker_scenarios.h"
#include "tests/support/build_paths.h"
#include "tests/support/kafka_env.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

class DevCluster : public WorkerBroker, public ::testing::Test {
 public:
  std::string bootstrap() override { return dev_.bootstrap(); }
  std::string new_topic(const std::string& base, int partitions) override {
    std::string name = base + "-" + std::to_string(++count_);
    EXPECT_TRUE(dev_.control("topic " + name + ":" + std::to_string(partitions))) << name;
    return name;
  }
  std::string new_data_topic(const std::string& base, int partitions) override {
    return new_topic(base, partitions);
  }
  bool commits_while_rebalancing() const override { return false; }

 private:
  DevKafka dev_{{}};
  int count_ = 0;
};

TEST_F(DevCluster, ConnectorCreatedOnOneIsSeenAlikeOnAllAndItsTasksSpread) {
  a_connector_created_on_one_is_seen_alike_on_all_and_its_tasks_spread(*this);
}
TEST_F(DevCluster, SigkilledWorkersTasksMoveAndTheArchivesLoseNothing) {
  a_sigkilled_workers_tasks_move_and_the_archives_lose_nothing(*this);
}
TEST_F(DevCluster, RollingRestartLosesAndRepeatsNothing) {
  a_rolling_restart_loses_and_repeats_nothing(*this);
}
TEST_F(DevCluster, LifecycleRequestsToOneWorkerActClusterWide) {
  lifecycle_requests_to_one_worker_act_cluster_wide(*this);
}

// The shipped example (config/connect-distributed.properties, Connect's keys) passes the start's
// checks; with a connector file it is refused, as connect-distributed takes none.
TEST(DistributedConfig, TheShippedExamplePassesCheckConfigAndRefusesConnectorFiles) {
  const std::string example = source_dir() + "/config/connect-distributed.properties";
  Process ok({bin("sentinel-connect"), example, "--check-config"});
  EXPECT_EQ(ok.wait(std::chrono::seconds(30)), std::optional<int>(0)) << ok.err();
  EXPECT_NE(ok.out().find("ok (0 connector file(s)"), std::string::npos) << ok.out();
  Process refused({bin("sentinel-connect"), example,
                   source_dir() + "/config/connectors/alerts-archive.properties",
                   "--check-config"});
  EXPECT_EQ(refused.wait(std::chrono::seconds(30)), std::optional<int>(1));
  EXPECT_NE(refused.err().find("takes its connectors through the REST API"), std::string::npos)
      << refused.err();
}

}  // namespace
}  // namespace sentinel::test

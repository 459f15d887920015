// Distributed sentinel-connect on a real Apache Kafka broker (issue #15): the scenarios of
// tests/integration/connect/distributed_worker_scenarios.h — three workers as processes, a
// connector shared, SIGKILL and rolling restarts with records flowing, the archives' union —
// with the storage topics compacted as the worker creates them, real rebalance timing and static
// membership (which sentinel-devkafka ignores).
#include <gtest/gtest.h>

#include "tests/integration/connect/distributed_worker_scenarios.h"
#include "tests/support/real_kafka.h"

namespace sentinel::test {
namespace {

class RealCluster : public WorkerBroker, public ::testing::Test {
 public:
  void SetUp() override { SENTINEL_REQUIRE_REAL_KAFKA(); }
  std::string bootstrap() override { return RealKafka::instance().bootstrap(); }
  std::string new_topic(const std::string& base, int partitions) override {
    return create(base, partitions, {{"cleanup.policy", "compact"}});
  }
  std::string new_data_topic(const std::string& base, int partitions) override {
    return create(base, partitions, {});
  }

 private:
  std::string create(const std::string& base, int partitions,
                     const std::map<std::string, std::string>& config) {
    std::string name = RealKafka::unique_name(base);
    std::string error;
    EXPECT_TRUE(RealKafka::instance().create_topics({{name, partitions, 1, config}}, &error))
        << error;
    return name;
  }
};

TEST_F(RealCluster, ConnectorCreatedOnOneIsSeenAlikeOnAllAndItsTasksSpread) {
  a_connector_created_on_one_is_seen_alike_on_all_and_its_tasks_spread(*this);
}
TEST_F(RealCluster, SigkilledWorkersTasksMoveAndTheArchivesLoseNothing) {
  a_sigkilled_workers_tasks_move_and_the_archives_lose_nothing(*this);
}
TEST_F(RealCluster, WorkerKilledAsItsTaskJoinsStallsNoGroup) {
  a_worker_killed_as_its_task_joins_stalls_no_group(*this);
}
TEST_F(RealCluster, RollingRestartLosesAndRepeatsNothing) {
  a_rolling_restart_loses_and_repeats_nothing(*this);
}
TEST_F(RealCluster, LifecycleRequestsToOneWorkerActClusterWide) {
  lifecycle_requests_to_one_worker_act_cluster_wide(*this);
}
TEST_F(RealCluster, WorkerStoppedWhileJoiningExitsAtOnce) {
  a_worker_stopped_while_joining_exits_at_once(*this);
}

}  // namespace
}  // namespace sentinel::test

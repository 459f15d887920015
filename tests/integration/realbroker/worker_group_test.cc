// Distributed workers' group membership on the real broker (Kafka 2.4.1), the members as
// processes (tests/integration/connect/worker_group_scenario.h): slots and tasks spread, handed
// over on a clean stop (LeaveGroup from a static member) and on a SIGKILL (after
// session.timeout.ms), and a worker restarted with the same id back in its old place without a
// rebalance (static membership).
#include <gtest/gtest.h>

#include "tests/integration/connect/worker_group_scenario.h"
#include "tests/support/real_kafka.h"

namespace sentinel::test {
namespace {

class WorkerGroupRealBroker : public testing::Test {
 protected:
  void SetUp() override {
    SENTINEL_REQUIRE_REAL_KAFKA();
    broker_.bootstrap = RealKafka::instance().bootstrap();
    broker_.name = "real broker";
    broker_.static_membership = true;
    broker_.create_topic = [](const std::string& topic, int partitions, std::string* error) {
      return RealKafka::instance().create_topics({{topic, partitions, 1, {}}}, error);
    };
  }
  GroupBroker broker_;
};

TEST_F(WorkerGroupRealBroker, ThreeWorkersOwnEverySlotOnceWithOneLeaderAndTwoTasksEach) {
  three_workers_share_the_slots_and_tasks_evenly(broker_, RealKafka::unique_name("wg-spread"));
}

TEST_F(WorkerGroupRealBroker, ACleanlyStoppedWorkersSlotsGoToTheOthersAtOnce) {
  a_cleanly_stopped_workers_slots_go_to_the_others_at_once(broker_,
                                                           RealKafka::unique_name("wg-clean"));
}

TEST_F(WorkerGroupRealBroker, AKilledWorkersSlotsGoToTheOthersAfterTheSessionTimeout) {
  a_killed_workers_slots_go_to_the_others_after_the_session_timeout(
      broker_, RealKafka::unique_name("wg-kill"));
}

TEST_F(WorkerGroupRealBroker, ARestartedWorkerWithTheSameIdOwnsItsOldSlotsWithoutARebalance) {
  a_restarted_worker_with_the_same_id_owns_slots_again(broker_,
                                                       RealKafka::unique_name("wg-restart"));
}

TEST_F(WorkerGroupRealBroker,
       ASecondWorkerWithTheSameIdFencesTheFirstWhichReportsItAndRunsNothing) {
  a_second_worker_with_the_same_id_fences_the_first(broker_, RealKafka::unique_name("wg-fence"));
}

}  // namespace
}  // namespace sentinel::test

int main(int argc, char** argv) { return sentinel::test::worker_group_test_main(argc, argv); }

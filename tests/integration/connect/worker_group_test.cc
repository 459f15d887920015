// Distributed workers' group membership on sentinel-devkafka, the members as processes
// (worker_group_scenario.h): slots and tasks spread, handed over on a clean stop (not promptly:
// the mock waits session.timeout.ms - 1 s before it rebalances) and on a SIGKILL, a restarted
// worker back in. The real broker's version, with static membership:
// tests/integration/realbroker/worker_group_test.cc.
#include <gtest/gtest.h>

#include "tests/integration/connect/worker_group_scenario.h"
#include "tests/support/kafka_env.h"

namespace sentinel::test {
namespace {

class WorkerGroupDevKafka : public testing::Test {
 protected:
  WorkerGroupDevKafka() : kafka_({}) {
    broker_.bootstrap = kafka_.bootstrap();
    broker_.name = "devkafka";
    broker_.rebalance_waits_session = true;
    broker_.create_topic = [this](const std::string& topic, int partitions, std::string* error) {
      if (kafka_.control("topic " + topic + ":" + std::to_string(partitions))) return true;
      *error = "sentinel-devkafka did not create " + topic;
      return false;
    };
  }
  DevKafka kafka_;
  GroupBroker broker_;
};

TEST_F(WorkerGroupDevKafka, ThreeWorkersOwnEverySlotOnceWithOneLeaderAndTwoTasksEach) {
  three_workers_share_the_slots_and_tasks_evenly(broker_, "wg-spread");
}

TEST_F(WorkerGroupDevKafka, ACleanlyStoppedWorkerGivesUpItsSlotsAndTheOthersOwnThem) {
  a_cleanly_stopped_workers_slots_go_to_the_others_at_once(broker_, "wg-clean");
}

TEST_F(WorkerGroupDevKafka, AKilledWorkersSlotsGoToTheOthersAfterTheSessionTimeout) {
  a_killed_workers_slots_go_to_the_others_after_the_session_timeout(broker_, "wg-kill");
}

TEST_F(WorkerGroupDevKafka, ARestartedWorkerWithTheSameIdOwnsSlotsAgain) {
  a_restarted_worker_with_the_same_id_owns_slots_again(broker_, "wg-restart");
}

}  // namespace
}  // namespace sentinel::test

int main(int argc, char** argv) { return sentinel::test::worker_group_test_main(argc, argv); }

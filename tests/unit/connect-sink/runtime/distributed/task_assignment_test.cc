// Connectors and tasks → slots → workers: every task runs in exactly one slot, the workers that
// own slots the way librdkafka's roundrobin assignor hands them out get an even share, and the
// mapping depends only on the connectors' names and task counts.
#include "connect-sink/runtime/distributed/task_assignment.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace sentinel::connect::distributed {
namespace {

// The slots of member `m` of `members` under roundrobin: slot i goes to member i mod M.
std::set<int32_t> roundrobin_slots(int m, int members, int32_t slot_count) {
  std::set<int32_t> slots;
  for (int32_t i = 0; i < slot_count; ++i) {
    if (i % members == m) slots.insert(i);
  }
  return slots;
}

TEST(TaskAssignment, SixTasksOverThreeWorkersGiveTwoEach) {
  std::map<std::string, int> counts = {{"b-archive", 2}, {"a-archive", 4}};
  std::set<TaskRef> seen;
  for (int m = 0; m < 3; ++m) {
    WorkAssignment w = assign_work(counts, 25, roundrobin_slots(m, 3, 25));
    EXPECT_EQ(w.tasks.size(), 2u) << "worker " << m;
    for (const TaskRef& t : w.tasks) EXPECT_TRUE(seen.insert(t).second) << t.connector << t.task;
  }
  EXPECT_EQ(seen.size(), 6u);
}

TEST(TaskAssignment, TasksAreOrderedByConnectorNameThenTaskId) {
  std::map<std::string, int> counts = {{"b", 2}, {"a", 3}};
  // Slots 0..4 are a-0, a-1, a-2, b-0, b-1.
  WorkAssignment w = assign_work(counts, 25, {1, 3});
  ASSERT_EQ(w.tasks.size(), 2u);
  EXPECT_EQ(w.tasks[0], (TaskRef{"a", 1}));
  EXPECT_EQ(w.tasks[1], (TaskRef{"b", 0}));
}

TEST(TaskAssignment, ConnectorsAreSpreadByNameOverTheSlots) {
  std::map<std::string, int> counts = {{"c", 0}, {"a", 1}, {"b", 1}};
  EXPECT_EQ(assign_work(counts, 25, {0}).connectors, (std::vector<std::string>{"a"}));
  EXPECT_EQ(assign_work(counts, 25, {2}).connectors, (std::vector<std::string>{"c"}));
  EXPECT_EQ(assign_work(counts, 2, {0}).connectors, (std::vector<std::string>{"a", "c"}));
}

TEST(TaskAssignment, MoreTasksThanSlotsWrapAroundAndEveryTaskRunsOnce) {
  std::map<std::string, int> counts = {{"a", 30}, {"b", 7}};
  std::map<TaskRef, int> runs;
  int most = 0, least = 1000;
  for (int m = 0; m < 4; ++m) {
    WorkAssignment w = assign_work(counts, 25, roundrobin_slots(m, 4, 25));
    for (const TaskRef& t : w.tasks) runs[t]++;
    most = std::max(most, static_cast<int>(w.tasks.size()));
    least = std::min(least, static_cast<int>(w.tasks.size()));
  }
  EXPECT_EQ(runs.size(), 37u);
  for (const auto& [t, n] : runs) EXPECT_EQ(n, 1) << t.connector << "-" << t.task;
  // 37 tasks in 25 slots: 12 slots run two; 4 workers own 7, 6, 6, 6 slots.
  EXPECT_LE(most - least, 3);
}

TEST(TaskAssignment, NothingWithoutSlotsOrWithoutAKnownSlotCount) {
  std::map<std::string, int> counts = {{"a", 3}};
  EXPECT_TRUE(assign_work(counts, 25, {}).tasks.empty());
  EXPECT_TRUE(assign_work(counts, 0, {0, 1, 2}).tasks.empty());
}

TEST(TaskAssignment, TaskCountsComeFromTheCommittedTaskConfigs) {
  std::map<std::string, ConnectorView> connectors;
  connectors["a"].tasks.resize(3);
  connectors["b"].inconsistent = true;
  EXPECT_EQ(task_counts(connectors), (std::map<std::string, int>{{"a", 3}, {"b", 0}}));
}

}  // namespace
}  // namespace sentinel::connect::distributed

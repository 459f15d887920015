// Connectors and tasks → slots → workers: a connector's slots depend on that connector alone (no
// other connector coming or going moves its tasks), every task runs in exactly one slot, and the
// workers that own slots the way librdkafka's roundrobin assignor hands them out get an even
// share of each connector's tasks.
#include "connect-sink/runtime/distributed/task_assignment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

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

// Which member runs each task and each connector (as "connector" and "connector-task").
std::map<std::string, int> owner_of_each(const std::map<std::string, int>& counts, int members,
                                         int32_t slot_count) {
  std::map<std::string, int> owner;
  for (int m = 0; m < members; ++m) {
    WorkAssignment w = assign_work(counts, slot_count, roundrobin_slots(m, members, slot_count));
    for (const std::string& c : w.connectors) owner[c] = m;
    for (const TaskRef& t : w.tasks) owner[t.connector + "-" + std::to_string(t.task)] = m;
  }
  return owner;
}

// The number of tasks each of `members` runs.
std::vector<int> tasks_per_member(const std::map<std::string, int>& counts, int members,
                                  int32_t slot_count) {
  std::vector<int> n;
  for (int m = 0; m < members; ++m) {
    n.push_back(static_cast<int>(
        assign_work(counts, slot_count, roundrobin_slots(m, members, slot_count)).tasks.size()));
  }
  return n;
}

// `n` connectors named a-archive, b-archive, … with `tasks` tasks each.
std::map<std::string, int> archives(int n, int tasks) {
  std::map<std::string, int> counts;
  for (int i = 0; i < n; ++i) {
    counts[std::string(1, static_cast<char>('a' + i)) + "-archive"] = tasks;
  }
  return counts;
}

TEST(TaskAssignment, AnotherConnectorComingOrGoingMovesNoneOfThisConnectorsTasks) {
  const std::map<std::string, int> before = {{"b-archive", 3}, {"c-archive", 5}, {"zz", 2}};
  std::map<std::string, int> added = before;
  added["aa"] = 4;  // sorts before every other name
  std::map<std::string, int> removed = before;
  removed.erase("b-archive");
  for (int32_t slots : {1, 2, 7, 25, 64}) {
    for (int members : {1, 2, 3, 5}) {
      std::map<std::string, int> was = owner_of_each(before, members, slots);
      std::map<std::string, int> with = owner_of_each(added, members, slots);
      std::map<std::string, int> without = owner_of_each(removed, members, slots);
      for (const auto& [work, member] : was) {
        std::string where =
            work + " (P=" + std::to_string(slots) + ", M=" + std::to_string(members) + ")";
        EXPECT_EQ(with.at(work), member) << where << " moved when aa was created";
        if (work.rfind("b-archive", 0) != 0) {
          EXPECT_EQ(without.at(work), member) << where << " moved when b-archive was deleted";
        }
      }
    }
  }
}

TEST(TaskAssignment, SixTasksOfOneConnectorOverThreeWorkersGiveTwoEachWhateverItsName) {
  // Some of these names hash to slots 20..24, from which six consecutive slots would wrap past
  // slot 24 to slot 0 (both roundrobin's member 0).
  int near_the_end = 0;
  for (int i = 0; i < 200; ++i) {
    std::string name = "connector-" + std::to_string(i);
    near_the_end += connector_slot(name, 25) > 25 - 6;
    EXPECT_EQ(tasks_per_member({{name, 6}}, 3, 25), (std::vector<int>{2, 2, 2})) << name;
  }
  EXPECT_GT(near_the_end, 0);
}

TEST(TaskAssignment, TasksThatWouldRunPastTheLastSlotStartWhereTheyFit) {
  int moved = 0;
  for (int i = 0; i < 200; ++i) {
    std::string name = "connector-" + std::to_string(i);
    int32_t first = task_slot(name, 0, 6, 25);
    if (first != connector_slot(name, 25)) ++moved;
    EXPECT_LE(first, 25 - 6) << name;
    for (int t = 1; t < 6; ++t) EXPECT_EQ(task_slot(name, t, 6, 25), first + t) << name;
  }
  EXPECT_GT(moved, 0) << "no name near the end: the case is not exercised";
}

TEST(TaskAssignment, EveryTaskAndConnectorRunsExactlyOnceForAnySlotAndMemberCount) {
  const std::map<std::string, int> counts = {
      {"a-archive", 30}, {"b-archive", 7}, {"c-archive", 1}, {"d-archive", 0}, {"e", 70}};
  for (int32_t slots : {1, 2, 3, 7, 25, 64}) {
    for (int members : {1, 2, 3, 4, 7, 30}) {
      std::map<TaskRef, int> runs;
      std::map<std::string, int> instances;
      for (int m = 0; m < members; ++m) {
        WorkAssignment w = assign_work(counts, slots, roundrobin_slots(m, members, slots));
        std::map<std::string, int> mine;
        for (const TaskRef& t : w.tasks) {
          runs[t]++;
          mine[t.connector]++;
        }
        for (const std::string& c : w.connectors) instances[c]++;
        // A connector with no more tasks than slots: at most ceil(T/M) of them on one worker.
        for (const auto& [c, n] : mine) {
          int total = counts.at(c);
          if (total <= slots) {
            EXPECT_LE(n, (total + members - 1) / members) << c;
          }
        }
      }
      std::string where = "P=" + std::to_string(slots) + ", M=" + std::to_string(members);
      EXPECT_EQ(runs.size(), 108u) << where;
      for (const auto& [t, n] : runs) EXPECT_EQ(n, 1) << t.connector << "-" << t.task << where;
      EXPECT_EQ(instances.size(), counts.size()) << where;
      for (const auto& [c, n] : instances) EXPECT_EQ(n, 1) << c << " " << where;
    }
  }
}

// The figures in task_assignment.h's comment: even per connector, not across connectors.
TEST(TaskAssignment, TenConnectorsOverThreeWorkersSpreadAsDocumented) {
  EXPECT_EQ(tasks_per_member(archives(10, 3), 3, 25), (std::vector<int>{10, 10, 10}));
  EXPECT_EQ(tasks_per_member(archives(10, 2), 3, 25), (std::vector<int>{7, 7, 6}));
  EXPECT_EQ(tasks_per_member(archives(10, 1), 3, 25), (std::vector<int>{5, 3, 2}));
}

// Every worker and every build must place a connector alike: FNV-1a 64 (its published test
// vectors), not std::hash, and the slots derived from it.
TEST(TaskAssignment, SlotsComeFromTheNamesFnv1aHashOnEveryBuild) {
  EXPECT_EQ(connector_hash(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(connector_hash("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(connector_hash("foobar"), 0x85944171f73967e8ull);
  EXPECT_EQ(connector_slot("foobar", 25), static_cast<int32_t>(0x85944171f73967e8ull % 25));
  EXPECT_EQ(task_slot("foobar", 2, 3, 25), (connector_slot("foobar", 25) + 2) % 25);
}

TEST(TaskAssignment, ConnectorsRunInTheSlotOfTheirNamesHashWithOrWithoutTasks) {
  std::map<std::string, int> counts = {{"c", 0}, {"a", 1}, {"b", 1}};
  for (const auto& [name, count] : counts) {
    WorkAssignment w = assign_work(counts, 25, {connector_slot(name, 25)});
    EXPECT_NE(std::find(w.connectors.begin(), w.connectors.end(), name), w.connectors.end())
        << name;
  }
  EXPECT_EQ(assign_work(counts, 1, {0}).connectors, (std::vector<std::string>{"a", "b", "c"}));
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

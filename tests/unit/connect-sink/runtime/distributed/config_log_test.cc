// The config log: records applied in order rebuild connectors, target states and committed task
// configs with Kafka Connect's rules — tasks take effect at their commit, an incomplete commit
// (compaction, a leader dying mid-write) shows no tasks until a complete one, a tombstone deletes
// the connector with its tasks, and a compacted log rebuilds the same state.
#include "connect-sink/runtime/distributed/config_log.h"

#include <gtest/gtest.h>

namespace sentinel::connect::distributed {
namespace {

struct Log {
  // Decodes and applies (key, value) records at offsets 0, 1, ...
  void add(const std::string& key, const std::optional<std::string>& value) {
    ConfigRecord record;
    std::string error;
    ASSERT_TRUE(decode_config_record(key, value, &record, &error)) << error;
    log.apply(record, offset++);
  }
  void connector(const std::string& name, const std::string& topics = "t") {
    add(connector_key(name), encode_properties({{"name", name}, {"topics", topics}}));
  }
  void task(const std::string& name, int id, const std::string& gen = "1") {
    add(task_key(name, id), encode_properties({{"task", std::to_string(id)}, {"gen", gen}}));
  }
  void commit(const std::string& name, int tasks) { add(commit_key(name), encode_commit(tasks)); }
  std::vector<std::string> gens(const std::string& name) {
    std::vector<std::string> out;
    auto c = log.connector(name);
    if (c) {
      for (const auto& t : c->tasks) out.push_back(t.at("task") + ":" + t.at("gen"));
    }
    return out;
  }

  ConfigLog log;
  int64_t offset = 0;
};

using Gens = std::vector<std::string>;

TEST(ConfigLog, TaskConfigsTakeEffectOnlyWhenTheirCommitArrives) {
  Log l;
  l.connector("a");
  l.task("a", 0);
  l.task("a", 1);
  ASSERT_TRUE(l.log.connector("a").has_value());
  EXPECT_TRUE(l.log.connector("a")->tasks.empty()) << "no commit yet";
  l.commit("a", 2);
  EXPECT_EQ(l.gens("a"), (Gens{"0:1", "1:1"}));
  EXPECT_EQ(l.log.connector("a")->config.at("topics"), "t");
  EXPECT_EQ(l.log.connector("a")->target_state, TargetState::kStarted);
  // A new generation written but not committed leaves the committed one in place.
  l.task("a", 0, "2");
  EXPECT_EQ(l.gens("a"), (Gens{"0:1", "1:1"}));
  EXPECT_EQ(l.log.next_offset(), 5);
}

TEST(ConfigLog, ACommitReducingTheTaskCountDropsTheTasksAboveIt) {
  Log l;
  l.connector("a");
  l.task("a", 0);
  l.task("a", 1);
  l.task("a", 2);
  l.commit("a", 3);
  l.task("a", 0, "2");
  l.commit("a", 1);
  EXPECT_EQ(l.gens("a"), (Gens{"0:2"}));
  l.commit("a", 0);
  EXPECT_TRUE(l.gens("a").empty());
  EXPECT_FALSE(l.log.connector("a")->inconsistent);
}

TEST(ConfigLog, AnIncompleteCommitShowsNoTasksUntilACompleteOne) {
  // Connect's example: [connector, task-1 (compacted away), task-2, commit(2), task-1, task-2,
  // commit(2)] with ids 0 and 1 here.
  Log l;
  l.connector("a");
  l.task("a", 1);
  l.commit("a", 2);
  ASSERT_TRUE(l.log.connector("a").has_value());
  EXPECT_TRUE(l.log.connector("a")->inconsistent);
  EXPECT_TRUE(l.log.connector("a")->tasks.empty());
  // The waiting configs were dropped: task 0 alone is not enough for the next commit.
  l.task("a", 0, "2");
  l.commit("a", 2);
  EXPECT_TRUE(l.log.connector("a")->inconsistent);
  l.task("a", 0, "3");
  l.task("a", 1, "3");
  l.commit("a", 2);
  EXPECT_FALSE(l.log.connector("a")->inconsistent);
  EXPECT_EQ(l.gens("a"), (Gens{"0:3", "1:3"}));
}

TEST(ConfigLog, ATombstoneDeletesTheConnectorWithItsTasks) {
  Log l;
  l.connector("a");
  l.connector("b");
  l.task("a", 0);
  l.commit("a", 1);
  l.task("a", 0, "2");  // waiting when the connector is deleted
  l.add(connector_key("a"), std::nullopt);
  EXPECT_FALSE(l.log.connector("a").has_value());
  EXPECT_EQ(l.log.connectors().size(), 1u);
  EXPECT_EQ(l.log.connectors().count("b"), 1u);
  // Re-created under the same name: no task of the deleted one comes back, not even at a commit.
  l.connector("a", "t2");
  EXPECT_TRUE(l.gens("a").empty());
  l.commit("a", 1);
  EXPECT_TRUE(l.log.connector("a")->inconsistent) << "the waiting task config was deleted too";
  EXPECT_EQ(l.log.connector("a")->config.at("topics"), "t2");
}

TEST(ConfigLog, TasksCommittedBeforeTheConnectorsLatestConfigRecordSurviveCompaction) {
  // The connector's config was rewritten after its tasks were committed; compaction removed the
  // first config record, so the tasks come first in the log.
  Log l;
  l.task("a", 0);
  l.commit("a", 1);
  EXPECT_FALSE(l.log.connector("a").has_value()) << "no config yet";
  l.connector("a");
  EXPECT_EQ(l.gens("a"), (Gens{"0:1"}));
}

TEST(ConfigLog, TargetStatesPauseStopAndResumeEvenBeforeTheConnectorExists) {
  Log l;
  // Connect 3.5 writes the initial state before the config when a connector is created STOPPED.
  l.add(target_state_key("a"), encode_target_state(TargetState::kStopped));
  EXPECT_FALSE(l.log.connector("a").has_value());
  l.connector("a");
  EXPECT_EQ(l.log.connector("a")->target_state, TargetState::kStopped);
  l.add(target_state_key("a"), R"({"state":"PAUSED"})");  // a worker before 3.5
  EXPECT_EQ(l.log.connector("a")->target_state, TargetState::kPaused);
  l.add(target_state_key("a"), std::nullopt);
  EXPECT_EQ(l.log.connector("a")->target_state, TargetState::kStarted)
      << "a connector that exists has a state: STARTED";
  l.add(target_state_key("a"), encode_target_state(TargetState::kPaused));
  l.add("restart-connector-a", R"({"include-tasks":true,"only-failed":true})");
  l.add("session-key", R"({"key":"k","algorithm":"HmacSHA256","creation-timestamp":1})");
  EXPECT_EQ(l.log.connector("a")->target_state, TargetState::kPaused);
}

TEST(ConfigLog, ACompactedLogRebuildsTheSameStateAsTheWholeLog) {
  // Every record, then only the newest of each key in their original order, as compaction
  // leaves them: both give the same connectors and tasks.
  std::vector<std::pair<std::string, std::optional<std::string>>> records = {
      {connector_key("a"), encode_properties({{"v", "1"}})},
      {task_key("a", 0), encode_properties({{"g", "1"}})},
      {task_key("a", 1), encode_properties({{"g", "1"}})},
      {commit_key("a"), encode_commit(2)},
      {connector_key("b"), encode_properties({{"v", "1"}})},
      {connector_key("a"), encode_properties({{"v", "2"}})},
      {task_key("a", 0), encode_properties({{"g", "2"}})},
      {commit_key("a"), encode_commit(1)},
      {target_state_key("b"), encode_target_state(TargetState::kPaused)},
      {connector_key("b"), std::nullopt},
      {connector_key("c"), encode_properties({{"v", "1"}})},
  };
  std::map<std::string, size_t> newest;
  for (size_t i = 0; i < records.size(); ++i) newest[records[i].first] = i;
  Log whole, compacted;
  for (size_t i = 0; i < records.size(); ++i) {
    whole.add(records[i].first, records[i].second);
    if (newest[records[i].first] == i) compacted.add(records[i].first, records[i].second);
  }
  auto describe = [](const ConfigLog& log) {
    std::string out;
    for (const auto& [name, c] : log.connectors()) {
      out += name + " v" + c.config.at("v") + " " + to_string(c.target_state) + " [";
      for (const auto& t : c.tasks) out += t.at("g") + ",";
      out += std::string("]") + (c.inconsistent ? " inconsistent" : "") + "; ";
    }
    return out;
  };
  EXPECT_EQ(describe(whole.log), "a v2 STARTED [2,]; c v1 STARTED []; ");
  EXPECT_EQ(describe(compacted.log), describe(whole.log));
}

}  // namespace
}  // namespace sentinel::connect::distributed

// The status log: Kafka Connect's rules for the status topic — every record read replaces the
// status under its key (whatever its generation: a group's generation restarts when the whole
// group was away), tombstones remove statuses (a connector's with its tasks'), and a "safe" write
// is refused only where a DIFFERENT worker holds the status with a NEWER generation
// (KafkaStatusBackingStore.CacheEntry.canWriteSafely).
#include "connect-sink/runtime/distributed/status_log.h"

#include <gtest/gtest.h>

namespace sentinel::connect::distributed {
namespace {

Status status(const std::string& state, const std::string& worker, int64_t generation) {
  return Status{state, std::nullopt, worker, generation};
}

// Decodes and applies a record as the status topic holds it.
void apply(StatusLog* log, const std::string& key, const std::optional<std::string>& value) {
  StatusRecord record;
  std::string error;
  ASSERT_TRUE(decode_status_record(key, value, &record, &error)) << error;
  log->apply(record);
}

TEST(StatusLog, HoldsTheLatestStatusOfEachConnectorAndTask) {
  StatusLog log;
  apply(&log, connector_status_key("a"), encode_status(status("UNASSIGNED", "w1:8083", 1)));
  apply(&log, connector_status_key("a"), encode_status(status("RUNNING", "w1:8083", 1)));
  apply(&log, task_status_key("a", 0), encode_status(status("RUNNING", "w2:8083", 1)));
  apply(&log, task_status_key("a", 1), encode_status(status("FAILED", "w1:8083", 1)));
  apply(&log, task_status_key("my-sink", 0), encode_status(status("PAUSED", "w1:8083", 1)));
  ASSERT_TRUE(log.connector("a").has_value());
  EXPECT_EQ(log.connector("a")->state, "RUNNING");
  EXPECT_EQ(log.task("a", 0)->worker_id, "w2:8083");
  EXPECT_EQ(log.task("a", 1)->state, "FAILED");
  EXPECT_EQ(log.tasks("a").size(), 2u);
  EXPECT_EQ(log.task("my-sink", 0)->state, "PAUSED") << "the name holds '-'";
  EXPECT_EQ(log.connectors(), (std::set<std::string>{"a"})) << "my-sink has no status of its own";
}

TEST(StatusLog, AnOlderGenerationReadLaterStillReplacesTheStatus) {
  // Connect's reader puts every status (a group that was away restarts at generation 1).
  StatusLog log;
  apply(&log, task_status_key("a", 0), encode_status(status("RUNNING", "w1:8083", 7)));
  apply(&log, task_status_key("a", 0), encode_status(status("RUNNING", "w2:8083", 1)));
  EXPECT_EQ(log.task("a", 0)->worker_id, "w2:8083");
  EXPECT_EQ(log.task("a", 0)->generation, 1);
}

TEST(StatusLog, ATaskTombstoneRemovesThatTaskOnly) {
  StatusLog log;
  apply(&log, connector_status_key("a"), encode_status(status("RUNNING", "w1:8083", 1)));
  apply(&log, task_status_key("a", 0), encode_status(status("RUNNING", "w1:8083", 1)));
  apply(&log, task_status_key("a", 1), encode_status(status("RUNNING", "w1:8083", 1)));
  apply(&log, task_status_key("a", 1), std::nullopt);
  EXPECT_FALSE(log.task("a", 1).has_value());
  EXPECT_TRUE(log.task("a", 0).has_value());
  EXPECT_TRUE(log.connector("a").has_value());
}

TEST(StatusLog, AConnectorTombstoneRemovesItsTasksToo) {
  StatusLog log;
  apply(&log, connector_status_key("a"), encode_status(status("RUNNING", "w1:8083", 1)));
  apply(&log, task_status_key("a", 0), encode_status(status("RUNNING", "w1:8083", 1)));
  apply(&log, task_status_key("b", 0), encode_status(status("RUNNING", "w1:8083", 1)));
  apply(&log, connector_status_key("a"), std::nullopt);
  EXPECT_FALSE(log.connector("a").has_value());
  EXPECT_TRUE(log.tasks("a").empty());
  EXPECT_TRUE(log.task("b", 0).has_value()) << "another connector's task stays";
}

TEST(StatusLog, ActiveTopicRecordsChangeNothing) {
  StatusLog log;
  apply(&log, "status-topic-logs:connector-a",
        R"({"topic":{"name":"logs","connector":"a","task":0,"discoverTimestamp":1}})");
  EXPECT_TRUE(log.connectors().empty());
  EXPECT_TRUE(log.tasks("a").empty());
}

TEST(StatusLog, ASafeWriteIsRefusedOnlyOverANewerGenerationOfAnotherWorker) {
  StatusLog log;
  Status held = status("RUNNING", "w2:8083", 5);
  apply(&log, task_status_key("a", 0), encode_status(held));
  apply(&log, connector_status_key("a"), encode_status(held));
  // w1 lost the task in generation 5 and has not seen it yet: its UNASSIGNED must not land.
  EXPECT_FALSE(log.can_write_safely("a", 0, status("UNASSIGNED", "w1:8083", 4)));
  EXPECT_FALSE(log.can_write_safely("a", std::nullopt, status("UNASSIGNED", "w1:8083", 4)));
  // The same generation, a newer one, or the worker that holds it: allowed.
  EXPECT_TRUE(log.can_write_safely("a", 0, status("UNASSIGNED", "w1:8083", 5)));
  EXPECT_TRUE(log.can_write_safely("a", 0, status("UNASSIGNED", "w1:8083", 6)));
  EXPECT_TRUE(log.can_write_safely("a", 0, status("FAILED", "w2:8083", 3)));
  // Nothing held: allowed.
  EXPECT_TRUE(log.can_write_safely("a", 1, status("UNASSIGNED", "w1:8083", 1)));
  EXPECT_TRUE(log.can_write_safely("b", std::nullopt, status("UNASSIGNED", "w1:8083", 1)));
}

}  // namespace
}  // namespace sentinel::connect::distributed

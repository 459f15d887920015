// Distributed mode's config and status topics on sentinel-devkafka (issue #15): two readers of
// one topic rebuild the same state, a write returns once it is read back, task configs count
// from their commit, Connect's records written by kcat are applied and ours read by kcat, a bad
// record is skipped with its place, and Connect's status rules hold. The same scenarios run on
// the real broker in tests/integration/realbroker/config_topic_test.cc.
#include <gtest/gtest.h>

#include "tests/integration/connect/distributed_topics_scenarios.h"
#include "tests/support/kafka_env.h"

namespace sentinel::test {
namespace {

// devkafka has no CreateTopics: topics are made on its stdin ("topic NAME:PARTS").
class DevTopics : public TopicBroker, public ::testing::Test {
 public:
  std::string bootstrap() override { return dev_.bootstrap(); }
  std::string new_topic(const std::string& base, int partitions) override {
    std::string name = base + "-" + std::to_string(++count_);
    EXPECT_TRUE(dev_.control("topic " + name + ":" + std::to_string(partitions))) << name;
    return name;
  }

 private:
  DevKafka dev_{{}};
  int count_ = 0;
};

TEST_F(DevTopics, ConfigWriteThroughOneIsSeenByAnotherWithTheSameLog) {
  write_through_one_is_seen_by_another_with_the_same_log(*this);
}
TEST_F(DevTopics, ConfigWriteReturnsOnlyAfterItsWriterAppliedIt) {
  a_write_returns_only_after_its_writer_applied_it(*this);
}
TEST_F(DevTopics, ConfigTaskConfigsAreInvisibleUntilTheirCommit) {
  task_configs_are_invisible_until_their_commit(*this);
}
TEST_F(DevTopics, ConfigRecordsKcatWroteInConnectsFormatAreAppliedAndHeard) {
  records_kcat_wrote_in_connects_format_are_applied_and_heard(*this);
}
TEST_F(DevTopics, ConfigGarbageRecordIsSkippedWithItsPlaceAndTheReaderGoesOn) {
  a_garbage_record_is_skipped_with_its_place_and_the_reader_goes_on(*this);
}
TEST_F(DevTopics, ConfigRestartedReaderRebuildsTheSameState) {
  a_restarted_reader_rebuilds_the_same_state(*this);
}
TEST_F(DevTopics, ConfigDeletingAConnectorWritesConnectsTombstones) {
  deleting_a_connector_writes_connects_tombstones(*this);
}
TEST_F(DevTopics, ConfigKcatReadsOurWritesWithConnectsKeysAndJson) {
  kcat_reads_config_writes_with_connects_keys_and_json(*this);
}
TEST_F(DevTopics, StatusWrittenByOneIsReadByAnotherAndByKcat) {
  statuses_written_by_one_are_read_by_another_and_by_kcat(*this);
}
TEST_F(DevTopics, StatusOlderGenerationFromAnotherWorkerDoesNotReplaceANewerOne) {
  an_older_generation_from_another_worker_does_not_replace_a_newer_status(*this);
}
TEST_F(DevTopics, StatusDeletingAConnectorTombstonesItsStatuses) {
  deleting_a_connector_tombstones_its_statuses(*this);
}

}  // namespace
}  // namespace sentinel::test

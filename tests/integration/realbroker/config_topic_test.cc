// Distributed mode's config and status topics on a real Apache Kafka broker (issue #15): the
// scenarios of tests/integration/connect/distributed_topics_test.cc (two readers, read-back
// writes, commits, Connect's records both ways, bad records, restarts, status generations) on
// compacted topics made through CreateTopics, as the worker makes them.
#include <gtest/gtest.h>

#include "tests/integration/connect/distributed_topics_scenarios.h"
#include "tests/support/real_kafka.h"

namespace sentinel::test {
namespace {

class RealTopics : public TopicBroker, public ::testing::Test {
 public:
  void SetUp() override { SENTINEL_REQUIRE_REAL_KAFKA(); }
  std::string bootstrap() override { return RealKafka::instance().bootstrap(); }
  std::string new_topic(const std::string& base, int partitions) override {
    std::string name = RealKafka::unique_name(base);
    std::string error;
    EXPECT_TRUE(RealKafka::instance().create_topics(
        {{name, partitions, 1, {{"cleanup.policy", "compact"}}}}, &error))
        << error;
    return name;
  }
};

TEST_F(RealTopics, ConfigWriteThroughOneIsSeenByAnotherWithTheSameLog) {
  write_through_one_is_seen_by_another_with_the_same_log(*this);
}
TEST_F(RealTopics, ConfigWriteReturnsOnlyAfterItsWriterAppliedIt) {
  a_write_returns_only_after_its_writer_applied_it(*this);
}
TEST_F(RealTopics, ConfigTaskConfigsAreInvisibleUntilTheirCommit) {
  task_configs_are_invisible_until_their_commit(*this);
}
TEST_F(RealTopics, ConfigRecordsKcatWroteInConnectsFormatAreAppliedAndHeard) {
  records_kcat_wrote_in_connects_format_are_applied_and_heard(*this);
}
TEST_F(RealTopics, ConfigGarbageRecordIsSkippedWithItsPlaceAndTheReaderGoesOn) {
  a_garbage_record_is_skipped_with_its_place_and_the_reader_goes_on(*this);
}
TEST_F(RealTopics, ConfigRestartedReaderRebuildsTheSameState) {
  a_restarted_reader_rebuilds_the_same_state(*this);
}
TEST_F(RealTopics, ConfigDeletingAConnectorWritesConnectsTombstones) {
  deleting_a_connector_writes_connects_tombstones(*this);
}
TEST_F(RealTopics, ConfigKcatReadsOurWritesWithConnectsKeysAndJson) {
  kcat_reads_config_writes_with_connects_keys_and_json(*this);
}
TEST_F(RealTopics, StatusWrittenByOneIsReadByAnotherAndByKcat) {
  statuses_written_by_one_are_read_by_another_and_by_kcat(*this);
}
TEST_F(RealTopics, StatusOlderGenerationFromAnotherWorkerDoesNotReplaceANewerOne) {
  an_older_generation_from_another_worker_does_not_replace_a_newer_status(*this);
}
TEST_F(RealTopics, StatusDeletingAConnectorTombstonesItsStatuses) {
  deleting_a_connector_tombstones_its_statuses(*this);
}

}  // namespace
}  // namespace sentinel::test

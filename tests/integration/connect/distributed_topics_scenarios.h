// The scenarios of the config- and status-topic tests (connect-sink/runtime/distributed:
// config_topic.h, status_log.h), run on sentinel-devkafka (distributed_topics_test.cc) and on
// the real broker (tests/integration/realbroker/config_topic_test.cc), with kcat as the
// independent client that writes Connect's records and reads back ours.
#pragma once

#include <string>

namespace sentinel::test {

// Where a scenario runs: a broker, and a way to make a new topic on it.
class TopicBroker {
 public:
  virtual ~TopicBroker() = default;
  virtual std::string bootstrap() = 0;
  // Creates a topic of its own with `partitions` (compacted where the broker can) and names it.
  virtual std::string new_topic(const std::string& base, int partitions) = 0;
};

// Config topic.
void write_through_one_is_seen_by_another_with_the_same_log(TopicBroker& broker);
void a_write_returns_only_after_its_writer_applied_it(TopicBroker& broker);
void task_configs_are_invisible_until_their_commit(TopicBroker& broker);
void records_kcat_wrote_in_connects_format_are_applied_and_heard(TopicBroker& broker);
void a_garbage_record_is_skipped_with_its_place_and_the_reader_goes_on(TopicBroker& broker);
void a_restarted_reader_rebuilds_the_same_state(TopicBroker& broker);
void deleting_a_connector_writes_connects_tombstones(TopicBroker& broker);
void kcat_reads_config_writes_with_connects_keys_and_json(TopicBroker& broker);
// Status topic.
void statuses_written_by_one_are_read_by_another_and_by_kcat(TopicBroker& broker);
void an_older_generation_from_another_worker_does_not_replace_a_newer_status(TopicBroker& broker);
void deleting_a_connector_tombstones_its_statuses(TopicBroker& broker);

}  // namespace sentinel::test

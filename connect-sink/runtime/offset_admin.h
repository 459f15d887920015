// Offsets of stopped connectors, read and changed through Kafka's admin API as Connect does
// (ListConsumerGroupOffsets, AlterConsumerGroupOffsets, DeleteConsumerGroupOffsets, DeleteGroups),
// each operation bounded by a time budget. Each operation makes its own OffsetsClient from the
// connector's consumer settings; KafkaBackend (kafka_backend.h) calls these for the herder.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/kafka.h"
#include "connect-sink/runtime/topic_partitions.h"
#include "connect-sink/runtime/worker_backend.h"

namespace sentinel::connect {

// Committed offsets of the group consumer["group.id"], sorted by topic and partition: every
// partition the group has an offset for; on the dev broker (which answers that question with
// nothing) those of `topics` or of the topics `topics_regex` matches.
OffsetsResult list_group_offsets(const kafka::Properties& consumer,
                                 const std::vector<std::string>& topics,
                                 const std::string& topics_regex, std::chrono::seconds budget,
                                 std::vector<PartitionOffset>* out);
// Commits the given offsets for the (empty) group; nullopt deletes that partition's committed
// offset. kGroupActive while the group has members; kUnsupported where the dev broker cannot.
OffsetsResult alter_group_offsets(const kafka::Properties& consumer,
                                  const std::map<TopicPartition, std::optional<int64_t>>& offsets,
                                  std::chrono::seconds budget);
// Deletes the (empty) group with all its offsets; a group that does not exist counts as done.
OffsetsResult delete_group(const kafka::Properties& consumer, std::chrono::seconds budget);

struct EventDeleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
using Event = std::unique_ptr<rd_kafka_event_t, EventDeleter>;

// sentinel-devkafka is librdkafka's mock cluster, whose cluster id says so. It has neither
// OffsetDelete nor DeleteGroups, and librdkafka 2.0.2 aborts the whole process (an assertion in
// rd_kafka_enq_once_del_source_return) when asked for an admin operation its broker lacks: so
// those requests are never sent to it.
bool is_dev_broker(const std::string& cluster_id);

// "the dev broker (…) cannot <what>; use a real Kafka broker (2.4 or later) for this".
std::string dev_broker_cannot(const std::string& what);

// One offsets operation's client: a consumer handle, so that it takes the connector's consumer
// settings (security included) as they are, which never joins the group; only its admin API is
// used. It learns the cluster id first, to know the dev broker.
class OffsetsClient {
 public:
  // Makes the client and learns the cluster id, all within `budget` (which bounds every call).
  OffsetsClient(kafka::Properties props, std::chrono::seconds budget);

  // False with error() when the client could not be made or the cluster did not answer.
  bool ready() const { return rk_ != nullptr; }
  const std::string& error() const { return error_; }
  bool dev_broker() const { return is_dev_broker(cluster_id_); }
  const std::string& group() const { return group_; }
  rd_kafka_t* get() const { return rk_.get(); }
  MonoClock::time_point deadline() const { return deadline_; }

  // Sends one admin request through `issue(options, queue)` and waits for its result; nullptr
  // (and *error) when none came in time.
  template <typename Issue>
  Event call(Issue&& issue, std::string* error) {
    rd_kafka_queue_t* queue = rd_kafka_queue_new(rk_.get());
    rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk_.get(), RD_KAFKA_ADMIN_OP_ANY);
    char errstr[256];
    rd_kafka_AdminOptions_set_request_timeout(options, remaining_ms(deadline_), errstr,
                                              sizeof errstr);
    issue(options, queue);
    Event ev(rd_kafka_queue_poll(queue, remaining_ms(deadline_) + 1000));
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_queue_destroy(queue);
    if (!ev) {
      *error = no_answer();
    } else if (rd_kafka_event_error(ev.get())) {
      *error = rd_kafka_event_error_string(ev.get());
      if (rd_kafka_event_error(ev.get()) == RD_KAFKA_RESP_ERR__TIMED_OUT) *error = no_answer();
      ev.reset();
    }
    return ev;
  }

 private:
  std::string no_answer() const;

  MonoClock::time_point deadline_;
  std::chrono::seconds budget_;
  std::string group_, bootstrap_, cluster_id_, error_;
  kafka::Handle rk_;
};

// What one group's result says: the group's own error, or the first partition's.
struct GroupAnswer {
  rd_kafka_resp_err_t code = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string text;  // "orders-3: Broker: Unknown topic or partition"
  const rd_kafka_topic_partition_list_t* partitions = nullptr;
};

GroupAnswer answer_of(const rd_kafka_group_result_t* const* groups, size_t count);

// The group still has members: only they may commit, and offsets of topics they subscribe to
// cannot be deleted (Kafka answers these for a non-empty group).
bool group_active(rd_kafka_resp_err_t code);

}  // namespace sentinel::connect

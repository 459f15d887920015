// Offsets of stopped connectors through Kafka's admin API (see offset_admin.h).
#include "connect-sink/runtime/offset_admin.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "common/static_membership.h"

namespace sentinel::connect {
namespace {

using OffsetsError = OffsetsResult::Error;

std::string name(const TopicPartition& tp) { return fmt::format("{}-{}", tp.topic, tp.partition); }

}  // namespace

bool is_dev_broker(const std::string& cluster_id) {
  return kafka::is_dev_broker_cluster(cluster_id);
}

std::string dev_broker_cannot(const std::string& what) {
  return fmt::format(
      "the dev broker (sentinel-devkafka, librdkafka's mock cluster) cannot {}; use a real Kafka "
      "broker (2.4 or later) for this",
      what);
}

OffsetsClient::OffsetsClient(kafka::Properties props, std::chrono::seconds budget)
    : deadline_(MonoClock::now() + budget), budget_(budget) {
  group_ = props["group.id"];
  bootstrap_ = props["bootstrap.servers"];
  props.erase("group.instance.id");
  kafka::Conf conf = kafka::make_conf(props, &error_);
  if (conf) rk_ = kafka::make_handle(RD_KAFKA_CONSUMER, std::move(conf), &error_);
  if (!rk_) return;
  if (char* id = rd_kafka_clusterid(rk_.get(), remaining_ms(deadline_))) {
    cluster_id_ = id;
    rd_kafka_mem_free(rk_.get(), id);
  } else {
    error_ = no_answer();
    rk_.reset();
  }
}

std::string OffsetsClient::no_answer() const {
  return fmt::format("no answer from the Kafka cluster at {} within {} s", bootstrap_,
                     budget_.count());
}

GroupAnswer answer_of(const rd_kafka_group_result_t* const* groups, size_t count) {
  GroupAnswer a;
  if (count == 0) {
    a.code = RD_KAFKA_RESP_ERR__FAIL;
    a.text = "the broker's answer named no group";
    return a;
  }
  if (const rd_kafka_error_t* e = rd_kafka_group_result_error(groups[0])) {
    a.code = rd_kafka_error_code(e);
    a.text = fmt::format("group {}: {}", rd_kafka_group_result_name(groups[0]),
                         rd_kafka_error_string(e));
    return a;
  }
  a.partitions = rd_kafka_group_result_partitions(groups[0]);
  for (int i = 0; a.partitions && i < a.partitions->cnt; ++i) {
    const auto& el = a.partitions->elems[i];
    if (!el.err) continue;
    a.code = el.err;
    a.text = fmt::format("{}-{}: {}", el.topic, el.partition, rd_kafka_err2str(el.err));
    break;
  }
  return a;
}

bool group_active(rd_kafka_resp_err_t code) {
  return code == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID ||
         code == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION ||
         code == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS ||
         code == RD_KAFKA_RESP_ERR_GROUP_SUBSCRIBED_TO_TOPIC ||
         code == RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP;
}

OffsetsResult list_group_offsets(const kafka::Properties& consumer,
                                 const std::vector<std::string>& topics,
                                 const std::string& topics_regex, std::chrono::seconds budget,
                                 std::vector<PartitionOffset>* out) {
  OffsetsClient client(consumer, budget);
  if (!client.ready()) return OffsetsResult::Fail(OffsetsError::kFailed, client.error());
  // Every partition the group has an offset for, as Connect lists them; the dev broker answers
  // that question with nothing, so it is asked about the connector's topics instead.
  kafka::TopicPartitionList query;
  if (client.dev_broker()) {
    std::vector<TopicPartition> parts;
    Status s = partitions_of(client.get(), topics, topics_regex, client.deadline(), &parts);
    if (!s.ok) return OffsetsResult::Fail(OffsetsError::kFailed, s.message);
    if (parts.empty()) return OffsetsResult::Ok();
    OffsetMap all;
    for (const auto& tp : parts) all[tp] = RD_KAFKA_OFFSET_INVALID;
    query = to_list(all);
  }
  std::string error;
  Event ev = client.call(
      [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
        rd_kafka_ListConsumerGroupOffsets_t* request =
            rd_kafka_ListConsumerGroupOffsets_new(client.group().c_str(), query.get());
        rd_kafka_ListConsumerGroupOffsets(client.get(), &request, 1, options, queue);
        rd_kafka_ListConsumerGroupOffsets_destroy(request);
      },
      &error);
  if (!ev) return OffsetsResult::Fail(OffsetsError::kFailed, error);
  size_t count = 0;
  const rd_kafka_group_result_t** groups = rd_kafka_ListConsumerGroupOffsets_result_groups(
      rd_kafka_event_ListConsumerGroupOffsets_result(ev.get()), &count);
  GroupAnswer answer = answer_of(groups, count);
  if (answer.code) return OffsetsResult::Fail(OffsetsError::kFailed, answer.text);
  for (int i = 0; answer.partitions && i < answer.partitions->cnt; ++i) {
    const auto& el = answer.partitions->elems[i];
    if (el.offset >= 0) out->push_back({el.topic, el.partition, el.offset});
  }
  std::sort(out->begin(), out->end(), [](const PartitionOffset& a, const PartitionOffset& b) {
    return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
  });
  return OffsetsResult::Ok();
}

OffsetsResult alter_group_offsets(const kafka::Properties& consumer,
                                  const std::map<TopicPartition, std::optional<int64_t>>& offsets,
                                  std::chrono::seconds budget) {
  OffsetMap commit;
  std::vector<TopicPartition> remove;
  for (const auto& [tp, off] : offsets) {
    if (off) {
      commit[tp] = *off;
    } else {
      remove.push_back(tp);
    }
  }
  OffsetsClient client(consumer, budget);
  if (!client.ready()) return OffsetsResult::Fail(OffsetsError::kFailed, client.error());
  if (client.dev_broker() && !remove.empty()) {
    return OffsetsResult::Fail(
        OffsetsError::kUnsupported,
        dev_broker_cannot("delete a committed offset (it has no OffsetDelete, KIP-496), so an "
                          "\"offset\": null cannot reset " +
                          name(remove.front())));
  }
  std::string error;
  if (!remove.empty()) {
    kafka::TopicPartitionList list(
        rd_kafka_topic_partition_list_new(static_cast<int>(remove.size())));
    for (const auto& tp : remove)
      rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition);
    Event ev = client.call(
        [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
          rd_kafka_DeleteConsumerGroupOffsets_t* request =
              rd_kafka_DeleteConsumerGroupOffsets_new(client.group().c_str(), list.get());
          rd_kafka_DeleteConsumerGroupOffsets(client.get(), &request, 1, options, queue);
          rd_kafka_DeleteConsumerGroupOffsets_destroy(request);
        },
        &error);
    if (!ev) return OffsetsResult::Fail(OffsetsError::kFailed, error);
    size_t count = 0;
    const rd_kafka_group_result_t** groups = rd_kafka_DeleteConsumerGroupOffsets_result_groups(
        rd_kafka_event_DeleteConsumerGroupOffsets_result(ev.get()), &count);
    GroupAnswer answer = answer_of(groups, count);
    // A group that never committed has nothing to delete.
    if (answer.code == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND)
      answer.code = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (group_active(answer.code))
      return OffsetsResult::Fail(OffsetsError::kGroupActive, answer.text);
    if (answer.code) return OffsetsResult::Fail(OffsetsError::kFailed, answer.text);
  }
  if (!commit.empty()) {
    kafka::TopicPartitionList list = to_list(commit);
    Event ev = client.call(
        [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
          rd_kafka_AlterConsumerGroupOffsets_t* request =
              rd_kafka_AlterConsumerGroupOffsets_new(client.group().c_str(), list.get());
          rd_kafka_AlterConsumerGroupOffsets(client.get(), &request, 1, options, queue);
          rd_kafka_AlterConsumerGroupOffsets_destroy(request);
        },
        &error);
    if (!ev) return OffsetsResult::Fail(OffsetsError::kFailed, error);
    size_t count = 0;
    const rd_kafka_group_result_t** groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(
        rd_kafka_event_AlterConsumerGroupOffsets_result(ev.get()), &count);
    GroupAnswer answer = answer_of(groups, count);
    if (client.dev_broker() && answer.code == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID) {
      // The mock takes commits only from members once a group has had any, empty or not.
      return OffsetsResult::Fail(
          OffsetsError::kUnsupported,
          dev_broker_cannot(fmt::format("commit offsets from outside group {} once the group has "
                                        "had members (its answer: {})",
                                        client.group(), answer.text)));
    }
    if (group_active(answer.code))
      return OffsetsResult::Fail(OffsetsError::kGroupActive, answer.text);
    if (answer.code == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
      return OffsetsResult::Fail(OffsetsError::kInvalid, answer.text);
    }
    if (answer.code) return OffsetsResult::Fail(OffsetsError::kFailed, answer.text);
  }
  return OffsetsResult::Ok();
}

OffsetsResult delete_group(const kafka::Properties& consumer, std::chrono::seconds budget) {
  OffsetsClient client(consumer, budget);
  if (!client.ready()) return OffsetsResult::Fail(OffsetsError::kFailed, client.error());
  if (client.dev_broker()) {
    return OffsetsResult::Fail(
        OffsetsError::kUnsupported,
        dev_broker_cannot("delete consumer group " + client.group() + " (it has no DeleteGroups)"));
  }
  std::string error;
  Event ev = client.call(
      [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
        rd_kafka_DeleteGroup_t* request = rd_kafka_DeleteGroup_new(client.group().c_str());
        rd_kafka_DeleteGroups(client.get(), &request, 1, options, queue);
        rd_kafka_DeleteGroup_destroy(request);
      },
      &error);
  if (!ev) return OffsetsResult::Fail(OffsetsError::kFailed, error);
  size_t count = 0;
  const rd_kafka_group_result_t** groups =
      rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev.get()), &count);
  GroupAnswer answer = answer_of(groups, count);
  // Deleting twice does no harm, as in Connect.
  if (answer.code == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) return OffsetsResult::Ok();
  if (group_active(answer.code))
    return OffsetsResult::Fail(OffsetsError::kGroupActive, answer.text);
  if (answer.code) return OffsetsResult::Fail(OffsetsError::kFailed, answer.text);
  return OffsetsResult::Ok();
}

}  // namespace sentinel::connect

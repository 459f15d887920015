// Static group membership (KIP-345) for Sentinel's consumers. A consumer that comes back with
// the same group.instance.id within session.timeout.ms takes its old place in the group: the
// broker hands it the partitions it had, without a rebalance and without waiting for the dead
// member to time out. So the id must be stable across restarts and unique in its group (two
// live members with one id fence each other: the broker answers FENCED_INSTANCE_ID to the older
// one, a fatal error in librdkafka).
//
// A static member does not leave the group when it closes (librdkafka skips LeaveGroup for
// them), so its partitions stay held until session.timeout.ms even after a clean stop. Sentinel
// leaves explicitly on a clean stop (leave_group) and keeps the fast path for crashes.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/kafka.h"

namespace sentinel::kafka {

// The session timeout Sentinel's static members use unless configured: a member killed and
// restarted within it gets its partitions back at once; one that never returns is replaced
// after it. 45 s is librdkafka's default since 2.0 (it was 10 s before), set explicitly so the
// trade-off does not move with the library.
inline constexpr const char* kStaticSessionTimeoutMs = "45000";

// `identity` as a group.instance.id Kafka accepts (ASCII letters, digits, '.', '_', '-'; at most
// 249 characters): other characters become '_', and when anything was replaced or cut a hash of
// the whole identity is appended, so two identities never give one id.
// "web-1:8083-archive 1-0" → "web-1_8083-archive_1-0-3f9a0c1d2b7e".
std::string group_instance_id(std::string_view identity);

// This host's name (gethostname), "localhost" when it has none.
std::string host_name();

// True when `consumer` was configured with a non-empty group.instance.id.
bool is_static_member(rd_kafka_t* consumer);

// Leaves the group now: unsubscribes (the rebalance callback, if any, sees the revocation and
// commits what it must), then serves the consumer queue until the assignment is empty and the
// LeaveGroup request went out, or `timeout` passed. Records fetched meanwhile are dropped (they
// were not delivered, so the next owner reads them from the committed offsets). Call it before
// rd_kafka_consumer_close() on a clean stop of a static member; false on timeout.
bool leave_group(rd_kafka_t* consumer, std::chrono::milliseconds timeout);

// True for the cluster id of sentinel-devkafka (librdkafka's mock cluster: "mockCluster…"). It
// ignores group.instance.id, and lacks the admin requests used here (librdkafka 2.0.2 aborts or
// hangs when asked for an admin request its broker lacks), so none is sent to it.
bool is_dev_broker_cluster(const std::string& cluster_id);

// The partitions of `expected` that are not in `owned` (the members' assignments), in order.
std::vector<std::pair<std::string, int32_t>> unowned_partitions(
    const rd_kafka_topic_partition_list_t* expected,
    const std::set<std::pair<std::string, int32_t>>& owned);

// Apache Kafka 2.4 gives a static member that rejoins while its group completes a rebalance an
// empty assignment, and the partitions the leader meant for the member's old id go to nobody until
// the next rebalance (later releases rebalance instead). It happens when a process is killed in
// the middle of a rebalance (during its own start, say) and restarted at once. So a static member
// left without partitions checks, and if the broker describes the group as stable with partitions
// owned by no member, leaves and rejoins: the group rebalances and every partition has an owner.
class UnownedPartitionsWatch {
 public:
  // `who` names the consumer in log lines ("connector x task 0").
  explicit UnownedPartitionsWatch(std::string who) : who_(std::move(who)) {}

  // After every assignment: arms the check when `consumer` is a static member left with nothing.
  void assigned(rd_kafka_t* consumer, int partitions);
  // From the consumer's loop. When armed and due, compares the members' assignments
  // (DescribeConsumerGroups) with `expected()` (every partition of the subscription) and, when some
  // have no owner, rejoins with `subscription`; the rebalance callback runs meanwhile.
  void poll(rd_kafka_t* consumer, const std::string& group,
            const std::function<TopicPartitionList()>& expected,
            const rd_kafka_topic_partition_list_t* subscription);
  // True while a check is pending (a static member was assigned nothing).
  bool armed() const { return due_.has_value(); }

 private:
  std::string who_;
  std::optional<std::chrono::steady_clock::time_point> due_;
  int checks_ = 0;
};

}  // namespace sentinel::kafka

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
#include <string>
#include <string_view>

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

}  // namespace sentinel::kafka

// A distributed worker's membership in its cluster: one librdkafka consumer in the consumer group
// `group.id`, subscribed to the slot topic (offset.storage.topic, otherwise unused: sink offsets
// live in the connectors' own groups). Kafka decides who is in the group, who leads and when a
// member is gone; the slot topic's partitions are the slots the members own
// (task_assignment.h: which connectors and tasks run in which slot).
//
// - partition.assignment.strategy=roundrobin: librdkafka 2.0.2's assignor sorts the members by
//   group.instance.id (by member id where one is dynamic, as on sentinel-devkafka, whose mock
//   ignores group.instance.id) and hands partition i to member i mod M.
// - Static membership, group.instance.id = the worker id (its advertised host:port): a worker
//   restarted within session.timeout.ms takes its old slots back without a rebalance; one that
//   is gone longer is replaced after session.timeout.ms (6 s by default; Connect's is 10 s).
// - The eager protocol: a rebalance revokes every slot of every member first, so revoking() is
//   called with all the slots this worker holds, and assigned() with its new ones; in between
//   the worker is rebalancing. The leader is the owner of slot 0 (the one worker that writes
//   task configs).
// - A clean stop leaves the group (LeaveGroup, which librdkafka's close skips for static
//   members): the others get the slots at once instead of after session.timeout.ms.
//
// The consumer runs on a thread of its own; the listener is called on it, and revoking() must
// return only once the slots' work is stopped: the slots go when it returns.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "common/kafka.h"
#include "common/static_membership.h"
#include "connect-sink/runtime/worker_config.h"

namespace sentinel::connect::distributed {

struct WorkerGroupSettings {
  // The worker's top-level client properties: bootstrap.servers, security.protocol, sasl.*, ssl.*
  // (Connect's group member uses the worker's own config; consumer.* is for the sink tasks).
  kafka::Properties client;
  std::string group_id;    // group.id
  std::string slot_topic;  // offset.storage.topic
  std::string worker_id;   // the advertised host:port; group.instance.id is made from it
  int session_timeout_ms = DistributedSettings{}.session_timeout_ms;
  int heartbeat_interval_ms = DistributedSettings{}.heartbeat_interval_ms;
  int rebalance_timeout_ms = 60000;  // librdkafka's max.poll.interval.ms (its JoinGroup's)
};

// From a worker's DistributedSettings.
WorkerGroupSettings worker_group_settings(const kafka::Properties& client,
                                          const DistributedSettings& settings,
                                          const std::string& worker_id);

// The consumer's properties for `settings` (the client's first, the group's keys over them).
kafka::Properties worker_group_consumer_properties(const WorkerGroupSettings& settings);

// What this worker is in the group now.
struct GroupView {
  int32_t generation = -1;  // the group's generation of the last assignment; -1 before one
  std::string member_id;    // the broker's id of this member in that generation
  int32_t slot_count = 0;   // the slot topic's partitions at the last assignment
  std::set<int32_t> slots;  // owned now
  bool leader = false;      // owns slot 0
  bool rebalancing = true;  // from the start and from a revocation to the next assignment
  std::string failed;       // a fatal error (FENCED_INSTANCE_ID: another worker has this id)
};

struct GroupListener {
  // The slots are about to go (lost: the session timed out, another member may have them
  // already): stop their work before returning. `before` still lists them.
  std::function<void(const GroupView& before, bool lost)> revoking;
  // A new assignment (possibly no slots).
  std::function<void(const GroupView& now)> assigned;
  // The consumer failed for good; the worker holds no slots and leaves the group.
  std::function<void(const std::string& error)> failed;
};

class WorkerGroup {
 public:
  // Checks the slot topic exists (its partition count, from metadata, within `timeout`), then
  // joins on a thread of its own. nullptr with *error naming the topic, key or property.
  static std::unique_ptr<WorkerGroup> start(const WorkerGroupSettings& settings,
                                            GroupListener listener,
                                            std::chrono::milliseconds timeout, std::string* error);
  ~WorkerGroup();  // stop()
  WorkerGroup(const WorkerGroup&) = delete;
  WorkerGroup& operator=(const WorkerGroup&) = delete;

  GroupView view() const;
  // Waits until `condition` holds for the view, or `timeout` passes (false).
  bool wait_for(const std::function<bool(const GroupView&)>& condition,
                std::chrono::milliseconds timeout) const;
  // Clean stop: revokes (the listener stops the work), leaves the group, closes. Idempotent.
  void stop();

 private:
  WorkerGroup(WorkerGroupSettings settings, GroupListener listener);
  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* parts, void* opaque);
  void rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts);
  void run();
  void revoke(bool lost);
  int32_t slot_count(std::chrono::milliseconds timeout, std::string* error);
  void update(const std::function<void(GroupView*)>& change);

  WorkerGroupSettings settings_;
  GroupListener listener_;
  kafka::Handle consumer_;
  kafka::TopicPartitionList subscription_;
  kafka::UnownedPartitionsWatch unowned_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  GroupView view_;
};

// The generation of the consumer's group membership, from librdkafka's serialized group
// metadata (no other public accessor in 2.0.2); -1 when unknown (another serialization).
int32_t group_generation(rd_kafka_t* consumer);
int32_t group_generation(const rd_kafka_consumer_group_metadata_t* metadata);

}  // namespace sentinel::connect::distributed

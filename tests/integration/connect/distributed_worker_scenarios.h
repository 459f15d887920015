// The scenarios of distributed sentinel-connect (issue #15): three workers as processes, one
// group.id, each with a REST port and an archive root of its own (a host each), run on
// sentinel-devkafka (distributed_worker_test.cc) and on the real broker
// (tests/integration/realbroker/distributed_worker_test.cc). The archives are read back as files,
// every record with its topic, partition and offset (RotatingFileSink's envelope format).
#pragma once

#include "tests/integration/connect/distributed_topics_scenarios.h"

namespace sentinel::test {

// A broker for these scenarios: compacted topics for the workers' storage, and a topic of plain
// records (no keys: a compacted topic refuses them) for the data.
class WorkerBroker : public TopicBroker {
 public:
  virtual std::string new_data_topic(const std::string& base, int partitions) = 0;
  // Whether the broker takes a member's offset commit while its group prepares a rebalance, as
  // Kafka does. sentinel-devkafka's mock group refuses every commit while it waits for members
  // to rejoin (up to session.timeout.ms - 1 s after a member change), so on it a task stopped in
  // a rolling restart after another worker's task left cannot commit its last records, and
  // their next owner archives them again (at least once, never lost).
  virtual bool commits_while_rebalancing() const { return true; }
};

// A connector created on one worker is listed with the same config and status on all three, and
// its three tasks run on three different workers; every record is archived once.
void a_connector_created_on_one_is_seen_alike_on_all_and_its_tasks_spread(WorkerBroker& broker);
// SIGKILL of a worker running a task while records flow: its tasks run on the others, the union
// of the archives holds every record (a copy on two hosts has the same topic, partition and
// offset), and so it does once the killed worker is back.
void a_sigkilled_workers_tasks_move_and_the_archives_lose_nothing(WorkerBroker& broker);
// SIGKILL of the worker that starts task 1 while that task's consumer joins its connector's group
// (records flowing): the others take its tasks over and archive every record within 120 s.
void a_worker_killed_as_its_task_joins_stalls_no_group(WorkerBroker& broker);
// Each of the three stopped (SIGTERM) and started again in turn while records flow: every record
// archived, none twice (clean handoffs) where the broker commits_while_rebalancing().
void a_rolling_restart_loses_and_repeats_nothing(WorkerBroker& broker);
// Pause, resume, stop, the offsets endpoints, a task's restart and delete, each sent to one
// worker, act on every worker.
void lifecycle_requests_to_one_worker_act_cluster_wide(WorkerBroker& broker);
// A worker given SIGTERM while its join is held up (another member frozen) exits at once, 0,
// without waiting for the join nor saying it started.
void a_worker_stopped_while_joining_exits_at_once(WorkerBroker& broker);

}  // namespace sentinel::test

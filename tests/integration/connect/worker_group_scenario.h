// Distributed workers' group membership as separate processes (issue #15), shared by the
// sentinel-devkafka test (worker_group_test.cc here) and the real broker's
// (tests/integration/realbroker/worker_group_test.cc). Each member is the test binary itself run
// with --worker-group-member (its main() hands over to worker_group_member_main): one WorkerGroup
// that prints each revocation and assignment on stdout, with the tasks the slots give it for six
// tasks (connector a-archive with 4, b-archive with 2), and leaves cleanly on SIGTERM.
#pragma once

#include <functional>
#include <string>

namespace sentinel::test {

inline constexpr const char* kWorkerGroupMemberFlag = "--worker-group-member";

// argv: <binary> --worker-group-member BOOTSTRAP GROUP SLOT_TOPIC WORKER_ID SESSION_TIMEOUT_MS
int worker_group_member_main(int argc, char** argv);

// main() of a binary whose tests run members: a member when asked, else the tests.
int worker_group_test_main(int argc, char** argv);

struct GroupBroker {
  std::string bootstrap;
  // Creates the slot topic with `partitions` partitions; false with *error.
  std::function<bool(const std::string& topic, int partitions, std::string* error)> create_topic;
  // The broker gives a restarted static member its old place (the real broker; the mock behind
  // sentinel-devkafka ignores group.instance.id).
  bool static_membership = false;
  // The broker waits session.timeout.ms - 1 s for the members to rejoin after one joined or
  // left (the mock behind sentinel-devkafka; a real broker rebalances when the live ones rejoin).
  bool rebalance_waits_session = false;
  std::string name;  // "devkafka" or "real broker", for the printed times
};

// Three members → every slot owned by exactly one, one leader (the owner of slot 0), 2 tasks each.
void three_workers_share_the_slots_and_tasks_evenly(const GroupBroker& broker,
                                                    const std::string& group);
// A member stopped with SIGTERM → it gives up its slots before it exits, and the other two own
// every slot: on a real broker within 15 s, where a member that does not leave the group holds
// its slots for session.timeout.ms (30 s here). (The mock behind sentinel-devkafka waits
// session.timeout.ms - 1 s after a member leaves before it rebalances: no promptness there.)
void a_cleanly_stopped_workers_slots_go_to_the_others_at_once(const GroupBroker& broker,
                                                              const std::string& group);
// A member SIGKILLed (default session timeout, 10 s) → the other two own every slot; prints the
// time it took.
void a_killed_workers_slots_go_to_the_others_after_the_session_timeout(const GroupBroker& broker,
                                                                       const std::string& group);
// A member SIGKILLed and restarted at once with the same worker id → it owns slots again, every
// slot owned once; with static membership, its old slots, without a rebalance of the others.
void a_restarted_worker_with_the_same_id_owns_slots_again(const GroupBroker& broker,
                                                          const std::string& group);

// Static membership only: a second worker started with a live worker's id takes its place; the
// first is fenced (a fatal error), gives up its slots as lost and reports the failure.
void a_second_worker_with_the_same_id_fences_the_first(const GroupBroker& broker,
                                                       const std::string& group);

}  // namespace sentinel::test

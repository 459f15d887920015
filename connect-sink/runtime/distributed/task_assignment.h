// Which connectors and tasks a distributed worker runs, given the slots it owns in the workers'
// group (worker_group.h). Every worker computes it alone from the same inputs — the config
// topic's connectors and their committed task counts, the slot count P — and its own slots, so
// the workers agree without talking.
//
// A connector's slots depend on that connector alone (its name, its task count, P), so creating,
// deleting or resizing another connector moves none of its tasks (Connect's eager protocol
// restarted every connector on any change: the "rebalance storm"). With h = FNV-1a 64 of the
// name: connector C runs in slot h mod P; its T tasks in T consecutive slots, task i in
// (first + i) mod P, where first = h mod P unless the T tasks would run past slot P-1, in which
// case first = (h / P) mod (P - T + 1) (another part of the hash, so the start stays uniform
// over the slots where they fit). With the roundrobin assignor slot s belongs to member s mod M,
// so consecutive slots that do not wrap go to consecutive members: one connector's T tasks
// spread over min(T, M) workers, ceil(T/M) at most on one (T > P: wraps, each slot runs floor or
// ceil(T/P) tasks).
//
// The price: the spread is even per connector, not across connectors. Each connector's T mod M
// remainder tasks land on members chosen by its hash, so the total per worker can differ by
// more than one. Measured (P = 25, M = 3, names a-archive…j-archive; task_assignment_test.cc):
// 10 connectors × 3 tasks → 10/10/10 tasks per worker (max/min 10/10, with any names); × 2 tasks →
// 7/7/6; × 1 task → 5/3/2 (where sorting all tasks by name, the previous scheme, gave 4/3/3 but
// moved tasks on every change).
//
// Every worker must compute the same slots: the hash is not std::hash, and a unit test pins it.
// Pure: no Kafka.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "connect-sink/runtime/distributed/config_log.h"

namespace sentinel::connect::distributed {

struct TaskRef {
  std::string connector;
  int task = 0;
  auto operator<=>(const TaskRef&) const = default;
};

struct WorkAssignment {
  std::vector<std::string> connectors;  // connector instances to run, by name
  std::vector<TaskRef> tasks;           // by (connector, task)
};

// The committed task count of each connector (0 for one without tasks or inconsistent).
std::map<std::string, int> task_counts(const std::map<std::string, ConnectorView>& connectors);

// The stable hash of a connector's name (FNV-1a, 64 bits): the same on every worker and build.
uint64_t connector_hash(std::string_view connector);

// The slot of connector `connector`'s instance among `slot_count` slots (at least 1).
int32_t connector_slot(std::string_view connector, int32_t slot_count);

// The slot of task `task` (0-based, below `task_count`) of `connector` among `slot_count` slots
// (at least 1).
int32_t task_slot(std::string_view connector, int task, int task_count, int32_t slot_count);

// What the owner of `owned` runs. `slot_count` < 1 (the slot topic unknown): nothing.
WorkAssignment assign_work(const std::map<std::string, int>& task_counts, int32_t slot_count,
                           const std::set<int32_t>& owned);

}  // namespace sentinel::connect::distributed

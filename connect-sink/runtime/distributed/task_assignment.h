// Which connectors and tasks a distributed worker runs, given the slots it owns in the workers'
// group (worker_group.h). Every worker computes it alone from the same inputs — the config
// topic's connectors and their committed task counts, the slot count — and its own slots, so the
// workers agree without talking: all tasks of all connectors, sorted by (connector name, task
// id), task k goes to slot k mod P; connector j (sorted by name) to slot j mod P. With the
// roundrobin assignor slot i belongs to member i mod M, so T tasks spread over M workers with
// at most ceil(T/M) each while T <= P (above that, as evenly as P slots spread over M).
// Pure: no Kafka.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
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

// The slot of the k-th work item (0-based) among `slot_count` slots (at least 1).
int32_t slot_of(size_t k, int32_t slot_count);

// What the owner of `owned` runs. `slot_count` < 1 (the slot topic unknown): nothing.
WorkAssignment assign_work(const std::map<std::string, int>& task_counts, int32_t slot_count,
                           const std::set<int32_t>& owned);

}  // namespace sentinel::connect::distributed

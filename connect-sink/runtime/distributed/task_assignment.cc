// Connectors and tasks → slots: the deterministic round robin every worker computes alone.
#include "connect-sink/runtime/distributed/task_assignment.h"

namespace sentinel::connect::distributed {

std::map<std::string, int> task_counts(const std::map<std::string, ConnectorView>& connectors) {
  std::map<std::string, int> counts;
  for (const auto& [name, view] : connectors) counts[name] = static_cast<int>(view.tasks.size());
  return counts;
}

int32_t slot_of(size_t k, int32_t slot_count) {
  return static_cast<int32_t>(k % static_cast<size_t>(slot_count));
}

WorkAssignment assign_work(const std::map<std::string, int>& task_counts, int32_t slot_count,
                           const std::set<int32_t>& owned) {
  WorkAssignment work;
  if (slot_count < 1) return work;
  size_t j = 0;  // the map's order is the connectors' sorted order
  size_t k = 0;
  for (const auto& [name, count] : task_counts) {
    if (owned.count(slot_of(j++, slot_count))) work.connectors.push_back(name);
    for (int id = 0; id < count; ++id) {
      if (owned.count(slot_of(k++, slot_count))) work.tasks.push_back({name, id});
    }
  }
  return work;
}

}  // namespace sentinel::connect::distributed

// Connectors and tasks → slots: each connector placed by the hash of its name, its tasks in
// consecutive slots from there, so every worker computes the same and no connector moves another.
#include "connect-sink/runtime/distributed/task_assignment.h"

namespace sentinel::connect::distributed {

std::map<std::string, int> task_counts(const std::map<std::string, ConnectorView>& connectors) {
  std::map<std::string, int> counts;
  for (const auto& [name, view] : connectors) counts[name] = static_cast<int>(view.tasks.size());
  return counts;
}

uint64_t connector_hash(std::string_view connector) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a 64's offset basis and prime
  for (unsigned char c : connector) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

int32_t connector_slot(std::string_view connector, int32_t slot_count) {
  return static_cast<int32_t>(connector_hash(connector) % static_cast<uint64_t>(slot_count));
}

int32_t task_slot(std::string_view connector, int task, int task_count, int32_t slot_count) {
  const uint64_t h = connector_hash(connector);
  const uint64_t p = static_cast<uint64_t>(slot_count);
  const uint64_t t = static_cast<uint64_t>(task_count);
  uint64_t first = h % p;
  // Past the last slot the tasks would wrap to slot 0, which roundrobin gives to member 0 as it
  // gave slot P-1 to member (P-1) mod M: two tasks of one connector on one worker too many.
  if (t <= p && first + t > p) first = (h / p) % (p - t + 1);
  return static_cast<int32_t>((first + static_cast<uint64_t>(task)) % p);
}

WorkAssignment assign_work(const std::map<std::string, int>& task_counts, int32_t slot_count,
                           const std::set<int32_t>& owned) {
  WorkAssignment work;
  if (slot_count < 1) return work;
  for (const auto& [name, count] : task_counts) {
    if (owned.count(connector_slot(name, slot_count))) work.connectors.push_back(name);
    for (int id = 0; id < count; ++id) {
      if (owned.count(task_slot(name, id, count, slot_count))) work.tasks.push_back({name, id});
    }
  }
  return work;
}

}  // namespace sentinel::connect::distributed

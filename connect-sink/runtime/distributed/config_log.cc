// Config-topic records → the cluster's connectors and tasks (see config_log.h).
#include "connect-sink/runtime/distributed/config_log.h"

#include <type_traits>

namespace sentinel::connect::distributed {

void ConfigLog::apply(const ConfigRecord& record, int64_t offset) {
  next_offset_ = offset + 1;
  std::visit(
      [this](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, ConnectorConfigRecord>) {
          if (!r.properties) {
            configs_.erase(r.connector);
            committed_.erase(r.connector);
            pending_.erase(r.connector);
            inconsistent_.erase(r.connector);
          } else {
            configs_[r.connector] = *r.properties;
          }
        } else if constexpr (std::is_same_v<T, TaskConfigRecord>) {
          pending_[r.connector][r.task] = r.properties;
        } else if constexpr (std::is_same_v<T, TaskCommitRecord>) {
          std::map<int, Properties> waiting;
          if (auto it = pending_.find(r.connector); it != pending_.end()) {
            waiting = std::move(it->second);
            pending_.erase(it);
          }
          // Complete when every id below the count is there; ids above it are left-overs of a
          // larger task set (compaction keeps them) and are not used.
          bool complete = true;
          for (int id = 0; id < r.tasks && complete; ++id) complete = waiting.count(id) > 0;
          if (!complete) {
            inconsistent_[r.connector] = true;
            return;
          }
          std::vector<Properties> tasks;
          tasks.reserve(r.tasks);
          for (int id = 0; id < r.tasks; ++id) tasks.push_back(std::move(waiting[id]));
          committed_[r.connector] = std::move(tasks);
          inconsistent_.erase(r.connector);
        } else if constexpr (std::is_same_v<T, TargetStateRecord>) {
          if (r.state) {
            target_states_[r.connector] = *r.state;
          } else {
            target_states_.erase(r.connector);
          }
        }
        // RestartRecord, IgnoredConfigRecord: nothing to rebuild.
      },
      record);
}

std::optional<ConnectorView> ConfigLog::connector(const std::string& name) const {
  auto config = configs_.find(name);
  if (config == configs_.end()) return std::nullopt;
  ConnectorView view;
  view.config = config->second;
  if (auto it = target_states_.find(name); it != target_states_.end())
    view.target_state = it->second;
  view.inconsistent = inconsistent_.count(name) > 0;
  if (auto it = committed_.find(name); it != committed_.end() && !view.inconsistent) {
    view.tasks = it->second;
  }
  return view;
}

std::map<std::string, ConnectorView> ConfigLog::connectors() const {
  std::map<std::string, ConnectorView> out;
  for (const auto& [name, config] : configs_) out.emplace(name, *connector(name));
  return out;
}

}  // namespace sentinel::connect::distributed

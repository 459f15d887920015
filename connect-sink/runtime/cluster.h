// What a distributed worker's herder needs of its cluster (distributed/distributed_worker.h
// implements it over Kafka): the connectors as the config topic holds them, writes to it, the
// statuses every worker wrote to the status topic, and the share of the work this worker owns in
// the workers' group. A standalone worker has no Cluster: its herder keeps its connectors in the
// StateStore and runs all of them.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "connect-sink/runtime/distributed/config_log.h"
#include "connect-sink/runtime/outcome.h"
#include "connect-sink/runtime/state_view.h"

namespace sentinel::connect {

// What this worker runs: the connector objects and the tasks of the slots it owns
// (distributed/task_assignment.h). `settled` is false from the start until the first assignment
// and during every rebalance: then nothing runs here and writes get Connect's 409.
struct ClusterWork {
  bool settled = false;
  int64_t generation = -1;  // the group's, for the statuses written in it
  std::set<std::string> connectors;
  std::set<std::pair<std::string, int>> tasks;
};

class Cluster {
 public:
  virtual ~Cluster() = default;

  // The connectors as read from the config topic so far.
  virtual std::map<std::string, distributed::ConnectorView> connectors() = 0;
  // This worker's share for the connectors' task counts now.
  virtual ClusterWork work(const std::map<std::string, int>& task_counts) = 0;

  // Writes through the config topic, each answered once this worker has read it back: ok, or
  // Connect's 409 while rebalancing, or a 500 naming what Kafka said.
  virtual Outcome put_connector(const std::string& name,
                                const std::map<std::string, std::string>& config,
                                std::optional<TargetState> initial) = 0;
  virtual Outcome put_target(const std::string& name, TargetState target) = 0;
  virtual Outcome remove(const std::string& name) = 0;
  virtual Outcome put_task_configs(
      const std::string& name, const std::vector<std::map<std::string, std::string>>& tasks) = 0;
  // Every worker restarts what it runs of it (task nullopt: Connect's KIP-745 restart).
  virtual Outcome request_restart(const std::string& name, std::optional<int> task,
                                  bool include_tasks, bool only_failed) = 0;

  // The status another worker (or this one) wrote, nullopt when none.
  virtual std::optional<StateView> status(const std::string& connector,
                                          std::optional<int> task) = 0;
  // Writes this worker's status of a connector or task it runs (in the generation of `work`).
  virtual void put_status(const std::string& connector, std::optional<int> task,
                          const StateView& view, int64_t generation) = 0;
};

}  // namespace sentinel::connect

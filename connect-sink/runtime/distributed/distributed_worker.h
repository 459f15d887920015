// A distributed worker's cluster over Kafka (the Cluster its herder uses, cluster.h), after
// Kafka Connect's DistributedHerder: the storage topics created or checked, the status topic and
// the config topic read to their end and tailed, and membership in the workers' group
// (worker_group.h), whose slots decide what runs here (task_assignment.h).
//
// The herder's sync() runs on every rebalance, on the group's thread (revoking() must stop the
// work before the slots go; assigned() first reads the config topic to its end, as a Connect
// worker does before it acts), and from tick() after every change read from the config topic.
// Until the first assignment, and between a revocation and the next assignment, nothing runs
// here and every write gets Connect's 409.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/kafka.h"
#include "connect-sink/runtime/cluster.h"
#include "connect-sink/runtime/distributed/config_topic.h"
#include "connect-sink/runtime/distributed/status_log.h"
#include "connect-sink/runtime/distributed/worker_group.h"
#include "connect-sink/runtime/worker_config.h"

namespace sentinel::connect {
class Herder;
}

namespace sentinel::connect::distributed {

class DistributedWorker : public Cluster {
 public:
  struct Settings {
    kafka::Properties client;  // bootstrap.servers and the worker's security properties
    DistributedSettings distributed;
    std::string worker_id;  // the advertised host:port, as statuses name it
    std::chrono::milliseconds write_timeout{30000};
  };

  explicit DistributedWorker(Settings settings);
  ~DistributedWorker() override;

  // Creates or checks the storage topics, then reads the status and config topics to their end
  // and tails them. False with *error naming the topic and what to do.
  bool open(std::chrono::milliseconds timeout, std::string* error);
  // Joins the workers' group; `herder` follows every rebalance from now on.
  bool join(Herder* herder, std::chrono::milliseconds timeout, std::string* error);
  // From the main loop: the herder synced after config changes, restart requests carried out,
  // statuses written.
  void tick();
  // Leaves the group (the herder stops every task first, their offsets committed), then writes
  // what is queued to the status topic and stops reading. Idempotent.
  void stop();
  // True once the group has given this worker its first assignment (GET /health is 200 from then
  // on, as Connect's once its worker has joined).
  bool joined() const;
  // The group's fatal error (another worker fenced this one's id), "" while none.
  std::string failed() const;
  // "generation 4, slots 1,4,7 of 25, 2 connector(s), 3 task(s) here" for the status line.
  std::string summary() const;

  // Cluster.
  std::map<std::string, ConnectorView> connectors() override;
  ClusterWork work(const std::map<std::string, int>& task_counts) override;
  Outcome put_connector(const std::string& name, const std::map<std::string, std::string>& config,
                        std::optional<TargetState> initial) override;
  Outcome put_target(const std::string& name, TargetState target) override;
  Outcome remove(const std::string& name) override;
  Outcome put_task_configs(const std::string& name,
                           const std::vector<std::map<std::string, std::string>>& tasks) override;
  Outcome request_restart(const std::string& name, std::optional<int> task, bool include_tasks,
                          bool only_failed) override;
  std::optional<StateView> status(const std::string& connector, std::optional<int> task) override;
  void put_status(const std::string& connector, std::optional<int> task, const StateView& view,
                  int64_t generation) override;

 private:
  // 409 while not settled in the group, else ok.
  Outcome writable() const;
  Outcome written(bool ok, const std::string& error) const;
  void on_config_change(const ConfigChange& change);

  Settings settings_;
  std::unique_ptr<StatusTopic> status_;
  std::unique_ptr<ConfigTopic> config_;
  std::unique_ptr<WorkerGroup> group_;
  std::atomic<Herder*> herder_{nullptr};
  std::atomic<bool> dirty_{true};
  std::atomic<bool> stopped_{false};
  mutable std::mutex mu_;
  bool settled_ = false;
  bool joined_ = false;
  GroupView view_;
  std::string failed_;
  std::vector<RestartRecord> restarts_;
};

}  // namespace sentinel::connect::distributed

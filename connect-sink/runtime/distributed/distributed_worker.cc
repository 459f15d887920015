// A distributed worker's cluster over Kafka (see distributed_worker.h).
#include "connect-sink/runtime/distributed/distributed_worker.h"

#include <fmt/format.h>

#include "common/log.h"
#include "connect-sink/runtime/distributed/storage_topics.h"
#include "connect-sink/runtime/distributed/task_assignment.h"
#include "connect-sink/runtime/herder.h"

namespace sentinel::connect::distributed {

DistributedWorker::DistributedWorker(Settings settings) : settings_(std::move(settings)) {}

DistributedWorker::~DistributedWorker() { stop(); }

bool DistributedWorker::open(std::chrono::milliseconds timeout, std::string* error) {
  const DistributedSettings& d = settings_.distributed;
  if (!ensure_storage_topics(settings_.client, d, timeout, error)) return false;
  status_ = std::make_unique<StatusTopic>(settings_.client, d.status_topic);
  if (!status_->start(timeout, error)) return false;
  config_ = std::make_unique<ConfigTopic>(settings_.client, d.config_topic,
                                          [this](const ConfigChange& c) { on_config_change(c); });
  if (!config_->start(timeout, error)) return false;
  log::info("config topic {}: {} connector(s); status topic {} read", d.config_topic,
            config_->snapshot().connectors().size(), d.status_topic);
  return true;
}

void DistributedWorker::on_config_change(const ConfigChange& change) {
  // The topic's reading thread: no writes or reads to the end here (they wait for this thread).
  if (change.kind == ConfigChange::Kind::kRestartRequest) {
    std::lock_guard lock(mu_);
    restarts_.push_back(change.restart);
  }
  dirty_ = true;
}

bool DistributedWorker::join(Herder* herder, std::chrono::milliseconds timeout,
                             std::string* error) {
  herder_ = herder;
  GroupListener listener;
  listener.revoking = [this](const GroupView& before, bool lost) {
    {
      std::lock_guard lock(mu_);
      settled_ = false;
    }
    log::info("workers' group: {} slot(s) {}; stopping this worker's tasks", before.slots.size(),
              lost ? "lost (session timed out)" : "revoked for a rebalance");
    if (Herder* h = herder_.load()) h->sync();
  };
  listener.assigned = [this](const GroupView& now) {
    std::string e;
    if (!config_->read_to_end(settings_.write_timeout, &e)) {
      // Acting on an old config would start what may have been deleted: wait for the next
      // change (tick) to try again.
      log::error("workers' group: assigned, but {}", e);
    }
    {
      std::lock_guard lock(mu_);
      settled_ = true;
      joined_ = true;
      view_ = now;
    }
    log::info("workers' group: generation {}, {} of {} slot(s){}", now.generation, now.slots.size(),
              now.slot_count, now.leader ? ", leader" : "");
    if (Herder* h = herder_.load()) h->sync();
  };
  listener.failed = [this](const std::string& e) {
    {
      std::lock_guard lock(mu_);
      settled_ = false;
      failed_ = e;
    }
    log::error("workers' group: {}", e);
    if (Herder* h = herder_.load()) h->sync();
  };
  group_ = WorkerGroup::start(
      worker_group_settings(settings_.client, settings_.distributed, settings_.worker_id),
      std::move(listener), timeout, error);
  return group_ != nullptr;
}

void DistributedWorker::tick() {
  Herder* h = herder_.load();
  if (!h) return;
  if (dirty_.exchange(false)) h->sync();
  std::vector<RestartRecord> restarts;
  {
    std::lock_guard lock(mu_);
    restarts.swap(restarts_);
  }
  for (const auto& r : restarts)
    h->restart_here(r.connector, r.task, r.include_tasks, r.only_failed);
  h->publish_statuses();
}

void DistributedWorker::stop() {
  if (stopped_.exchange(true)) return;
  if (group_) group_->stop();  // revoking: the herder stops every task here
  if (status_) {
    if (Herder* h = herder_.load()) h->publish_statuses();
    std::string e;
    if (!status_->flush(std::chrono::seconds(5), &e)) log::warning("status topic: {}", e);
  }
  herder_ = nullptr;
  group_.reset();
  if (config_) config_->stop();
  if (status_) status_->stop();
}

bool DistributedWorker::joined() const {
  std::lock_guard lock(mu_);
  return joined_;
}

std::string DistributedWorker::failed() const {
  std::lock_guard lock(mu_);
  return failed_;
}

std::string DistributedWorker::summary() const {
  std::lock_guard lock(mu_);
  if (!settled_) return "rebalancing";
  return fmt::format("generation {}, slots {} of {}{}", view_.generation,
                     fmt::join(view_.slots, ","), view_.slot_count, view_.leader ? ", leader" : "");
}

std::map<std::string, ConnectorView> DistributedWorker::connectors() {
  return config_->snapshot().connectors();
}

ClusterWork DistributedWorker::work(const std::map<std::string, int>& task_counts) {
  std::lock_guard lock(mu_);
  ClusterWork w;
  if (!settled_) return w;
  w.settled = true;
  w.generation = view_.generation;
  WorkAssignment a = assign_work(task_counts, view_.slot_count, view_.slots);
  w.connectors.insert(a.connectors.begin(), a.connectors.end());
  for (const auto& t : a.tasks) w.tasks.emplace(t.connector, t.task);
  return w;
}

Outcome DistributedWorker::writable() const {
  std::lock_guard lock(mu_);
  if (settled_) return {};
  // Connect's answer while its worker rebalances (RebalanceNeededException and friends).
  return Outcome::Error(
      409, "Cannot complete request because of a conflicting operation (e.g. worker rebalance)");
}

Outcome DistributedWorker::written(bool ok, const std::string& error) const {
  if (ok) return {};
  log::error("{}", error);
  return Outcome::Error(500, fmt::format("Failed to write to the config topic {}: {}",
                                         settings_.distributed.config_topic, error));
}

Outcome DistributedWorker::put_connector(const std::string& name,
                                         const std::map<std::string, std::string>& config,
                                         std::optional<TargetState> initial) {
  Outcome o = writable();
  if (!o.ok()) return o;
  std::string e;
  return written(config_->put_connector_config(name, config, initial, settings_.write_timeout, &e),
                 e);
}

Outcome DistributedWorker::put_target(const std::string& name, TargetState target) {
  Outcome o = writable();
  if (!o.ok()) return o;
  std::string e;
  return written(config_->put_target_state(name, target, settings_.write_timeout, &e), e);
}

Outcome DistributedWorker::remove(const std::string& name) {
  Outcome o = writable();
  if (!o.ok()) return o;
  std::string e;
  o = written(config_->delete_connector(name, settings_.write_timeout, &e), e);
  if (o.ok()) status_->delete_connector(name);
  return o;
}

Outcome DistributedWorker::put_task_configs(
    const std::string& name, const std::vector<std::map<std::string, std::string>>& tasks) {
  std::string e;
  return written(config_->put_task_configs(name, tasks, settings_.write_timeout, &e), e);
}

Outcome DistributedWorker::request_restart(const std::string& name, std::optional<int> task,
                                           bool include_tasks, bool only_failed) {
  Outcome o = writable();
  if (!o.ok()) return o;
  RestartRecord r{name, include_tasks, only_failed, task};
  std::string e;
  return written(config_->put_restart_request(r, settings_.write_timeout, &e), e);
}

std::optional<StateView> DistributedWorker::status(const std::string& connector,
                                                   std::optional<int> task) {
  StatusLog log = status_->snapshot();
  std::optional<Status> s = task ? log.task(connector, *task) : log.connector(connector);
  if (!s) return std::nullopt;
  std::optional<ConnectorState> state = parse_connector_state(s->state);
  if (!state) return std::nullopt;  // DESTROYED
  return StateView{*state, s->trace.value_or(""), s->worker_id};
}

void DistributedWorker::put_status(const std::string& connector, std::optional<int> task,
                                   const StateView& view, int64_t generation) {
  Status s;
  s.state = to_string(view.state);
  if (view.state == ConnectorState::kFailed) s.trace = view.trace;
  s.worker_id = view.worker_id;
  s.generation = generation;
  // Connect's rule: a stop or failure is written only over this worker's own status or an older
  // generation's (putSafe), so a worker that lost its task cannot hide the new owner's.
  if (view.state == ConnectorState::kFailed || view.state == ConnectorState::kStopped ||
      view.state == ConnectorState::kUnassigned) {
    status_->put_safe(connector, task, s);
  } else {
    status_->put(connector, task, s);
  }
}

}  // namespace sentinel::connect::distributed

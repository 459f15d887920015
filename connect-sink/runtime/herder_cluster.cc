// The herder of a distributed worker (see herder.h): the REST operations through the Cluster
// (config topic, status topic), and sync(), which makes what runs here match the config topic
// and this worker's share of the work.
//
// Where this differs from Kafka Connect's DistributedHerder, on purpose:
// - Writes go to the config topic from the worker that received them (Connect forwards them to
//   the leader over REST); the topic orders them, and every worker applies them in that order.
// - The task configs of a connector are written by the worker that runs the connector object
//   (Connect's leader writes them for the connector's worker); one writer per connector still.
// - A stopped connector's task configs are written empty by that worker, as Connect 3.5's leader
//   does, so a stopped connector shows no tasks anywhere.
// - Restarts are requests in the config topic that every worker acts on for what it runs,
//   including a single task's (restart-task-<name>-<id>, Sentinel's own key; Connect forwards
//   that one to the task's worker).
#include <fmt/format.h>

#include "common/log.h"
#include "connect-sink/runtime/distributed/task_assignment.h"
#include "connect-sink/runtime/herder.h"
#include "connect-sink/runtime/path_confinement.h"

namespace sentinel::connect {
namespace {

bool same(const StateView& a, const StateView& b) {
  return a.state == b.state && a.trace == b.trace && a.worker_id == b.worker_id;
}

// Task configs as the config topic keeps them: with the output paths as the user wrote them, not
// confined under this worker's archive.root (each worker confines them under its own when it
// starts a task: hosts may differ in where the root is).
std::vector<std::map<std::string, std::string>> portable(
    const std::string& root, const ConfigDef& def, const std::map<std::string, std::string>& user,
    std::vector<std::map<std::string, std::string>> tasks) {
  std::map<std::string, std::string> confined = user;
  std::string ignored;
  confine_output_paths(root, def, &confined, &ignored);
  for (auto& task : tasks) {
    task.erase(kArchiveRootKey);
    for (auto& [k, v] : task) {
      auto c = confined.find(k);
      auto u = user.find(k);
      if (c != confined.end() && u != user.end() && v == c->second) v = u->second;
    }
  }
  return tasks;
}

}  // namespace

ConfigDef Herder::config_def_of(const std::map<std::string, std::string>& config) const {
  const PluginInfo* plugin = plugin_of(config);
  return merged_config_def(plugin ? plugin->instantiate()->config_def() : ConfigDef{});
}

Outcome Herder::cluster_connector(const std::string& name, distributed::ConnectorView* out,
                                  const std::string& not_found) {
  auto connectors = cluster_->connectors();
  auto it = connectors.find(name);
  if (it == connectors.end()) return Outcome::Error(404, not_found);
  *out = std::move(it->second);
  return {};
}

ConnectorInfoView Herder::cluster_info(const std::string& name,
                                       const distributed::ConnectorView& v) {
  ConnectorInfoView info;
  info.name = name;
  info.config = hide_secrets(config_def_of(v.config), v.config);
  for (size_t i = 0; i < v.tasks.size(); ++i) info.tasks.push_back(static_cast<int>(i));
  return info;
}

StateView Herder::cluster_task_view(const std::string& name, int task) {
  {
    std::lock_guard lock(mu_);
    Connector* c = find(name);
    if (c && task < static_cast<int>(c->tasks.size()) &&
        c->tasks[static_cast<size_t>(task)].runs_here) {
      return task_view(*c, task);
    }
  }
  if (auto s = cluster_->status(name, task)) return *s;
  return {};
}

ConnectorStatusView Herder::cluster_status(const std::string& name,
                                           const distributed::ConnectorView& v) {
  ConnectorStatusView out;
  out.name = name;
  std::optional<StateView> here;
  {
    std::lock_guard lock(mu_);
    Connector* c = find(name);
    if (c && c->runs_here && c->config == v.config) here = view(c->state, c->trace);
  }
  if (here) {
    out.connector = *here;
  } else if (auto s = cluster_->status(name, std::nullopt)) {
    out.connector = *s;
  }
  for (size_t i = 0; i < v.tasks.size(); ++i)
    out.tasks.emplace_back(static_cast<int>(i), cluster_task_view(name, static_cast<int>(i)));
  return out;
}

Outcome Herder::cluster_put(const std::string& name, const RawConfig& raw,
                            const std::optional<std::string>& initial_state, bool allow_replace,
                            bool* created, ConnectorInfoView* info) {
  auto connectors = cluster_->connectors();
  auto existing = connectors.find(name);
  const bool exists = existing != connectors.end();
  // A "[hidden]" secret sent back unchanged (GET, edit, PUT) keeps the stored value.
  RawConfig config = raw;
  if (exists) {
    ConfigDef def = config_def_of(existing->second.config);
    for (auto& [k, v] : config) {
      if (v && *v == "[hidden]" && existing->second.config.count(k) && is_secret_key(def, k))
        v = existing->second.config.at(k);
    }
  }
  TargetState target = TargetState::kStarted;
  Outcome checked = check_connector_config(settings_.validation, config, initial_state, &target);
  if (!checked.ok()) return checked;
  if (exists && !allow_replace) return Outcome::Error(409, "Connector " + name + " already exists");
  std::map<std::string, std::string> plain;
  for (const auto& [k, v] : config) plain[k] = *v;
  *created = !exists;
  if (!exists || existing->second.config != plain) {
    Outcome written =
        cluster_->put_connector(name, plain, exists ? std::nullopt : std::optional(target));
    if (!written.ok()) return written;
    log::info("connector {}: {} (config topic)", name,
              exists ? "config updated" : fmt::format("created ({})", to_string(target)));
  }
  // Read back: another worker may have changed or deleted it meanwhile.
  distributed::ConnectorView v;
  Outcome o = cluster_connector(name, &v, "Connector " + name + " not found");
  if (o.ok()) *info = cluster_info(name, v);
  return o;
}

Outcome Herder::cluster_target(const std::string& name, TargetState target,
                               const std::string& not_found) {
  distributed::ConnectorView v;
  Outcome o = cluster_connector(name, &v, not_found);
  if (!o.ok() || v.target_state == target) return o;
  o = cluster_->put_target(name, target);
  if (o.ok()) log::info("connector {}: target state {} (config topic)", name, to_string(target));
  return o;
}

void Herder::sync() {
  std::lock_guard serial(sync_mu_);
  const std::map<std::string, distributed::ConnectorView> wanted = cluster_->connectors();
  const ClusterWork work = cluster_->work(distributed::task_counts(wanted));
  auto runs = [&](const std::string& name, size_t i) {
    return work.settled && work.tasks.count({name, static_cast<int>(i)}) > 0;
  };
  std::vector<std::pair<std::string, std::vector<std::map<std::string, std::string>>>> writes;
  Lock lock(mu_);
  if (work.generation != generation_) published_.clear();  // every status again in a new one
  generation_ = work.generation;

  // 1. Stop every task that must not go on here as it is: its connector gone, changed or
  // stopped, its config changed, or its slot no longer this worker's. One deadline for all.
  std::vector<std::pair<Connector*, size_t>> stopping;
  for (auto& [name, c] : connectors_) {
    auto w = wanted.find(name);
    for (size_t i = 0; i < c.tasks.size(); ++i) {
      bool keep = w != wanted.end() && w->second.config == c.config &&
                  w->second.target_state != TargetState::kStopped && i < w->second.tasks.size() &&
                  w->second.tasks[i] == c.tasks[i].config && runs(name, i);
      if (!keep) stopping.emplace_back(&c, i);
    }
  }
  if (!stopping.empty()) stop_runners(lock, stopping);

  auto stop_instance = [](Connector& c) {
    if (!c.instance) return;
    try {
      c.instance->stop();
    } catch (...) {
    }
    c.instance.reset();
  };
  auto forget = [&](const std::string& name, int task) { published_.erase({name, task}); };

  // 2. Connectors deleted from the topic.
  for (auto it = connectors_.begin(); it != connectors_.end();) {
    if (wanted.count(it->first)) {
      ++it;
      continue;
    }
    stop_instance(it->second);
    for (size_t i = 0; i < it->second.tasks.size(); ++i) forget(it->first, static_cast<int>(i));
    forget(it->first, -1);
    log::info("connector {}: deleted", it->first);
    it = connectors_.erase(it);
  }

  // 3. Every connector as the topic has it; the connector objects and tasks of this worker's
  // share run here.
  for (const auto& [name, want] : wanted) {
    auto [it, added] = connectors_.try_emplace(name);
    Connector& c = it->second;
    if (added || c.config != want.config) {
      stop_instance(c);
      c.name = name;
      c.config = want.config;
      c.task_factory.reset();
      c.tasks.clear();  // every runner was stopped above; an abandoned one goes with its slot
      c.state = ConnectorState::kUnassigned;
      c.trace.clear();
      c.runs_here = false;
      if (!prepare(c)) log::error("connector {} failed: {}", name, c.trace);
    }
    c.target = want.target_state;
    const bool object_here = work.settled && work.connectors.count(name) > 0;
    if (!object_here || c.target == TargetState::kStopped) stop_instance(c);
    if (object_here && c.target == TargetState::kStopped) {
      c.state = ConnectorState::kStopped;
      c.trace.clear();
      if (!want.tasks.empty())
        writes.emplace_back(name, std::vector<std::map<std::string, std::string>>{});
    } else if (object_here && !c.instance && !(c.runs_here && c.state == ConnectorState::kFailed)) {
      // Started when it comes here; one that failed here stays FAILED until changed, restarted
      // or moved.
      std::vector<std::map<std::string, std::string>> configs;
      c.trace.clear();
      if (start_instance(c, &configs)) {
        configs = portable(settings_.validation.archive_root, c.instance->config_def(), c.config,
                           std::move(configs));
        c.state = running_state(c.target);
        if (configs != want.tasks || want.inconsistent) writes.emplace_back(name, configs);
        log::info("connector {}: {} on this worker", name, to_string(c.state));
      } else {
        log::error("connector {} failed: {}", name, c.trace);
      }
    } else if (object_here && c.instance && c.state != ConnectorState::kFailed) {
      c.state = running_state(c.target);
    }
    c.runs_here = object_here;
    if (!object_here) forget(name, -1);

    c.tasks.resize(want.tasks.size());
    for (size_t i = 0; i < want.tasks.size(); ++i) {
      TaskSlot& t = c.tasks[i];
      t.config = want.tasks[i];  // a runner whose config changed was stopped above
      t.runs_here = runs(name, i) && c.target != TargetState::kStopped && c.plugin;
      if (!t.runs_here) {
        t.runner.reset();  // stopped or abandoned above
        t.abandoned = false;
        forget(name, static_cast<int>(i));
        continue;
      }
      if (!t.runner || t.abandoned) {
        start_task(c, static_cast<int>(i));
        log::info("connector {} task {}: started on this worker", name, i);
      } else {
        t.runner->set_paused(c.target == TargetState::kPaused);
      }
    }
  }
  lock.unlock();
  for (const auto& [name, configs] : writes) {
    Outcome o = cluster_->put_task_configs(name, configs);
    if (!o.ok()) {
      log::error("connector {}: its {} task config(s) could not be written: {}", name,
                 configs.size(), o.message);
    }
  }
}

void Herder::restart_here(const std::string& name, std::optional<int> task, bool include_tasks,
                          bool only_failed) {
  std::lock_guard serial(sync_mu_);
  Lock lock(mu_);
  Connector* c = find(name);
  if (!c || c->target == TargetState::kStopped) return;
  std::vector<int> tasks;
  for (size_t i = 0; i < c->tasks.size(); ++i) {
    if (!c->tasks[i].runs_here) continue;
    bool asked = task ? *task == static_cast<int>(i) : include_tasks;
    if (asked && (!only_failed || task_view(*c, static_cast<int>(i)).state == TaskState::kFailed))
      tasks.push_back(static_cast<int>(i));
  }
  std::optional<std::vector<std::map<std::string, std::string>>> write;
  if (!task && c->runs_here && (!only_failed || c->state == ConnectorState::kFailed)) {
    if (c->instance) {
      try {
        c->instance->stop();
      } catch (...) {
      }
      c->instance.reset();
    }
    std::vector<std::map<std::string, std::string>> configs;
    c->trace.clear();
    if (start_instance(*c, &configs)) {
      configs = portable(settings_.validation.archive_root, c->instance->config_def(), c->config,
                         std::move(configs));
      c->state = running_state(c->target);
      std::vector<std::map<std::string, std::string>> current;
      for (const auto& t : c->tasks) current.push_back(t.config);
      if (configs != current) write = configs;  // the tasks follow when the topic has them
    }
    log::info("connector {}: restarted on this worker ({})", name, to_string(c->state));
  }
  std::vector<std::pair<Connector*, size_t>> slots;
  for (int t : tasks) slots.emplace_back(c, static_cast<size_t>(t));
  stop_runners(lock, slots);
  for (int t : tasks) {
    TaskSlot& slot = c->tasks[static_cast<size_t>(t)];
    slot.auto_restarts = 0;
    slot.restart_due.reset();
    start_task(*c, t);
    log::info("connector {} task {}: restarted on this worker", name, t);
  }
  lock.unlock();
  if (write) {
    Outcome o = cluster_->put_task_configs(name, *write);
    if (!o.ok()) log::error("connector {}: task configs not written: {}", name, o.message);
  }
}

void Herder::publish_statuses() {
  struct Pending {
    std::string name;
    std::optional<int> task;
    StateView view;
  };
  std::vector<Pending> pending;
  int64_t generation = -1;
  {
    std::lock_guard lock(mu_);
    generation = generation_;
    auto check = [&](const std::string& name, std::optional<int> task, const StateView& v) {
      StateView& last = published_[{name, task.value_or(-1)}];
      if (same(last, v) && !last.worker_id.empty()) return;
      last = v;
      pending.push_back({name, task, v});
    };
    for (auto& [name, c] : connectors_) {
      if (c.busy) continue;  // its tasks are stopping: written once settled
      if (c.runs_here) check(name, std::nullopt, view(c.state, c.trace));
      for (size_t i = 0; i < c.tasks.size(); ++i) {
        if (c.tasks[i].runs_here)
          check(name, static_cast<int>(i), task_view(c, static_cast<int>(i)));
      }
    }
  }
  for (const auto& p : pending) cluster_->put_status(p.name, p.task, p.view, generation);
}

}  // namespace sentinel::connect

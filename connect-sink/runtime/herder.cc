// Connector lifecycle for the standalone worker, after Connect's StandaloneHerder.
#include "connect-sink/runtime/herder.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <thread>

#include "common/log.h"
#include "connect-sink/runtime/path_confinement.h"

namespace sentinel::connect {
namespace {

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::toupper);
  return s;
}

std::string task_class(const std::string& connector_class) {
  const std::string suffix = "Connector";
  if (connector_class.ends_with(suffix))
    return connector_class.substr(0, connector_class.size() - suffix.size()) + "Task";
  return connector_class + "Task";
}

std::string prom_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

Herder::Herder(WorkerSettings settings, WorkerBackend* backend, StateStore* store, Cluster* cluster)
    : settings_(std::move(settings)),
      backend_(backend),
      store_(cluster ? nullptr : store),
      cluster_(cluster) {}

Herder::~Herder() { shutdown(); }

Herder::Connector* Herder::find(const std::string& name) {
  auto it = connectors_.find(name);
  return it == connectors_.end() ? nullptr : &it->second;
}

bool Herder::restore(std::string* error) {
  if (!store_) return true;
  std::map<std::string, StoredConnector> stored;
  if (!store_->load(&stored, error)) return false;
  std::lock_guard lock(mu_);
  for (auto& [name, sc] : stored) {
    Connector c;
    c.name = name;
    c.config = sc.config;
    c.target = sc.target_state;
    auto [it, inserted] = connectors_.emplace(name, std::move(c));
    start_connector(it->second);
    log::info("connector {}: restored from {} ({})", name, store_->path(),
              to_string(it->second.target));
  }
  return true;
}

Outcome Herder::save_with(const std::string& name, const std::optional<StoredConnector>& after) {
  if (!store_) return {};
  std::map<std::string, StoredConnector> state;
  for (const auto& [n, c] : connectors_) state[n] = StoredConnector{c.config, c.target};
  if (after) {
    state[name] = *after;
  } else {
    state.erase(name);
  }
  std::string error;
  if (!store_->save(state, &error)) {
    log::error("state: {}", error);
    return Outcome::Error(
        500, "The connector state could not be saved, so nothing was changed: " + error);
  }
  return {};
}

const PluginInfo* Herder::plugin_of(const std::map<std::string, std::string>& config) const {
  auto it = config.find("connector.class");
  return settings_.validation.plugins->find(it == config.end() ? "" : it->second);
}

Outcome Herder::current_config(const std::string& name, std::map<std::string, std::string>* out,
                               TargetState* target, const std::string& not_found) {
  if (cluster_) {
    distributed::ConnectorView v;
    Outcome o = cluster_connector(name, &v, not_found);
    *out = v.config;
    *target = v.target_state;
    return o;
  }
  std::lock_guard lock(mu_);
  Connector* c = find(name);
  if (!c) return Outcome::Error(404, not_found);
  *out = c->config;
  *target = c->target;
  return {};
}

Outcome Herder::validate(const RawConfig& config, ValidationResult* result) {
  int status = 0;
  std::string message;
  if (!validate_connector_config(settings_.validation, config, result, &status, &message)) {
    return Outcome::Error(status, message);
  }
  return {};
}

kafka::Properties Herder::consumer_props(const Connector& c, int task) const {
  kafka::Properties p = {{"bootstrap.servers", settings_.bootstrap_servers},
                         {"group.id", "connect-" + c.name},
                         {"client.id", fmt::format("connector-consumer-{}-{}", c.name, task)},
                         {"enable.auto.commit", "false"},
                         {"enable.auto.offset.store", "false"},
                         {"auto.offset.reset", "earliest"},
                         // librdkafka 2.0 refills a consumer queue that reached queued.min.messages
                         // only about a second later, so the default 100 000 caps a task at roughly
                         // that many records a second (measured with bench/archive: FileStreamSink
                         // 240 000 records/s at the default, 800 000 at 500 000). Memory stays
                         // bounded by queued.max.messages.kbytes. Overridable like any property.
                         {"queued.min.messages", "500000"}};
  if (cluster_) {
    // Distributed: a SIGKILLed worker's consumers hold their partitions until their session
    // times out; 6 s (the broker's lowest by default) with a heartbeat a second, so its tasks
    // archive again elsewhere within ~10 s (librdkafka's default session is 45 s).
    p["session.timeout.ms"] = "6000";
    p["heartbeat.interval.ms"] = "1000";
    // And the rebalance timeout (librdkafka's JoinGroup wait too) at 30 s rather than 300: a
    // worker killed between its task's JoinGroup and that task's first heartbeat leaves, on
    // Kafka before 2.4.2 (KAFKA-9752), a member the broker never expires; the group's next
    // rebalance waits for it until this timeout (measured on 2.4.1: the takeover's archiving
    // resumed 30 s after the kill; with 300 s it had not in the 120 s waited; docs/connect.md).
    // A task must poll within it: the runner does between put() calls.
    p["max.poll.interval.ms"] = "30000";
  }
  for (const auto& [k, v] : settings_.consumer) p[k] = v;
  const std::string prefix = "consumer.override.";
  for (const auto& [k, v] : c.config) {
    if (k.rfind(prefix, 0) == 0) p[k.substr(prefix.size())] = v;
  }
  return p;
}

bool Herder::prepare(Connector& c) {
  c.plugin = settings_.validation.plugins->find(
      c.config.count("connector.class") ? c.config.at("connector.class") : "");
  if (!c.plugin) {
    c.state = ConnectorState::kFailed;
    c.trace =
        "ConnectException: Failed to find any class that implements Connector and which name "
        "matches " +
        (c.config.count("connector.class") ? c.config.at("connector.class") : std::string()) +
        ", available connectors are: " + settings_.validation.plugins->names();
    return false;
  }
  c.sink = sink_settings(c.config);
  // Validation refuses this too; a connector restored from state saved before the limit existed
  // (or under a higher one) is stopped here, before it creates a thread and a consumer per task.
  if (c.sink.tasks_max > settings_.validation.tasks_max_limit) {
    c.state = ConnectorState::kFailed;
    c.trace = fmt::format(
        "ConnectException: tasks.max {} is above this worker's sentinel.tasks.max.limit ({}): "
        "lower tasks.max or raise the limit in the worker properties",
        c.sink.tasks_max, settings_.validation.tasks_max_limit);
    return false;
  }
  c.merged_def = merged_config_def(c.plugin->instantiate()->config_def());
  return true;
}

SinkConnector* Herder::task_source(Connector& c) {
  if (c.instance) return c.instance.get();
  if (!cluster_ || !c.plugin) return nullptr;
  if (!c.task_factory) c.task_factory = c.plugin->instantiate();
  return c.task_factory.get();
}

bool Herder::start_instance(Connector& c,
                            std::vector<std::map<std::string, std::string>>* task_configs) {
  if (!prepare(c)) return false;
  c.instance = c.plugin->instantiate();
  ConfigDef own = c.instance->config_def();
  std::map<std::string, std::string> cfg = c.config;
  // Output paths are confined again at start: the tree may have changed since validation. The
  // connector (and through it its tasks) gets them absolute, with archive.root beside them.
  std::string reason;
  if (!confine_output_paths(settings_.validation.archive_root, own, &cfg, &reason)) {
    c.state = ConnectorState::kFailed;
    c.trace = "ConnectException: " + reason;
    c.instance.reset();
    return false;
  }
  Status s;
  try {
    s = c.instance->start(cfg);
  } catch (const std::exception& e) {
    s = Status::Error(std::string("start threw: ") + e.what());
  }
  if (!s.ok) {
    c.state = ConnectorState::kFailed;
    c.trace = s.trace.empty() ? "ConnectException: " + s.message : s.trace;
    c.instance.reset();
    return false;
  }
  *task_configs = c.instance->task_configs(c.sink.tasks_max);
  if (static_cast<int>(task_configs->size()) > c.sink.tasks_max)
    task_configs->resize(static_cast<size_t>(c.sink.tasks_max));
  for (auto& tc : *task_configs) {
    tc["task.class"] = task_class(c.plugin->class_name);
    for (const char* k : {"topics", "topics.regex"}) {
      if (c.config.count(k)) tc[k] = c.config.at(k);
    }
  }
  return true;
}

void Herder::start_connector(Connector& c) {
  c.trace.clear();
  if (c.target == TargetState::kStopped) {
    c.state = ConnectorState::kStopped;
    c.plugin = settings_.validation.plugins->find(
        c.config.count("connector.class") ? c.config.at("connector.class") : "");
    if (c.plugin) c.merged_def = merged_config_def(c.plugin->instantiate()->config_def());
    return;
  }
  std::vector<std::map<std::string, std::string>> task_configs;
  if (!start_instance(c, &task_configs)) {
    log::error("connector {} failed: {}", c.name, c.trace);
    return;
  }
  c.state = running_state(c.target);
  c.tasks.clear();
  c.tasks.resize(task_configs.size());
  for (size_t i = 0; i < task_configs.size(); ++i) {
    c.tasks[i].config = task_configs[i];
    start_task(c, static_cast<int>(i));
  }
  log::info("connector {}: {} with {} task(s)", c.name, to_string(c.state), c.tasks.size());
}

void Herder::start_task(Connector& c, int id) {
  TaskSlot& slot = c.tasks[static_cast<size_t>(id)];
  slot.runner.reset();  // stopped or abandoned by the caller: this never waits
  slot.abandoned = false;
  slot.stop_requested.reset();
  auto& metrics = c.metrics[id];
  if (!metrics) metrics = std::make_shared<TaskMetrics>();
  TaskSpec spec;
  spec.connector = c.name;
  spec.id = id;
  spec.task_config = slot.config;
  // The task sees confined paths, like the connector, checked again now (a task restart comes
  // without a connector restart); paths that no longer pass fail the task with the reason.
  std::string refused;
  SinkConnector* source = task_source(c);
  if (source && !confine_output_paths(settings_.validation.archive_root, source->config_def(),
                                      &spec.task_config, &refused)) {
    log::error("connector {} task {}: {}", c.name, id, refused);
  }
  spec.topics = c.sink.topics;
  spec.topics_regex = c.sink.topics_regex;
  spec.key_converter = c.sink.key_converter.value_or(settings_.key_converter);
  spec.value_converter = c.sink.value_converter.value_or(settings_.value_converter);
  spec.tolerate_all = c.sink.tolerate_all;
  spec.dlq_topic = c.sink.dlq_topic;
  spec.dlq_context_headers = c.sink.dlq_context_headers;
  spec.consumer = consumer_props(c, id);
  spec.producer = {{"bootstrap.servers", settings_.bootstrap_servers},
                   {"client.id", fmt::format("connector-dlq-producer-{}-{}", c.name, id)}};
  for (const auto& [k, v] : settings_.producer) spec.producer[k] = v;
  for (const auto& [k, v] : c.config) {
    if (k.rfind("producer.override.", 0) == 0) spec.producer[k.substr(18)] = v;
  }
  spec.flush_interval = settings_.flush_interval;
  spec.start_paused = c.target == TargetState::kPaused;
  spec.no_seek_below_committed = cluster_ != nullptr;
  spec.metrics = metrics;
  if (!source) return;
  spec.task = refused.empty() ? source->create_task() : refusing_task(refused);
  slot.restarting = false;
  slot.runner = backend_->start_task(std::move(spec));
}

Outcome Herder::busy_error(const Connector& c) {
  return Outcome::Error(
      409, "Cannot complete request because of a conflicting operation: connector " + c.name +
               " is stopping its tasks (for up to task.shutdown.graceful.timeout.ms); try again");
}

size_t Herder::stop_runners(Lock& lock, const std::vector<std::pair<Connector*, size_t>>& slots) {
  std::vector<std::pair<Connector*, size_t>> waiting;
  for (const auto& [c, i] : slots) {
    TaskSlot& t = c->tasks[i];
    if (!t.runner || t.abandoned) continue;
    t.runner->request_stop();
    waiting.emplace_back(c, i);
  }
  if (waiting.empty()) return 0;
  // The runners stay in their slots (status reads them meanwhile); busy keeps every change to
  // these connectors away until the lock is taken again, so the references stay valid.
  std::vector<TaskRunner*> runners;
  std::map<Connector*, bool> was_busy;
  for (const auto& [c, i] : waiting) {
    runners.push_back(c->tasks[i].runner.get());
    was_busy.emplace(c, c->busy);  // the first entry of a connector has its own state
    c->busy = true;
  }
  const auto timeout = settings_.task_shutdown_timeout;
  const auto deadline = MonoClock::now() + timeout;
  std::vector<bool> stopped(runners.size(), false);
  lock.unlock();
  for (size_t k = 0; k < runners.size(); ++k) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - MonoClock::now());
    stopped[k] = runners[k]->wait_stopped(std::max(left, std::chrono::milliseconds(0)));
  }
  lock.lock();
  size_t abandoned = 0;
  for (const auto& [c, busy] : was_busy) c->busy = busy;
  for (size_t k = 0; k < waiting.size(); ++k) {
    auto [c, i] = waiting[k];
    TaskSlot& t = c->tasks[i];
    if (!stopped[k] && t.runner->abandon(timeout)) {
      t.abandoned = true;
      ++abandoned;
      continue;
    }
    t.runner.reset();
  }
  return abandoned;
}

size_t Herder::stop_tasks(Lock& lock, Connector& c) {
  std::vector<std::pair<Connector*, size_t>> slots;
  for (size_t i = 0; i < c.tasks.size(); ++i) slots.emplace_back(&c, i);
  size_t abandoned = stop_runners(lock, slots);
  if (abandoned == 0) c.tasks.clear();
  return abandoned;
}

void Herder::stop_connector(Lock& lock, Connector& c) {
  stop_tasks(lock, c);
  if (c.instance) {
    try {
      c.instance->stop();
    } catch (...) {
    }
    c.instance.reset();
  }
}

void Herder::apply_target(Lock& lock, Connector& c, TargetState target) {
  TargetState before = c.target;
  c.target = target;
  if (target == TargetState::kStopped) {
    // A task abandoned here stays listed, FAILED with its trace, until the connector starts again.
    stop_connector(lock, c);
    c.state = ConnectorState::kStopped;
    c.trace.clear();
    return;
  }
  if (before == TargetState::kStopped || !c.instance) {
    stop_connector(lock, c);
    start_connector(c);
    return;
  }
  for (auto& t : c.tasks) {
    if (t.runner) t.runner->set_paused(target == TargetState::kPaused);
  }
  if (c.state != ConnectorState::kFailed) c.state = running_state(target);
}

StateView Herder::view(ConnectorState state, const std::string& trace) const {
  return {state, state == ConnectorState::kFailed ? trace : "", settings_.worker_id};
}

StateView Herder::task_view(const Connector& c, int id) const {
  const TaskSlot& t = c.tasks[static_cast<size_t>(id)];
  if (t.restarting) return view(TaskState::kRestarting);
  if (!t.runner) return view(TaskState::kUnassigned);
  StateView s = t.runner->status().view;
  return view(s.state, s.trace);
}

ConnectorStatusView Herder::status_view(const Connector& c) const {
  ConnectorStatusView v;
  v.name = c.name;
  v.connector = view(c.state, c.trace);
  for (size_t i = 0; i < c.tasks.size(); ++i)
    v.tasks.emplace_back(static_cast<int>(i), task_view(c, static_cast<int>(i)));
  return v;
}

ConnectorInfoView Herder::info_view(const Connector& c) const {
  ConnectorInfoView v;
  v.name = c.name;
  v.config = hide_secrets(c.merged_def, c.config);
  for (size_t i = 0; i < c.tasks.size(); ++i) v.tasks.push_back(static_cast<int>(i));
  return v;
}

Outcome check_connector_config(const ValidationContext& ctx, const RawConfig& config,
                               const std::optional<std::string>& initial_state,
                               TargetState* target) {
  *target = TargetState::kStarted;
  if (initial_state) {
    std::string s = upper(*initial_state);
    if (s == "PAUSED" || s == "STOPPED") {
      *target = *parse_target_state(s);
    } else if (s != "RUNNING") {
      return Outcome::Error(400, "Invalid initial_state \"" + *initial_state +
                                     "\": expected RUNNING, PAUSED or STOPPED");
    }
  }
  ValidationResult result;
  int status = 0;
  std::string message;
  if (!validate_connector_config(ctx, config, &result, &status, &message)) {
    return Outcome::Error(status, message);
  }
  if (result.error_count > 0) return Outcome::Error(400, invalid_config_message(result));
  return {};
}

Outcome Herder::put_connector(const std::string& name, const RawConfig& raw,
                              const std::optional<std::string>& initial_state, bool allow_replace,
                              bool* created, ConnectorInfoView* info) {
  if (cluster_) return cluster_put(name, raw, initial_state, allow_replace, created, info);
  Lock lock(mu_);
  Connector* existing = find(name);
  // A "[hidden]" secret sent back unchanged (GET, edit, PUT) keeps the stored value.
  RawConfig config = raw;
  if (existing) {
    for (auto& [k, v] : config) {
      if (v && *v == "[hidden]" && existing->config.count(k) &&
          is_secret_key(existing->merged_def, k)) {
        v = existing->config.at(k);
      }
    }
  }
  TargetState target = TargetState::kStarted;
  Outcome checked = check_connector_config(settings_.validation, config, initial_state, &target);
  if (!checked.ok()) return checked;
  if (existing && !allow_replace)
    return Outcome::Error(409, "Connector " + name + " already exists");
  if (existing && existing->busy) return busy_error(*existing);
  std::map<std::string, std::string> plain;
  for (const auto& [k, v] : config) plain[k] = *v;
  *created = existing == nullptr;
  if (!existing || existing->config != plain) {
    Outcome saved = save_with(name, StoredConnector{plain, existing ? existing->target : target});
    if (!saved.ok()) return saved;
  }
  if (existing) {
    if (existing->config != plain) {
      stop_connector(lock, *existing);
      existing->config = plain;
      start_connector(*existing);
      log::info("connector {}: config updated", name);
    }
  } else {
    Connector c;
    c.name = name;
    c.config = plain;
    c.target = target;
    auto [it, inserted] = connectors_.emplace(name, std::move(c));
    existing = &it->second;
    start_connector(*existing);
    log::info("connector {}: created ({})", name, to_string(target));
  }
  *info = info_view(*existing);
  return {};
}

Outcome Herder::patch_connector(const std::string& name, const RawConfig& patch,
                                ConnectorInfoView* info) {
  RawConfig merged;
  std::map<std::string, std::string> current;
  TargetState target;
  Outcome found = current_config(name, &current, &target, "Connector " + name + " not found");
  if (!found.ok()) return found;
  for (const auto& [k, v] : current) merged[k] = v;
  for (const auto& [k, v] : patch) {
    if (!v)
      merged.erase(k);
    else
      merged[k] = v;
  }
  bool created = false;
  return put_connector(name, merged, std::nullopt, true, &created, info);
}

std::vector<std::string> Herder::names() {
  if (cluster_) {
    std::vector<std::string> out;
    for (const auto& [name, v] : cluster_->connectors()) out.push_back(name);
    return out;
  }
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, c] : connectors_) out.push_back(name);
  return out;
}

Outcome Herder::info(const std::string& name, ConnectorInfoView* out) {
  if (cluster_) {
    distributed::ConnectorView v;
    Outcome o = cluster_connector(name, &v, "Connector " + name + " not found");
    if (o.ok()) *out = cluster_info(name, v);
    return o;
  }
  std::lock_guard lock(mu_);
  Connector* c = find(name);
  if (!c) return Outcome::Error(404, "Connector " + name + " not found");
  *out = info_view(*c);
  return {};
}

Outcome Herder::config(const std::string& name, std::map<std::string, std::string>* out) {
  if (cluster_) {
    distributed::ConnectorView v;
    Outcome o = cluster_connector(name, &v, "Connector " + name + " not found");
    if (o.ok()) *out = hide_secrets(config_def_of(v.config), v.config);
    return o;
  }
  std::lock_guard lock(mu_);
  Connector* c = find(name);
  if (!c) return Outcome::Error(404, "Connector " + name + " not found");
  *out = hide_secrets(c->merged_def, c->config);
  return {};
}

Outcome Herder::status(const std::string& name, ConnectorStatusView* out) {
  if (cluster_) {
    distributed::ConnectorView v;
    Outcome o = cluster_connector(name, &v, "No status found for connector " + name);
    if (o.ok()) *out = cluster_status(name, v);
    return o;
  }
  std::lock_guard lock(mu_);
  Connector* c = find(name);
  if (!c) return Outcome::Error(404, "No status found for connector " + name);
  *out = status_view(*c);
  return {};
}

Outcome Herder::task_status(const std::string& name, int task, StateView* out) {
  if (cluster_) {
    distributed::ConnectorView v;
    Outcome o = cluster_connector(name, &v, "");
    if (!o.ok() || task < 0 || task >= static_cast<int>(v.tasks.size()))
      return Outcome::Error(404, fmt::format("No status found for task {}-{}", name, task));
    *out = cluster_task_view(name, task);
    return {};
  }
  std::lock_guard lock(mu_);
  Connector* c = find(name);
  if (!c || task < 0 || task >= static_cast<int>(c->tasks.size())) {
    return Outcome::Error(404, fmt::format("No status found for task {}-{}", name, task));
  }
  *out = task_view(*c, task);
  return {};
}

Outcome Herder::tasks(const std::string& name, std::vector<TaskInfoView>* out) {
  if (cluster_) {
    distributed::ConnectorView v;
    Outcome o = cluster_connector(name, &v, "Connector " + name + " not found");
    if (!o.ok()) return o;
    ConfigDef def = config_def_of(v.config);
    for (size_t i = 0; i < v.tasks.size(); ++i)
      out->push_back({static_cast<int>(i), hide_secrets(def, v.tasks[i])});
    return {};
  }
  std::lock_guard lock(mu_);
  Connector* c = find(name);
  if (!c) return Outcome::Error(404, "Connector " + name + " not found");
  for (size_t i = 0; i < c->tasks.size(); ++i) {
    out->push_back({static_cast<int>(i), hide_secrets(c->merged_def, c->tasks[i].config)});
  }
  return {};
}

Outcome Herder::restart(const std::string& name, bool include_tasks, bool only_failed,
                        ConnectorStatusView* plan) {
  if (cluster_) {
    distributed::ConnectorView v;
    Outcome o =
        cluster_connector(name, &v,
                          (include_tasks || only_failed) ? "Unknown connector: " + name
                                                         : "Connector " + name + " not found");
    if (!o.ok()) return o;
    // The plan from the statuses every worker wrote; each worker restarts its part when it reads
    // the request from the config topic.
    *plan = cluster_status(name, v);
    if (v.target_state == TargetState::kStopped) return {};
    if (!only_failed || plan->connector.state == ConnectorState::kFailed)
      plan->connector.state = ConnectorState::kRestarting;
    for (auto& [id, t] : plan->tasks) {
      if (include_tasks && (!only_failed || t.state == TaskState::kFailed))
        t = {TaskState::kRestarting, "", t.worker_id};
    }
    return cluster_->request_restart(name, std::nullopt, include_tasks, only_failed);
  }
  Lock lock(mu_);
  Connector* c = find(name);
  if (!c) {
    return Outcome::Error(404, (include_tasks || only_failed) ? "Unknown connector: " + name
                                                              : "Connector " + name + " not found");
  }
  if (c->busy) return busy_error(*c);
  bool restart_connector = !only_failed || c->state == ConnectorState::kFailed;
  std::vector<int> restart_tasks;
  for (size_t i = 0; i < c->tasks.size(); ++i) {
    if (include_tasks &&
        (!only_failed || task_view(*c, static_cast<int>(i)).state == TaskState::kFailed)) {
      restart_tasks.push_back(static_cast<int>(i));
    }
  }
  *plan = status_view(*c);
  if (c->target == TargetState::kStopped) return {};  // nothing runs; nothing to restart
  if (restart_connector) plan->connector = view(ConnectorState::kRestarting);
  for (int t : restart_tasks)
    plan->tasks[static_cast<size_t>(t)].second = view(TaskState::kRestarting);

  if (restart_connector) {
    // Restart the connector object; its tasks follow only when their configs changed or they
    // are in the plan (KIP-745), or when the connector had failed before creating any.
    std::vector<std::map<std::string, std::string>> old_configs;
    for (const auto& t : c->tasks) old_configs.push_back(t.config);
    if (c->instance) {
      try {
        c->instance->stop();
      } catch (...) {
      }
      c->instance.reset();
    }
    std::vector<std::map<std::string, std::string>> task_configs;
    c->trace.clear();
    if (!start_instance(*c, &task_configs)) {
      stop_tasks(lock, *c);
      return {};
    }
    c->state = running_state(c->target);
    if (task_configs != old_configs) {
      stop_tasks(lock, *c);
      c->tasks.clear();
      c->tasks.resize(task_configs.size());
      for (size_t i = 0; i < task_configs.size(); ++i) {
        c->tasks[i].config = task_configs[i];
        start_task(*c, static_cast<int>(i));
      }
      return {};
    }
  }
  std::vector<std::pair<Connector*, size_t>> slots;
  for (int t : restart_tasks) slots.emplace_back(c, static_cast<size_t>(t));
  stop_runners(lock, slots);  // one abandoned here is replaced below, as asked
  for (int t : restart_tasks) {
    c->tasks[static_cast<size_t>(t)].auto_restarts = 0;
    c->tasks[static_cast<size_t>(t)].restart_due.reset();
    start_task(*c, t);
  }
  return {};
}

Outcome Herder::restart_task(const std::string& name, int task) {
  if (cluster_) {
    distributed::ConnectorView v;
    Outcome o = cluster_connector(name, &v, "Connector " + name + " not found");
    if (!o.ok()) return o;
    if (task < 0 || task >= static_cast<int>(v.tasks.size()))
      return Outcome::Error(404, fmt::format("Task {}-{} not found", name, task));
    return cluster_->request_restart(name, task, false, false);
  }
  Lock lock(mu_);
  Connector* c = find(name);
  if (!c) return Outcome::Error(404, "Connector " + name + " not found");
  if (task < 0 || task >= static_cast<int>(c->tasks.size())) {
    return Outcome::Error(404, fmt::format("Task {}-{} not found", name, task));
  }
  if (c->busy) return busy_error(*c);
  stop_runners(lock, {{c, static_cast<size_t>(task)}});
  c->tasks[static_cast<size_t>(task)].auto_restarts = 0;
  c->tasks[static_cast<size_t>(task)].restart_due.reset();
  start_task(*c, task);
  return {};
}

// Pause, resume and stop: the new target state is saved, then applied. The not-found messages are
// Connect's, which differ between these endpoints.
Outcome Herder::change_target(const std::string& name, TargetState target,
                              const std::string& not_found) {
  if (cluster_) return cluster_target(name, target, not_found);
  Lock lock(mu_);
  Connector* c = find(name);
  if (!c) return Outcome::Error(404, not_found);
  if (c->busy) return busy_error(*c);
  if (c->target == target) return {};
  Outcome saved = save_with(name, StoredConnector{c->config, target});
  if (!saved.ok()) return saved;
  apply_target(lock, *c, target);
  return {};
}

Outcome Herder::pause(const std::string& name) {
  return change_target(name, TargetState::kPaused, "Unknown connector " + name);
}

Outcome Herder::resume(const std::string& name) {
  return change_target(name, TargetState::kStarted, "Unknown connector " + name);
}

Outcome Herder::stop(const std::string& name) {
  return change_target(name, TargetState::kStopped, "Connector " + name + " not found");
}

Outcome Herder::remove(const std::string& name) {
  if (cluster_) {
    distributed::ConnectorView v;
    Outcome o = cluster_connector(name, &v, "Connector " + name + " not found");
    if (o.ok()) o = cluster_->remove(name);
    if (o.ok()) sync();
    return o;
  }
  Lock lock(mu_);
  Connector* c = find(name);
  if (!c) return Outcome::Error(404, "Connector " + name + " not found");
  if (c->busy) return busy_error(*c);
  Outcome saved = save_with(name, std::nullopt);
  if (!saved.ok()) return saved;
  // An abandoned task goes with it: its handle is dropped, its thread left to finish.
  stop_connector(lock, *c);
  connectors_.erase(name);
  log::info("connector {}: deleted", name);
  return {};
}

namespace {

// A failed offsets operation as Connect answers it (Worker.alterSinkConnectorOffsets and
// resetSinkConnectorOffsets), with what Kafka said; `verb` is retrieve, alter or reset.
Outcome offsets_failure(const OffsetsResult& r, const std::string& name, const std::string& verb) {
  switch (r.error) {
    case OffsetsResult::Error::kGroupActive:
      return Outcome::Error(
          500,
          fmt::format(
              "Failed to {0} consumer group offsets for connector {1} either because its tasks "
              "haven't stopped completely yet or the connector was resumed before the request to "
              "{0} its offsets could be successfully completed. If the connector is in a stopped "
              "state, this operation can be safely retried. If it doesn't eventually succeed, the "
              "Connect cluster may need to be restarted to get rid of the zombie sink tasks. "
              "(Kafka: {2})",
              verb, name, r.detail));
    case OffsetsResult::Error::kUnsupported:
      return Outcome::Error(
          501, fmt::format("Cannot {} the offsets of connector {}: {}", verb, name, r.detail));
    case OffsetsResult::Error::kInvalid:
      return Outcome::Error(
          400, fmt::format("Cannot {} the offsets of connector {}: {}", verb, name, r.detail));
    default:
      return Outcome::Error(
          500, fmt::format("Failed to {} consumer group offsets for connector {}: {}", verb, name,
                           r.detail));
  }
}

}  // namespace

Outcome Herder::offsets(const std::string& name, std::vector<PartitionOffset>* out) {
  Connector c;
  TargetState target;
  Outcome found = current_config(name, &c.config, &target, "Connector " + name + " not found");
  if (!found.ok()) return found;
  c.name = name;
  kafka::Properties props = consumer_props(c, 0);
  props["client.id"] = "connector-offsets-" + name;
  SinkSettings sink = sink_settings(c.config);
  OffsetsResult r = backend_->list_offsets(props, sink.topics, sink.topics_regex, out);
  if (!r.ok()) return offsets_failure(r, name, "retrieve");
  return {};
}

Outcome Herder::stopped_connector(const std::string& name, Connector* out) {
  TargetState target;
  Outcome found = current_config(name, &out->config, &target, "Connector " + name + " not found");
  if (!found.ok()) return found;
  out->name = name;
  if (target == TargetState::kStopped) return {};
  return Outcome::Error(
      400,
      "Connectors must be in the STOPPED state before their offsets can be modified. This can be "
      "done for the specified connector by issuing a 'PUT' request to the '/connectors/" +
          name + "/stop' endpoint");
}

// Distributed, a stop is written to the config topic and answered; each worker stops its share
// of the tasks when it reads it, within task.shutdown.graceful.timeout.ms, and their consumers
// leave the connector's group then. A change sent right after the stop, or to a worker that read
// it before the others, would get Kafka's "group is not empty" (CI, 2026-12-07, a worker late
// under load); it is done again every 250 ms while the connector stays stopped, for up to that
// timeout and 5 s for the workers to read the stop. A member that stays longer (another consumer,
// a task abandoned after the timeout until its session expires) gets Connect's answer. Standalone,
// the stop itself waited for the tasks: nothing to wait for.
OffsetsResult Herder::change_when_left(const std::string& name, const char* verb,
                                       const std::function<OffsetsResult()>& change) {
  OffsetsResult r = change();
  if (!cluster_ || r.error != OffsetsResult::Error::kGroupActive) return r;
  const auto wait = settings_.task_shutdown_timeout + std::chrono::seconds(5);
  const auto deadline = MonoClock::now() + wait;
  log::info(
      "connector {}: its group still has members ({}); the offsets {} waits up to {} ms "
      "for its tasks to stop on the other workers",
      name, r.detail, verb, std::chrono::duration_cast<std::chrono::milliseconds>(wait).count());
  while (r.error == OffsetsResult::Error::kGroupActive && MonoClock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    Connector c;
    if (!stopped_connector(name, &c).ok()) break;  // resumed or deleted meanwhile
    r = change();
  }
  if (r.ok()) log::info("connector {}: its tasks left its group; offsets {} done", name, verb);
  return r;
}

Outcome Herder::alter_offsets(const std::string& name,
                              const std::map<TopicPartition, std::optional<int64_t>>& offsets,
                              std::string* message) {
  Connector tmp;
  Outcome found = stopped_connector(name, &tmp);
  if (!found.ok()) return found;
  Connector* c = &tmp;
  kafka::Properties props = consumer_props(*c, 0);
  props["client.id"] = "connector-offsets-" + name;
  OffsetsResult r =
      change_when_left(name, "alter", [&] { return backend_->alter_offsets(props, offsets); });
  if (!r.ok()) return offsets_failure(r, name, "alter");
  bool plugin_ok = false;
  if (const PluginInfo* plugin = plugin_of(c->config))
    plugin_ok = plugin->instantiate()->alter_offsets(c->config, offsets);
  *message =
      plugin_ok
          ? "The offsets for this connector have been altered successfully"
          : "The Connect framework-managed offsets for this connector have been altered "
            "successfully. "
            "However, if this connector manages offsets externally, they will need to be manually "
            "altered in the system that the connector uses.";
  log::info("connector {}: offsets altered for {} partition(s)", name, offsets.size());
  return {};
}

Outcome Herder::reset_offsets(const std::string& name, std::string* message) {
  Connector tmp;
  Outcome found = stopped_connector(name, &tmp);
  if (!found.ok()) return found;
  Connector* c = &tmp;
  kafka::Properties props = consumer_props(*c, 0);
  props["client.id"] = "connector-offsets-" + name;
  SinkSettings sink = sink_settings(c->config);
  OffsetsResult r = change_when_left(name, "reset", [&] {
    return backend_->reset_offsets(props, sink.topics, sink.topics_regex);
  });
  if (!r.ok()) return offsets_failure(r, name, "reset");
  bool plugin_ok = false;
  if (const PluginInfo* plugin = plugin_of(c->config))
    plugin_ok = plugin->instantiate()->alter_offsets(c->config, {});
  *message =
      plugin_ok
          ? "The offsets for this connector have been reset successfully"
          : "The Connect framework-managed offsets for this connector have been reset "
            "successfully. "
            "However, if this connector manages offsets externally, they will need to be manually "
            "reset in the system that the connector uses.";
  log::info("connector {}: offsets reset", name);
  return {};
}

Outcome Herder::active_topics(const std::string& name, std::vector<std::string>* out) {
  if (!settings_.topic_tracking_enable) return Outcome::Error(403, "Topic tracking is disabled.");
  std::lock_guard lock(mu_);
  Connector* c = find(name);
  if (!c) return {};  // like Connect: no existence check
  std::set<std::string> topics;
  for (auto& [id, m] : c->metrics) {
    std::lock_guard tl(m->topics_mu);
    topics.insert(m->topics.begin(), m->topics.end());
  }
  out->assign(topics.begin(), topics.end());
  return {};
}

Outcome Herder::reset_active_topics(const std::string& name) {
  if (!settings_.topic_tracking_enable) return Outcome::Error(403, "Topic tracking is disabled.");
  if (!settings_.topic_tracking_allow_reset)
    return Outcome::Error(403, "Topic tracking reset is disabled.");
  std::lock_guard lock(mu_);
  Connector* c = find(name);
  if (!c) return Outcome::Error(404, "Connector " + name + " not found");
  for (auto& [id, m] : c->metrics) {
    std::lock_guard tl(m->topics_mu);
    m->topics.clear();
  }
  return {};
}

void Herder::tick(MonoClock::time_point now) {
  std::lock_guard lock(mu_);
  for (auto& [name, c] : connectors_) {
    int max = c.sink.task_restart_max_attempts;
    if (max == 0 || c.target == TargetState::kStopped || !c.instance || c.busy) continue;
    for (size_t i = 0; i < c.tasks.size(); ++i) {
      TaskSlot& t = c.tasks[i];
      if (!t.runner) continue;
      TaskStatus st = t.runner->status();
      if (st.view.state != TaskState::kFailed || !st.auto_restart) continue;
      if (max > 0 && t.auto_restarts >= max) continue;
      if (!t.restart_due) {
        int64_t backoff = c.sink.task_restart_backoff_ms;
        for (int k = 0; k < t.auto_restarts && backoff < 60000; ++k) backoff *= 2;
        backoff = std::min<int64_t>(backoff, 60000);
        t.restart_due = now + std::chrono::milliseconds(backoff);
        log::info("connector {} task {} failed; restarting in {} ms (attempt {})", name, i, backoff,
                  t.auto_restarts + 1);
        continue;
      }
      if (now < *t.restart_due) continue;
      // The failed task's thread may still be finishing, or stuck in a plugin call: this runs on
      // the main loop, so it never waits; it asks once and gives up after the shutdown deadline.
      if (t.runner && !t.abandoned) {
        if (!t.stop_requested) {
          t.runner->request_stop();
          t.stop_requested = now;
        }
        if (!t.runner->wait_stopped(std::chrono::milliseconds(0))) {
          if (now - *t.stop_requested < settings_.task_shutdown_timeout) continue;
          t.runner->abandon(settings_.task_shutdown_timeout);
        }
      }
      t.restart_due.reset();
      t.auto_restarts++;
      c.metrics[static_cast<int>(i)]->restarts++;
      start_task(c, static_cast<int>(i));
    }
  }
}

void Herder::shutdown() {
  Lock lock(mu_);
  // Every task is asked to stop at once and shares one deadline.
  std::vector<std::pair<Connector*, size_t>> slots;
  for (auto& [name, c] : connectors_) {
    if (c.busy) continue;  // its own operation is stopping it
    for (size_t i = 0; i < c.tasks.size(); ++i) slots.emplace_back(&c, i);
  }
  stop_runners(lock, slots);
  for (auto& [name, c] : connectors_) {
    if (!c.busy) stop_connector(lock, c);  // only stopped or abandoned runners are left: no wait
  }
}

size_t Herder::running_task_count() {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (auto& [name, c] : connectors_) {
    for (auto& t : c.tasks) {
      if (t.runner && t.runner->status().view.state == TaskState::kRunning) ++n;
    }
  }
  return n;
}

std::string Herder::metrics_text() {
  std::lock_guard lock(mu_);
  std::string out;
  auto family = [&](const char* name, const char* type, const char* help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  family("sentinel_connect_connectors", "gauge", "Connectors on this worker.");
  out += fmt::format("sentinel_connect_connectors {}\n", connectors_.size());
  family("sentinel_connect_connector_state", "gauge", "1 for the state each connector is in.");
  for (auto& [name, c] : connectors_) {
    out += fmt::format("sentinel_connect_connector_state{{connector=\"{}\",state=\"{}\"}} 1\n",
                       prom_escape(name), to_string(c.state));
  }
  family("sentinel_connect_task_state", "gauge", "1 for the state each task is in.");
  for (auto& [name, c] : connectors_) {
    for (size_t i = 0; i < c.tasks.size(); ++i) {
      out += fmt::format(
          "sentinel_connect_task_state{{connector=\"{}\",task=\"{}\",state=\"{}\"}} 1\n",
          prom_escape(name), i, to_string(task_view(c, static_cast<int>(i)).state));
    }
  }
  struct Counter {
    const char* name;
    const char* type;
    const char* help;
    std::function<int64_t(const TaskMetrics&)> get;
  };
  const Counter counters[] = {
      {"sentinel_connect_records_consumed_total", "counter", "Records consumed from Kafka.",
       [](const TaskMetrics& m) { return static_cast<int64_t>(m.records_consumed.load()); }},
      {"sentinel_connect_records_written_total", "counter",
       "Records handed to the sink task's put().",
       [](const TaskMetrics& m) { return static_cast<int64_t>(m.records_written.load()); }},
      {"sentinel_connect_record_errors_total", "counter", "Records that failed conversion.",
       [](const TaskMetrics& m) { return static_cast<int64_t>(m.record_errors.load()); }},
      {"sentinel_connect_dlq_records_total", "counter", "Records sent to the dead letter queue.",
       [](const TaskMetrics& m) { return static_cast<int64_t>(m.dlq_records.load()); }},
      {"sentinel_connect_offset_commits_total", "counter", "Successful offset commits.",
       [](const TaskMetrics& m) { return static_cast<int64_t>(m.offset_commits.load()); }},
      {"sentinel_connect_task_restarts_total", "counter", "Automatic task restarts.",
       [](const TaskMetrics& m) { return static_cast<int64_t>(m.restarts.load()); }},
      {"sentinel_connect_consumer_lag", "gauge",
       "Records behind the end of the assigned partitions.",
       [](const TaskMetrics& m) { return m.consumer_lag.load(); }},
  };
  for (const Counter& k : counters) {
    family(k.name, k.type, k.help);
    for (auto& [name, c] : connectors_) {
      for (auto& [id, m] : c.metrics) {
        int64_t v = k.get(*m);
        if (v < 0) continue;
        out += fmt::format("{}{{connector=\"{}\",task=\"{}\"}} {}\n", k.name, prom_escape(name), id,
                           v);
      }
    }
  }
  return out;
}

}  // namespace sentinel::connect

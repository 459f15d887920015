// The herder: owns every connector of this worker — its config, target state
// (STARTED/PAUSED/STOPPED), plugin instance and tasks — and carries out what the REST API asks,
// with Connect's semantics and messages (docs/connect.md).
//
// Standalone (no Cluster): every change to a connector's config or target state is saved through
// the StateStore before it is made in memory: a change that cannot be saved is answered with an
// error and leaves nothing behind. Every connector and task runs here.
//
// Distributed (a Cluster, herder_cluster.cc): the connectors are what the config topic holds.
// A REST write goes to the topic (and is answered once read back); reads answer from the topic and
// the status topic, so every worker gives the cluster's view. sync() makes what runs here match
// the topic and this worker's share of the work: it is called after each write, on every change
// read from the topic and on every rebalance.
//
// Thread-safe: one mutex serialises all operations; Kafka I/O for reading offsets happens outside
// it, and so does waiting for tasks to stop: a connector whose tasks are being stopped is marked
// busy (other changes to it get 409 meanwhile, reads and other connectors go on), the wait ends at
// task.shutdown.graceful.timeout.ms, and a task still running then is abandoned and shown FAILED
// with the call it is stuck in.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "connect-sink/runtime/cluster.h"
#include "connect-sink/runtime/connector_config.h"
#include "connect-sink/runtime/outcome.h"
#include "connect-sink/runtime/state_store.h"
#include "connect-sink/runtime/state_view.h"
#include "connect-sink/runtime/states.h"
#include "connect-sink/runtime/worker_backend.h"

namespace sentinel::connect {

struct WorkerSettings {
  std::string worker_id = "127.0.0.1:8083";
  std::string bootstrap_servers = "localhost:9092";
  kafka::Properties consumer;  // worker consumer.* (without prefix)
  kafka::Properties producer;  // worker producer.*
  ConverterSpec key_converter, value_converter;
  std::chrono::milliseconds flush_interval{60000};
  std::chrono::milliseconds task_shutdown_timeout{5000};  // task.shutdown.graceful.timeout.ms
  ValidationContext validation;
  bool topic_tracking_enable = true;
  bool topic_tracking_allow_reset = true;
};

// What put_connector checks before it changes anything: initial_state, then the config as
// POST /connectors/{name}/config/validate sees it (an invalid one is Connect's 400 listing every
// error); *target gets STARTED, PAUSED or STOPPED. sentinel-connect --check-config runs this same
// function on the connector files, so it refuses exactly what the start refuses, in the same words.
Outcome check_connector_config(const ValidationContext& ctx, const RawConfig& config,
                               const std::optional<std::string>& initial_state,
                               TargetState* target);

struct ConnectorInfoView {
  std::string name;
  std::map<std::string, std::string> config;  // secrets shown as [hidden]
  std::vector<int> tasks;
};

struct ConnectorStatusView {
  std::string name;
  StateView connector;
  std::vector<std::pair<int, StateView>> tasks;
};

struct TaskInfoView {
  int id = 0;
  std::map<std::string, std::string> config;
};

class Herder {
 public:
  // `store` may be null (nothing persisted). With a `cluster` the worker is distributed and
  // `store` is not used.
  Herder(WorkerSettings settings, WorkerBackend* backend, StateStore* store,
         Cluster* cluster = nullptr);
  ~Herder();
  Herder(const Herder&) = delete;
  Herder& operator=(const Herder&) = delete;

  // Starts the connectors of the state store; false with *error when the state cannot be read.
  bool restore(std::string* error);

  Outcome validate(const RawConfig& config, ValidationResult* result);
  // POST /connectors (allow_replace=false) and PUT /connectors/{name}/config (true).
  // `initial_state` is RUNNING, PAUSED or STOPPED (any case) and applies only when creating.
  Outcome put_connector(const std::string& name, const RawConfig& config,
                        const std::optional<std::string>& initial_state, bool allow_replace,
                        bool* created, ConnectorInfoView* info);
  // PATCH /connectors/{name}/config: nullopt values remove keys.
  Outcome patch_connector(const std::string& name, const RawConfig& patch, ConnectorInfoView* info);

  std::vector<std::string> names();
  Outcome info(const std::string& name, ConnectorInfoView* out);
  Outcome config(const std::string& name, std::map<std::string, std::string>* out);
  Outcome status(const std::string& name, ConnectorStatusView* out);
  Outcome task_status(const std::string& name, int task, StateView* out);
  Outcome tasks(const std::string& name, std::vector<TaskInfoView>* out);

  // Restart per KIP-745; *plan gets the planned states when include_tasks or only_failed.
  Outcome restart(const std::string& name, bool include_tasks, bool only_failed,
                  ConnectorStatusView* plan);
  Outcome restart_task(const std::string& name, int task);
  Outcome pause(const std::string& name);
  Outcome resume(const std::string& name);
  Outcome stop(const std::string& name);
  Outcome remove(const std::string& name);

  Outcome offsets(const std::string& name, std::vector<PartitionOffset>* out);
  Outcome alter_offsets(const std::string& name,
                        const std::map<TopicPartition, std::optional<int64_t>>& offsets,
                        std::string* message);
  Outcome reset_offsets(const std::string& name, std::string* message);

  Outcome active_topics(const std::string& name, std::vector<std::string>* out);
  Outcome reset_active_topics(const std::string& name);

  const PluginRegistry& plugins() const { return *settings_.validation.plugins; }
  const WorkerSettings& settings() const { return settings_; }
  std::string metrics_text();
  // Restarts FAILED tasks whose connector asks for it, once their backoff has passed.
  void tick(MonoClock::time_point now);
  // Stops every task (each commits its durable offsets) and connector.
  void shutdown();

  // Distributed only (herder_cluster.cc). Makes what runs here match the cluster: the config
  // topic's connectors, target states and task configs, and this worker's share of the work (none
  // while the group rebalances). The connectors this worker runs whose task configs differ from
  // the topic's get them written. Serialised; waits for the tasks it stops.
  void sync();
  // A restart request read from the config topic: restarts what of it runs here.
  void restart_here(const std::string& name, std::optional<int> task, bool include_tasks,
                    bool only_failed);
  // Writes the status of each connector and task running here whose state changed since last
  // written (and all of them after a rebalance).
  void publish_statuses();
  size_t running_task_count();

 private:
  struct TaskSlot {
    std::unique_ptr<TaskRunner> runner;
    std::map<std::string, std::string> config;
    bool abandoned = false;  // the runner did not stop in time and was given up on
    std::optional<MonoClock::time_point> stop_requested;  // by tick(), before an automatic restart
    bool restarting = false;
    int auto_restarts = 0;
    std::optional<MonoClock::time_point> restart_due;
    bool runs_here = true;  // distributed: this worker owns the task (standalone: always)
  };
  struct Connector {
    std::string name;
    std::map<std::string, std::string> config;
    TargetState target = TargetState::kStarted;
    const PluginInfo* plugin = nullptr;
    ConfigDef merged_def;
    SinkSettings sink;
    std::unique_ptr<SinkConnector> instance;
    ConnectorState state = ConnectorState::kUnassigned;
    std::string trace;
    std::vector<TaskSlot> tasks;
    std::map<int, std::shared_ptr<TaskMetrics>> metrics;
    bool busy = false;  // tasks are being stopped with mu_ released: no other change meanwhile
    // Distributed: the connector object runs on another worker, and this one's tasks are made by
    // an instance that is never started (SinkConnector::create_task needs no start()).
    bool runs_here = true;
    std::unique_ptr<SinkConnector> task_factory;
  };
  using Lock = std::unique_lock<std::mutex>;

  Connector* find(const std::string& name);
  // The plugin, sink settings and merged config definition of c.config; false (c FAILED with the
  // trace) when the plugin is unknown or tasks.max is above the limit.
  bool prepare(Connector& c);
  // What makes c's tasks: its started instance, or (distributed) an unstarted one.
  SinkConnector* task_source(Connector& c);
  void start_connector(Connector& c);
  bool start_instance(Connector& c, std::vector<std::map<std::string, std::string>>* task_configs);
  // Starts slot `id`, whose previous runner (if any) has stopped or been abandoned.
  void start_task(Connector& c, int id);
  // Asks these tasks to stop and waits for them together, up to task.shutdown.graceful.timeout.ms,
  // with `lock` released (their connectors are busy meanwhile); those still running then are
  // abandoned and keep their slot, FAILED with the trace. Stopped runners are reset. Returns how
  // many were abandoned.
  size_t stop_runners(Lock& lock, const std::vector<std::pair<Connector*, size_t>>& slots);
  // Stops every task of `c`; the slots are cleared unless a task was abandoned.
  size_t stop_tasks(Lock& lock, Connector& c);
  void stop_connector(Lock& lock, Connector& c);
  Outcome change_target(const std::string& name, TargetState target, const std::string& not_found);
  void apply_target(Lock& lock, Connector& c, TargetState target);
  static Outcome busy_error(const Connector& c);
  // This worker's view of a connector or task in `state`: the trace only when FAILED.
  StateView view(ConnectorState state, const std::string& trace = "") const;
  StateView task_view(const Connector& c, int id) const;
  ConnectorStatusView status_view(const Connector& c) const;
  ConnectorInfoView info_view(const Connector& c) const;
  kafka::Properties consumer_props(const Connector& c, int task) const;
  // Saves the state as it will be once `name` becomes `after` (nullopt: deleted), before the
  // change is made; an error Outcome when it could not be saved.
  Outcome save_with(const std::string& name, const std::optional<StoredConnector>& after);

  // Distributed counterparts of the REST operations (herder_cluster.cc).
  Outcome cluster_put(const std::string& name, const RawConfig& raw,
                      const std::optional<std::string>& initial_state, bool allow_replace,
                      bool* created, ConnectorInfoView* info);
  Outcome cluster_connector(const std::string& name, distributed::ConnectorView* out,
                            const std::string& not_found);
  ConnectorInfoView cluster_info(const std::string& name, const distributed::ConnectorView& v);
  ConnectorStatusView cluster_status(const std::string& name, const distributed::ConnectorView& v);
  StateView cluster_task_view(const std::string& name, int task);
  Outcome cluster_target(const std::string& name, TargetState target, const std::string& not_found);
  ConfigDef config_def_of(const std::map<std::string, std::string>& config) const;
  const PluginInfo* plugin_of(const std::map<std::string, std::string>& config) const;
  // The connector (name and config only) for an offsets change; Connect's 400 unless STOPPED.
  Outcome stopped_connector(const std::string& name, Connector* out);
  // An offsets change (`verb` alter or reset) to a stopped connector's group, done again while
  // the group has members that are its tasks still stopping on other workers (distributed only).
  OffsetsResult change_when_left(const std::string& name, const char* verb,
                                 const std::function<OffsetsResult()>& change);
  // The connector's config as it is now (standalone: in memory; distributed: the config topic).
  Outcome current_config(const std::string& name, std::map<std::string, std::string>* out,
                         TargetState* target, const std::string& not_found);

  WorkerSettings settings_;
  WorkerBackend* backend_;
  StateStore* store_;
  Cluster* cluster_;
  std::mutex sync_mu_;  // distributed: one sync() at a time (taken before mu_)
  std::mutex mu_;
  std::map<std::string, Connector> connectors_;
  // Distributed: the group generation of the last sync, and the statuses written in it, by
  // (connector, task or -1 for the connector itself).
  int64_t generation_ = -1;
  std::map<std::pair<std::string, int>, StateView> published_;
};

}  // namespace sentinel::connect

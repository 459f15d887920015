// sentinel-connect: a Kafka Connect–compatible worker for sink connectors, standalone or
// distributed.
//
//   sentinel-connect worker.properties [connector.properties|connector.json …] [--check-config]
//
// Loads plugins from plugin.path and serves the Connect REST API. Standalone (no group.id):
// restores connectors persisted in the state directory and applies the connector files from the
// command line. Distributed (group.id and the storage topics set, as connect-distributed): keeps
// its state in the storage topics and shares the connectors with the workers of its group
// (distributed/distributed_worker.h); connectors come through the REST API only. Runs until
// SIGTERM (tasks commit their durable offsets, exit 0). Exit codes: 1 worker config or startup
// error, 3 a connector file failed (as connect-standalone), 4 another worker has this one's
// identity (sentinel.worker.id on this host, see KafkaBackend; or, distributed, the advertised
// host:port in the group).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <thread>

#include "common/cli.h"
#include "common/daemon.h"
#include "common/identity_lock.h"
#include "common/log.h"
#include "common/static_membership.h"
#include "connect-sink/runtime/connector_files.h"
#include "connect-sink/runtime/distributed/distributed_worker.h"
#include "connect-sink/runtime/herder.h"
#include "connect-sink/runtime/kafka_backend.h"
#include "connect-sink/runtime/plugins.h"
#include "connect-sink/runtime/worker_config.h"
#include "connect-sink/runtime/worker_preflight.h"
#include "rest-api/basic_auth.h"
#include "rest-api/http_server.h"
#include "rest-api/rest_api.h"

namespace fs = std::filesystem;
using namespace sentinel;
using namespace sentinel::connect;

namespace {

std::string exe_dir() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "." : p.parent_path().string();
}

std::string default_state_dir() {
  const std::string system_dir = "/var/lib/sentinel/connect";
  std::error_code ec;
  if (fs::is_directory(system_dir, ec) && access(system_dir.c_str(), W_OK) == 0) return system_dir;
  if (geteuid() == 0) return system_dir;
  return "sentinel-connect-state";  // relative to the working directory, for runs from a build tree
}

std::vector<std::string> default_plugin_path() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const std::string& dir :
       {exe_dir() + "/../plugins", std::string("/usr/lib/sentinel/plugins")}) {
    if (fs::is_directory(dir, ec)) out.push_back(fs::weakly_canonical(dir, ec).string());
  }
  return out;
}

std::string hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

// Serves the REST API over `herder`; prints each listening URL (the line scripts and tests wait
// for). `ready` answers GET /health.
std::unique_ptr<RestApi> serve(HttpServer& http, Herder& herder, KafkaBackend& backend,
                               std::function<bool()> ready) {
  ServerInfo info;
  info.commit = std::string("sentinel-connect-") + SENTINEL_VERSION;
  info.cluster_id = [&backend] { return backend.cluster_id(); };
  info.ready = std::move(ready);
  auto api = std::make_unique<RestApi>(&herder, info);
  http.start(api.get());
  for (const auto& url : http.urls()) {
    std::printf("listening %s\n", url.c_str());
    log::info("REST API listening on {}", url);
  }
  std::fflush(stdout);
  return api;
}

// The distributed worker: state in the storage topics, work shared through the workers' group.
int run_distributed(Daemon& daemon, const WorkerConfig& config, const WorkerSettings& settings,
                    const kafka::Properties& base, HttpServer& http) {
  const DistributedSettings& d = *config.distributed;
  distributed::DistributedWorker cluster({base, d, settings.worker_id});
  std::string error;
  if (!cluster.open(std::chrono::seconds(30), &error)) {
    log::error("distributed worker (group.id {}): {}", d.group_id, error);
    http.stop();
    return 1;
  }
  // Task consumers are dynamic members of their connectors' groups here: tasks move between
  // workers at every rebalance, and a static member replaced while its group rebalances can leave
  // the group waiting for an assignment that never comes (Kafka 2.4, measured). A dead worker's
  // consumers leave after their session.timeout.ms, which the herder lowers (herder.cc).
  KafkaBackend backend(base, "");
  Herder herder(settings, &backend, nullptr, &cluster);
  auto api = serve(http, herder, backend, [&cluster] { return cluster.joined(); });
  if (!cluster.join(&herder, std::chrono::seconds(30), &error)) {
    log::error("distributed worker (group.id {}): {}", d.group_id, error);
    http.stop();
    return 1;
  }
  // Ready (READY=1 for systemd) once in the workers' group, as GET /health says: a worker not yet
  // assigned answers writes with 409. Bounded by the group's rebalance timeout: a worker that
  // cannot join (a broker that accepts connections but not the group) still starts, and says so.
  // A SIGTERM meanwhile (a join held up by a member that does not answer) is not kept waiting: the
  // loop below sees it at once and stops.
  auto deadline = MonoClock::now() + std::chrono::milliseconds(d.rebalance_timeout_ms);
  bool stopping = false;
  while (!cluster.joined() && cluster.failed().empty() && MonoClock::now() < deadline &&
         !(stopping = daemon.stop_requested())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (stopping) {
    log::info("worker {}: asked to stop before it was in the workers' group {}", settings.worker_id,
              d.group_id);
  } else {
    if (!cluster.joined()) {
      log::warning(
          "worker {}: not in the workers' group {} after {} ms (rebalance.timeout.ms); "
          "ready anyway: writes get 409 until it is",
          settings.worker_id, d.group_id, d.rebalance_timeout_ms);
    }
    log::info(
        "worker {} started, distributed: group {}, config topic {}, status topic {}, slots in {}",
        settings.worker_id, d.group_id, d.config_topic, d.status_topic, d.offset_topic);
  }

  DaemonLoop loop;
  loop.wait_at_most = [](MonoClock::time_point) { return std::chrono::milliseconds(200); };
  loop.reload = [] { log::info("SIGHUP: a distributed worker has no connector files to apply"); };
  loop.tick = [&](MonoClock::time_point now) -> std::optional<int> {
    cluster.tick();
    herder.tick(now);
    if (std::string fenced = cluster.failed(); !fenced.empty()) {
      log::error("leaving: {}", fenced);
      http.stop();
      cluster.stop();
      herder.shutdown();
      return 4;
    }
    return std::nullopt;
  };
  loop.status_every = std::chrono::milliseconds(0);
  loop.status = [&] {
    return fmt::format("{} connector(s) in the cluster, {} task(s) running here; {}",
                       herder.names().size(), herder.running_task_count(), cluster.summary());
  };
  loop.stop = [&](const DaemonStop& how) {
    log::info("signal {}: leaving the group, stopping tasks and committing offsets", how.signal);
    http.stop();
    cluster.stop();
    herder.shutdown();
    log::info("stopped");
    return 0;
  };
  return daemon.run(loop);
}

}  // namespace

int main(int argc, char** argv) {
  Daemon daemon;  // first, so every thread inherits the blocked mask

  sentinel::cli::App app{
      "sentinel-connect: Kafka Connect-compatible worker for sink connectors.\n"
      "Serves the Connect REST API (listeners=, default http://127.0.0.1:8083) and loads sink "
      "plugins\n"
      "from plugin.path. Standalone: restores connectors kept in sentinel.state.dir and applies "
      "the\n"
      "connector files given after the worker properties. Distributed (group.id and the\n"
      "*.storage.topic keys set, as connect-distributed.properties): state in Kafka, connectors\n"
      "shared with the other workers of the group, managed through the REST API.\n"
      "Signals: SIGHUP applies the connector files again; SIGTERM stops the tasks (their durable\n"
      "offsets committed) and exits 0.\n"
      "Exit codes: 0 ok, 1 worker config or startup error, 3 a connector file failed, 4 another\n"
      "worker on this host runs with this one's identity (sentinel.worker.id).\n"
      "Environment: SENTINEL_LOG_LEVEL=error|warning|notice|info|debug (default info)."};
  std::string worker_file;
  std::vector<std::string> connector_files;
  std::string bootstrap_override;
  std::string state_dir_override;
  bool check_config = false;
  app.add_option("worker-properties", worker_file, "worker config (connect-standalone.properties)")
      ->required();
  app.add_option("connector-files", connector_files, "connector configs (.properties or .json)");
  app.add_option("--bootstrap-servers", bootstrap_override, "override bootstrap.servers");
  app.add_option("--state-dir", state_dir_override, "override sentinel.state.dir");
  app.add_flag("--check-config", check_config,
               "Validate the worker properties and the connector files, print any error, and exit "
               "(1: worker config, 3: connector file)");
  app.set_version_flag("--version", std::string("sentinel-connect ") + SENTINEL_VERSION);
  if (auto rc = app.parse(argc, argv)) return *rc;

  WorkerConfig config;
  try {
    config = parse_worker_config(load_properties(worker_file));
  } catch (const std::exception& e) {
    log::error("{}", e.what());
    return 1;
  }
  for (const auto& w : config.warnings) log::warning("{}", w);
  for (const auto& n : config.notes) log::info("{}", n);
  if (!bootstrap_override.empty()) config.bootstrap_servers = bootstrap_override;
  if (!state_dir_override.empty()) config.state_dir = state_dir_override;
  if (config.state_dir.empty()) config.state_dir = default_state_dir();
  // The worker's own plugin directories are searched after plugin.path, so configs written for
  // Kafka's worker (plugin.path pointing at jars, or unset) still find the built-in plugins.
  for (const auto& dir : default_plugin_path()) {
    std::error_code ec;
    bool listed = std::any_of(
        config.plugin_path.begin(), config.plugin_path.end(),
        [&](const std::string& p) { return fs::weakly_canonical(p, ec) == fs::path(dir); });
    if (!listed) config.plugin_path.push_back(dir);
  }

  PluginRegistry plugins;
  std::vector<std::string> plugin_errors;
  plugins.load(config.plugin_path, &plugin_errors);
  for (const auto& e : plugin_errors) log::error("{}", e);
  for (const auto& p : plugins.plugins())
    log::info("plugin {} {} from {}", p.class_name, p.version, p.path);
  if (plugins.plugins().empty()) {
    log::warning("no connector plugins found in plugin.path ({})",
                 fmt::join(config.plugin_path, ", "));
  }

  ValidationContext validation;
  validation.plugins = &plugins;
  validation.archive_root = config.archive_root;
  validation.override_policy = config.override_policy;
  validation.allow_jaas_override = config.allow_jaas_override;
  validation.tasks_max_limit = config.tasks_max_limit;

  // Everything the start refuses is refused here, before anything starts; --check-config runs the
  // same checks and stops after them.
  Preflight pre =
      preflight(config, worker_file, connector_files, validation, /*start=*/!check_config);
  if (pre.exit_code != 0) {
    log::error("{}", pre.error);
    return pre.exit_code;
  }
  const std::vector<ConnectorFile>& files = pre.files;
  if (check_config) {
    std::printf("%s: ok (%zu connector file(s), %zu plugin(s))\n", worker_file.c_str(),
                files.size(), plugins.plugins().size());
    return 0;
  }
  std::unique_ptr<BasicAuth> auth = std::move(pre.auth);

  HttpServer http;
  std::string error;
  if (!http.bind(config, auth.get(), &error)) {
    log::error("{}", error);
    return 1;
  }

  WorkerSettings settings;
  std::string advertised_host = config.advertised_host;
  if (advertised_host.empty()) {
    advertised_host = config.listeners[0].host;
    if (advertised_host.empty() || advertised_host == "0.0.0.0") advertised_host = hostname();
  }
  settings.worker_id =
      fmt::format("{}:{}", advertised_host,
                  config.advertised_port ? config.advertised_port : http.first_port());
  settings.bootstrap_servers = config.bootstrap_servers;
  settings.consumer = config.consumer;
  settings.producer = config.producer;
  settings.key_converter = config.key_converter;
  settings.value_converter = config.value_converter;
  settings.flush_interval = std::chrono::milliseconds(config.offset_flush_interval_ms);
  settings.task_shutdown_timeout =
      std::chrono::milliseconds(config.task_shutdown_graceful_timeout_ms);
  settings.validation = validation;
  settings.topic_tracking_enable = config.topic_tracking_enable;
  settings.topic_tracking_allow_reset = config.topic_tracking_allow_reset;

  // The worker's own clients: the top-level security keys (Connect's), else the consumers'.
  kafka::Properties base = {{"bootstrap.servers", config.bootstrap_servers}};
  for (const auto& [k, v] : config.consumer) {
    if (k.rfind("security.", 0) == 0 || k.rfind("sasl.", 0) == 0 || k.rfind("ssl.", 0) == 0)
      base[k] = v;
  }
  for (const auto& [k, v] : config.client) base[k] = v;
  if (config.distributed) return run_distributed(daemon, config, settings, base, http);
  // The identity of this worker's consumers in their groups (static membership): stable across
  // restarts, and one process per identity on this host (IdentityLock); across hosts the broker
  // fences a duplicate and the fenced task says so.
  std::string identity = config.worker_id.empty()
                             ? fmt::format("{}:{}", kafka::host_name(), http.first_port())
                             : config.worker_id;
  int holder = 0;
  auto identity_lock = IdentityLock::acquire(
      fmt::format("sentinel-connect {} {}", config.bootstrap_servers, identity), &holder, &error);
  if (!identity_lock) {
    log::error(
        "another sentinel-connect ({}) already runs as worker {} for the Kafka cluster at {} on "
        "this host: two workers with one identity would fence each other's consumers (their "
        "group.instance.id); give this one its own sentinel.worker.id (or REST port) in {}",
        holder ? fmt::format("process {}", holder) : error, identity, config.bootstrap_servers,
        worker_file);
    http.stop();
    return 4;
  }
  KafkaBackend backend(base, identity);
  StateStore store(config.state_dir);
  Herder herder(settings, &backend, &store);
  std::atomic<bool> ready{false};
  auto api = serve(http, herder, backend, [&ready] { return ready.load(); });

  if (!herder.restore(&error)) {
    log::error("state: {}", error);
    http.stop();
    return 1;
  }
  auto apply_files = [&]() -> bool {
    for (const auto& f : files) {
      bool created = false;
      ConnectorInfoView view;
      Outcome o = herder.put_connector(f.name, f.config, f.initial_state, true, &created, &view);
      if (!o.ok()) {
        log::error("connector file {}: {}", f.path, o.message);
        return false;
      }
    }
    return true;
  };
  if (!apply_files()) {
    http.stop();
    herder.shutdown();
    return 3;
  }
  ready = true;
  log::info("worker {} started: state in {}, {} connector(s), consumer identity {}",
            settings.worker_id, config.state_dir, herder.names().size(), identity);

  DaemonLoop loop;
  loop.wait_at_most = [](MonoClock::time_point) { return std::chrono::milliseconds(500); };
  loop.reload = [&] {
    log::info("SIGHUP: applying the connector files again");
    apply_files();
  };
  loop.tick = [&](MonoClock::time_point now) -> std::optional<int> {
    herder.tick(now);
    return std::nullopt;
  };
  loop.status_every = std::chrono::milliseconds(0);  // every turn
  loop.status = [&] {
    return fmt::format("{} connector(s), {} task(s) running", herder.names().size(),
                       herder.running_task_count());
  };
  loop.stop = [&](const DaemonStop& how) {
    log::info("signal {}: stopping tasks and committing offsets", how.signal);
    http.stop();
    herder.shutdown();
    if (size_t stuck = backend.abandoned_tasks_running()) {
      // Their threads are inside plugin code: running the exit-time destructors under them could
      // crash the exit, so leave without them (state and offsets are already where they belong).
      log::warning("stopped with {} abandoned task thread(s) still inside a plugin call", stuck);
      std::fflush(stdout);
      std::fflush(stderr);
      std::_Exit(0);
    }
    log::info("stopped");
    return 0;
  };
  return daemon.run(loop);
}

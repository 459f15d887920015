// The worker's checks before it starts (see worker_preflight.h).
#include "connect-sink/runtime/worker_preflight.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <set>

#include "common/whole_file.h"
#include "connect-sink/runtime/herder.h"
#include "connect-sink/runtime/state_store.h"
#include "rest-api/tls_files.h"

namespace sentinel::connect {

namespace fs = std::filesystem;

std::string prepare_archive_root(const std::string& root, bool create) {
  struct stat st {};
  if (::stat(root.c_str(), &st) == 0) return S_ISDIR(st.st_mode) ? "" : "is not a directory";
  if (errno != ENOENT) return file_error_text(errno);
  // The nearest existing ancestor decides whether it can be created.
  std::error_code ec;
  fs::path ancestor = fs::absolute(root, ec).lexically_normal().parent_path();
  while (!ancestor.empty() && ::stat(ancestor.c_str(), &st) != 0 && errno == ENOENT &&
         ancestor != ancestor.root_path()) {
    ancestor = ancestor.parent_path();
  }
  const std::string cannot = "does not exist and cannot be created: ";
  if (::stat(ancestor.c_str(), &st) != 0)
    return cannot + ancestor.string() + ": " + file_error_text(errno);
  if (!S_ISDIR(st.st_mode)) return cannot + ancestor.string() + " is not a directory";
  if (::access(ancestor.c_str(), W_OK | X_OK) != 0)
    return cannot + ancestor.string() + ": " + file_error_text(errno);
  if (!create) return "";
  fs::create_directories(root, ec);
  if (ec) return cannot + ec.message();
  return "";
}

Preflight preflight(const WorkerConfig& config, const std::string& worker_file,
                    const std::vector<std::string>& connector_paths,
                    const ValidationContext& validation, bool start) {
  Preflight p;
  auto worker_error = [&](std::string message) {
    p.exit_code = 1;
    p.error = std::move(message);
    return std::move(p);
  };
  // As connect-distributed: its connectors live in the config topic and come through the REST API.
  if (config.distributed && !connector_paths.empty()) {
    return worker_error(fmt::format(
        "config error: {}: group.id \"{}\" makes this a distributed worker, which takes its "
        "connectors through the REST API (POST /connectors), not from files: drop the connector "
        "files from the command line ({}), or remove group.id to run a standalone worker",
        worker_file, config.distributed->group_id, connector_paths.front()));
  }
  if (!config.archive_root.empty()) {
    std::string problem = prepare_archive_root(config.archive_root, start);
    if (!problem.empty()) {
      return worker_error(fmt::format("config error: {}: archive.root {}: {}", worker_file,
                                      config.archive_root, problem));
    }
  }
  if (!config.rest_credentials_file.empty()) {
    p.auth = std::make_unique<BasicAuth>();
    std::string error;
    if (!p.auth->load(config.rest_credentials_file, &error)) {
      return worker_error(fmt::format(
          "config error: {}: sentinel.rest.basic.auth.credentials.file: {}", worker_file, error));
    }
  }
  bool https = std::any_of(config.listeners.begin(), config.listeners.end(),
                           [](const Listener& l) { return l.scheme == "https"; });
  if (https) {
    std::string error;
    if (!check_tls_files(config.tls_certificate, config.tls_private_key, &error)) {
      return worker_error(fmt::format("config error: {}: {}", worker_file, error));
    }
  }
  if (!config.state_dir.empty()) {
    struct stat st {};
    if (::stat(config.state_dir.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
      return worker_error(fmt::format("config error: {}: sentinel.state.dir {}: is not a directory",
                                      worker_file, config.state_dir));
    }
    std::map<std::string, StoredConnector> stored;
    std::string error;
    if (!StateStore(config.state_dir).load(&stored, &error)) return worker_error("state: " + error);
  }

  // check-config creates nothing: a root the start would create is resolved as it will be.
  ValidationContext ctx = validation;
  std::error_code ec;
  ctx.archive_root_pending =
      !start && !config.archive_root.empty() && !fs::exists(config.archive_root, ec);
  std::set<std::string> names;
  for (const auto& path : connector_paths) {
    p.exit_code = 3;
    try {
      p.files.push_back(load_connector_file(path));
    } catch (const std::exception& e) {
      p.error = e.what();
      return p;
    }
    const ConnectorFile& f = p.files.back();
    if (!names.insert(f.name).second) {
      p.error = fmt::format(
          "Connector {} already exists (defined twice on the command line, again in {})", f.name,
          path);
      return p;
    }
    TargetState target = TargetState::kStarted;
    Outcome o = check_connector_config(ctx, f.config, f.initial_state, &target);
    if (!o.ok()) {
      p.error = fmt::format("connector file {}: {}", f.path, o.message);
      return p;
    }
    p.exit_code = 0;
  }
  return p;
}

}  // namespace sentinel::connect

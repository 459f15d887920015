// Everything sentinel-connect checks before it starts anything, in one function that both the start
// and --check-config run: --check-config stops after it, so it refuses exactly what the start
// refuses, with the same message and exit code. In order: group.id (refused: distributed mode is
// not built yet), archive.root (a directory, or one that can be created), the REST credentials
// file, the HTTPS certificate and key, the state file, then
// each connector file — read, named once, and checked as PUT /connectors/{name}/config checks it
// (check_connector_config). Not checked: binding the listeners (the running worker holds them).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connect-sink/runtime/connector_config.h"
#include "connect-sink/runtime/connector_files.h"
#include "connect-sink/runtime/worker_config.h"
#include "rest-api/basic_auth.h"

namespace sentinel::connect {

struct Preflight {
  int exit_code = 0;  // 0, 1 (worker configuration) or 3 (a connector file), as the start exits
  std::string error;  // the one line the program prints, naming the file and what is wrong
  std::unique_ptr<BasicAuth> auth;  // when sentinel.rest.basic.auth.credentials.file is set
  std::vector<ConnectorFile> files;
};

// `start`: the worker is about to run, so archive.root is created when missing; otherwise it is
// only checked that it could be. `validation` must carry the loaded plugins.
Preflight preflight(const WorkerConfig& config, const std::string& worker_file,
                    const std::vector<std::string>& connector_paths,
                    const ValidationContext& validation, bool start);

// "" when `root` is a directory or (not `create`) could be created; with `create`, creates it.
// Otherwise what is wrong: "is not a directory", "does not exist and cannot be created: /srv:
// permission denied".
std::string prepare_archive_root(const std::string& root, bool create);

}  // namespace sentinel::connect

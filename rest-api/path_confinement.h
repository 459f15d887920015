// Confinement of plugin output paths under the worker's archive.root, on the worker's side: at
// validation and at every connector and task start. A relative path is taken under the root, an
// absolute one must already be inside it, ".." is refused outright, and the existing part of the
// path must resolve beneath the root (common/confined_fs: no symbolic link out, dangling or not;
// the file itself no link, FIFO, device or socket). The plugins check again at every open, which
// is what holds while a task runs; this gives the early, named errors.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "sentinel/connect/sink.h"

namespace sentinel::connect {

// With an empty `root` the value is returned as it is (Connect's behaviour: relative to the
// working directory). Otherwise returns `<canonical root>/<relative path>` (links below the root
// are left for the plugin to resolve beneath it), or nullopt with *reason such as "path escapes
// archive.root /var/lib/sentinel/archive through a symbolic link".
// `root_pending`: the root does not exist yet and the worker will create it before any task runs
// (sentinel-connect --check-config, which creates nothing): it is resolved as far as it exists,
// as it will be once created. Otherwise a root that does not exist refuses every path.
std::optional<std::string> confine_path(const std::string& root, const std::string& value,
                                        std::string* reason, bool root_pending = false);

// What the worker hands a connector or task: every output-path key of `def` in `config` confined
// (rewritten to its absolute path) and kArchiveRootKey set to the canonical root — or removed
// when there is no root, so a user cannot choose it. False with *error ("file \"x\": …").
bool confine_output_paths(const std::string& root, const ConfigDef& def,
                          std::map<std::string, std::string>* config, std::string* error);

// A task that fails at start with `message`: what runs instead of the plugin's task when its
// paths no longer pass confinement at a task (re)start, so the task shows FAILED with the reason.
std::unique_ptr<SinkTask> refusing_task(const std::string& message);

}  // namespace sentinel::connect

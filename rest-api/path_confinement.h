// Confinement of plugin output paths under the worker's archive.root: a relative path is taken
// under the root, an absolute one must already be inside it, ".." is refused outright and the
// longest existing prefix is resolved through symlinks so that a link cannot lead outside.
#pragma once

#include <optional>
#include <string>

namespace sentinel::connect {

// With an empty `root` the value is returned as it is (Connect's behaviour: relative to the
// working directory). Otherwise returns the absolute confined path, or nullopt with *reason such
// as "path escapes archive.root /var/lib/sentinel/archive through a symbolic link".
// `root_pending`: the root does not exist yet and the worker will create it before any task runs
// (sentinel-connect --check-config, which creates nothing): it is resolved as far as it exists,
// as it will be once created. Otherwise a root that does not exist refuses every path.
std::optional<std::string> confine_path(const std::string& root, const std::string& value,
                                        std::string* reason, bool root_pending = false);

}  // namespace sentinel::connect

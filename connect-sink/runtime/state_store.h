// The standalone worker's persisted state: every connector's config and target state (STARTED,
// PAUSED, STOPPED) in one JSON file under the state directory, replaced atomically (write a
// temporary file, fsync it, rename it over the old one, fsync the directory) so that a crash or
// SIGKILL at any moment leaves either the old or the new state, never a torn file.
#pragma once

#include <map>
#include <string>

#include "connect-sink/runtime/states.h"

namespace sentinel::connect {

struct StoredConnector {
  std::map<std::string, std::string> config;
  TargetState target_state = TargetState::kStarted;
};

class StateStore {
 public:
  // `dir` is created (mode 0700) when missing.
  explicit StateStore(std::string dir) : dir_(std::move(dir)) {}

  // Reads the state; an absent file is an empty state. False with *error (naming the file and what
  // is wrong) when the file cannot be read or parsed.
  bool load(std::map<std::string, StoredConnector>* out, std::string* error) const;
  bool save(const std::map<std::string, StoredConnector>& state, std::string* error) const;

  std::string path() const { return dir_ + "/connectors.json"; }

 private:
  std::string dir_;
};

}  // namespace sentinel::connect

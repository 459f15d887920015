// Connector files given on the command line, as connect-standalone reads them: a Java properties
// file, or (KIP-980) JSON — a flat string map or the POST /connectors body {name, config,
// initial_state}. `name` is mandatory.
#pragma once

#include <optional>
#include <string>

#include "connect-sink/runtime/connector_config.h"

namespace sentinel::connect {

struct ConnectorFile {
  std::string path;
  std::string name;
  RawConfig config;  // includes name
  std::optional<std::string> initial_state;
};

// Throws std::runtime_error with Connect's message, e.g. "Connector configuration at 'x.properties'
// is missing the mandatory 'name' configuration".
ConnectorFile load_connector_file(const std::string& path);

}  // namespace sentinel::connect

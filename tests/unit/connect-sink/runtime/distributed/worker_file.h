// A distributed worker's properties file for the settings tests: the converters, then group.id
// and the three storage topics; parse() reads text as w.properties, error_of() returns the
// WorkerConfigError's message or "(accepted)".
#pragma once

#include <string>

#include "connect-sink/runtime/properties.h"
#include "connect-sink/runtime/worker_config.h"

namespace sentinel::connect::testing {

inline const std::string kBase =
    "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
    "value.converter=org.apache.kafka.connect.storage.StringConverter\n";
inline const std::string kDistributed =
    kBase +
    "group.id=connect-cluster\nconfig.storage.topic=connect-configs\n"
    "offset.storage.topic=connect-offsets\nstatus.storage.topic=connect-status\n";

inline WorkerConfig parse(const std::string& text) {
  return parse_worker_config(parse_properties(text, "w.properties"));
}

inline std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const WorkerConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace sentinel::connect::testing

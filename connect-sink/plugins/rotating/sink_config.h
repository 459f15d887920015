// RotatingFileSink's configuration: the keys with their documentation (ConfigDef), the checks
// /config/validate runs, and the parsed settings a task works with.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "path_template.h"
#include "record_format.h"
#include "rotation.h"
#include "sentinel/connect/sink.h"

namespace sentinel::archive {

struct SinkSettings {
  PathTemplate path;  // from `file` or `path`
  RecordFormat format = RecordFormat::kValue;
  RotationPolicy rotation;
  RetentionPolicy retention;
  std::string compression = "gzip";  // none | gzip | zstd
  int64_t flush_interval_ms = 1000;
  int64_t flush_max_records = 50000;
};

connect::ConfigDef sink_config_def();

// Every problem, by key, as full sentences ("Invalid value 2 for configuration tasks.max: …").
std::map<std::string, std::vector<std::string>> check_sink_config(const connect::Config& config);

// The settings, or nullopt with *error (the first problem, "key: sentence").
std::optional<SinkSettings> parse_sink_settings(const connect::Config& config, std::string* error);

}  // namespace sentinel::archive

// RotatingFileSink's keys, checks and settings.
#include "sink_config.h"

#include <charconv>

namespace sentinel::archive {

using connect::Config;
using connect::ConfigDef;
using connect::ConfigKey;
using connect::ConfigType;
using connect::Importance;

namespace {

ConfigKey key(const char* name, ConfigType type, std::optional<std::string> def, Importance imp,
              const char* group, int order, std::string doc,
              std::vector<std::string> recommended = {}) {
  ConfigKey k;
  k.name = name;
  k.type = type;
  k.default_value = std::move(def);
  k.importance = imp;
  k.group = group;
  k.order_in_group = order;
  k.documentation = std::move(doc);
  k.recommended_values = std::move(recommended);
  return k;
}

std::optional<std::string> value_of(const Config& c, const char* k) {
  auto it = c.find(k);
  if (it == c.end()) return std::nullopt;
  return it->second;
}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t");
  return s.substr(a, b - a + 1);
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string item =
        trim(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string invalid(const std::string& k, const std::string& v, const std::string& why) {
  return "Invalid value " + v + " for configuration " + k + ": " + why;
}

}  // namespace

ConfigDef sink_config_def() {
  ConfigDef d;
  ConfigKey file = key(
      "file", ConfigType::kString, std::nullopt, Importance::kHigh, "Files", 0,
      "The active archive file, under the worker's archive.root (relative paths are taken "
      "under it). It keeps its name, so `tail -F` follows it; rotation renames it to "
      "<file>.<yyyymmdd-HHMMSS>.<topic>+<partition>+<first>+<last> and creates it again at once. "
      "Exactly one of file and path must be set.");
  file.is_output_path = true;
  d.push_back(file);
  ConfigKey path =
      key("path", ConfigType::kString, std::nullopt, Importance::kHigh, "Files", 1,
          "A template for the active file, under archive.root: {topic}, {partition} and the date "
          "parts %Y %m %d %H %M %S %j %y %F (local time; %% for '%'), e.g. "
          "alerts/{topic}/%Y-%m-%d/{topic}-{partition}.log. When the rendered name changes (a new "
          "day) the old active file is rotated. With tasks.max > 1 it must contain {partition} "
          "(and {topic} with several topics), so that no two tasks share a file.");
  path.is_output_path = true;
  d.push_back(path);
  d.push_back(
      key("format", ConfigType::kString, "value", Importance::kHigh, "Files", 2,
          "value: the record value as one line (newlines inside it written as \\n, a null value as "
          "null); envelope: one JSON object a line with topic, partition, offset, timestamp, key, "
          "value "
          "and headers.",
          {"value", "envelope"}));
  d.push_back(
      key("rotate.max.bytes", ConfigType::kLong, "104857600", Importance::kMedium, "Rotation", 0,
          "Rotate before a line would take the active file past this many bytes; -1 disables."));
  d.push_back(
      key("rotate.interval.ms", ConfigType::kLong, "-1", Importance::kMedium, "Rotation", 1,
          "Rotate when the first line of the active file was written this long ago (wall clock, "
          "checked about every 100 ms even without traffic); -1 disables."));
  d.push_back(
      key("rotate.at.midnight", ConfigType::kBoolean, "false", Importance::kMedium, "Rotation", 2,
          "Also rotate when the local date changed since the first line of the active file."));
  d.push_back(key(
      "retention.max.files", ConfigType::kLong, "-1", Importance::kMedium, "Retention", 0,
      "Keep at most this many rotated files per active file, deleting the oldest; -1: no limit. "
      "The active file is never deleted."));
  d.push_back(key("retention.max.age.ms", ConfigType::kLong, "-1", Importance::kMedium, "Retention",
                  1, "Delete rotated files rotated longer ago than this; -1: no limit."));
  d.push_back(key(
      "retention.max.bytes", ConfigType::kLong, "-1", Importance::kMedium, "Retention", 2,
      "Delete the oldest rotated files until those of one active file take at most this many bytes "
      "(compressed sizes); -1: no limit."));
  d.push_back(key(
      "compression", ConfigType::kString, "gzip", Importance::kMedium, "Rotation", 3,
      "How rotated files are compressed, on a background thread: none, gzip (.gz) or zstd (.zst). "
      "The plain file is removed only once the compressed one is durable.",
      {"none", "gzip", "zstd"}));
  d.push_back(key("flush.interval.ms", ConfigType::kLong, "1000", Importance::kMedium, "Durability",
                  0,
                  "At most this long between a line being written and it being fsynced and "
                  "recorded as archived "
                  "(its offset committed); when the topic goes quiet (a poll brings nothing) it "
                  "happens at once."));
  d.push_back(key("flush.max.records", ConfigType::kLong, "50000", Importance::kMedium,
                  "Durability", 1,
                  "Also fsync and record once this many lines were written since the last time."));
  return d;
}

std::map<std::string, std::vector<std::string>> check_sink_config(const Config& config) {
  std::map<std::string, std::vector<std::string>> errors;
  auto file = value_of(config, "file");
  auto path = value_of(config, "path");
  bool has_file = file && !trim(*file).empty();
  bool has_path = path && !trim(*path).empty();
  if (has_file && has_path) {
    std::string e =
        "file and path are mutually exclusive: set file for one active file, or path for a "
        "template";
    errors["file"].push_back(e);
    errors["path"].push_back(e);
  } else if (!has_file && !has_path) {
    std::string e =
        "Missing required configuration: set file (one active file) or path (a template)";
    errors["file"].push_back(e);
    errors["path"].push_back(e);
  }
  std::optional<PathTemplate> tmpl;
  if (has_path) {
    std::string why;
    tmpl = PathTemplate::parse(*path, &why);
    if (!tmpl) errors["path"].push_back(invalid("path", *path, why));
  }
  // A listed topic that {topic} would render as "." or ".." (the task refuses it when it comes
  // from topics.regex).
  if (tmpl && tmpl->has_topic()) {
    for (const std::string& topic : split_list(value_of(config, "topics").value_or(""))) {
      std::string why;
      if (!tmpl->stream_key(topic, 0, &why)) errors["path"].push_back(invalid("path", *path, why));
    }
  }
  if (has_file && file->find_first_of("{}") != std::string::npos) {
    errors["file"].push_back(
        invalid("file", *file, "'{' and '}' are not allowed in file (use path for a template)"));
  }
  auto format = value_of(config, "format");
  if (format && *format != "value" && *format != "envelope") {
    errors["format"].push_back(invalid("format", *format, "expected value or envelope"));
  }
  auto compression = value_of(config, "compression");
  if (compression && *compression != "none" && *compression != "gzip" && *compression != "zstd") {
    errors["compression"].push_back(
        invalid("compression", *compression, "expected none, gzip or zstd"));
  }
  auto number = [&](const char* k, int64_t min, bool allow_off) {
    auto v = value_of(config, k);
    if (!v) return;
    std::string t = trim(*v);
    int64_t n = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
    if (ec != std::errc() || p != t.data() + t.size()) {
      errors[k].push_back(invalid(k, *v, "Not a number of type LONG"));
    } else if (n < min && !(allow_off && n == -1)) {
      errors[k].push_back(invalid(k, *v,
                                  "Value must be at least " + std::to_string(min) +
                                      (allow_off ? " (or -1 to disable)" : "")));
    }
  };
  number("rotate.max.bytes", 1, true);
  number("rotate.interval.ms", 1, true);
  number("retention.max.files", 0, true);
  number("retention.max.age.ms", 0, true);
  number("retention.max.bytes", 0, true);
  number("flush.interval.ms", 1, false);
  number("flush.max.records", 1, false);
  auto midnight = value_of(config, "rotate.at.midnight");
  if (midnight && trim(*midnight) != "true" && trim(*midnight) != "false") {
    errors["rotate.at.midnight"].push_back(
        invalid("rotate.at.midnight", *midnight, "Expected value to be either true or false"));
  }
  // Two writers never share a file: several tasks need a file per partition.
  int tasks = 1;
  if (auto t = value_of(config, "tasks.max")) {
    std::string s = trim(*t);
    std::from_chars(s.data(), s.data() + s.size(), tasks);
  }
  bool many_topics =
      (value_of(config, "topics.regex") && !trim(*value_of(config, "topics.regex")).empty()) ||
      split_list(value_of(config, "topics").value_or("")).size() > 1;
  if (tasks > 1) {
    if (has_file) {
      errors["tasks.max"].push_back(invalid("tasks.max", std::to_string(tasks),
                                            "with file, all partitions go to one file, which only "
                                            "one task may write: use tasks.max=1, or path with "
                                            "{partition}" +
                                                std::string(many_topics ? " and {topic}" : "")));
    } else if (tmpl && (!tmpl->has_partition() || (many_topics && !tmpl->has_topic()))) {
      errors["path"].push_back(invalid("path", *path,
                                       "with tasks.max=" + std::to_string(tasks) +
                                           " the path must contain {partition}" +
                                           std::string(many_topics ? " and {topic}" : "") +
                                           ", so that no two tasks write the same file"));
    }
  }
  return errors;
}

std::optional<SinkSettings> parse_sink_settings(const Config& config, std::string* error) {
  auto errors = check_sink_config(config);
  if (!errors.empty()) {
    *error = errors.begin()->first + ": " + errors.begin()->second.front();
    return std::nullopt;
  }
  SinkSettings s;
  std::string why;
  auto file = value_of(config, "file");
  if (file && !trim(*file).empty()) {
    // A literal file: '%' is escaped so the template language reads it as itself.
    std::string literal;
    for (char c : *file) {
      if (c == '%')
        literal += "%%";
      else
        literal += c;
    }
    s.path = *PathTemplate::parse(literal, &why);
  } else {
    s.path = *PathTemplate::parse(*value_of(config, "path"), &why);
  }
  auto get = [&](const char* k, int64_t def) {
    auto v = value_of(config, k);
    return v ? std::stoll(trim(*v)) : def;
  };
  s.format = value_of(config, "format").value_or("value") == "envelope" ? RecordFormat::kEnvelope
                                                                        : RecordFormat::kValue;
  s.rotation.max_bytes = get("rotate.max.bytes", 104857600);
  s.rotation.interval_ms = get("rotate.interval.ms", -1);
  s.rotation.at_midnight = trim(value_of(config, "rotate.at.midnight").value_or("false")) == "true";
  s.retention.max_files = get("retention.max.files", -1);
  s.retention.max_age_ms = get("retention.max.age.ms", -1);
  s.retention.max_bytes = get("retention.max.bytes", -1);
  s.compression = value_of(config, "compression").value_or("gzip");
  s.flush_interval_ms = get("flush.interval.ms", 1000);
  s.flush_max_records = get("flush.max.records", 50000);
  return s;
}

}  // namespace sentinel::archive

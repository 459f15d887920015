// The thresholds file that the HTTP error-rate rules (sentinel-alerts) read and the threshold
// learner (sentinel-thresholds) writes.
//
// Thresholds file (/etc/sentinel/thresholds.json). The original system's form is accepted as is:
//
//   {"global": 0.1, "ip": 0.3, "url": 0.5}
//
// a share of error responses per window, one number per dimension, used for 5xx and 4xx alike.
// The richer form gives each status class its own share and overrides per key:
//
//   {"global": {"5xx": 0.05, "4xx": 0.1, "keys": {"shop-1": {"5xx": 0.2}}},
//    "ip":     {"5xx": 0.3, "4xx": 0.5, "keys": {"198.51.100.7": {"4xx": 0.95}, "10.0.0.9": 0.8}},
//    "url":    {"5xx": 0.2, "4xx": 0.6, "keys": {"/health": {"5xx": 1.0}}},
//    "_meta":  {"generated_by": "sentinel-thresholds", …}}
//
// Keys: the site (the record's host) for "global", the client IP for "ip", the normalised path
// for "url". A dimension or class left out has no threshold: its rules do not alert. Top-level
// keys starting with '_' are ignored; any other unknown key, a share outside [0, 1] or a value of
// the wrong type is an error naming the file and the JSON path ("thresholds.json: ip.keys.
// 10.0.0.9.5xx: expected a share between 0 and 1, got 1.5").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel::alerts {

enum class Dimension { kGlobal, kIp, kUrl };
enum class StatusClass { k5xx, k4xx };

const char* dimension_name(Dimension d);       // "global", "ip", "url"
const char* status_class_name(StatusClass c);  // "5xx", "4xx"

struct ClassShares {
  std::optional<double> err5xx;
  std::optional<double> err4xx;
  std::optional<double> get(StatusClass c) const {
    return c == StatusClass::k5xx ? err5xx : err4xx;
  }
};

struct DimensionThresholds {
  ClassShares shares;                       // for every key of the dimension
  std::map<std::string, ClassShares> keys;  // per-key overrides (a class left out: the default)
};

struct Thresholds {
  DimensionThresholds global, ip, url;
  std::string source;  // the file, for messages

  const DimensionThresholds& of(Dimension d) const;
  DimensionThresholds& of(Dimension d);
  // The share for this key (override first, then the dimension's); nullopt: no threshold.
  std::optional<double> lookup(Dimension d, StatusClass c, std::string_view key) const;
  bool operator==(const Thresholds& other) const;
};

// Parses a thresholds file's text; throws ConfigError ("<source>: <json path>: <what>").
Thresholds parse_thresholds(std::string_view text, const std::string& source);
Thresholds load_thresholds(const std::string& path);  // ConfigError also when unreadable

// The richer form, stable key order, `meta` written as "_meta" (omitted when empty).
std::string thresholds_to_json(const Thresholds& t, const std::string& meta_json = {});

}  // namespace sentinel::alerts

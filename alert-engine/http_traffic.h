// What the HTTP error-rate rules (sentinel-alerts) and the threshold learner (sentinel-thresholds)
// share: the http_logs record reader, URL path normalisation and the thresholds file.
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

#include <simdjson.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::alerts {

// --- http_logs records -------------------------------------------------------------------------

// Valid until the next parse() on the parser that filled it.
struct HttpRecord {
  std::string_view host;       // the site
  std::string_view client_ip;
  std::string_view path;       // as logged, query string included
  int status = 0;
  int64_t ts = 0;
};

class HttpRecordParser {
 public:
  HttpRecordParser();
  // One http_logs value (docs/architecture.md). False with *error naming the field
  // ("field status: expected an integer") when host, ts or status is missing or of the wrong
  // type; client_ip and path may be absent (empty).
  bool parse(std::string_view json, HttpRecord* out, std::string* error);

 private:
  simdjson::dom::parser parser_;
  std::string padded_;
};

// --- URL normalisation ---------------------------------------------------------------------------

// One rewrite applied to each path segment (between '/'): a segment that matches `pattern`
// (ECMAScript regex, whole segment) becomes `replace`.
struct PathRule {
  std::string pattern;
  std::string replace;
};

// Path → the URL key: query string and fragment dropped, then each segment rewritten by the
// first rule that matches it. Built-in classes are checked without regex (fast path):
//   "{id}"   all digits                        /api/orders/123   → /api/orders/{id}
//   "{uuid}" 8-4-4-4-12 hex                    /u/0b5e…-…        → /u/{uuid}
//   "{hex}"  ≥ 16 hex digits                   /blob/deadbeef…   → /blob/{hex}
// Paths deeper than max_segments keep their first max_segments segments and end in "/…".
struct PathNormalization {
  bool ids = true;
  bool uuids = true;
  bool hex = true;
  std::vector<PathRule> rules;  // applied after the built-ins, in order
  int max_segments = 8;
};

class PathNormalizer {
 public:
  explicit PathNormalizer(const PathNormalization& config = {});  // throws std::regex_error
  // Writes the key into *out (cleared first); no allocation once *out has grown.
  void normalize(std::string_view path, std::string* out) const;
  std::string normalize(std::string_view path) const;

 private:
  struct Compiled;
  PathNormalization config_;
  std::vector<std::shared_ptr<const Compiled>> compiled_;
};

// --- thresholds ---------------------------------------------------------------------------------

enum class Dimension { kGlobal, kIp, kUrl };
enum class StatusClass { k5xx, k4xx };

const char* dimension_name(Dimension d);    // "global", "ip", "url"
const char* status_class_name(StatusClass c);  // "5xx", "4xx"

struct ClassShares {
  std::optional<double> err5xx;
  std::optional<double> err4xx;
  std::optional<double> get(StatusClass c) const { return c == StatusClass::k5xx ? err5xx : err4xx; }
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

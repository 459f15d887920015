// The hot-path reader of system_metrics records. simdjson's DOM parser (runtime-dispatched to
// the CPU's SIMD kernels; its On-Demand API would be compiled for the baseline x86-64 target)
// fills a reused MetricRecord whose strings point into the parser's buffers: no allocation per
// record once the buffers have grown to the largest record seen.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sentinel::alerts {

// Parses `json` into *doc after copying it into `padded` (grown as needed) with simdjson's
// padding after it; the document points into `padded` and `parser` until their next use.
inline bool parse_padded(simdjson::dom::parser& parser, std::string& padded, std::string_view json,
                         simdjson::dom::element* doc) {
  if (padded.size() < json.size() + simdjson::SIMDJSON_PADDING) {
    padded.resize(json.size() + simdjson::SIMDJSON_PADDING);
  }
  std::memcpy(padded.data(), json.data(), json.size());
  return !parser.parse(padded.data(), json.size(), false).get(*doc);
}

// A record's "ts" into *out: integer milliseconds, or a number with a fraction (truncated). False
// for anything else, including numbers outside int64's range (1e300, 2^64), whose conversion would
// be undefined behaviour.
inline bool get_epoch_ms(simdjson::dom::element value, int64_t* out) {
  if (!value.get_int64().get(*out)) return true;
  double d = 0;
  if (value.get_double().get(d)) return false;
  // -2^63 and 2^63 are exact as doubles; every double in [-2^63, 2^63) converts.
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return false;
  *out = static_cast<int64_t>(d);
  return true;
}

// Valid until the next parse() on the parser that filled it.
struct MetricRecord {
  std::string_view host;
  std::string_view resource;
  int64_t ts = 0;
  std::vector<std::pair<std::string_view, std::string_view>> tags;
  std::vector<std::pair<std::string_view, double>> metrics;

  std::string_view tag(std::string_view name) const {
    for (const auto& [k, v] : tags) {
      if (k == name) return v;
    }
    return {};
  }
  bool has_tag(std::string_view name) const {
    for (const auto& t : tags) {
      if (t.first == name) return true;
    }
    return false;
  }
  const double* metric(std::string_view name) const {
    for (const auto& m : metrics) {
      if (m.first == name) return &m.second;
    }
    return nullptr;
  }
};

class MetricParser {
 public:
  MetricParser();
  // Parses one record; on bad input returns false with *error naming what is wrong
  // ("field ts: expected a number"). Unknown fields are skipped; non-numeric metrics ignored.
  bool parse(std::string_view json, MetricRecord* out, std::string* error);

 private:
  simdjson::dom::parser parser_;
  std::string padded_;  // the input copied with simdjson's padding after it
};

}  // namespace sentinel::alerts

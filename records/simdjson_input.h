// What the simdjson readers of records share (system_metrics_decode.cc, http_logs_decode.cc):
// parsing a Kafka value with simdjson's padding, and a record's "ts". Internal to records/.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sentinel::records {

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

}  // namespace sentinel::records

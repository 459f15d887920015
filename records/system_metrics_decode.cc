// Decoding of system_metrics records with simdjson (see system_metrics.h).
#include <simdjson.h>

#include <cstring>

#include "records/simdjson_input.h"
#include "records/system_metrics.h"

namespace sentinel::records {

MetricParser::MetricParser() : parser_(std::make_unique<simdjson::dom::parser>()) {
  padded_.resize(4096);
}
MetricParser::~MetricParser() = default;
MetricParser::MetricParser(MetricParser&&) noexcept = default;
MetricParser& MetricParser::operator=(MetricParser&&) noexcept = default;

bool MetricParser::parse(std::string_view json, MetricRecord* out, std::string* error) {
  out->host = {};
  out->resource = {};
  out->ts = 0;
  out->tags.clear();
  out->metrics.clear();
  auto fail = [&](const char* what) {
    if (error) *error = what;
    return false;
  };
  simdjson::dom::element doc;
  if (!parse_padded(*parser_, padded_, json, &doc)) return fail("not JSON");
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) return fail("expected a JSON object");
  bool has_ts = false;
  for (auto [key, value] : obj) {
    if (key == "host") {
      if (value.get_string().get(out->host)) return fail("field host: expected a string");
    } else if (key == "resource") {
      if (value.get_string().get(out->resource)) return fail("field resource: expected a string");
    } else if (key == "ts") {
      if (!get_epoch_ms(value, &out->ts)) {
        return fail("field ts: expected milliseconds since the epoch");
      }
      has_ts = true;
    } else if (key == "tags") {
      simdjson::dom::object tags;
      if (value.get_object().get(tags)) return fail("field tags: expected an object");
      for (auto [k, v] : tags) {
        std::string_view s;
        if (v.get_string().get(s)) continue;  // a non-string tag matches nothing
        out->tags.emplace_back(k, s);
      }
    } else if (key == "metrics") {
      simdjson::dom::object metrics;
      if (value.get_object().get(metrics)) return fail("field metrics: expected an object");
      for (auto [k, v] : metrics) {
        double d = 0;
        if (v.get_double().get(d)) continue;  // null or text: not a number to use
        out->metrics.emplace_back(k, d);
      }
    }
  }
  if (out->host.empty()) return fail("field host: missing");
  if (out->resource.empty()) return fail("field resource: missing");
  if (!has_ts) return fail("field ts: missing");
  return true;
}

}  // namespace sentinel::records

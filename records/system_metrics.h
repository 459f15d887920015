// The system_metrics record (docs/architecture.md): one JSON object per sample of one resource,
//   {"v":1,"host":"web-1","resource":"cpu","ts":1795316156734,"tags":{"cpu":"total"},
//    "metrics":{"usage_pct":12.5,...}}
// keyed by resource, host or host/resource (KeyMode).
//
// The agent encodes it by hand into a reused string (system_metrics.cc): this runs for every
// sample of every tick, and the agent's CPU budget is a tenth of a percent of one core. The alert
// engine and the dashboard decode it with simdjson's DOM parser (system_metrics_decode.cc,
// runtime-dispatched to the CPU's SIMD kernels; its On-Demand API would be compiled for the
// baseline x86-64 target) into a reused MetricRecord whose strings point into the parser's
// buffers: no allocation per record once the buffers have grown to the largest record seen.
// This header names simdjson's parser without including it, so the agent, which links only the
// encoder, compiles and links without simdjson.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace simdjson::dom {
class parser;
}  // namespace simdjson::dom

namespace sentinel::records {

// --- encoding -----------------------------------------------------------------------------------

enum class KeyMode { kResource, kHost, kHostResource };

// Appends the record's JSON to *out. Non-finite metric values (NaN, ±inf) are left out: JSON cannot
// carry them.
void append_system_metrics(std::string* out, std::string_view host, std::string_view resource,
                           int64_t ts_ms,
                           const std::vector<std::pair<std::string, std::string>>& tags,
                           const std::vector<std::pair<std::string, double>>& metrics);

// The Kafka key for a record: "cpu", "web-1" or "web-1/cpu".
std::string system_metrics_key(KeyMode mode, std::string_view host, std::string_view resource);

// --- decoding -----------------------------------------------------------------------------------

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
  ~MetricParser();
  MetricParser(MetricParser&&) noexcept;
  MetricParser& operator=(MetricParser&&) noexcept;
  // Parses one record; on bad input returns false with *error naming what is wrong
  // ("field ts: expected a number"). Unknown fields are skipped; non-numeric metrics ignored.
  bool parse(std::string_view json, MetricRecord* out, std::string* error);

 private:
  std::unique_ptr<simdjson::dom::parser> parser_;
  std::string padded_;  // the input copied with simdjson's padding after it
};

}  // namespace sentinel::records

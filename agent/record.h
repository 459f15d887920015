// The system_metrics record: one JSON object per Sample, exactly as docs/architecture.md fixes it:
//   {"v":1,"host":"web-1","resource":"cpu","ts":1795316156734,"tags":{"cpu":"total"},
//    "metrics":{"usage_pct":12.5,...}}
// Encoded by hand into a reused string: this runs for every sample of every tick, and the agent's
// CPU budget is a tenth of a percent of one core.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/collectors/collector.h"

namespace sentinel::agent {

enum class KeyMode { kResource, kHost, kHostResource };

// Appends the record's JSON to *out. Non-finite metric values (NaN, ±inf) are left out: JSON cannot
// carry them.
void append_record(std::string* out, std::string_view host, int64_t ts_ms, const Sample& sample);

// The Kafka key for a record: "cpu", "web-1" or "web-1/cpu".
std::string record_key(KeyMode mode, std::string_view host, const Sample& sample);

}  // namespace sentinel::agent

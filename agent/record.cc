// system_metrics record encoding.
#include "agent/record.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>

#include "common/json_text.h"

namespace sentinel::agent {

void append_record(std::string* out, std::string_view host, int64_t ts_ms, const Sample& sample) {
  out->append("{\"v\":1,\"host\":");
  append_json_string(out, host);
  out->append(",\"resource\":");
  append_json_string(out, sample.resource);
  fmt::format_to(std::back_inserter(*out), ",\"ts\":{},\"tags\":{{", ts_ms);
  bool first = true;
  for (const auto& [k, v] : sample.tags) {
    if (!first) out->push_back(',');
    first = false;
    append_json_string(out, k);
    out->push_back(':');
    append_json_string(out, v);
  }
  out->append("},\"metrics\":{");
  first = true;
  for (const auto& [k, v] : sample.metrics) {
    if (!std::isfinite(v)) continue;
    if (!first) out->push_back(',');
    first = false;
    append_json_string(out, k);
    out->push_back(':');
    // Whole numbers (byte counts) print without a fraction; others in the shortest form that
    // reads back exactly.
    if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15) {
      fmt::format_to(std::back_inserter(*out), "{}", static_cast<int64_t>(v));
    } else {
      fmt::format_to(std::back_inserter(*out), "{}", v);
    }
  }
  out->append("}}");
}

std::string record_key(KeyMode mode, std::string_view host, const Sample& sample) {
  switch (mode) {
    case KeyMode::kResource: return sample.resource;
    case KeyMode::kHost: return std::string(host);
    case KeyMode::kHostResource: return std::string(host) + "/" + sample.resource;
  }
  return sample.resource;
}

}  // namespace sentinel::agent

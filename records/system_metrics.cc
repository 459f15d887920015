// Encoding of system_metrics records (see system_metrics.h): no JSON library, fmt for numbers.
#include "records/system_metrics.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>

#include "common/json_text.h"

namespace sentinel::records {

void append_system_metrics(std::string* out, std::string_view host, std::string_view resource,
                           int64_t ts_ms,
                           const std::vector<std::pair<std::string, std::string>>& tags,
                           const std::vector<std::pair<std::string, double>>& metrics) {
  out->append("{\"v\":1,\"host\":");
  append_json_string(out, host);
  out->append(",\"resource\":");
  append_json_string(out, resource);
  fmt::format_to(std::back_inserter(*out), ",\"ts\":{},\"tags\":{{", ts_ms);
  bool first = true;
  for (const auto& [k, v] : tags) {
    if (!first) out->push_back(',');
    first = false;
    append_json_string(out, k);
    out->push_back(':');
    append_json_string(out, v);
  }
  out->append("},\"metrics\":{");
  first = true;
  for (const auto& [k, v] : metrics) {
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

std::string system_metrics_key(KeyMode mode, std::string_view host, std::string_view resource) {
  switch (mode) {
    case KeyMode::kResource:
      return std::string(resource);
    case KeyMode::kHost:
      return std::string(host);
    case KeyMode::kHostResource:
      return std::string(host) + "/" + std::string(resource);
  }
  return std::string(resource);
}

}  // namespace sentinel::records

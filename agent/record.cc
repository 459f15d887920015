// system_metrics record encoding.
#include "agent/record.h"

#include <fmt/format.h>

#include <cmath>

namespace sentinel::agent {

void append_json_string(std::string* out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

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

// system_metrics record encoding.
#include "agent/record.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <cstring>

namespace sentinel::agent {
namespace {

// True when one of the 8 bytes of `w` is below 0x20, '"' or '\\' (may also say true for a
// byte after such a one: the caller then looks at each byte).
bool needs_escape(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  auto has_zero = [](uint64_t v) { return ((v - kOnes) & ~v & kHigh) != 0; };
  bool below_space = ((w - kOnes * 0x20) & ~w & kHigh) != 0;
  return below_space || has_zero(w ^ (kOnes * '"')) || has_zero(w ^ (kOnes * '\\'));
}

}  // namespace

void append_json_string(std::string* out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out->push_back('"');
  // Runs of characters that need no escape are appended whole, and found 8 bytes at a time (the
  // access-log records are mostly such runs).
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    uint64_t w;
    while (i + 8 <= s.size() && (std::memcpy(&w, s.data() + i, 8), !needs_escape(w))) i += 8;
    if (i == s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
    }
  }
  out->append(s.data() + run, s.size() - run);
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

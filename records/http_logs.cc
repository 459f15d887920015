// Encoding of http_logs records (see http_logs.h).
#include "records/http_logs.h"

#include <charconv>
#include <cstdint>
#include <cstring>

#include "common/json_text.h"

namespace sentinel::records {
namespace {

// Length of the valid UTF-8 sequence at s[i], 0 when it is not one (overlongs and surrogates too).
size_t utf8_sequence(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n = c >= 0xC2 && c <= 0xDF   ? 2
             : c >= 0xE0 && c <= 0xEF ? 3
             : c >= 0xF0 && c <= 0xF4 ? 4
                                      : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  }
  if ((c == 0xE0 && b(i + 1) < 0xA0) || (c == 0xED && b(i + 1) > 0x9F) ||
      (c == 0xF0 && b(i + 1) < 0x90) || (c == 0xF4 && b(i + 1) > 0x8F)) {
    return 0;
  }
  return n;
}

// Log lines carry whatever bytes clients sent (unescaped from \xHH); records are UTF-8 JSON, so
// invalid bytes become U+FFFD.
std::string_view as_utf8(std::string_view s, std::string* scratch) {
  size_t i = 0;
  uint64_t w;
  while (i + 8 <= s.size() &&
         (std::memcpy(&w, s.data() + i, 8), (w & 0x8080808080808080ull) == 0)) {
    i += 8;  // 8 ASCII bytes at a time
  }
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  if (i == s.size()) return s;
  scratch->assign(s.substr(0, i));
  while (i < s.size()) {
    size_t n = utf8_sequence(s, i);
    if (n == 0) {
      scratch->append("\xEF\xBF\xBD");
      ++i;
    } else {
      scratch->append(s.substr(i, n));
      i += n;
    }
  }
  return *scratch;
}

}  // namespace

void append_http_logs(std::string* out, const HttpLogFields& e) {
  std::string scratch;
  auto field = [&](std::string_view name, std::string_view value) {
    out->append(",\"").append(name).append("\":");
    append_json_string(out, as_utf8(value, &scratch));
  };
  auto number = [&](std::string_view prefix, int64_t value) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
    out->append(prefix).append(digits, static_cast<size_t>(end - digits));
  };
  out->append("{\"v\":1,\"host\":");
  append_json_string(out, e.host);
  field("source", e.source);
  number(",\"ts\":", e.ts_ms);
  field("client_ip", e.client_ip);
  field("method", e.method);
  field("path", e.path);
  field("protocol", e.protocol);
  if (!e.request.empty()) field("request", e.request);
  number(",\"status\":", e.status);
  number(",\"bytes\":", e.bytes);
  field("referer", e.referer);
  field("user_agent", e.user_agent);
  out->push_back('}');
}

}  // namespace sentinel::records

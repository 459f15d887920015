// Encoding of http_logs records (see http_logs.h).
#include "records/http_logs.h"

#include <charconv>
#include <cstdint>
#include <cstring>

#include "common/json_text.h"
#include "common/utf8.h"

namespace sentinel::records {
namespace {

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

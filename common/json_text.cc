// JSON string literals (see json_text.h).
#include "common/json_text.h"

#include <cstdint>
#include <cstring>

#include "common/utf8.h"

namespace sentinel {
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
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

void append_json_string_repairing_utf8(std::string* out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out->push_back('"');
  const auto* bytes = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = bytes[i];
    // JSON text is UTF-8 (RFC 8259 §8.1): any other byte would make the line unreadable.
    if (c >= 0x80) {
      size_t bad = 0;
      size_t n = utf8_sequence(s, i, &bad);
      if (n > 0) {
        out->append(s.data() + i, n);
        i += n - 1;
      } else {
        out->append("\xef\xbf\xbd");  // U+FFFD
        i += bad - 1;
      }
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(hex[c >> 4]);
          out->push_back(hex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

}  // namespace sentinel

// JSON string literals (see json_text.h).
#include "common/json_text.h"

#include <cstdint>
#include <cstring>

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

// The length of the well-formed UTF-8 sequence at p (Unicode's table 3-7: no overlong forms, no
// surrogates, nothing past U+10FFFF), or 0 with *bad set to the length of its longest ill-formed
// prefix, which becomes one U+FFFD (as Java decodes, and so Connect's StringConverter).
size_t utf8_length(const unsigned char* p, size_t left, size_t* bad) {
  unsigned char c = p[0];
  size_t need = 0;
  unsigned char lo = 0x80, hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    need = 1;
  } else if (c >= 0xe0 && c <= 0xef) {
    need = 2;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    need = 3;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    *bad = 1;
    return 0;
  }
  size_t k = 1;
  for (; k <= need && k < left; ++k) {
    if (p[k] < lo || p[k] > hi) break;
    lo = 0x80;
    hi = 0xbf;
  }
  if (k == need + 1) return k;
  *bad = k;
  return 0;
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
      size_t n = utf8_length(bytes + i, s.size() - i, &bad);
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

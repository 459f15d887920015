// UTF-8 well-formedness (RFC 3629 §4) and length.
#include "rest-api/utf8.h"

namespace sentinel::connect {

bool valid_utf8(std::string_view text, size_t* bad_offset) {
  size_t i = 0;
  auto bad = [&] {
    if (bad_offset) *bad_offset = i;
    return false;
  };
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return bad();
    }
    if (i + n >= text.size()) return bad();  // truncated
    for (size_t k = 1; k <= n; ++k) {
      unsigned char b = static_cast<unsigned char>(text[i + k]);
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return bad();
    }
    i += n + 1;
  }
  return true;
}

size_t utf8_length(std::string_view text) {
  size_t n = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace sentinel::connect

// UTF-8 well-formedness, one sequence at a time (see utf8.h).
#include "common/utf8.h"

namespace sentinel {

size_t utf8_sequence(std::string_view s, size_t i, size_t* bad) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t need = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // the range allowed for the second byte
  if (c >= 0xc2 && c <= 0xdf) {
    need = 1;
  } else if (c >= 0xe0 && c <= 0xef) {
    need = 2;
    if (c == 0xe0) lo = 0xa0;  // overlong
    if (c == 0xed) hi = 0x9f;  // surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    need = 3;
    if (c == 0xf0) lo = 0x90;  // overlong
    if (c == 0xf4) hi = 0x8f;  // past U+10FFFF
  } else {
    if (bad) *bad = 1;
    return 0;
  }
  size_t k = 1;
  for (; k <= need && i + k < s.size(); ++k) {
    if (byte(i + k) < lo || byte(i + k) > hi) break;
    lo = 0x80;
    hi = 0xbf;
  }
  if (k == need + 1) return k;
  if (bad) *bad = k;
  return 0;
}

}  // namespace sentinel

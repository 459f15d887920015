// UTF-8 well-formedness of whole strings (common/utf8.h, one sequence at a time) and length.
#include "connect-sink/runtime/utf8.h"

#include "common/utf8.h"

namespace sentinel::connect {

bool valid_utf8(std::string_view text, size_t* bad_offset) {
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8_sequence(text, i);
    if (n == 0) {
      if (bad_offset) *bad_offset = i;
      return false;
    }
    i += n;
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

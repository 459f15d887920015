// UTF-8 checks for text that ends up in JSON (the state file, REST answers): whether bytes are
// well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) and how
// many characters they hold.
#pragma once

#include <cstddef>
#include <string_view>

namespace sentinel::connect {

// True when `text` is well-formed UTF-8; otherwise *bad_offset (if given) is the offset of the
// first byte that is not.
bool valid_utf8(std::string_view text, size_t* bad_offset = nullptr);

// Code points in well-formed UTF-8 `text`.
size_t utf8_length(std::string_view text);

}  // namespace sentinel::connect

// UTF-8 well-formedness, one sequence at a time (Unicode's table 3-7, RFC 3629: no overlong forms,
// no surrogates, nothing past U+10FFFF). Every place that checks or repairs bytes on their way into
// JSON or a properties value uses this one definition. Dependency-free (sentinel_confined_fs): the
// sink plugins link it too.
#pragma once

#include <cstddef>
#include <string_view>

namespace sentinel {

// The length (1 to 4) of the well-formed UTF-8 sequence that starts at s[i] (i < s.size()), or 0
// when none does; then *bad (if given) is the length of its longest ill-formed prefix (at least
// 1), which a decoder replaces with one U+FFFD as Java does (and so Connect's StringConverter).
size_t utf8_sequence(std::string_view s, size_t i, size_t* bad = nullptr);

}  // namespace sentinel

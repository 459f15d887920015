// JSON string literals written by hand (the agent's records, the archive's envelope lines), where
// a JSON library's document model would cost more than the record itself.
//
// The escaping: '"' and '\\' with a backslash, \n \r \t by name, other bytes below 0x20 as
// \u00XX; every other byte as it is, so UTF-8 passes through and bytes that are not UTF-8 are
// left as they are (callers that must emit valid UTF-8 clean their text first). Dependency-free,
// position-independent: the sink plugins link it statically (sentinel_confined_fs).
#pragma once

#include <string>
#include <string_view>

namespace sentinel {

// Appends `s` as a JSON string literal, quotes included. Runs of bytes that need no escape are
// found eight bytes at a time and appended whole.
void append_json_string(std::string* out, std::string_view s);

// The same for bytes that may not be UTF-8 (a Kafka record's key, value or headers): each
// ill-formed sequence becomes one U+FFFD, as Java decodes bytes (and so Connect's StringConverter),
// so the line stays valid JSON for every reader.
void append_json_string_repairing_utf8(std::string* out, std::string_view s);

}  // namespace sentinel

// Points in time on the command line: ISO 8601 ("2026-11-22T10:15:32Z", "…+01:00", fractions
// of a second, or a date alone for its midnight UTC), epoch milliseconds, "now", or a duration
// before now ("-24h", "-90m").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel {

// Milliseconds since the epoch; nullopt with *error saying what was expected.
std::optional<int64_t> parse_time_arg(std::string_view text, int64_t now_ms, std::string* error);

// "2026-11-22T10:15:32.250Z" (milliseconds only when not zero).
std::string format_time_ms(int64_t ms);

}  // namespace sentinel

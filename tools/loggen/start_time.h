// --start-time: the scenario's start as epoch milliseconds ("1795316156734") or ISO 8601
// ("2026-11-22T10:15:32Z", "2026-11-22T10:15:32.250+01:00"); also the other forms of
// common/time_arg.h ("now", "-1h").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sentinel::loggen {

std::optional<int64_t> parse_start_time(const std::string& text, std::string* error);

}  // namespace sentinel::loggen

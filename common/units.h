// Parsing of human-written durations ("10s", "500ms", "1h30m") and sizes ("16MB", "512KiB").
// Pure functions: they take text and return a value or an error message naming what was expected.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel {

// Units: ms, s, m, h, d; parts may be combined ("1h30m"). A bare number is rejected: a unit is
// required.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::string* error);

// Units: B, K/KB/KiB, M/MB/MiB, G/GB/GiB — all powers of 1024, as in most agents' configs.
// A bare number is bytes.
std::optional<uint64_t> parse_bytes(std::string_view text, std::string* error);

std::string format_duration(std::chrono::milliseconds d);

}  // namespace sentinel

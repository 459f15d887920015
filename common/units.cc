// Parsing of durations and sizes written by people.
#include "common/units.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace sentinel {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Reads a non-negative decimal number at the front of `s`.
std::optional<double> take_number(std::string_view* s) {
  size_t i = 0;
  bool digits = false;
  while (i < s->size() && (std::isdigit(static_cast<unsigned char>((*s)[i])) || (*s)[i] == '.')) {
    digits |= std::isdigit(static_cast<unsigned char>((*s)[i])) != 0;
    ++i;
  }
  if (!digits) return std::nullopt;
  std::string number(s->substr(0, i));
  char* end = nullptr;
  double v = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size()) return std::nullopt;
  s->remove_prefix(i);
  return v;
}

std::string_view take_unit(std::string_view* s) {
  size_t i = 0;
  while (i < s->size() && std::isalpha(static_cast<unsigned char>((*s)[i]))) ++i;
  std::string_view unit = s->substr(0, i);
  s->remove_prefix(i);
  return unit;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::string* error) {
  std::string_view s = trim(text);
  const std::string expected = "expected a duration like 10s, 500ms or 1h30m";
  if (s.empty()) {
    if (error) *error = "empty value: " + expected;
    return std::nullopt;
  }
  double total_ms = 0;
  while (!s.empty()) {
    std::optional<double> n = take_number(&s);
    std::string_view unit = take_unit(&s);
    double scale = 0;
    if (unit == "ms")
      scale = 1;
    else if (unit == "s")
      scale = 1000;
    else if (unit == "m")
      scale = 60000;
    else if (unit == "h")
      scale = 3600000;
    else if (unit == "d")
      scale = 86400000;
    if (!n || scale == 0) {
      if (error) *error = fmt::format("\"{}\": {}", text, expected);
      return std::nullopt;
    }
    total_ms += *n * scale;
  }
  if (total_ms > 1e15) {
    if (error) *error = fmt::format("\"{}\": duration too large", text);
    return std::nullopt;
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(total_ms)));
}

std::optional<uint64_t> parse_bytes(std::string_view text, std::string* error) {
  std::string_view s = trim(text);
  std::optional<double> n = take_number(&s);
  s = trim(s);
  std::string_view unit = take_unit(&s);
  double scale = 0;
  if (unit.empty() || unit == "B")
    scale = 1;
  else if (unit == "K" || unit == "KB" || unit == "KiB" || unit == "k" || unit == "kB")
    scale = 1024.0;
  else if (unit == "M" || unit == "MB" || unit == "MiB")
    scale = 1024.0 * 1024;
  else if (unit == "G" || unit == "GB" || unit == "GiB")
    scale = 1024.0 * 1024 * 1024;
  if (!n || scale == 0 || !trim(s).empty() || *n * scale > 1e18) {
    if (error) *error = fmt::format("\"{}\": expected a size like 16MB, 512KiB or 1048576", text);
    return std::nullopt;
  }
  return static_cast<uint64_t>(std::llround(*n * scale));
}

std::string format_duration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms % 3600000 == 0 && ms != 0) return fmt::format("{}h", ms / 3600000);
  if (ms % 60000 == 0 && ms != 0) return fmt::format("{}m", ms / 60000);
  if (ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}ms", ms);
}

}  // namespace sentinel

// Parsing of --start-time.
#include "tools/loggen/start_time.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdio>
#include <ctime>

namespace sentinel::loggen {

std::optional<int64_t> parse_start_time(const std::string& text, std::string* error) {
  auto fail = [&]() -> std::optional<int64_t> {
    *error = fmt::format(
        "--start-time \"{}\": expected epoch milliseconds like 1795316156734 or "
        "ISO 8601 like 2026-11-22T10:15:32Z",
        text);
    return std::nullopt;
  };
  if (text.empty()) return fail();
  bool digits = true;
  for (char c : text) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (digits) {
    if (text.size() > 15) return fail();
    return std::stoll(text);
  }
  tm t{};
  int used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &t.tm_year, &t.tm_mon, &t.tm_mday,
                  &t.tm_hour, &t.tm_min, &t.tm_sec, &used) != 6 ||
      used != 19) {
    return fail();
  }
  if (t.tm_mon < 1 || t.tm_mon > 12 || t.tm_mday < 1 || t.tm_mday > 31 || t.tm_hour > 23 ||
      t.tm_min > 59 || t.tm_sec > 60) {
    return fail();
  }
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  int64_t ms = static_cast<int64_t>(timegm(&t)) * 1000;
  size_t i = static_cast<size_t>(used);
  if (i < text.size() && text[i] == '.') {
    int64_t scale = 100;
    ++i;
    size_t first = i;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      ms += (text[i] - '0') * scale;
      scale /= 10;
    }
    if (i == first) return fail();
  }
  std::string zone = text.substr(i);
  if (zone == "Z" || zone == "+00:00" || zone.empty()) return ms;
  int hh = 0, mm = 0;
  char sign = zone[0];
  if ((sign != '+' && sign != '-') || zone.size() != 6 || zone[3] != ':' ||
      std::sscanf(zone.c_str() + 1, "%2d:%2d", &hh, &mm) != 2 || hh > 23 || mm > 59) {
    return fail();
  }
  int64_t offset_ms = (hh * 60 + mm) * 60000LL;
  return sign == '+' ? ms - offset_ms : ms + offset_ms;
}

}  // namespace sentinel::loggen

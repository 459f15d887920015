// Command-line times: ISO 8601, epoch ms, now, -duration.
#include "common/time_arg.h"

#include <ctime>

#include "common/units.h"

namespace sentinel {

namespace {

bool digits(std::string_view s, size_t at, size_t n, int* out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

constexpr const char* kExpected =
    "expected ISO 8601 (2026-11-22T10:15:32Z), epoch milliseconds, now, or -<duration> (-24h)";

}  // namespace

std::optional<int64_t> parse_time_arg(std::string_view text, int64_t now_ms, std::string* error) {
  auto fail = [&]() -> std::optional<int64_t> {
    *error = "\"" + std::string(text) + "\": " + kExpected;
    return std::nullopt;
  };
  if (text == "now") return now_ms;
  if (!text.empty() && text[0] == '-') {
    std::string why;
    auto d = parse_duration(text.substr(1), &why);
    if (!d) return fail();
    return now_ms - d->count();
  }
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    if (text.size() > 15) return fail();
    return std::stoll(std::string(text));
  }
  int y, mo, d, h = 0, mi = 0, s = 0;
  if (!digits(text, 0, 4, &y) || text.size() < 10 || text[4] != '-' || !digits(text, 5, 2, &mo) ||
      text[7] != '-' || !digits(text, 8, 2, &d)) {
    return fail();
  }
  size_t pos = 10;
  int64_t millis = 0;
  int64_t offset_s = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return fail();
    ++pos;
    if (!digits(text, pos, 2, &h) || pos + 2 >= text.size() || text[pos + 2] != ':' ||
        !digits(text, pos + 3, 2, &mi)) {
      return fail();
    }
    pos += 5;
    if (pos < text.size() && text[pos] == ':') {
      if (!digits(text, pos + 1, 2, &s)) return fail();
      pos += 3;
      if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        int scale = 100;
        size_t start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          millis += (text[pos] - '0') * scale;
          scale /= 10;
          ++pos;
        }
        if (pos == start) return fail();
      }
    }
    if (pos >= text.size()) return fail();  // a time needs its zone: Z or ±HH:MM
    if (text[pos] == 'Z' || text[pos] == 'z') {
      ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
      int oh, om = 0;
      int sign = text[pos] == '-' ? -1 : 1;
      if (!digits(text, pos + 1, 2, &oh)) return fail();
      pos += 3;
      if (pos < text.size() && text[pos] == ':') ++pos;
      if (pos < text.size()) {
        if (!digits(text, pos, 2, &om)) return fail();
        pos += 2;
      }
      offset_s = sign * (oh * 3600 + om * 60);
    } else {
      return fail();
    }
    if (pos != text.size()) return fail();
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return fail();
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset_s;
  return secs * 1000 + millis;
}

std::string format_time_ms(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  int64_t frac = ms - static_cast<int64_t>(secs) * 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  if (frac != 0) {
    char f[8];
    std::snprintf(f, sizeof f, ".%03d", static_cast<int>(frac));
    out += f;
  }
  return out + "Z";
}

}  // namespace sentinel

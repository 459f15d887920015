// What every fuzz target shares: FUZZ_CHECK, an invariant that aborts with a message (libFuzzer
// then saves the input as a crash reproducer), and small helpers for reading the input as text.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::fuzz {

// FUZZ_CHECK(cond, "format", args...): on failure prints the invariant and the message, then
// aborts.
#define FUZZ_CHECK(cond, ...)                                                                 \
  do {                                                                                        \
    if (!(cond)) ::sentinel::fuzz::fail(__FILE__, __LINE__, #cond, fmt::format(__VA_ARGS__)); \
  } while (0)

[[noreturn]] inline void fail(const char* file, int line, const char* cond,
                              const std::string& why) {
  std::fprintf(stderr, "\n%s:%d: invariant broken: %s\n  %s\n", file, line, cond, why.c_str());
  std::fflush(stderr);
  std::abort();
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits on '\n' (a trailing '\r' stays in the line: log lines can carry one).
inline std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
inline bool valid_utf8(std::string_view s) {
  size_t i = 0;
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  while (i < s.size()) {
    unsigned char c = b(i);
    size_t n = c < 0x80                 ? 1
               : c >= 0xC2 && c <= 0xDF ? 2
               : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4
                                        : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((b(i + k) & 0xC0) != 0x80) return false;
    }
    if (n > 1 && ((c == 0xE0 && b(i + 1) < 0xA0) || (c == 0xED && b(i + 1) > 0x9F) ||
                  (c == 0xF0 && b(i + 1) < 0x90) || (c == 0xF4 && b(i + 1) > 0x8F))) {
      return false;
    }
    i += n;
  }
  return true;
}

// A JSON string literal for `s` (which must be valid UTF-8): quotes, backslashes and control
// characters escaped.
inline std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

}  // namespace sentinel::fuzz

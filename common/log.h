// Logging to stderr for daemons run by systemd or by hand.
//
// Under journald (JOURNAL_STREAM is set) each line starts with a syslog priority prefix such as
// "<4>", which journald turns into the entry's priority; on a terminal or in a file the line
// starts with a UTC timestamp and the level's name instead. Thread-safe; one write(2) per line.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace sentinel::log {

enum class Level { kError = 3, kWarning = 4, kNotice = 5, kInfo = 6, kDebug = 7 };

// Lines above this level are not written (default kInfo; SENTINEL_LOG_LEVEL=debug lowers it).
void set_max_level(Level level);
bool enabled(Level level);
// Parses "error", "warning", "notice", "info" or "debug".
bool parse_level(std::string_view text, Level* out);

// The message as one line that cannot fool its reader: a newline (which would split a journald
// entry) becomes a space, other control characters (carriage return, escape sequences, NUL — from
// a client's request or a log line being reported) are written as \xNN. Tabs and UTF-8 stay.
std::string one_line(std::string_view message);

void write(Level level, std::string_view message);
// Writes whatever the level (for lines the user asked for in another way, such as librdkafka's
// `debug` property).
void write_anyway(Level level, std::string_view message);

template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::kError, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warning(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::kWarning, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void notice(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::kNotice, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::kInfo, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::kDebug)) write(Level::kDebug, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace sentinel::log

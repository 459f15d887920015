// Logging to stderr with syslog priority prefixes under journald.
#include "common/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <ctime>
#include <string>

namespace sentinel::log {
namespace {

std::atomic<int> max_level{[] {
  Level level = Level::kInfo;
  if (const char* env = std::getenv("SENTINEL_LOG_LEVEL")) parse_level(env, &level);
  return static_cast<int>(level);
}()};

const bool kJournal = std::getenv("JOURNAL_STREAM") != nullptr;

const char* level_name(Level level) {
  switch (level) {
    case Level::kError:
      return "error";
    case Level::kWarning:
      return "warning";
    case Level::kNotice:
      return "notice";
    case Level::kInfo:
      return "info";
    case Level::kDebug:
      return "debug";
  }
  return "info";
}

}  // namespace

void set_max_level(Level level) { max_level = static_cast<int>(level); }
bool enabled(Level level) { return static_cast<int>(level) <= max_level.load(); }

bool parse_level(std::string_view text, Level* out) {
  for (Level l : {Level::kError, Level::kWarning, Level::kNotice, Level::kInfo, Level::kDebug}) {
    if (text == level_name(l)) {
      *out = l;
      return true;
    }
  }
  return false;
}

std::string one_line(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  for (char c : message) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += ' ';
    } else if ((u < 0x20 && c != '\t') || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  return out;
}

void write(Level level, std::string_view message) {
  if (enabled(level)) write_anyway(level, message);
}

void write_anyway(Level level, std::string_view message) {
  std::string line;
  line.reserve(message.size() + 40);
  if (kJournal) {
    line += fmt::format("<{}>", static_cast<int>(level));
  } else {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    tm utc{};
    gmtime_r(&ts.tv_sec, &utc);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    line += fmt::format("{}.{:03}Z {}: ", stamp, ts.tv_nsec / 1000000, level_name(level));
  }
  line += one_line(message);
  line += '\n';
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace sentinel::log

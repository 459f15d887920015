// Parsing of --start-time.
#include "tools/loggen/start_time.h"

#include <fmt/format.h>

#include "common/clock.h"
#include "common/time_arg.h"

namespace sentinel::loggen {

std::optional<int64_t> parse_start_time(const std::string& text, std::string* error) {
  std::string why;
  auto ms = parse_time_arg(text, wall_ms(), &why);
  if (!ms) {
    *error = fmt::format(
        "--start-time \"{}\": expected epoch milliseconds like 1795316156734 or "
        "ISO 8601 like 2026-11-22T10:15:32Z",
        text);
  }
  return ms;
}

}  // namespace sentinel::loggen

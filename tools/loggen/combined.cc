// The combined log format writer.
#include "tools/loggen/combined.h"

#include <fmt/format.h>

#include <ctime>

namespace sentinel::loggen {

std::string format_clf_time(int64_t ts_ms) {
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t secs = static_cast<time_t>(ts_ms >= 0 ? ts_ms / 1000 : (ts_ms - 999) / 1000);
  tm t{};
  gmtime_r(&secs, &t);
  return fmt::format("{:02}/{}/{:04}:{:02}:{:02}:{:02} +0000", t.tm_mday, kMonths[t.tm_mon],
                     t.tm_year + 1900, t.tm_hour, t.tm_min, t.tm_sec);
}

void append_combined_line(const Request& r, std::string* out) {
  // The model never puts quotes or spaces in these fields, so no escaping is needed (nginx
  // would write \x22 for a quote).
  fmt::format_to(std::back_inserter(*out), "{} - - [{}] \"{} {} {}\" {} {} \"{}\" \"{}\"\n",
                 r.client_ip, format_clf_time(r.ts_ms), r.method, r.path, r.protocol, r.status,
                 r.bytes, r.referer, r.user_agent);
}

}  // namespace sentinel::loggen

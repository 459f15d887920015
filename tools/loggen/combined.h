// Apache/nginx "combined" access-log lines, as a web server writes them:
//   203.0.113.7 - - [22/Nov/2026:10:15:32 +0000] "GET /api/orders/123 HTTP/1.1" 502 512 "-"
//   "curl/8.0"
#pragma once

#include <string>

#include "tools/loggen/traffic.h"

namespace sentinel::loggen {

// "22/Nov/2026:10:15:32 +0000" for `ts_ms` in UTC.
std::string format_clf_time(int64_t ts_ms);

// One line, with its trailing '\n', appended to *out.
void append_combined_line(const Request& r, std::string* out);

}  // namespace sentinel::loggen

// An access-log line's entry as an http_logs record (records/http_logs.h holds the encoding).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/logs/access_log_format.h"
#include "records/http_logs.h"

namespace sentinel::agent {

// Appends the record's JSON to *out; `ts_ms` is the line's own time, or the read time when the
// format has none.
inline void append_http_record(std::string* out, std::string_view host, std::string_view source,
                               int64_t ts_ms, const AccessLogEntry& e) {
  records::append_http_logs(out, {.host = host,
                                  .source = source,
                                  .ts_ms = ts_ms,
                                  .client_ip = e.client_ip,
                                  .method = e.method,
                                  .path = e.path,
                                  .protocol = e.protocol,
                                  .request = e.request,
                                  .status = e.status,
                                  .bytes = e.bytes,
                                  .referer = e.referer,
                                  .user_agent = e.user_agent});
}

}  // namespace sentinel::agent

// The http_logs record: one JSON object per access-log line, as docs/architecture.md fixes it:
//   {"v":1,"host":"web-1","source":"/var/log/nginx/access.log","ts":1795316156734,
//    "client_ip":"203.0.113.7","method":"GET","path":"/api/orders","protocol":"HTTP/1.1",
//    "status":502,"bytes":512,"referer":"-","user_agent":"curl/8.0"}
// A request line that is not METHOD TARGET [PROTOCOL] adds "request" with the raw text. The Kafka
// key is the client IP.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/logs/access_log_format.h"

namespace sentinel::agent {

// Appends the record's JSON to *out; `ts_ms` is the line's own time, or the read time when the
// format has none.
void append_http_record(std::string* out, std::string_view host, std::string_view source, int64_t ts_ms,
                        const AccessLogEntry& entry);

}  // namespace sentinel::agent

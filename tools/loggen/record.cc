// http_logs JSON records, encoded by records/http_logs.h as the agent's are.
#include "tools/loggen/record.h"

#include "records/http_logs.h"

namespace sentinel::loggen {

std::string http_log_record(const Request& r, const std::string& host) {
  std::string out;
  records::append_http_logs(&out, {.host = host,
                                   .source = "sentinel-loggen",
                                   .ts_ms = r.ts_ms,
                                   .client_ip = r.client_ip,
                                   .method = r.method,
                                   .path = r.path,
                                   .protocol = r.protocol,
                                   .request = {},  // loggen writes well-formed request lines
                                   .status = r.status,
                                   .bytes = static_cast<int64_t>(r.bytes),
                                   .referer = r.referer,
                                   .user_agent = r.user_agent});
  return out;
}

}  // namespace sentinel::loggen

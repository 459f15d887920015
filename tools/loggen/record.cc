// http_logs JSON records, encoded by records/http_logs.h as the agent's are.
#include "tools/loggen/record.h"

#include "records/http_logs.h"

namespace sentinel::loggen {

std::string http_log_record(const Request& r, const std::string& host) {
  std::string out;
  records::append_http_logs(
      &out, {host, "sentinel-loggen", r.ts_ms, r.client_ip, r.method, r.path, r.protocol, {},
             r.status, static_cast<int64_t>(r.bytes), r.referer, r.user_agent});
  return out;
}

}  // namespace sentinel::loggen

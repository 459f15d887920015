// http_logs JSON records.
#include "tools/loggen/record.h"

#include <nlohmann/json.hpp>

namespace sentinel::loggen {

std::string http_log_record(const Request& r, const std::string& host) {
  nlohmann::ordered_json j;
  j["v"] = 1;
  j["host"] = host;
  j["source"] = "sentinel-loggen";
  j["ts"] = r.ts_ms;
  j["client_ip"] = r.client_ip;
  j["method"] = r.method;
  j["path"] = r.path;
  j["protocol"] = r.protocol;
  j["status"] = r.status;
  j["bytes"] = r.bytes;
  j["referer"] = r.referer;
  j["user_agent"] = r.user_agent;
  return j.dump();
}

}  // namespace sentinel::loggen

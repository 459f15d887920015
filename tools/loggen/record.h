// The http_logs record of docs/architecture.md for one request, as Kafka message value:
//   {"v":1,"host":"web-1","source":"sentinel-loggen","ts":…,"client_ip":"203.0.113.7",
//    "method":"GET","path":"/api/orders","protocol":"HTTP/1.1","status":502,"bytes":512,
//    "referer":"-","user_agent":"curl/8.0"}
#pragma once

#include <string>

#include "tools/loggen/traffic.h"

namespace sentinel::loggen {

std::string http_log_record(const Request& r, const std::string& host);

}  // namespace sentinel::loggen

// The http_logs record (docs/architecture.md): one JSON object per HTTP request,
//   {"v":1,"host":"web-1","source":"/var/log/nginx/access.log","ts":1795316156734,
//    "client_ip":"203.0.113.7","method":"GET","path":"/api/orders","protocol":"HTTP/1.1",
//    "status":502,"bytes":512,"referer":"-","user_agent":"curl/8.0"}
// A request line that is not METHOD TARGET [PROTOCOL] adds "request" with the raw text. The Kafka
// key is the client IP.
//
// Written by the agent's log shipper and by sentinel-loggen (http_logs.cc: by hand, no JSON
// library); read by the HTTP error-rate rules, sentinel-thresholds and the dashboard
// (http_logs_decode.cc, simdjson). This header names simdjson's parser without including it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace simdjson::dom {
class parser;
}  // namespace simdjson::dom

namespace sentinel::records {

// --- encoding -----------------------------------------------------------------------------------

// The fields of one record, viewing the caller's strings.
struct HttpLogFields {
  std::string_view host;
  std::string_view source;  // the log file, or the program that made the request up
  int64_t ts_ms = 0;
  std::string_view client_ip;
  std::string_view method;
  std::string_view path;
  std::string_view protocol;
  std::string_view request;  // the raw request line; written only when not empty
  int status = 0;
  int64_t bytes = 0;
  std::string_view referer;
  std::string_view user_agent;
};

// Appends the record's JSON to *out. Bytes that are not UTF-8 (log lines carry whatever clients
// sent) become U+FFFD in every field but host.
void append_http_logs(std::string* out, const HttpLogFields& fields);

// --- decoding -----------------------------------------------------------------------------------

// What the readers need of a record. Valid until the next parse() on the parser that filled it.
struct HttpRecord {
  std::string_view host;  // the site
  std::string_view client_ip;
  std::string_view path;  // as logged, query string included
  int status = 0;
  int64_t ts = 0;
};

class HttpRecordParser {
 public:
  HttpRecordParser();
  ~HttpRecordParser();
  HttpRecordParser(HttpRecordParser&&) noexcept;
  HttpRecordParser& operator=(HttpRecordParser&&) noexcept;
  // One http_logs value. False with *error naming the field ("field status: expected an
  // integer") when host, ts or status is missing or of the wrong type; client_ip and path may be
  // absent (empty).
  bool parse(std::string_view json, HttpRecord* out, std::string* error);

 private:
  std::unique_ptr<simdjson::dom::parser> parser_;
  std::string padded_;
};

}  // namespace sentinel::records

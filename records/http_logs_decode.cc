// Decoding of http_logs records with simdjson (see http_logs.h).
#include <simdjson.h>

#include "records/http_logs.h"
#include "records/simdjson_input.h"

namespace sentinel::records {

HttpRecordParser::HttpRecordParser() : parser_(std::make_unique<simdjson::dom::parser>()) {
  padded_.resize(4096);
}
HttpRecordParser::~HttpRecordParser() = default;
HttpRecordParser::HttpRecordParser(HttpRecordParser&&) noexcept = default;
HttpRecordParser& HttpRecordParser::operator=(HttpRecordParser&&) noexcept = default;
bool HttpRecordParser::parse(std::string_view json, HttpRecord* out, std::string* error) {
  *out = HttpRecord{};
  auto fail = [&](const char* what) {
    if (error) *error = what;
    return false;
  };
  simdjson::dom::element doc;
  if (!parse_padded(*parser_, padded_, json, &doc)) return fail("not JSON");
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) return fail("expected a JSON object");
  bool has_ts = false;
  bool has_status = false;
  for (auto [key, value] : obj) {
    if (key == "host") {
      if (value.get_string().get(out->host)) return fail("field host: expected a string");
    } else if (key == "client_ip") {
      if (value.is_null()) continue;
      if (value.get_string().get(out->client_ip)) {
        return fail("field client_ip: expected a string");
      }
    } else if (key == "path") {
      if (value.is_null()) continue;
      if (value.get_string().get(out->path)) return fail("field path: expected a string");
    } else if (key == "ts") {
      if (!get_epoch_ms(value, &out->ts)) {
        return fail("field ts: expected milliseconds since the epoch");
      }
      has_ts = true;
    } else if (key == "status") {
      int64_t status = 0;
      if (value.get_int64().get(status) || status < 0 || status > 999) {
        return fail("field status: expected an integer");
      }
      out->status = static_cast<int>(status);
      has_status = true;
    }
  }
  if (out->host.empty()) return fail("field host: missing");
  if (!has_ts) return fail("field ts: missing");
  if (!has_status) return fail("field status: missing");
  return true;
}

}  // namespace sentinel::records

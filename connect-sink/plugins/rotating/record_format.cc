// Archive line formats.
#include "record_format.h"

#include <cstring>

#include "common/json_text.h"

namespace sentinel::archive {

void format_record(RecordFormat format, const connect::SinkRecord& r, std::string* out) {
  if (format == RecordFormat::kValue) {
    if (!r.value) {
      out->append("null\n");
      return;
    }
    const std::string& v = *r.value;
    // Two memchr scans: find_first_of would test every byte against the set one call at a time.
    if (!std::memchr(v.data(), '\n', v.size()) && !std::memchr(v.data(), '\r', v.size())) {
      out->append(v);
    } else {
      for (char c : v) {
        if (c == '\n')
          out->append("\\n");
        else if (c == '\r')
          out->append("\\r");
        else
          out->push_back(c);
      }
    }
    out->push_back('\n');
    return;
  }
  out->append("{\"topic\":");
  append_json_string_repairing_utf8(out, r.topic);
  out->append(",\"partition\":");
  out->append(std::to_string(r.partition));
  out->append(",\"offset\":");
  out->append(std::to_string(r.offset));
  out->append(",\"timestamp\":");
  out->append(r.timestamp >= 0 ? std::to_string(r.timestamp) : "null");
  out->append(",\"key\":");
  if (r.key)
    append_json_string_repairing_utf8(out, *r.key);
  else
    out->append("null");
  out->append(",\"value\":");
  if (r.value)
    append_json_string_repairing_utf8(out, *r.value);
  else
    out->append("null");
  out->append(",\"headers\":[");
  bool first = true;
  for (const auto& h : r.headers) {
    if (!first) out->push_back(',');
    first = false;
    out->append("{\"key\":");
    append_json_string_repairing_utf8(out, h.key);
    out->append(",\"value\":");
    if (h.value)
      append_json_string_repairing_utf8(out, *h.value);
    else
      out->append("null");
    out->push_back('}');
  }
  out->append("]}\n");
}

}  // namespace sentinel::archive

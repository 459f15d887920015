// Archive line formats.
#include "record_format.h"

#include <cstring>

namespace sentinel::archive {

void append_json_string(const std::string& text, std::string* out) {
  static const char* hex = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(hex[c >> 4]);
          out->push_back(hex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

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
        if (c == '\n') out->append("\\n");
        else if (c == '\r') out->append("\\r");
        else out->push_back(c);
      }
    }
    out->push_back('\n');
    return;
  }
  out->append("{\"topic\":");
  append_json_string(r.topic, out);
  out->append(",\"partition\":");
  out->append(std::to_string(r.partition));
  out->append(",\"offset\":");
  out->append(std::to_string(r.offset));
  out->append(",\"timestamp\":");
  out->append(r.timestamp >= 0 ? std::to_string(r.timestamp) : "null");
  out->append(",\"key\":");
  if (r.key) append_json_string(*r.key, out);
  else out->append("null");
  out->append(",\"value\":");
  if (r.value) append_json_string(*r.value, out);
  else out->append("null");
  out->append(",\"headers\":[");
  bool first = true;
  for (const auto& h : r.headers) {
    if (!first) out->push_back(',');
    first = false;
    out->append("{\"key\":");
    append_json_string(h.key, out);
    out->append(",\"value\":");
    if (h.value) append_json_string(*h.value, out);
    else out->append("null");
    out->push_back('}');
  }
  out->append("]}\n");
}

}  // namespace sentinel::archive

// Archive line formats.
#include "record_format.h"

#include <cstring>

namespace sentinel::archive {
namespace {

// The length of the well-formed UTF-8 sequence at p (Unicode's table 3-7: no overlong forms, no
// surrogates, nothing past U+10FFFF), or 0 with *bad set to the length of its longest ill-formed
// prefix, which becomes one U+FFFD (as Java decodes, and so Connect's StringConverter).
size_t utf8_length(const unsigned char* p, size_t left, size_t* bad) {
  unsigned char c = p[0];
  size_t need = 0;
  unsigned char lo = 0x80, hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    need = 1;
  } else if (c >= 0xe0 && c <= 0xef) {
    need = 2;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    need = 3;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    *bad = 1;
    return 0;
  }
  size_t k = 1;
  for (; k <= need && k < left; ++k) {
    if (p[k] < lo || p[k] > hi) break;
    lo = 0x80;
    hi = 0xbf;
  }
  if (k == need + 1) return k;
  *bad = k;
  return 0;
}

}  // namespace

void append_json_string(const std::string& text, std::string* out) {
  static const char* hex = "0123456789abcdef";
  out->push_back('"');
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = bytes[i];
    // JSON text is UTF-8 (RFC 8259 §8.1): any other byte would make the line unreadable.
    if (c >= 0x80) {
      size_t bad = 0;
      size_t n = utf8_length(bytes + i, text.size() - i, &bad);
      if (n > 0) {
        out->append(text, i, n);
        i += n - 1;
      } else {
        out->append("\xef\xbf\xbd");  // U+FFFD
        i += bad - 1;
      }
      continue;
    }
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

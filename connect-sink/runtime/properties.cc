// Java .properties parsing, following java.util.Properties.load's grammar.
#include "connect-sink/runtime/properties.h"

#include <optional>
#include <stdexcept>

#include "common/utf8.h"
#include "common/whole_file.h"

namespace sentinel::connect {
namespace {

void append_utf8(std::string& out, unsigned code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

// Splits the text into logical lines (joining continuations), remembering the first line number.
struct LogicalLine {
  std::string text;
  int line;
};

std::vector<LogicalLine> logical_lines(std::string_view text) {
  std::vector<std::string_view> physical;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = text.size();
    physical.push_back(text.substr(pos, end - pos));
    if (end == text.size()) break;
    pos = end + 1;
    if (text[end] == '\r' && pos < text.size() && text[pos] == '\n') ++pos;
  }
  std::vector<LogicalLine> out;
  bool continuing = false;
  for (size_t n = 0; n < physical.size(); ++n) {
    std::string_view raw = physical[n];
    // Leading whitespace is dropped on every physical line, including continuations.
    while (!raw.empty() && is_blank(raw.front())) raw.remove_prefix(1);
    if (!continuing) {
      if (raw.empty() || raw[0] == '#' || raw[0] == '!') continue;
      out.push_back({"", static_cast<int>(n + 1)});
    }
    // An odd number of trailing backslashes continues the line.
    size_t slashes = 0;
    while (slashes < raw.size() && raw[raw.size() - 1 - slashes] == '\\') ++slashes;
    continuing = slashes % 2 == 1;
    out.back().text.append(continuing ? raw.substr(0, raw.size() - 1) : raw);
  }
  return out;
}

// Reads four hex digits at s[i…i+3] (s.size() >= i + 4); throws naming name:line otherwise.
unsigned hex4(std::string_view s, size_t i, const std::string& name, int line) {
  unsigned code = 0;
  for (size_t k = 0; k < 4; ++k) {
    char h = s[i + k];
    unsigned d = (h >= '0' && h <= '9')   ? static_cast<unsigned>(h - '0')
                 : (h >= 'a' && h <= 'f') ? static_cast<unsigned>(h - 'a' + 10)
                 : (h >= 'A' && h <= 'F') ? static_cast<unsigned>(h - 'A' + 10)
                                          : 16u;
    if (d == 16) {
      throw std::runtime_error(name + ":" + std::to_string(line) +
                               ": malformed \\uxxxx escape: expected four hex digits");
    }
    code = code * 16 + d;
  }
  return code;
}

// Keys and values come out as UTF-8, because they go on into JSON (REST answers, the state file).
// Bytes that are not UTF-8 are read as ISO-8859-1, the encoding Java reads every .properties file
// in; \uD83D\uDE00 (a UTF-16 surrogate pair, as Java writes characters above U+FFFF) is one
// character; a surrogate without its other half becomes U+FFFD.
std::string unescape(std::string_view s, const std::string& name, int line) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\' || i + 1 == s.size()) {
      if (c == '\\') continue;
      size_t n = utf8_sequence(s, i);
      if (n == 0) {
        append_utf8(out, static_cast<unsigned char>(c));
      } else {
        out.append(s.substr(i, n));
        i += n - 1;
      }
      continue;
    }
    char e = s[++i];
    switch (e) {
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        if (s.size() < i + 5) {
          throw std::runtime_error(name + ":" + std::to_string(line) +
                                   ": malformed \\uxxxx escape: expected four hex digits");
        }
        unsigned code = hex4(s, i + 1, name, line);
        i += 4;
        if (code >= 0xD800 && code <= 0xDBFF && i + 6 < s.size() && s[i + 1] == '\\' &&
            s[i + 2] == 'u') {
          unsigned low = hex4(s, i + 3, name, line);
          if (low >= 0xDC00 && low <= 0xDFFF) {
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          }
        }
        if (code >= 0xD800 && code <= 0xDFFF) code = 0xFFFD;
        append_utf8(out, code);
        break;
      }
      default: {  // \\ \= \: \# \! and any other character stand for themselves
        size_t n = utf8_sequence(s, i);
        if (n == 0) {
          append_utf8(out, static_cast<unsigned char>(e));
        } else {
          out.append(s.substr(i, n));
          i += n - 1;
        }
      }
    }
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> PropertiesFile::map() const {
  std::map<std::string, std::string> m;
  for (const auto& e : entries) m[e.key] = e.value;
  return m;
}

std::string PropertiesFile::where(const std::string& key) const {
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->key == key) return name + ":" + std::to_string(it->line);
  }
  return name;
}

PropertiesFile parse_properties(std::string_view text, const std::string& name) {
  PropertiesFile file;
  file.name = name;
  for (const LogicalLine& l : logical_lines(text)) {
    const std::string& s = l.text;
    size_t i = 0;
    // The key ends at the first unescaped '=', ':' or blank.
    while (i < s.size()) {
      if (s[i] == '\\') {
        i += 2;
        continue;
      }
      if (s[i] == '=' || s[i] == ':' || is_blank(s[i])) break;
      ++i;
    }
    size_t key_end = std::min(i, s.size());
    while (i < s.size() && is_blank(s[i])) ++i;
    if (i < s.size() && (s[i] == '=' || s[i] == ':')) ++i;
    while (i < s.size() && is_blank(s[i])) ++i;
    PropertyEntry entry;
    entry.key = unescape(std::string_view(s).substr(0, key_end), name, l.line);
    entry.value = unescape(std::string_view(s).substr(std::min(i, s.size())), name, l.line);
    entry.line = l.line;
    file.entries.push_back(std::move(entry));
  }
  return file;
}

PropertiesFile load_properties(const std::string& path) {
  std::string why;
  std::optional<std::string> text = read_whole_file(path, &why);
  if (!text) throw std::runtime_error("config error: " + path + ": cannot read: " + why);
  return parse_properties(*text, path);
}

}  // namespace sentinel::connect

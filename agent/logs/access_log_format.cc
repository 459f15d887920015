// Access-log formats: compiling nginx/Apache format strings and splitting lines with them.
#include "agent/logs/access_log_format.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>

namespace sentinel::agent {
namespace {

using Field = AccessLogFormat::Field;

constexpr std::string_view kCombinedNginx =
    R"($remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent")";
constexpr std::string_view kCommonNginx =
    R"($remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent)";

Field nginx_field(std::string_view name) {
  if (name == "remote_addr" || name == "binary_remote_addr" || name == "realip_remote_addr")
    return Field::kClientIp;
  if (name == "time_local") return Field::kTime;
  if (name == "time_iso8601") return Field::kTimeIso8601;
  if (name == "msec") return Field::kTimeMsec;
  if (name == "request") return Field::kRequest;
  if (name == "request_method") return Field::kMethod;
  if (name == "request_uri" || name == "uri" || name == "document_uri") return Field::kPath;
  if (name == "args" || name == "query_string") return Field::kQuery;
  if (name == "server_protocol") return Field::kProtocol;
  if (name == "status") return Field::kStatus;
  if (name == "body_bytes_sent" || name == "bytes_sent") return Field::kBytes;
  if (name == "http_referer") return Field::kReferer;
  if (name == "http_user_agent") return Field::kUserAgent;
  return Field::kIgnored;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// Apache's directive letter (with its {argument}) → field; nullopt for what cannot be parsed back.
std::optional<Field> apache_field(char letter, std::string_view arg) {
  switch (letter) {
    case 'h':
    case 'a':
      return Field::kClientIp;
    case 't':
      return arg.empty() ? std::optional<Field>(Field::kTime) : std::nullopt;
    case 'r':
      return Field::kRequest;
    case 'm':
      return Field::kMethod;
    case 'U':
      return Field::kPath;
    case 'q':
      return Field::kQuery;
    case 'H':
      return Field::kProtocol;
    case 's':
      return Field::kStatus;
    case 'b':
    case 'B':
    case 'O':
      return Field::kBytes;
    case 'i':
      if (iequals(arg, "Referer")) return Field::kReferer;
      if (iequals(arg, "User-agent")) return Field::kUserAgent;
      return Field::kIgnored;
    default:
      return Field::kIgnored;
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Undoes Apache's (\" \\ \n \t \xhh …) and nginx's (\xHH) escaping of a quoted field into
// *out (replacing it). Most fields have no backslash at all: they are copied whole.
void unescape_into(std::string_view raw, std::string* out) {
  size_t first = raw.find('\\');
  if (first == std::string_view::npos) {
    out->assign(raw);
    return;
  }
  out->assign(raw.substr(0, first));
  for (size_t i = first; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\' || i + 1 == raw.size()) {
      *out += c;
      continue;
    }
    char n = raw[i + 1];
    if (n == 'x' && i + 3 < raw.size()) {
      int hi = hex_digit(raw[i + 2]), lo = hex_digit(raw[i + 3]);
      if (hi >= 0 && lo >= 0) {
        *out += static_cast<char>(hi * 16 + lo);
        i += 3;
        continue;
      }
    }
    switch (n) {
      case '"':
        *out += '"';
        break;
      case '\\':
        *out += '\\';
        break;
      case 'n':
        *out += '\n';
        break;
      case 't':
        *out += '\t';
        break;
      case 'r':
        *out += '\r';
        break;
      case 'b':
        *out += '\b';
        break;
      case 'v':
        *out += '\v';
        break;
      default:
        *out += c;
        *out += n;
        break;  // not an escape these servers write: kept as it is
    }
    ++i;
  }
}

// line[at…] begins with `literal`; literals are a few characters, cheaper compared here than
// through memcmp.
bool starts_at(std::string_view line, size_t at, const std::string& literal) {
  if (line.size() - at < literal.size()) return false;
  for (size_t i = 0; i < literal.size(); ++i) {
    if (line[at + i] != literal[i]) return false;
  }
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool digits(std::string_view s, size_t at, size_t n, int* out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

std::optional<int64_t> epoch_ms(int year, int month, int day, int hh, int mm, int ss,
                                int offset_minutes) {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60)
    return std::nullopt;
  int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return ((days * 86400 + hh * 3600 + mm * 60 + ss) - offset_minutes * 60) * 1000;
}

// "+0100" or "+01:00" → minutes east of UTC; "Z" → 0.
bool parse_offset(std::string_view s, int* minutes) {
  if (s == "Z") {
    *minutes = 0;
    return true;
  }
  if (s.size() < 5 || (s[0] != '+' && s[0] != '-')) return false;
  int h, m;
  size_t mpos = s[3] == ':' ? 4 : 3;
  if (!digits(s, 1, 2, &h) || !digits(s, mpos, 2, &m) || s.size() != mpos + 2) return false;
  *minutes = (h * 60 + m) * (s[0] == '-' ? -1 : 1);
  return true;
}

std::optional<int64_t> parse_iso8601(std::string_view s) {
  int y, mo, d, h, mi, se, off;
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (!digits(s, 0, 4, &y) || !digits(s, 5, 2, &mo) || !digits(s, 8, 2, &d) ||
      !digits(s, 11, 2, &h) || !digits(s, 14, 2, &mi) || !digits(s, 17, 2, &se) ||
      !parse_offset(s.substr(19), &off)) {
    return std::nullopt;
  }
  return epoch_ms(y, mo, d, h, mi, se, off);
}

// nginx's $msec: "1795342532.123", seconds since the epoch with milliseconds.
std::optional<int64_t> parse_msec(std::string_view s) {
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  int64_t sec = 0;
  auto [p, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), sec);
  // Digits only: from_chars would take a '-'.
  if (ec != std::errc() || p != whole.data() + whole.size() || whole[0] == '-') return std::nullopt;
  int ms = 0;
  if (dot != std::string_view::npos && (s.size() != dot + 4 || !digits(s, dot + 1, 3, &ms)))
    return std::nullopt;
  if (sec > (INT64_MAX - ms) / 1000) return std::nullopt;  // the milliseconds would not fit
  return sec * 1000 + ms;
}

// METHOD TARGET [PROTOCOL]; a `-` or anything else (a TLS handshake) leaves method/path empty.
void split_request(std::string_view raw, AccessLogEntry* e) {
  e->method.clear();
  e->path.clear();
  e->protocol.clear();
  e->request.clear();
  if (raw == "-" || raw.empty()) return;
  size_t s1 = raw.find(' ');
  bool method_ok = s1 != std::string_view::npos && s1 > 0;
  for (size_t i = 0; method_ok && i < s1; ++i) {
    char c = raw[i];
    method_ok = (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
  }
  if (!method_ok) {
    e->request.assign(raw);
    return;
  }
  e->method.assign(raw.substr(0, s1));
  size_t s2 = raw.rfind(' ');
  if (s2 > s1 && raw.compare(s2 + 1, 5, "HTTP/") == 0) {
    e->path.assign(raw.substr(s1 + 1, s2 - s1 - 1));
    e->protocol.assign(raw.substr(s2 + 1));
  } else {
    e->path.assign(raw.substr(s1 + 1));  // HTTP/0.9: no protocol
  }
}

}  // namespace

std::optional<int64_t> parse_clf_time(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // 22/Nov/2026:10:15:32 +0000
  if (s.size() != 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' ||
      s[17] != ':' || s[20] != ' ') {
    return std::nullopt;
  }
  int d, y, h, mi, se, off;
  int month = 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    const std::string_view m = kMonths[i];
    if (s[3] == m[0] && s[4] == m[1] && s[5] == m[2]) {
      month = static_cast<int>(i) + 1;
      break;
    }
  }
  if (month == 0 || !digits(s, 0, 2, &d) || !digits(s, 7, 4, &y) || !digits(s, 12, 2, &h) ||
      !digits(s, 15, 2, &mi) || !digits(s, 18, 2, &se) || !parse_offset(s.substr(21), &off)) {
    return std::nullopt;
  }
  return epoch_ms(y, month, d, h, mi, se, off);
}

std::optional<AccessLogFormat> AccessLogFormat::compile(std::string_view spec, std::string* error) {
  AccessLogFormat f;
  f.spec_ = std::string(spec);
  std::string_view body;
  bool apache = false;
  if (spec == "combined") {
    body = kCombinedNginx;
  } else if (spec == "common") {
    body = kCommonNginx;
  } else if (spec.starts_with("nginx:")) {
    body = spec.substr(6);
  } else if (spec.starts_with("apache:")) {
    body = spec.substr(7);
    apache = true;
  } else {
    *error = fmt::format(
        "log format \"{}\": expected combined, common, nginx:<log_format> or apache:<LogFormat>",
        spec);
    return std::nullopt;
  }
  const char* kind = apache ? "apache format" : "nginx format";
  auto add_literal = [&](char c) {
    if (f.parts_.empty() || f.parts_.back().is_field) f.parts_.push_back(Part{});
    f.parts_.back().literal += c;
  };
  auto add_field = [&](Field field, std::string name, size_t at) {
    // Apache's %U%q and nginx's $uri$is_args$args: the query glued to the path is read with it.
    if (!f.parts_.empty() && f.parts_.back().is_field && f.parts_.back().field == Field::kPath &&
        (field == Field::kQuery || name == "$is_args")) {
      return true;
    }
    if (!f.parts_.empty() && f.parts_.back().is_field) {
      *error = fmt::format(
          "{}: at {}: \"{}\" directly follows \"{}\": fields need text between them to be told "
          "apart",
          kind, at + 1, name, f.parts_.back().name);
      return false;
    }
    f.parts_.push_back(Part{"", field, true, std::move(name)});
    f.has_client_ip_ |= field == Field::kClientIp;
    f.has_status_ |= field == Field::kStatus;
    return true;
  };
  for (size_t i = 0; i < body.size();) {
    char c = body[i];
    if (!apache && c == '$') {
      size_t start = i;
      std::string name;
      if (i + 1 < body.size() && body[i + 1] == '{') {
        size_t close = body.find('}', i + 2);
        if (close == std::string_view::npos) {
          *error = fmt::format("{}: at {}: \"${{\" without a closing \"}}\"", kind, i + 1);
          return std::nullopt;
        }
        name = std::string(body.substr(i + 2, close - i - 2));
        i = close + 1;
      } else {
        size_t j = i + 1;
        while (j < body.size() &&
               (std::isalnum(static_cast<unsigned char>(body[j])) || body[j] == '_'))
          ++j;
        name = std::string(body.substr(i + 1, j - i - 1));
        i = j;
      }
      if (name.empty()) {
        *error = fmt::format("{}: at {}: \"$\" without a variable name", kind, start + 1);
        return std::nullopt;
      }
      if (!add_field(nginx_field(name), "$" + name, start)) return std::nullopt;
      continue;
    }
    if (apache && c == '\\' && i + 1 < body.size()) {  // as written inside a quoted LogFormat
      char n = body[i + 1];
      add_literal(n == 't' ? '\t' : n == 'n' ? '\n' : n);
      i += 2;
      continue;
    }
    if (apache && c == '%') {
      size_t start = i++;
      if (i < body.size() && body[i] == '%') {
        add_literal('%');
        ++i;
        continue;
      }
      // Modifiers: status conditions (400,501 or !200), < and > (original/final request).
      while (i < body.size() &&
             (std::isdigit(static_cast<unsigned char>(body[i])) || body[i] == ',' ||
              body[i] == '!' || body[i] == '<' || body[i] == '>')) {
        ++i;
      }
      std::string_view arg;
      if (i < body.size() && body[i] == '{') {
        size_t close = body.find('}', i + 1);
        if (close == std::string_view::npos) {
          *error = fmt::format("{}: at {}: \"%{{\" without a closing \"}}\"", kind, i + 1);
          return std::nullopt;
        }
        arg = body.substr(i + 1, close - i - 1);
        i = close + 1;
      }
      if (i >= body.size()) {
        *error = fmt::format("{}: at {}: \"%\" without a directive letter", kind, start + 1);
        return std::nullopt;
      }
      char letter = body[i++];
      auto field = apache_field(letter, arg);
      if (!field) {
        *error = fmt::format("{}: at {}: \"{}\": a custom time format cannot be read back; use %t",
                             kind, start + 1, body.substr(start, i - start));
        return std::nullopt;
      }
      if (!add_field(*field, std::string(body.substr(start, i - start)), start))
        return std::nullopt;
      continue;
    }
    add_literal(c);
    ++i;
  }
  // A field between two quotes is read up to its closing quote (escaped ones skipped), unescaped.
  for (size_t k = 0; k < f.parts_.size(); ++k) {
    f.parts_[k].quoted = f.parts_[k].is_field && k > 0 && f.parts_[k - 1].literal.ends_with('"') &&
                         k + 1 < f.parts_.size() && f.parts_[k + 1].literal.starts_with('"');
  }
  if (!f.has_client_ip_ || !f.has_status_) {
    *error = fmt::format("{} \"{}\": needs the client address ({}) and the status ({})", kind, body,
                         apache ? "%h or %a" : "$remote_addr", apache ? "%>s" : "$status");
    return std::nullopt;
  }
  return f;
}

bool AccessLogFormat::parse(std::string_view line, AccessLogEntry* e, std::string* why) const {
  *e = AccessLogEntry{};
  std::string_view query;
  size_t p = 0;
  for (size_t k = 0; k < parts_.size(); ++k) {
    const Part& part = parts_[k];
    if (!part.is_field) {
      if (!starts_at(line, p, part.literal)) {
        *why = fmt::format("at column {}: expected \"{}\"", p + 1, part.literal);
        return false;
      }
      p += part.literal.size();
      continue;
    }
    const bool quoted = part.quoted;
    size_t end;
    if (quoted) {
      // The first quote not escaped by a backslash; memchr finds the candidates.
      end = p;
      for (;;) {
        size_t quote = end < line.size() ? line.find('"', end) : std::string_view::npos;
        if (quote == std::string_view::npos) {
          end = line.size();
          break;
        }
        size_t backslash = line.substr(end, quote - end).find('\\');
        if (backslash == std::string_view::npos) {
          end = quote;
          break;
        }
        end += backslash + 2;  // the escaped character, a quote or not, is skipped
      }
      if (end >= line.size()) {
        *why = fmt::format("{}: no closing quote", part.name);
        return false;
      }
    } else if (p < line.size() && line[p] == '[') {  // Apache's %t: the time with its brackets
      end = line.find(']', p);
      if (end == std::string_view::npos) {
        *why = fmt::format("{}: no closing \"]\"", part.name);
        return false;
      }
      ++end;
    } else if (k + 1 < parts_.size()) {
      end = line.find(parts_[k + 1].literal[0], p);
      if (end == std::string_view::npos) {
        *why = fmt::format("{}: the line ends before the \"{}\" that follows it", part.name,
                           parts_[k + 1].literal);
        return false;
      }
    } else {
      end = line.size();
    }
    std::string_view raw = line.substr(p, end - p);
    p = end;
    switch (part.field) {
      case Field::kClientIp:
        if (raw.empty() || raw == "-") {
          *why = fmt::format("{}: empty client address", part.name);
          return false;
        }
        e->client_ip.assign(raw);
        break;
      case Field::kTime:
      case Field::kTimeIso8601:
      case Field::kTimeMsec: {
        std::string_view text = raw;
        if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
          text = text.substr(1, text.size() - 2);
        auto ts = part.field == Field::kTime          ? parse_clf_time(text)
                  : part.field == Field::kTimeIso8601 ? parse_iso8601(text)
                                                      : parse_msec(text);
        if (!ts) {
          *why = fmt::format("{} \"{}\": not a time", part.name, raw);
          return false;
        }
        e->ts_ms = *ts;
        break;
      }
      case Field::kRequest:
        if (quoted && raw.find('\\') != std::string_view::npos) {
          std::string unescaped;
          unescape_into(raw, &unescaped);
          split_request(unescaped, e);
        } else {
          split_request(raw, e);
        }
        break;
      case Field::kMethod:
        e->method.assign(raw);
        break;
      case Field::kPath:
        if (quoted) {
          unescape_into(raw, &e->path);
        } else {
          e->path.assign(raw);
        }
        break;
      case Field::kQuery:
        query = raw;
        break;
      case Field::kProtocol:
        e->protocol.assign(raw);
        break;
      case Field::kStatus:
        if (raw.size() != 3 || !digits(raw, 0, 3, &e->status)) {
          *why = fmt::format("{} \"{}\": expected a 3-digit HTTP status", part.name, raw);
          return false;
        }
        break;
      case Field::kBytes:
        if (raw == "-") {
          e->bytes = 0;
        } else {
          auto [q, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), e->bytes);
          if (ec != std::errc() || q != raw.data() + raw.size() || e->bytes < 0) {
            *why = fmt::format("{} \"{}\": expected a byte count or -", part.name, raw);
            return false;
          }
        }
        break;
      case Field::kReferer:
        if (quoted) {
          unescape_into(raw, &e->referer);
        } else {
          e->referer.assign(raw);
        }
        break;
      case Field::kUserAgent:
        if (quoted) {
          unescape_into(raw, &e->user_agent);
        } else {
          e->user_agent.assign(raw);
        }
        break;
      case Field::kIgnored:
        break;
    }
  }
  if (p != line.size()) {
    *why = fmt::format("at column {}: unexpected text after the format's end", p + 1);
    return false;
  }
  if (!query.empty() && query != "-") {
    if (!query.starts_with('?')) e->path += '?';  // Apache's %q has the "?", nginx's $args not
    e->path += query;
  }
  return true;
}

}  // namespace sentinel::agent

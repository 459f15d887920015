// Access-log formats: a web server's log format, compiled once, then used to split each line into
// the fields of the http_logs record (docs/architecture.md). Formats are given as
//   combined | common                  the predefined formats (nginx's and Apache's are the same)
//   nginx:<log_format string>          e.g. nginx:$remote_addr - $remote_user [$time_local]
//   "$request" … apache:<LogFormat string>          e.g. apache:%h %l %u %t \"%r\" %>s %b
// Quoted fields accept both servers' escapes: Apache's \" and \\ and nginx's (and Apache's) \xHH,
// and are unescaped. A `-` request line is valid (method, path and protocol empty), as is a
// request line that is not HTTP at all (a TLS handshake on a plain port): it is kept raw.
// Parsing is pure: a line in, an entry or the reason out; the tailer does the I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::agent {

struct AccessLogEntry {
  int64_t ts_ms = -1;  // from the line's time field; -1 when the format has none
  std::string client_ip;
  std::string method;    // empty for a `-` or non-HTTP request line
  std::string path;      // the request target as logged (query string included)
  std::string protocol;  // "HTTP/1.1"; empty for HTTP/0.9 or a non-HTTP request line
  std::string request;   // the raw request line, kept only when it is not METHOD TARGET [PROTOCOL]
  int status = 0;
  int64_t bytes = 0;  // `-` (Apache's %b for an empty body) is 0
  std::string referer = "-";
  std::string user_agent = "-";
};

class AccessLogFormat {
 public:
  // What a field of the format fills in.
  enum class Field {
    kClientIp,
    kTime,
    kTimeIso8601,
    kTimeMsec,
    kRequest,
    kMethod,
    kPath,
    kQuery,
    kProtocol,
    kStatus,
    kBytes,
    kReferer,
    kUserAgent,
    kIgnored
  };

  // nullopt with *error naming the position and the problem, e.g.
  // `nginx format: at 14: "$request" must not directly follow "$remote_user" without text between
  // them`.
  static std::optional<AccessLogFormat> compile(std::string_view spec, std::string* error);

  // Fills *entry from `line` (without its newline); false with *why ("status \"abc\": expected a
  // 3-digit HTTP status") when the line does not have this format.
  bool parse(std::string_view line, AccessLogEntry* entry, std::string* why) const;

  const std::string& spec() const { return spec_; }

 private:
  struct Part {
    std::string literal;  // text that must appear (empty for a field)
    Field field = Field::kIgnored;
    bool is_field = false;
    std::string name;     // the field as written in the format, for messages
    bool quoted = false;  // a field between two `"`: read to the closing quote, unescaped
  };
  std::string spec_;
  std::vector<Part> parts_;
  bool has_client_ip_ = false, has_status_ = false;
};

// Parses "22/Nov/2026:10:15:32 +0000" (strftime %d/%b/%Y:%H:%M:%S %z) into ms since the epoch.
std::optional<int64_t> parse_clf_time(std::string_view text);

}  // namespace sentinel::agent

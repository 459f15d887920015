// Fuzz target: access-log lines through the agent's parser (agent/logs/access_log_format.h), and
// the http_logs record the agent writes from them, read back by the alert engine's reader.
//
// Input: text lines. When the first line is "format: <spec>", that spec is compiled (a fuzzed
// nginx:/apache: format) and the other lines are parsed with it; otherwise every line is parsed
// with each of a fixed set of formats. Invariants beyond "no crash":
//  - a failed compile or parse says why;
//  - an accepted line has a client address, a 3-digit status and a byte count ≥ 0;
//  - the http_logs record of an accepted line is read back by HttpRecordParser with the same
//    status, time and (when they were valid UTF-8) client address and path;
//  - with the combined format, the entry written back as a combined line (nginx's \xHH escapes)
//    parses to the same entry.
#include <fmt/format.h>

#include <optional>
#include <string>

#include "agent/logs/access_log_format.h"
#include "agent/logs/http_record.h"
#include "fuzz/fuzz_check.h"
#include "records/http_logs.h"

namespace sentinel::fuzz {
namespace {

using agent::AccessLogEntry;
using agent::AccessLogFormat;

constexpr const char* kFormats[] = {
    "combined",
    "common",
    R"(apache:%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\")",
    R"(nginx:$remote_addr [$time_iso8601] "$request_method $uri$is_args$args $server_protocol" $status $bytes_sent $msec)",
    R"(apache:%a %{X-Id}i [%t] "%m %U%q %H" %>s %B "%{User-Agent}i")",
};

const AccessLogFormat& compiled(size_t i) {
  static const std::vector<AccessLogFormat> formats = [] {
    std::vector<AccessLogFormat> out;
    for (const char* spec : kFormats) {
      std::string error;
      auto f = AccessLogFormat::compile(spec, &error);
      FUZZ_CHECK(f, "built-in format {} does not compile: {}", spec, error);
      out.push_back(*f);
    }
    return out;
  }();
  return formats[i];
}

// Nginx's escaping of a quoted variable: ", \ and bytes outside printable ASCII as \xHH.
std::string nginx_escape(std::string_view s) {
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\x{:02X}", c);
    } else {
      out += ch;
    }
  }
  return out;
}

// ms since the epoch → "22/Nov/2026:10:15:32 +0000", or nullopt outside years 0000–9999.
std::optional<std::string> clf_time(int64_t ms) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (ms % 1000 != 0) return std::nullopt;
  int64_t secs = ms / 1000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  // Howard Hinnant's civil_from_days.
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  if (y < 0 || y > 9999) return std::nullopt;
  return fmt::format("{:02}/{}/{:04}:{:02}:{:02}:{:02} +0000", d, kMonths[m - 1], y, rem / 3600,
                     rem / 60 % 60, rem % 60);
}

std::string request_text(const AccessLogEntry& e) {
  if (!e.request.empty()) return e.request;
  if (e.method.empty()) return "-";
  return e.method + " " + e.path + (e.protocol.empty() ? "" : " " + e.protocol);
}

bool same(const AccessLogEntry& a, const AccessLogEntry& b) {
  return a.ts_ms == b.ts_ms && a.client_ip == b.client_ip && a.method == b.method &&
         a.path == b.path && a.protocol == b.protocol && a.request == b.request &&
         a.status == b.status && a.bytes == b.bytes && a.referer == b.referer &&
         a.user_agent == b.user_agent;
}

std::string describe(const AccessLogEntry& e) {
  return fmt::format(
      "ts={} ip={:?} method={:?} path={:?} protocol={:?} request={:?} status={} "
      "bytes={} referer={:?} ua={:?}",
      e.ts_ms, e.client_ip, e.method, e.path, e.protocol, e.request, e.status, e.bytes, e.referer,
      e.user_agent);
}

void check_record(const AccessLogEntry& e, std::string_view line) {
  static records::HttpRecordParser reader;
  std::string json;
  agent::append_http_record(&json, "web-1", "/var/log/nginx/access.log", e.ts_ms, e);
  records::HttpRecord r;
  std::string error;
  FUZZ_CHECK(reader.parse(json, &r, &error), "line {:?}: its record {} is not read back: {}", line,
             json, error);
  FUZZ_CHECK(r.status == e.status && r.ts == e.ts_ms && r.host == "web-1",
             "line {:?}: record {} reads back as status {} ts {}", line, json, r.status, r.ts);
  if (valid_utf8(e.client_ip)) FUZZ_CHECK(r.client_ip == e.client_ip, "record {}", json);
  if (valid_utf8(e.path)) FUZZ_CHECK(r.path == e.path, "record {}", json);
}

void check_entry(const AccessLogFormat& format, std::string_view line) {
  AccessLogEntry e;
  std::string why;
  if (!format.parse(line, &e, &why)) {
    FUZZ_CHECK(!why.empty(), "format {}: line {:?} refused without a reason", format.spec(), line);
    return;
  }
  FUZZ_CHECK(!e.client_ip.empty() && e.status >= 0 && e.status <= 999 && e.bytes >= 0,
             "format {}: line {:?} gave {}", format.spec(), line, describe(e));
  check_record(e, line);
  if (format.spec() != "combined") return;
  auto time = clf_time(e.ts_ms);
  if (!time) return;
  std::string again = fmt::format(R"({} - - [{}] "{}" {:03} {} "{}" "{}")", e.client_ip, *time,
                                  nginx_escape(request_text(e)), e.status, e.bytes,
                                  nginx_escape(e.referer), nginx_escape(e.user_agent));
  AccessLogEntry e2;
  FUZZ_CHECK(format.parse(again, &e2, &why), "line {:?} written back as {:?} is refused: {}", line,
             again, why);
  FUZZ_CHECK(same(e, e2), "line {:?} written back as {:?} changes\n  {}\nto\n  {}", line, again,
             describe(e), describe(e2));
}

}  // namespace
}  // namespace sentinel::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sentinel::fuzz;
  std::vector<std::string_view> lines = lines_of(as_text(data, size));
  if (lines[0].starts_with("format: ")) {
    std::string error;
    auto format = AccessLogFormat::compile(lines[0].substr(8), &error);
    if (!format) {
      FUZZ_CHECK(!error.empty(), "format {:?} refused without a reason", lines[0]);
      return 0;
    }
    for (size_t i = 1; i < lines.size(); ++i) check_entry(*format, lines[i]);
    return 0;
  }
  for (size_t f = 0; f < std::size(kFormats); ++f) {
    for (std::string_view line : lines) check_entry(compiled(f), line);
  }
  return 0;
}

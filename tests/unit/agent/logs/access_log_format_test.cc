// Access-log parsing: nginx and Apache formats (predefined and custom), both servers' escapes,
// odd request lines, times with offsets, and lines that do not match — and the http_logs record.
#include "agent/logs/access_log_format.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "agent/logs/http_record.h"

namespace sentinel::agent {
namespace {

AccessLogFormat compile(const std::string& spec) {
  std::string error;
  auto f = AccessLogFormat::compile(spec, &error);
  EXPECT_TRUE(f) << error;
  return f ? *f : *AccessLogFormat::compile("combined", &error);
}

AccessLogEntry parse_ok(const AccessLogFormat& f, std::string_view line) {
  AccessLogEntry e;
  std::string why;
  EXPECT_TRUE(f.parse(line, &e, &why)) << line << ": " << why;
  return e;
}

std::string parse_error(const AccessLogFormat& f, std::string_view line) {
  AccessLogEntry e;
  std::string why;
  EXPECT_FALSE(f.parse(line, &e, &why)) << line;
  return why;
}

TEST(AccessLogFormat, CombinedLineGivesEveryField) {
  auto e = parse_ok(
      compile("combined"),
      R"(203.0.113.7 - alice [22/Nov/2026:10:15:32 +0000] "GET /api/orders?id=7 HTTP/1.1" 502 512 "https://example.com/" "curl/8.0")");
  EXPECT_EQ(e.client_ip, "203.0.113.7");
  EXPECT_EQ(e.ts_ms, 1795342532000);  // date -d '2026-11-22T10:15:32Z' +%s
  EXPECT_EQ(e.method, "GET");
  EXPECT_EQ(e.path, "/api/orders?id=7");
  EXPECT_EQ(e.protocol, "HTTP/1.1");
  EXPECT_EQ(e.request, "");
  EXPECT_EQ(e.status, 502);
  EXPECT_EQ(e.bytes, 512);
  EXPECT_EQ(e.referer, "https://example.com/");
  EXPECT_EQ(e.user_agent, "curl/8.0");
}

TEST(AccessLogFormat, CommonLineHasNoRefererOrAgentAndApacheDashBytesIsZero) {
  auto e = parse_ok(compile("common"),
                    R"(2001:db8::1 - - [01/Jan/2026:00:00:00 +0100] "HEAD / HTTP/1.0" 304 -)");
  EXPECT_EQ(e.client_ip, "2001:db8::1");
  EXPECT_EQ(e.ts_ms, 1767222000000);  // 2025-12-31T23:00:00Z
  EXPECT_EQ(e.status, 304);
  EXPECT_EQ(e.bytes, 0);
  EXPECT_EQ(e.referer, "-");
  EXPECT_EQ(e.user_agent, "-");
}

TEST(AccessLogFormat, ApacheBackslashQuoteAndNginxHexEscapesAreUndone) {
  auto apache = parse_ok(
      compile(R"(apache:%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\")"),
      R"(10.0.0.1 - - [22/Nov/2026:10:15:32 +0000] "GET /a\"b HTTP/1.1" 200 5 "-" "Mozilla \"quoted\" \\ back")");
  EXPECT_EQ(apache.path, "/a\"b");
  EXPECT_EQ(apache.user_agent, "Mozilla \"quoted\" \\ back");
  auto nginx = parse_ok(
      compile("combined"),
      R"(10.0.0.2 - - [22/Nov/2026:10:15:32 +0000] "GET /x HTTP/1.1" 200 5 "-" "agent \x22with quotes\x22 \x5C")");
  EXPECT_EQ(nginx.user_agent, "agent \"with quotes\" \\");
}

TEST(AccessLogFormat, DashAndNonHttpRequestLinesAreValid) {
  auto f = compile("combined");
  auto dash = parse_ok(f, R"(10.0.0.3 - - [22/Nov/2026:10:15:32 +0000] "-" 400 0 "-" "-")");
  EXPECT_EQ(dash.method, "");
  EXPECT_EQ(dash.path, "");
  EXPECT_EQ(dash.status, 400);
  auto tls = parse_ok(
      f,
      R"(10.0.0.4 - - [22/Nov/2026:10:15:32 +0000] "\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03" 400 157 "-" "-")");
  EXPECT_EQ(tls.method, "");
  EXPECT_EQ(tls.request.substr(0, 3), "\x16\x03\x01");
  auto http09 =
      parse_ok(f, R"(10.0.0.5 - - [22/Nov/2026:10:15:32 +0000] "GET /old" 200 10 "-" "-")");
  EXPECT_EQ(http09.method, "GET");
  EXPECT_EQ(http09.path, "/old");
  EXPECT_EQ(http09.protocol, "");
}

TEST(AccessLogFormat, CustomNginxFormatWithIsoTimeMsecAndSplitRequestFields) {
  auto iso = parse_ok(
      compile(
          R"(nginx:$remote_addr [$time_iso8601] "$request_method $uri?$args $server_protocol" $status $bytes_sent rt=$request_time)"),
      R"(192.0.2.9 [2026-11-22T11:15:32+01:00] "POST /login?next=%2F HTTP/2.0" 201 33 rt=0.004)");
  EXPECT_EQ(iso.ts_ms, 1795342532000);
  EXPECT_EQ(iso.method, "POST");
  EXPECT_EQ(iso.path, "/login?next=%2F");
  EXPECT_EQ(iso.protocol, "HTTP/2.0");
  EXPECT_EQ(iso.status, 201);
  auto msec =
      parse_ok(compile("nginx:${msec} ${remote_addr} ${status}"), "1795342532.123 192.0.2.10 204");
  EXPECT_EQ(msec.ts_ms, 1795342532123);
  EXPECT_EQ(msec.client_ip, "192.0.2.10");
}

// Found by fuzz/access_log_fuzz.cc: seconds × 1000 overflowed int64 (undefined behaviour; a
// garbage time was accepted), and a '-' made "-1.500" the time -0.5 s.
TEST(AccessLogFormat, MsecOutOfRangeOrNegativeIsNotATime) {
  auto f = compile("nginx:${msec} ${remote_addr} ${status}");
  EXPECT_NE(parse_error(f, "8612933377076028303.000 192.0.2.10 204").find("not a time"),
            std::string::npos);
  EXPECT_NE(parse_error(f, "9223372036854775.808 192.0.2.10 204").find("not a time"),
            std::string::npos);
  EXPECT_NE(parse_error(f, "-1.500 192.0.2.10 204").find("not a time"), std::string::npos);
  EXPECT_EQ(parse_ok(f, "9223372036854775.807 192.0.2.10 204").ts_ms, INT64_MAX);
  EXPECT_EQ(parse_ok(f, "0 192.0.2.10 204").ts_ms, 0);
}

TEST(AccessLogFormat, ApacheConditionsAndQueryDirectivesAreUnderstood) {
  auto e = parse_ok(
      compile(R"(apache:%a %t "%m %U%q %H" %>s %B %400,501{User-agent}i %D)"),
      R"(198.51.100.1 [22/Nov/2026:10:15:32 +0000] "DELETE /items/9?force=1 HTTP/1.1" 204 0 - 1234)");
  EXPECT_EQ(e.method, "DELETE");
  EXPECT_EQ(e.path, "/items/9?force=1");
  EXPECT_EQ(e.status, 204);
  auto n = parse_ok(compile(R"(nginx:$remote_addr "$request_method $uri$is_args$args" $status)"),
                    R"(198.51.100.2 "GET /search?q=kafka" 200)");
  EXPECT_EQ(n.path, "/search?q=kafka");
}

TEST(AccessLogFormat, BadFormatsAreRefusedNamingThePlace) {
  std::string error;
  EXPECT_FALSE(AccessLogFormat::compile("json", &error));
  EXPECT_NE(error.find("expected combined, common, nginx:<log_format> or apache:<LogFormat>"),
            std::string::npos)
      << error;
  EXPECT_FALSE(AccessLogFormat::compile("nginx:$remote_addr$status", &error));
  EXPECT_NE(error.find("at 13: \"$status\" directly follows \"$remote_addr\""), std::string::npos)
      << error;
  EXPECT_FALSE(AccessLogFormat::compile("nginx:$remote_addr - $request", &error));
  EXPECT_NE(error.find("needs the client address ($remote_addr) and the status ($status)"),
            std::string::npos)
      << error;
  EXPECT_FALSE(AccessLogFormat::compile("apache:%h %{%d/%m}t %>s", &error));
  EXPECT_NE(error.find("a custom time format cannot be read back"), std::string::npos) << error;
  EXPECT_FALSE(AccessLogFormat::compile("nginx:${remote_addr %s", &error));
  EXPECT_NE(error.find("without a closing"), std::string::npos) << error;
}

TEST(AccessLogFormat, LinesThatDoNotMatchSayWhere) {
  auto f = compile("combined");
  EXPECT_NE(
      parse_error(f, "").find("$remote_addr: the line ends before the \" - \" that follows it"),
      std::string::npos);
  EXPECT_NE(
      parse_error(f, R"(1.2.3.4 - - [22/Nov/2026:10:15:32 +0000] "GET / HTTP/1.1" 2x0 5 "-" "-")")
          .find("$status \"2x0\": expected a 3-digit HTTP status"),
      std::string::npos);
  EXPECT_NE(
      parse_error(f, R"(1.2.3.4 - - [32/Nov/2026:10:15:32 +0000] "GET / HTTP/1.1" 200 5 "-" "-")")
          .find("$time_local \"32/Nov/2026:10:15:32 +0000\": not a time"),
      std::string::npos);
  EXPECT_NE(
      parse_error(f, R"(1.2.3.4 - - [22/Nov/2026:10:15:32 +0000] "GET / HTTP/1.1" 200 5 "-" "curl)")
          .find("$http_user_agent: no closing quote"),
      std::string::npos);
  EXPECT_NE(
      parse_error(
          f, R"(1.2.3.4 - - [22/Nov/2026:10:15:32 +0000] "GET / HTTP/1.1" 200 5 "-" "-" extra)")
          .find("unexpected text after the format's end"),
      std::string::npos);
  EXPECT_NE(parse_error(f, "1.2.3.4 garbage").find("at column 8: expected \" - \""),
            std::string::npos)
      << parse_error(f, "1.2.3.4 garbage");
}

TEST(AccessLogFormat, ClfTimeHandlesOffsetsAndRejectsMalformedText) {
  EXPECT_EQ(parse_clf_time("22/Nov/2026:10:15:32 +0000"), 1795342532000);
  EXPECT_EQ(parse_clf_time("22/Nov/2026:05:15:32 -0500"), 1795342532000);
  EXPECT_EQ(parse_clf_time("29/Feb/2024:00:00:00 +0000"), 1709164800000);
  EXPECT_FALSE(parse_clf_time("22/Foo/2026:10:15:32 +0000"));
  EXPECT_FALSE(parse_clf_time("22/Nov/2026 10:15:32 +0000"));
  EXPECT_FALSE(parse_clf_time("22/Nov/2026:10:15:32"));
}

TEST(HttpRecord, EncodesTheArchitectureSchemaAndKeepsJsonValidForAnyBytes) {
  auto f = compile("combined");
  auto e = parse_ok(
      f,
      R"(203.0.113.7 - - [22/Nov/2026:10:15:32 +0000] "GET /api/orders HTTP/1.1" 502 512 "-" "curl/8.0")");
  std::string out;
  append_http_record(&out, "web-1", "/var/log/nginx/access.log", e.ts_ms, e);
  EXPECT_EQ(
      out,
      R"({"v":1,"host":"web-1","source":"/var/log/nginx/access.log","ts":1795342532000,"client_ip":"203.0.113.7",)"
      R"("method":"GET","path":"/api/orders","protocol":"HTTP/1.1","status":502,"bytes":512,"referer":"-","user_agent":"curl/8.0"})");
  auto odd = parse_ok(
      f,
      R"(10.0.0.4 - - [22/Nov/2026:10:15:32 +0000] "\x16\x03\xFF\xFE" 400 0 "-" "caf\xC3\xA9 \xC3")");
  out.clear();
  append_http_record(&out, "web-1", "access.log", odd.ts_ms, odd);
  auto j = nlohmann::json::parse(out, nullptr, false);  // throws nothing, validates UTF-8
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j["request"], "\x16\x03\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(j["user_agent"], "caf\xC3\xA9 \xEF\xBF\xBD");
  EXPECT_EQ(j["method"], "");
}

}  // namespace
}  // namespace sentinel::agent

// The http_logs record: the encoder (the architecture's schema exactly, the same bytes as a JSON
// library writes for ASCII fields, bytes that are not UTF-8) and the simdjson reader (fields,
// IPv6 clients, absent and wrong-typed fields, a round trip).
#include "records/http_logs.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sentinel::records {
namespace {

HttpLogFields request_fields() {
  HttpLogFields f;
  f.host = "web-1";
  f.source = "/var/log/nginx/access.log";
  f.ts_ms = 1795316156734;
  f.client_ip = "203.0.113.7";
  f.method = "GET";
  f.path = "/api/orders?id=\"7\"";
  f.protocol = "HTTP/1.1";
  f.status = 502;
  f.bytes = 512;
  f.referer = "-";
  f.user_agent = "curl/8.0";
  return f;
}

TEST(HttpLogsEncoding, EncodesTheArchitectureSchemaExactly) {
  std::string out;
  append_http_logs(&out, request_fields());
  EXPECT_EQ(out, R"({"v":1,"host":"web-1","source":"/var/log/nginx/access.log","ts":1795316156734,)"
                 R"("client_ip":"203.0.113.7","method":"GET","path":"/api/orders?id=\"7\"",)"
                 R"("protocol":"HTTP/1.1","status":502,"bytes":512,"referer":"-",)"
                 R"("user_agent":"curl/8.0"})");
}

// sentinel-loggen wrote its records with nlohmann_json before it used this encoder: for the
// fields it writes, the bytes on the wire are the same.
TEST(HttpLogsEncoding, SameBytesAsAJsonLibraryForLoggensFields) {
  HttpLogFields f = request_fields();
  f.source = "sentinel-loggen";
  f.user_agent = "Mozilla/5.0 (X11; Linux x86_64) caf\xC3\xA9 \\ \t";
  nlohmann::ordered_json j;
  j["v"] = 1;
  j["host"] = f.host;
  j["source"] = f.source;
  j["ts"] = f.ts_ms;
  j["client_ip"] = f.client_ip;
  j["method"] = f.method;
  j["path"] = f.path;
  j["protocol"] = f.protocol;
  j["status"] = f.status;
  j["bytes"] = f.bytes;
  j["referer"] = f.referer;
  j["user_agent"] = f.user_agent;
  std::string out;
  append_http_logs(&out, f);
  EXPECT_EQ(out, j.dump());
}

TEST(HttpLogsEncoding, RequestIsWrittenOnlyWhenThereIsOne) {
  HttpLogFields f = request_fields();
  f.method = {};
  f.request = "\x16\x03";
  std::string out;
  append_http_logs(&out, f);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["request"], "\x16\x03");
  out.clear();
  append_http_logs(&out, request_fields());
  EXPECT_FALSE(nlohmann::json::parse(out).contains("request"));
}

TEST(HttpLogsEncoding, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  HttpLogFields f = request_fields();
  f.path = "/caf\xC3\xA9/\xFF\xC3";
  std::string out;
  append_http_logs(&out, f);
  auto j = nlohmann::json::parse(out, nullptr, false);  // validates UTF-8
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j["path"], "/caf\xC3\xA9/\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(HttpLogsEncoding, TheReaderReadsBackWhatTheEncoderWrites) {
  std::string out;
  append_http_logs(&out, request_fields());
  HttpRecordParser p;
  HttpRecord r;
  std::string error;
  ASSERT_TRUE(p.parse(out, &r, &error)) << error;
  EXPECT_EQ(r.host, "web-1");
  EXPECT_EQ(r.client_ip, "203.0.113.7");
  EXPECT_EQ(r.path, "/api/orders?id=\"7\"");
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(r.ts, 1795316156734);
}

TEST(HttpRecordParser, ReadsTheAgentRecord) {
  HttpRecordParser p;
  HttpRecord r;
  std::string error;
  ASSERT_TRUE(p.parse(R"({"v":1,"host":"web-1","source":"/var/log/nginx/access.log",)"
                      R"("ts":1795316156734,"client_ip":"203.0.113.7","method":"GET",)"
                      R"("path":"/api/orders?id=7","protocol":"HTTP/1.1","status":502,"bytes":512,)"
                      R"("referer":"-","user_agent":"curl/8.0"})",
                      &r, &error))
      << error;
  EXPECT_EQ(r.host, "web-1");
  EXPECT_EQ(r.client_ip, "203.0.113.7");
  EXPECT_EQ(r.path, "/api/orders?id=7");
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(r.ts, 1795316156734);
}

TEST(HttpRecordParser, ReadsAnIpv6Client) {
  HttpRecordParser p;
  HttpRecord r;
  std::string error;
  ASSERT_TRUE(
      p.parse(R"({"host":"h","ts":1,"status":200,"client_ip":"2001:db8::17:ff"})", &r, &error))
      << error;
  EXPECT_EQ(r.client_ip, "2001:db8::17:ff");
}

TEST(HttpRecordParser, ClientIpAndPathMayBeAbsent) {
  HttpRecordParser p;
  HttpRecord r;
  std::string error;
  ASSERT_TRUE(p.parse(R"({"host":"h","ts":5,"status":404})", &r, &error)) << error;
  EXPECT_TRUE(r.client_ip.empty());
  EXPECT_TRUE(r.path.empty());
  EXPECT_EQ(r.status, 404);
}

TEST(HttpRecordParser, MissingOrWrongTypedFieldsAreNamed) {
  HttpRecordParser p;
  HttpRecord r;
  std::string error;
  EXPECT_FALSE(p.parse(R"({"ts":1,"status":200})", &r, &error));
  EXPECT_EQ(error, "field host: missing");
  EXPECT_FALSE(p.parse(R"({"host":"h","status":200})", &r, &error));
  EXPECT_EQ(error, "field ts: missing");
  EXPECT_FALSE(p.parse(R"({"host":"h","ts":1})", &r, &error));
  EXPECT_EQ(error, "field status: missing");
  EXPECT_FALSE(p.parse(R"({"host":"h","ts":1,"status":"500"})", &r, &error));
  EXPECT_EQ(error, "field status: expected an integer");
  EXPECT_FALSE(p.parse(R"({"host":"h","ts":1,"status":500.5})", &r, &error));
  EXPECT_EQ(error, "field status: expected an integer");
  EXPECT_FALSE(p.parse(R"({"host":7,"ts":1,"status":500})", &r, &error));
  EXPECT_EQ(error, "field host: expected a string");
  EXPECT_FALSE(p.parse(R"({"host":"h","ts":"now","status":500})", &r, &error));
  EXPECT_EQ(error, "field ts: expected milliseconds since the epoch");
  EXPECT_FALSE(p.parse(R"({"host":"h","ts":1,"status":500,"client_ip":4})", &r, &error));
  EXPECT_EQ(error, "field client_ip: expected a string");
  EXPECT_FALSE(p.parse(R"({"host":"h","ts":1,"status":500,"path":["/"]})", &r, &error));
  EXPECT_EQ(error, "field path: expected a string");
}

// Seen while writing fuzz/http_logs_record_fuzz.cc: a ts beyond int64 was converted with
// static_cast, which is undefined (x86 gives INT64_MIN: the record was accepted, far in the past).
TEST(HttpRecordParser, TimeOutsideInt64IsRefusedNotConverted) {
  HttpRecordParser p;
  HttpRecord r;
  std::string error;
  for (std::string ts : {"1e300", "-1e19", "9223372036854775808", "18446744073709551615"}) {
    EXPECT_FALSE(p.parse(R"({"host":"h","status":200,"ts":)" + ts + "}", &r, &error)) << ts;
    EXPECT_EQ(error, "field ts: expected milliseconds since the epoch") << ts;
  }
  ASSERT_TRUE(p.parse(R"({"host":"h","status":200,"ts":5.5})", &r, &error)) << error;
  EXPECT_EQ(r.ts, 5);
}

TEST(HttpRecordParser, GarbageIsRejected) {
  HttpRecordParser p;
  HttpRecord r;
  std::string error;
  EXPECT_FALSE(p.parse("", &r, &error));
  EXPECT_FALSE(p.parse("GET / HTTP/1.1 200", &r, &error));
  EXPECT_EQ(error, "not JSON");
  EXPECT_FALSE(p.parse(R"({"host":"h","ts":1,"status":200)", &r, &error));
  EXPECT_EQ(error, "not JSON");
  EXPECT_FALSE(p.parse("[1,2]", &r, &error));
  EXPECT_EQ(error, "expected a JSON object");
  std::string binary("\x00\xff\xfe{", 4);
  EXPECT_FALSE(p.parse(binary, &r, &error));
  // The parser is still usable afterwards.
  EXPECT_TRUE(p.parse(R"({"host":"h","ts":1,"status":200})", &r, &error)) << error;
}

TEST(HttpRecordParser, LargeRecordAfterSmallOnesIsRead) {
  HttpRecordParser p;
  HttpRecord r;
  std::string error;
  ASSERT_TRUE(p.parse(R"({"host":"h","ts":1,"status":200})", &r, &error));
  std::string path = "/" + std::string(20000, 'a');
  std::string big = R"({"host":"h","ts":2,"status":503,"path":")" + path + R"("})";
  ASSERT_TRUE(p.parse(big, &r, &error)) << error;
  EXPECT_EQ(r.path, path);
  EXPECT_EQ(r.status, 503);
}

}  // namespace
}  // namespace sentinel::records

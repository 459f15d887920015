// Combined-format lines and http_logs records: exact syntax for every generated line.
#include "tools/loggen/combined.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "tests/support/build_paths.h"
#include "tools/loggen/record.h"

namespace sentinel::loggen {
namespace {

Request sample() {
  Request r;
  r.ts_ms = 1795342532250;  // 2026-11-22T10:15:32.250Z
  r.client_ip = "203.0.113.7";
  r.method = "GET";
  r.path = "/api/orders/123?x=1";
  r.protocol = "HTTP/1.1";
  r.status = 502;
  r.bytes = 512;
  r.referer = "-";
  r.user_agent = "curl/8.0";
  return r;
}

TEST(Combined, LineIsApacheCombinedFormatExactly) {
  std::string line;
  append_combined_line(sample(), &line);
  EXPECT_EQ(line,
            "203.0.113.7 - - [22/Nov/2026:10:15:32 +0000] \"GET /api/orders/123?x=1 HTTP/1.1\" "
            "502 512 \"-\" \"curl/8.0\"\n");
}

TEST(Combined, TimeIsUtcWithPaddedFields) {
  EXPECT_EQ(format_clf_time(0), "01/Jan/1970:00:00:00 +0000");
  EXPECT_EQ(format_clf_time(1709251199999), "29/Feb/2024:23:59:59 +0000");
}

TEST(Combined, EveryGeneratedLineMatchesTheCombinedFormat) {
  static const std::regex kCombined(
      R"re(^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}) - - )re"
      R"re(\[\d{2}/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] )re"
      R"re("(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /[^ "]* HTTP/(1\.1|2\.0)" )re"
      R"re([1-5]\d\d \d+ "[^"]*" "[^"]+"$)re");
  Scenario s = load_scenario(sentinel::test::source_dir() + "/config/loggen/demo.yaml");
  Traffic t(s, 3, 1795316156734);
  std::string text;
  while (t.next_offset_us() < 90LL * 1000000) append_combined_line(t.next(), &text);
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, kCombined)) << "line " << n + 1 << ": " << line;
    for (int octet = 1; octet <= 4; ++octet) ASSERT_LE(std::stoi(m[octet]), 255) << line;
    ++n;
  }
  EXPECT_GT(n, 4000);
  EXPECT_EQ(text.back(), '\n');
}

TEST(Record, HttpLogsRecordHasTheSchemaFields) {
  auto j = nlohmann::json::parse(http_log_record(sample(), "web-1"));
  EXPECT_EQ(j["v"], 1);
  EXPECT_EQ(j["host"], "web-1");
  EXPECT_EQ(j["source"], "sentinel-loggen");
  EXPECT_EQ(j["ts"], 1795342532250);
  EXPECT_EQ(j["client_ip"], "203.0.113.7");
  EXPECT_EQ(j["method"], "GET");
  EXPECT_EQ(j["path"], "/api/orders/123?x=1");
  EXPECT_EQ(j["protocol"], "HTTP/1.1");
  EXPECT_EQ(j["status"], 502);
  EXPECT_EQ(j["bytes"], 512);
  EXPECT_EQ(j["referer"], "-");
  EXPECT_EQ(j["user_agent"], "curl/8.0");
  EXPECT_EQ(j.size(), 12u);
}

}  // namespace
}  // namespace sentinel::loggen

// The system_metrics record: the architecture's schema exactly, escaping, non-finite values and
// keys (the encoder), and the simdjson reader: fields, tags, metrics, bad input and a round trip.
#include "records/system_metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace sentinel::records {
namespace {

// A sample as the agent's collectors make one.
struct Sample {
  std::string resource;
  std::vector<std::pair<std::string, std::string>> tags;
  std::vector<std::pair<std::string, double>> metrics;
};

void append_record(std::string* out, std::string_view host, int64_t ts_ms, const Sample& s) {
  append_system_metrics(out, host, s.resource, ts_ms, s.tags, s.metrics);
}

std::string record_key(KeyMode mode, std::string_view host, const Sample& s) {
  return system_metrics_key(mode, host, s.resource);
}

TEST(SystemMetricsEncoding, EncodesTheArchitectureSchemaExactly) {
  Sample s{"cpu", {{"cpu", "total"}}, {{"usage_pct", 12.5}, {"steal_pct", 0.0}}};
  std::string out;
  append_record(&out, "web-1", 1795316156734, s);
  EXPECT_EQ(out,
            R"({"v":1,"host":"web-1","resource":"cpu","ts":1795316156734,"tags":{"cpu":"total"},)"
            R"("metrics":{"usage_pct":12.5,"steal_pct":0}})");
}

TEST(SystemMetricsEncoding, EscapesStringsAndReadsBackAsJson) {
  Sample s{
      "disk", {{"mount", "/media/usb \"stick\"\t\\x\x01"}}, {{"total_bytes", 1099511627776.0}}};
  std::string out;
  append_record(&out, "h\n", 1, s);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["host"], "h\n");
  EXPECT_EQ(j["tags"]["mount"], "/media/usb \"stick\"\t\\x\x01");
  EXPECT_EQ(j["metrics"]["total_bytes"].get<int64_t>(), 1099511627776);
}

TEST(SystemMetricsEncoding, NonFiniteValuesAreLeftOutSoTheJsonStaysValid) {
  Sample s{"load",
           {},
           {{"a", std::nan("")}, {"b", 1.25}, {"c", std::numeric_limits<double>::infinity()}}};
  std::string out;
  append_record(&out, "h", 1, s);
  auto j = nlohmann::json::parse(out);
  EXPECT_FALSE(j["metrics"].contains("a"));
  EXPECT_FALSE(j["metrics"].contains("c"));
  EXPECT_EQ(j["metrics"]["b"], 1.25);
}

TEST(SystemMetricsEncoding, KeysFollowTheSelectedMode) {
  Sample s{"memory", {}, {}};
  EXPECT_EQ(record_key(KeyMode::kResource, "web-1", s), "memory");
  EXPECT_EQ(record_key(KeyMode::kHost, "web-1", s), "web-1");
  EXPECT_EQ(record_key(KeyMode::kHostResource, "web-1", s), "web-1/memory");
}

TEST(SystemMetricsEncoding, TheReaderReadsBackWhatTheEncoderWrites) {
  Sample s{
      "disk", {{"mount", "/"}, {"device", "sda1"}}, {{"used_pct", 41.5}, {"free_bytes", 1e12}}};
  std::string out;
  append_record(&out, "web-1", 1795316156734, s);
  MetricParser p;
  MetricRecord r;
  std::string error;
  ASSERT_TRUE(p.parse(out, &r, &error)) << error;
  EXPECT_EQ(r.host, "web-1");
  EXPECT_EQ(r.resource, "disk");
  EXPECT_EQ(r.ts, 1795316156734);
  EXPECT_EQ(r.tag("mount"), "/");
  EXPECT_EQ(r.tag("device"), "sda1");
  ASSERT_EQ(r.metrics.size(), 2u);
  EXPECT_DOUBLE_EQ(*r.metric("used_pct"), 41.5);
  EXPECT_DOUBLE_EQ(*r.metric("free_bytes"), 1e12);
}

TEST(MetricRecordParser, ReadsTheAgentRecord) {
  MetricParser p;
  MetricRecord r;
  std::string error;
  ASSERT_TRUE(
      p.parse(R"({"v":1,"host":"web-1","resource":"cpu","ts":1795316156734,)"
              R"("tags":{"cpu":"total"},"metrics":{"usage_pct":12.5,"steal_pct":0,"x":null}})",
              &r, &error))
      << error;
  EXPECT_EQ(r.host, "web-1");
  EXPECT_EQ(r.resource, "cpu");
  EXPECT_EQ(r.ts, 1795316156734);
  EXPECT_EQ(r.tag("cpu"), "total");
  ASSERT_NE(r.metric("usage_pct"), nullptr);
  EXPECT_DOUBLE_EQ(*r.metric("usage_pct"), 12.5);
  EXPECT_DOUBLE_EQ(*r.metric("steal_pct"), 0);
  EXPECT_EQ(r.metric("x"), nullptr);
}

TEST(MetricRecordParser, BadRecordsAreRejectedWithTheReason) {
  MetricParser p;
  MetricRecord r;
  std::string error;
  EXPECT_FALSE(p.parse("not json", &r, &error));
  EXPECT_FALSE(p.parse(R"({"host":"a","resource":"cpu"})", &r, &error));
  EXPECT_EQ(error, "field ts: missing");
  EXPECT_FALSE(p.parse(R"({"host":1,"resource":"cpu","ts":1})", &r, &error));
  EXPECT_EQ(error, "field host: expected a string");
  EXPECT_FALSE(p.parse(R"({"host":"a","resource":"cpu","ts":1,"metrics":[1]})", &r, &error));
  EXPECT_EQ(error, "field metrics: expected an object");
}

TEST(MetricRecordParser, LargeRecordAfterSmallOnesIsRead) {
  MetricParser p;
  MetricRecord r;
  std::string error;
  std::string big = R"({"host":"h","resource":"network","ts":5,"tags":{"interface":")" +
                    std::string(10000, 'e') + R"("},"metrics":{"rx":1}})";
  ASSERT_TRUE(p.parse(big, &r, &error)) << error;
  EXPECT_EQ(r.tag("interface").size(), 10000u);
}

// Seen while writing fuzz/metric_record_fuzz.cc: a ts beyond int64 was converted with
// static_cast, which is undefined (x86 gives INT64_MIN: the record was accepted, far in the past).
TEST(MetricRecordParser, TimeOutsideInt64IsRefusedNotConverted) {
  MetricParser p;
  MetricRecord r;
  std::string error;
  for (std::string ts : {"1e300", "-1e19", "9223372036854775808", "18446744073709551615"}) {
    EXPECT_FALSE(p.parse(R"({"host":"a","resource":"cpu","ts":)" + ts + "}", &r, &error)) << ts;
    EXPECT_EQ(error, "field ts: expected milliseconds since the epoch") << ts;
  }
  ASSERT_TRUE(p.parse(R"({"host":"a","resource":"cpu","ts":1795316156734.9})", &r, &error))
      << error;
  EXPECT_EQ(r.ts, 1795316156734);  // a fraction is still truncated
  ASSERT_TRUE(p.parse(R"({"host":"a","resource":"cpu","ts":-9223372036854775808})", &r, &error));
  EXPECT_EQ(r.ts, INT64_MIN);
}

}  // namespace
}  // namespace sentinel::records

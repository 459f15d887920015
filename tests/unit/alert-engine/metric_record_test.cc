// The simdjson reader of system_metrics records: fields, tags, metrics and bad input.
#include <gtest/gtest.h>

#include "alert-engine/metric_record.h"

namespace sentinel::alerts {
namespace {

TEST(MetricRecordParser, ReadsTheAgentRecord) {
  MetricParser p;
  MetricRecord r;
  std::string error;
  ASSERT_TRUE(p.parse(R"({"v":1,"host":"web-1","resource":"cpu","ts":1795316156734,)"
                      R"("tags":{"cpu":"total"},"metrics":{"usage_pct":12.5,"steal_pct":0,"x":null}})",
                      &r, &error)) << error;
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
}  // namespace sentinel::alerts

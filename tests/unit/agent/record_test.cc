// The system_metrics record encoding and keys.
#include "agent/record.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

namespace sentinel::agent {
namespace {

TEST(Record, EncodesTheArchitectureSchemaExactly) {
  Sample s{"cpu", {{"cpu", "total"}}, {{"usage_pct", 12.5}, {"steal_pct", 0.0}}};
  std::string out;
  append_record(&out, "web-1", 1795316156734, s);
  EXPECT_EQ(out,
            R"({"v":1,"host":"web-1","resource":"cpu","ts":1795316156734,"tags":{"cpu":"total"},)"
            R"("metrics":{"usage_pct":12.5,"steal_pct":0}})");
}

TEST(Record, EscapesStringsAndReadsBackAsJson) {
  Sample s{"disk", {{"mount", "/media/usb \"stick\"\t\\x\x01"}}, {{"total_bytes", 1099511627776.0}}};
  std::string out;
  append_record(&out, "h\n", 1, s);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["host"], "h\n");
  EXPECT_EQ(j["tags"]["mount"], "/media/usb \"stick\"\t\\x\x01");
  EXPECT_EQ(j["metrics"]["total_bytes"].get<int64_t>(), 1099511627776);
}

TEST(Record, NonFiniteValuesAreLeftOutSoTheJsonStaysValid) {
  Sample s{"load", {}, {{"a", std::nan("")}, {"b", 1.25}, {"c", std::numeric_limits<double>::infinity()}}};
  std::string out;
  append_record(&out, "h", 1, s);
  auto j = nlohmann::json::parse(out);
  EXPECT_FALSE(j["metrics"].contains("a"));
  EXPECT_FALSE(j["metrics"].contains("c"));
  EXPECT_EQ(j["metrics"]["b"], 1.25);
}

TEST(Record, KeysFollowTheSelectedMode) {
  Sample s{"memory", {}, {}};
  EXPECT_EQ(record_key(KeyMode::kResource, "web-1", s), "memory");
  EXPECT_EQ(record_key(KeyMode::kHost, "web-1", s), "web-1");
  EXPECT_EQ(record_key(KeyMode::kHostResource, "web-1", s), "web-1/memory");
}

}  // namespace
}  // namespace sentinel::agent

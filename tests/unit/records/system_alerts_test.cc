// The system_alerts record: the architecture's schema exactly, a round trip through the decoder
// (the engine's recovery and the dashboard read it), the alert id, and records that are not
// alerts, named by field.
#include "records/system_alerts.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace sentinel::records {
namespace {

TEST(AlertRecord, EncodesTheArchitectureSchema) {
  AlertRecord a;
  a.id = "cpu_high/host=web-1";
  a.rule = "cpu_high";
  a.severity = "critical";
  a.labels = {{"host", "web-1"}, {"resource", "cpu"}};
  a.value = 97.3;
  a.threshold = 90;
  a.window_start = 1795316100000;
  a.window_end = 1795316160000;
  a.agg = "avg";
  a.since = 1795316160000;
  a.ts = 1795316160012;
  a.summary = "s";
  EXPECT_EQ(encode_alert(a),
            "{\"v\":1,\"id\":\"cpu_high/host=web-1\",\"rule\":\"cpu_high\",\"state\":\"firing\","
            "\"severity\":\"critical\",\"labels\":{\"host\":\"web-1\",\"resource\":\"cpu\"},"
            "\"value\":97.3,\"threshold\":90.0,\"window\":{\"start\":1795316100000,\"end\":"
            "1795316160000,\"agg\":\"avg\"},\"since\":1795316160000,\"ts\":1795316160012,"
            "\"summary\":\"s\"}");
}

TEST(AlertRecord, ReadsBackWhatItWrites) {
  AlertRecord a;
  a.id = "disk_full/host=web-1,mount=/";
  a.rule = "disk_full";
  a.firing = false;
  a.labels = {{"host", "web-1"}, {"mount", "/"}, {"resource", "disk"}};
  a.value = std::nan("");
  a.window_start = 1000;
  a.window_end = 61000;
  a.since = 61000;
  a.flapping = true;
  std::string text = encode_alert(a);
  auto j = nlohmann::json::parse(text);
  EXPECT_TRUE(j["value"].is_null());  // NaN has no JSON form
  EXPECT_EQ(j["flapping"], true);
  std::string error;
  auto r = decode_alert(text, &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->id, a.id);
  EXPECT_FALSE(r->firing);
  EXPECT_EQ(r->since, 61000);
  EXPECT_EQ(r->window_start, 1000);
  EXPECT_EQ(r->window_end, 61000);
  EXPECT_EQ(r->labels, (std::map<std::string, std::string>{
                           {"host", "web-1"}, {"mount", "/"}, {"resource", "disk"}}));
}

TEST(AlertRecord, InvalidUtf8IsReplacedNotThrown) {
  AlertRecord a;
  a.id = "r/host=\xff";
  a.labels = {{"host", "bad\xff"}};
  std::string text = encode_alert(a);
  auto j = nlohmann::json::parse(text, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << text;
  EXPECT_EQ(j["labels"]["host"], "bad\xEF\xBF\xBD");
}

TEST(AlertId, RuleThenLabelsInGroupByOrder) {
  std::string id;
  append_alert_id(&id, "disk_full", {{"host", "web-1"}, {"mount", "/"}});
  EXPECT_EQ(id, "disk_full/host=web-1,mount=/");
}

TEST(AlertRecord, RecordsThatAreNotAlertsAreRefusedByField) {
  std::string error;
  EXPECT_FALSE(decode_alert("{", &error));
  EXPECT_EQ(error, "not JSON");
  EXPECT_FALSE(decode_alert("[1]", &error));
  EXPECT_EQ(error, "expected a JSON object");
  EXPECT_FALSE(decode_alert(R"({"state":"firing"})", &error));
  EXPECT_EQ(error, "field id: expected a string");
  EXPECT_FALSE(decode_alert(R"({"id":7,"state":"firing"})", &error));
  EXPECT_EQ(error, "field id: expected a string");
  EXPECT_FALSE(decode_alert(R"({"id":"x"})", &error));
  EXPECT_EQ(error, "field state: expected \"firing\" or \"resolved\"");
  EXPECT_FALSE(decode_alert(R"({"id":"x","state":"maybe"})", &error));
  EXPECT_EQ(error, "field state: expected \"firing\" or \"resolved\", got \"maybe\"");
  // Optional fields of the wrong type are left at their defaults, not refused.
  auto r = decode_alert(R"({"id":"x","state":"firing","since":"soon","labels":{"a":1,"b":"c"}})",
                        &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->since, 0);
  EXPECT_EQ(r->labels, (std::map<std::string, std::string>{{"b", "c"}}));
}

TEST(AlertRecord, AParsedRecordIsReadAsItsText) {
  std::string error;
  auto r = decode_alert_object(nlohmann::json::parse(R"({"id":"x","state":"resolved"})"), &error);
  ASSERT_TRUE(r) << error;
  EXPECT_FALSE(r->firing);
  EXPECT_FALSE(decode_alert_object(nlohmann::json::parse(R"("x")"), &error));
  EXPECT_EQ(error, "expected a JSON object");
}

}  // namespace
}  // namespace sentinel::records

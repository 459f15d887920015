// The thresholds file: the original form, the richer form, look-up precedence, errors with JSON
// paths, and the round trip through thresholds_to_json (the atomic write: tests/unit/common).
#include "alert-engine/thresholds_file.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/config.h"
#include "tests/support/process.h"

namespace sentinel::alerts {
namespace {

using sentinel::test::read_file;
using sentinel::test::TempDir;
using sentinel::test::write_file;

std::string error_of(std::string_view text) {
  try {
    parse_thresholds(text, "thresholds.json");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Thresholds, OriginalFormAppliesToBothClasses) {
  Thresholds t = parse_thresholds(R"({"global": 0.1, "ip": 0.3, "url": 0.5})", "t.json");
  EXPECT_EQ(t.source, "t.json");
  EXPECT_EQ(t.lookup(Dimension::kGlobal, StatusClass::k5xx, "web-1"), 0.1);
  EXPECT_EQ(t.lookup(Dimension::kGlobal, StatusClass::k4xx, "web-1"), 0.1);
  EXPECT_EQ(t.lookup(Dimension::kIp, StatusClass::k5xx, "10.0.0.1"), 0.3);
  EXPECT_EQ(t.lookup(Dimension::kIp, StatusClass::k4xx, "10.0.0.1"), 0.3);
  EXPECT_EQ(t.lookup(Dimension::kUrl, StatusClass::k5xx, "/a"), 0.5);
  EXPECT_EQ(t.lookup(Dimension::kUrl, StatusClass::k4xx, "/a"), 0.5);
  EXPECT_TRUE(t.url.keys.empty());
}

TEST(Thresholds, RichFormWithOverrides) {
  Thresholds t = parse_thresholds(R"({
    "global": {"5xx": 0.05, "4xx": 0.1, "keys": {"shop-1": {"5xx": 0.2}}},
    "ip":     {"5xx": 0.3, "4xx": 0.5, "keys": {"198.51.100.7": {"4xx": 0.95}, "10.0.0.9": 0.8}},
    "url":    {"5xx": 0.2, "keys": {"/health": {"5xx": 1.0}}},
    "_meta":  {"generated_by": "sentinel-thresholds", "anything": [1, 2]},
    "_comment": "ignored"})",
                                  "t.json");
  EXPECT_EQ(t.global.shares.err5xx, 0.05);
  EXPECT_EQ(t.global.shares.err4xx, 0.1);
  EXPECT_EQ(t.lookup(Dimension::kGlobal, StatusClass::k5xx, "shop-1"), 0.2);
  EXPECT_EQ(t.lookup(Dimension::kGlobal, StatusClass::k4xx, "shop-1"), 0.1);  // falls back
  EXPECT_EQ(t.lookup(Dimension::kGlobal, StatusClass::k5xx, "shop-2"), 0.05);
  EXPECT_EQ(t.lookup(Dimension::kIp, StatusClass::k4xx, "198.51.100.7"), 0.95);
  EXPECT_EQ(t.lookup(Dimension::kIp, StatusClass::k5xx, "198.51.100.7"), 0.3);
  EXPECT_EQ(t.lookup(Dimension::kIp, StatusClass::k5xx, "10.0.0.9"), 0.8);  // number: both
  EXPECT_EQ(t.lookup(Dimension::kIp, StatusClass::k4xx, "10.0.0.9"), 0.8);
  EXPECT_EQ(t.lookup(Dimension::kUrl, StatusClass::k5xx, "/health"), 1.0);
  // A class left out has no threshold, unless a key override gives one.
  EXPECT_EQ(t.lookup(Dimension::kUrl, StatusClass::k4xx, "/a"), std::nullopt);
  EXPECT_EQ(t.lookup(Dimension::kUrl, StatusClass::k4xx, "/health"), std::nullopt);
}

TEST(Thresholds, LeftOutDimensionHasNoThreshold) {
  Thresholds t = parse_thresholds(R"({"global": 0.1})", "t.json");
  EXPECT_EQ(t.lookup(Dimension::kIp, StatusClass::k5xx, "10.0.0.1"), std::nullopt);
  EXPECT_EQ(t.lookup(Dimension::kUrl, StatusClass::k4xx, "/"), std::nullopt);
  Thresholds empty = parse_thresholds("{}", "t.json");
  EXPECT_EQ(empty.lookup(Dimension::kGlobal, StatusClass::k5xx, "h"), std::nullopt);
}

TEST(Thresholds, OverrideWithoutDefaultApplies) {
  Thresholds t = parse_thresholds(R"({"ip": {"keys": {"10.0.0.9": {"5xx": 0.4}}}})", "t.json");
  EXPECT_EQ(t.lookup(Dimension::kIp, StatusClass::k5xx, "10.0.0.9"), 0.4);
  EXPECT_EQ(t.lookup(Dimension::kIp, StatusClass::k5xx, "10.0.0.8"), std::nullopt);
}

TEST(Thresholds, ErrorsNameTheSourceAndJsonPath) {
  EXPECT_EQ(error_of(R"({"ip": {"keys": {"10.0.0.9": {"5xx": 1.5}}}})"),
            "thresholds.json: ip.keys.10.0.0.9.5xx: expected a share between 0 and 1, got 1.5");
  EXPECT_EQ(error_of(R"({"global": -0.1})"),
            "thresholds.json: global: expected a share between 0 and 1, got -0.1");
  EXPECT_EQ(error_of(R"({"url": {"4xx": "0.5"}})"),
            "thresholds.json: url.4xx: expected a share between 0 and 1, got a string");
  EXPECT_EQ(error_of(R"({"url": true})"),
            "thresholds.json: url: expected a share or an object with 5xx, 4xx and keys, got a "
            "boolean");
  EXPECT_EQ(error_of(R"({"host": 0.1})"),
            "thresholds.json: host: unknown key: expected global, ip or url");
  EXPECT_EQ(error_of(R"({"ip": {"3xx": 0.1}})"),
            "thresholds.json: ip.3xx: unknown key: expected 5xx, 4xx or keys");
  EXPECT_EQ(error_of(R"({"ip": {"keys": {"a": {"keys": {}}}}})"),
            "thresholds.json: ip.keys.a.keys: unknown key: expected 5xx or 4xx");
  EXPECT_EQ(error_of(R"({"ip": {"keys": [1]}})"),
            "thresholds.json: ip.keys: expected an object, got an array");
  EXPECT_EQ(error_of(R"({"ip": {"keys": {"a": null}}})"),
            "thresholds.json: ip.keys.a: expected a share or an object with 5xx and 4xx, got null");
  EXPECT_EQ(error_of("[0.1]"),
            "thresholds.json: expected a JSON object with global, ip and url, got an array");
  EXPECT_EQ(error_of("{\"global\": 0.1,").rfind("thresholds.json: not valid JSON: ", 0), 0u);
  EXPECT_EQ(error_of("").rfind("thresholds.json: not valid JSON: ", 0), 0u);
}

TEST(Thresholds, BoundariesZeroAndOneAreAccepted) {
  Thresholds t =
      parse_thresholds(R"({"global": 0, "ip": 1, "url": {"5xx": 0.0, "4xx": 1.0}})", "t.json");
  EXPECT_EQ(t.global.shares.err5xx, 0.0);
  EXPECT_EQ(t.ip.shares.err4xx, 1.0);
}

TEST(Thresholds, RoundTripThroughToJsonIsEqual) {
  Thresholds t;
  t.global.shares = {0.05, 0.1};
  t.global.keys["shop-1"] = {0.2, std::nullopt};
  t.ip.shares = {0.3, 0.5};
  t.ip.keys["198.51.100.7"] = {std::nullopt, 0.95};
  t.ip.keys["2001:db8::1"] = {0.8, 0.8};
  t.url.shares = {0.123456789012345, std::nullopt};
  t.url.keys["/api/orders/{id}"] = {1.0, 0.0};
  std::string text = thresholds_to_json(t, R"({"generated_by":"test","window":"60s"})");
  Thresholds back = parse_thresholds(text, "again.json");
  EXPECT_EQ(back, t) << text;
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["_meta"]["generated_by"], "test");
  // Stable order: global, ip, url, then _meta; 5xx before 4xx.
  EXPECT_LT(text.find("\"global\""), text.find("\"ip\""));
  EXPECT_LT(text.find("\"ip\""), text.find("\"url\""));
  EXPECT_LT(text.find("\"url\""), text.find("\"_meta\""));
  EXPECT_LT(text.find("\"5xx\""), text.find("\"4xx\""));
  EXPECT_EQ(thresholds_to_json(t, R"({"generated_by":"test","window":"60s"})"), text);
}

TEST(Thresholds, ToJsonWithoutMetaHasNoMeta) {
  Thresholds t = parse_thresholds(R"({"global": 0.1, "ip": 0.3, "url": 0.5})", "t.json");
  std::string text = thresholds_to_json(t);
  EXPECT_EQ(text.find("_meta"), std::string::npos);
  EXPECT_EQ(parse_thresholds(text, "x"), t);
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["ip"]["5xx"], 0.3);
  EXPECT_EQ(j["ip"]["4xx"], 0.3);
}

TEST(Thresholds, EqualityComparesValuesNotSource) {
  Thresholds a = parse_thresholds(R"({"global": 0.1})", "a");
  Thresholds b = parse_thresholds(R"({"global": {"5xx": 0.1, "4xx": 0.1}})", "b");
  EXPECT_EQ(a, b);
  Thresholds c = parse_thresholds(R"({"global": {"5xx": 0.1}})", "c");
  EXPECT_FALSE(a == c);
  Thresholds d =
      parse_thresholds(R"({"global": {"5xx": 0.1, "4xx": 0.1, "keys": {"h": 0.2}}})", "d");
  EXPECT_FALSE(a == d);
}

TEST(Thresholds, LoadReadsAFileAndNamesAMissingOne) {
  TempDir dir;
  write_file(dir.file("t.json"), R"({"global": 0.25})");
  Thresholds t = load_thresholds(dir.file("t.json"));
  EXPECT_EQ(t.global.shares.err5xx, 0.25);
  EXPECT_EQ(t.source, dir.file("t.json"));
  try {
    load_thresholds(dir.file("missing.json"));
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(dir.file("missing.json")), std::string::npos) << e.what();
  }
  write_file(dir.file("bad.json"), R"({"global": 2})");
  try {
    load_thresholds(dir.file("bad.json"));
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              dir.file("bad.json") + ": global: expected a share between 0 and 1, got 2");
  }
}

}  // namespace
}  // namespace sentinel::alerts

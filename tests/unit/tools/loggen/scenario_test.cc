// Scenario YAML: the shipped demo, and errors that name the file, line and key.
#include "tools/loggen/scenario.h"

#include <gtest/gtest.h>

#include "tests/support/build_paths.h"

namespace sentinel::loggen {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string error_of(const std::string& text) {
  try {
    parse_scenario(text, "demo.yaml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

const char kAnomalies[] =
    "urls:\n"                       // 1
    "  - path: /api/orders/{id}\n"  // 2
    "  - path: /\n"                 // 3
    "anomalies:\n"                  // 4
    "  - type: outage\n"            // 5
    "    error_share: 0.5\n"        // 6
    "    start: 10s\n"              // 7
    "    duration: 5s\n";           // 8

TEST(Scenario, DemoParsesAndItsAnomaliesHappenWithinTheFirstMinute) {
  Scenario s = load_scenario(sentinel::test::source_dir() + "/config/loggen/demo.yaml");
  EXPECT_EQ(s.host, "web-1");
  EXPECT_GT(s.rate, 0);
  EXPECT_GE(s.urls.size(), 3u);
  ASSERT_EQ(s.anomalies.size(), 3u);
  EXPECT_EQ(s.anomalies[0].type, AnomalyType::kIpHammer);
  EXPECT_EQ(s.anomalies[1].type, AnomalyType::kUrlErrors);
  EXPECT_EQ(s.anomalies[2].type, AnomalyType::kOutage);
  for (const Anomaly& a : s.anomalies) EXPECT_LE(a.end(), seconds(60)) << anomaly_type_name(a.type);
}

TEST(Scenario, EveryKeyIsRead) {
  Scenario s = parse_scenario(
      "host: shop-2\nrate: 12.5\nduration: 2m\nclients:\n  count: 42\n  skew: 0.5\n"
      "errors:\n  4xx: 0.1\n  5xx: 0.05\n"
      "urls:\n  - path: /a/{id}\n    method: POST\n    weight: 3\n    ids: 7\n    bytes: 1KB\n"
      "anomalies:\n"
      "  - type: ip_hammer\n    ip: 192.0.2.9\n    rate: 30\n    error_share: 0.8\n"
      "    start: 5s\n    duration: 10s\n"
      "  - type: url_errors\n    path: /a/*\n    error_share: 0.4\n    start: 0s\n    duration: "
      "1m\n",
      "s.yaml");
  EXPECT_EQ(s.host, "shop-2");
  EXPECT_DOUBLE_EQ(s.rate, 12.5);
  EXPECT_EQ(s.duration, milliseconds(120000));
  EXPECT_EQ(s.clients, 42);
  EXPECT_DOUBLE_EQ(s.skew, 0.5);
  EXPECT_DOUBLE_EQ(s.error_4xx, 0.1);
  EXPECT_DOUBLE_EQ(s.error_5xx, 0.05);
  ASSERT_EQ(s.urls.size(), 1u);
  EXPECT_EQ(s.urls[0].method, "POST");
  EXPECT_EQ(s.urls[0].ids, 7);
  EXPECT_EQ(s.urls[0].bytes, 1024u);
  ASSERT_EQ(s.anomalies.size(), 2u);
  EXPECT_EQ(s.anomalies[0].ip, "192.0.2.9");
  EXPECT_DOUBLE_EQ(s.anomalies[0].rate, 30);
  EXPECT_EQ(s.anomalies[0].end(), seconds(15));
  EXPECT_TRUE(s.anomalies[1].matches("/a/{id}"));
  EXPECT_FALSE(s.anomalies[1].matches("/b"));
}

TEST(Scenario, BadAnomalyStartNamesFileLineIndexAndExpectation) {
  std::string text = kAnomalies;
  text += "  - type: outage\n    error_share: 0.5\n    start: soon\n    duration: 5s\n";
  EXPECT_EQ(error_of(text),
            "scenario error: demo.yaml:11: anomalies[1].start: \"soon\": expected a duration like "
            "10s, 500ms or 1h30m");
}

TEST(Scenario, MissingStartIsAnError) {
  EXPECT_EQ(
      error_of("urls:\n  - path: /\nanomalies:\n  - type: outage\n    error_share: 0.5\n"
               "    duration: 5s\n"),
      "scenario error: demo.yaml:4: anomalies[0].start: missing: expected a duration like 30s");
}

TEST(Scenario, UnknownKeysAreErrorsWithTheirLine) {
  EXPECT_EQ(error_of("ratte: 3\nurls:\n  - path: /\n"),
            "scenario error: demo.yaml:1: unknown key ratte");
  EXPECT_EQ(error_of("urls:\n  - path: /\n    wieght: 2\n"),
            "scenario error: demo.yaml:3: urls[0].wieght: unknown key for a url: expected one of "
            "path, method, weight, ids, bytes");
  std::string text = kAnomalies;
  text += "    ip: 192.0.2.1\n";  // line 9: only ip_hammer has an ip
  EXPECT_EQ(error_of(text),
            "scenario error: demo.yaml:9: anomalies[0].ip: unknown key for outage: expected one of "
            "type, start, duration, error_share");
}

TEST(Scenario, BadValuesNameTheirKey) {
  EXPECT_EQ(error_of("errors:\n  4xx: 1.5\nurls:\n  - path: /\n"),
            "scenario error: demo.yaml:2: errors.4xx: 1.5: expected a share from 0 to 1");
  EXPECT_EQ(error_of("rate: -1\nurls:\n  - path: /\n"),
            "scenario error: demo.yaml:1: rate: -1: expected a number above 0");
  EXPECT_EQ(error_of("urls:\n  - path: nope\n"),
            "scenario error: demo.yaml:2: urls[0].path: \"nope\": expected a path starting with / "
            "and without spaces or quotes");
  EXPECT_EQ(error_of("urls:\n  - path: /\nanomalies:\n  - type: flood\n"),
            "scenario error: demo.yaml:4: anomalies[0].type: \"flood\": expected one of ip_hammer, "
            "url_errors, outage");
  EXPECT_EQ(error_of("urls:\n  - path: /\nanomalies:\n  - type: ip_hammer\n    ip: 300.1.1.1\n"
                     "    rate: 5\n    error_share: 0.5\n    start: 1s\n    duration: 1s\n"),
            "scenario error: demo.yaml:5: anomalies[0].ip: \"300.1.1.1\": expected an IPv4 address "
            "like 203.0.113.7");
  EXPECT_EQ(error_of("urls:\n  - path: /\nanomalies:\n  - type: url_errors\n    path: /x\n"
                     "    error_share: 0.5\n    start: 1s\n    duration: 1s\n"),
            "scenario error: demo.yaml:5: anomalies[0].path: \"/x\" matches none of the urls: "
            "expected one of the urls' paths, or a prefix ending in *");
  EXPECT_EQ(
      error_of("host: web-1\n"),
      "scenario error: demo.yaml:1: urls: missing: expected a list of urls with path and weight");
  EXPECT_EQ(error_of("urls: [\n"), "scenario error: demo.yaml:2: end of sequence flow not found");
}

TEST(Scenario, UnreadableFileIsNamed) {
  try {
    load_scenario("/nonexistent/demo.yaml");
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()),
              "scenario error: /nonexistent/demo.yaml: cannot read: no such file");
  }
}

}  // namespace
}  // namespace sentinel::loggen

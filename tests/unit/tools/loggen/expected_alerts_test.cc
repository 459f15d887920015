// Expected alerts: one per anomaly, in its dimension, with the model's shares.
#include "tools/loggen/expected_alerts.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/build_paths.h"

namespace sentinel::loggen {
namespace {

TEST(ExpectedAlerts, DemoGivesOneAlertPerAnomalyInItsDimension) {
  Scenario s = load_scenario(sentinel::test::source_dir() + "/config/loggen/demo.yaml");
  std::vector<ExpectedAlert> alerts = expected_alerts(s);
  ASSERT_EQ(alerts.size(), 3u);
  EXPECT_EQ(alerts[0].dimension, "ip");
  EXPECT_EQ(alerts[0].key, "203.0.113.66");
  EXPECT_EQ(alerts[0].status_class, "4xx");
  EXPECT_EQ(alerts[0].start, std::chrono::seconds(10));
  EXPECT_EQ(alerts[0].end, std::chrono::seconds(30));
  EXPECT_NEAR(alerts[0].rate, 40, 1e-9);
  EXPECT_EQ(alerts[1].dimension, "url");
  EXPECT_EQ(alerts[1].key, "/api/orders/{id}");
  EXPECT_NEAR(alerts[1].status_share, 0.6, 1e-9);
  EXPECT_LT(alerts[1].baseline_error_share, 0.05);
  EXPECT_EQ(alerts[2].dimension, "global");
  EXPECT_EQ(alerts[2].key, "web-1");
  EXPECT_NEAR(alerts[2].status_share, 0.85, 1e-9);
  EXPECT_NEAR(alerts[2].rate, 50, 1e-9);
}

TEST(ExpectedAlerts, JsonLineCarriesAbsoluteAndRelativeWindow) {
  Scenario s = load_scenario(sentinel::test::source_dir() + "/config/loggen/demo.yaml");
  auto j = nlohmann::json::parse(expected_alert_json(expected_alerts(s)[2], 1795341600000));
  EXPECT_EQ(j["dimension"], "global");
  EXPECT_EQ(j["anomaly"], "outage");
  EXPECT_EQ(j["start"], 1795341645000);
  EXPECT_EQ(j["end"], 1795341655000);
  EXPECT_EQ(j["start_offset_ms"], 45000);
  EXPECT_EQ(j["end_offset_ms"], 55000);
  EXPECT_EQ(j["status_share"], 0.85);
}

}  // namespace
}  // namespace sentinel::loggen

// Command-line times for --from/--to: ISO 8601 with zones and fractions, epoch ms, -duration.
#include "common/time_arg.h"

#include <gtest/gtest.h>

namespace sentinel {
namespace {

constexpr int64_t kNow = 1795341600000;  // 2026-11-22T10:00:00Z

std::optional<int64_t> t(const char* text) {
  std::string error;
  return parse_time_arg(text, kNow, &error);
}

TEST(TimeArg, Iso8601FormsAndZones) {
  EXPECT_EQ(t("2026-11-22T10:00:00Z"), kNow);
  EXPECT_EQ(t("2026-11-22T10:00:00.250Z"), kNow + 250);
  EXPECT_EQ(t("2026-11-22T11:00:00+01:00"), kNow);
  EXPECT_EQ(t("2026-11-22T08:30:00-0130"), kNow);
  EXPECT_EQ(t("2026-11-22T10:00Z"), kNow);
  EXPECT_EQ(t("2026-11-22"), kNow - 10 * 3600 * 1000);
}

TEST(TimeArg, EpochMillisNowAndRelative) {
  EXPECT_EQ(t("1795341600000"), kNow);
  EXPECT_EQ(t("now"), kNow);
  EXPECT_EQ(t("-24h"), kNow - 24 * 3600 * 1000);
  EXPECT_EQ(t("-1h30m"), kNow - 90 * 60 * 1000);
}

TEST(TimeArg, BadTextsSayWhatIsExpected) {
  std::string error;
  EXPECT_EQ(parse_time_arg("yesterday", kNow, &error), std::nullopt);
  EXPECT_NE(error.find("\"yesterday\": expected ISO 8601"), std::string::npos) << error;
  for (const char* bad : {"2026-11-22T10:00:00", "2026-13-01", "2026-11-22T10:00:00Q", "-24", "-x",
                          "", "2026-11-22T25:00:00Z"}) {
    EXPECT_EQ(t(bad), std::nullopt) << bad;
  }
}

TEST(TimeArg, FormatIsIsoUtc) {
  EXPECT_EQ(format_time_ms(kNow), "2026-11-22T10:00:00Z");
  EXPECT_EQ(format_time_ms(kNow + 5), "2026-11-22T10:00:00.005Z");
}

}  // namespace
}  // namespace sentinel

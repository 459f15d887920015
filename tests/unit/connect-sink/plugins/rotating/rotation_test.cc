// Rotation decisions, rotated names and retention selection, with plain numbers for clocks.
#include "rotation.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

namespace sentinel::archive {
namespace {

class Rotation : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }
};

constexpr int64_t kDay = 86400000;
constexpr int64_t kMay1 = 1714521600000;  // 2024-05-01T00:00:00Z

TEST_F(Rotation, BySizeBeforeTheLineThatWouldOverflow) {
  RotationPolicy p;
  p.max_bytes = 100;
  EXPECT_FALSE(should_rotate(p, {90, kMay1}, kMay1, 10, &local_day_number));
  EXPECT_TRUE(should_rotate(p, {90, kMay1}, kMay1, 11, &local_day_number));
  EXPECT_FALSE(should_rotate(p, {0, -1}, kMay1, 500, &local_day_number))
      << "an empty file takes any line";
  EXPECT_FALSE(should_rotate(p, {90, kMay1}, kMay1, 0, &local_day_number)) << "a time check alone";
}

TEST_F(Rotation, ByIntervalFromTheFirstRecord) {
  RotationPolicy p;
  p.interval_ms = 60000;
  EXPECT_FALSE(should_rotate(p, {10, kMay1}, kMay1 + 59999, 0, &local_day_number));
  EXPECT_TRUE(should_rotate(p, {10, kMay1}, kMay1 + 60000, 0, &local_day_number));
}

TEST_F(Rotation, AtLocalMidnight) {
  RotationPolicy p;
  p.at_midnight = true;
  EXPECT_FALSE(should_rotate(p, {10, kMay1 + 1000}, kMay1 + kDay - 1, 0, &local_day_number));
  EXPECT_TRUE(should_rotate(p, {10, kMay1 + kDay - 1}, kMay1 + kDay, 0, &local_day_number));
  setenv("TZ", "Etc/GMT-2", 1);  // UTC+2: local midnight is 22:00 UTC
  tzset();
  EXPECT_TRUE(
      should_rotate(p, {10, kMay1 + 21 * 3600000LL}, kMay1 + 22 * 3600000LL, 0, &local_day_number));
}

TEST_F(Rotation, RotatedNameCarriesTimeAndOffsetRanges) {
  std::string n = rotated_name("/a/alerts.log", kMay1 + 3723000,
                               {{"alerts", 0, 100, 199}, {"alerts", 2, 5, 9}});
  EXPECT_EQ(n, "/a/alerts.log.20240501-010203.alerts+0+100+199,alerts+2+5+9");
  auto f = parse_rotated_suffix(n.substr(std::string("/a/alerts.log.").size()) + ".gz");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->rotated_at_ms, kMay1 + 3723000);
  EXPECT_EQ(f->codec, "gz");
  EXPECT_FALSE(parse_rotated_suffix("2024-05-01.log"));
  EXPECT_FALSE(parse_rotated_suffix("20240501-010203.x.gz.partial"));
}

TEST_F(Rotation, ManyPartitionsAreSummarised) {
  std::vector<OffsetRange> ranges;
  for (int p = 0; p < 40; ++p) ranges.push_back({"system_alerts", p, 1000000, 2000000});
  std::string n = rotated_name("/a/x", kMay1, ranges);
  EXPECT_LT(n.size(), 230u);
  EXPECT_NE(n.find("-more"), std::string::npos);
}

TEST_F(Rotation, RetentionRemovesOldestFirstByCountAgeAndBytes) {
  std::vector<RotatedFile> files;
  for (int i = 0; i < 5; ++i)
    files.push_back({"/f" + std::to_string(i), kMay1 + i * 1000, 100, ""});
  RetentionPolicy count;
  count.max_files = 2;
  auto gone = select_for_removal(files, count, kMay1 + 10000);
  ASSERT_EQ(gone.size(), 3u);
  EXPECT_EQ(gone[0].path, "/f0");
  EXPECT_EQ(gone[2].path, "/f2");
  RetentionPolicy age;
  age.max_age_ms = 7500;
  gone = select_for_removal(files, age, kMay1 + 10000);  // f0 (10 s), f1 (9 s), f2 (8 s) are older
  EXPECT_EQ(gone.size(), 3u);
  RetentionPolicy bytes;
  bytes.max_bytes = 250;
  gone = select_for_removal(files, bytes, kMay1 + 10000);
  EXPECT_EQ(gone.size(), 3u);
  EXPECT_TRUE(select_for_removal(files, RetentionPolicy{}, kMay1 + 10000).empty());
}

}  // namespace
}  // namespace sentinel::archive

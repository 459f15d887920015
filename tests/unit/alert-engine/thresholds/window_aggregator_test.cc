// Per-window counts per key → share samples: min requests, window alignment, late records,
// closing by watermark, per-key samples.
#include "alert-engine/thresholds/window_aggregator.h"

#include <gtest/gtest.h>

namespace sentinel::thresholds {
namespace {

using alerts::Dimension;

AggregatorOptions small() {
  AggregatorOptions o;
  o.window_ms = 60'000;
  o.lateness_ms = 0;
  o.min_requests[0] = o.min_requests[1] = o.min_requests[2] = 4;
  return o;
}

TEST(WindowAggregator, SharesPerKeyAndWindow) {
  WindowAggregator a(small());
  // Window [0, 60s): host h, ip A 4 requests (two 5xx, one 4xx), ip B 2 requests.
  a.add(1'000, "h", "A", "/x", 500);
  a.add(2'000, "h", "A", "/x", 503);
  a.add(3'000, "h", "A", "/x", 404);
  a.add(4'000, "h", "A", "/y", 200);
  a.add(5'000, "h", "B", "/y", 500);
  a.add(59'999, "h", "B", "", 200);  // no path: not in url
  a.finish();
  const auto& g = a.samples(Dimension::kGlobal);
  ASSERT_EQ(g.share5xx.size(), 1u);
  EXPECT_DOUBLE_EQ(g.share5xx[0], 3.0 / 6);
  EXPECT_DOUBLE_EQ(g.share4xx[0], 1.0 / 6);
  const auto& ip = a.samples(Dimension::kIp);
  ASSERT_EQ(ip.share5xx.size(), 1u);  // B has 2 < 4 requests
  EXPECT_DOUBLE_EQ(ip.share5xx[0], 0.5);
  EXPECT_DOUBLE_EQ(ip.share4xx[0], 0.25);
  EXPECT_EQ(ip.below_min, 1u);
  EXPECT_EQ(ip.keys.count("A"), 1u);
  const auto& url = a.samples(Dimension::kUrl);
  ASSERT_EQ(url.share5xx.size(), 0u);  // /x 3, /y 2
  EXPECT_EQ(url.below_min, 2u);
}

TEST(WindowAggregator, WindowsAreEpochAlignedAndSeparate) {
  WindowAggregator a(small());
  for (int i = 0; i < 4; ++i) a.add(59'000 + i * 100, "h", "", "", 500);  // window 0: all 5xx
  for (int i = 0; i < 4; ++i) a.add(60'000 + i * 100, "h", "", "", 200);  // window 1: none
  a.finish();
  auto v = a.samples(Dimension::kGlobal).share5xx;
  std::sort(v.begin(), v.end());
  EXPECT_EQ(v, (std::vector<double>{0.0, 1.0}));
  EXPECT_EQ(a.windows_closed(), 2u);
}

TEST(WindowAggregator, AdvanceClosesWindowsAndLaterRecordsForThemAreLate) {
  WindowAggregator a(small());
  for (int i = 0; i < 4; ++i) a.add(10'000 + i, "h", "", "", 200);
  a.add(70'000, "h", "", "", 200);
  EXPECT_EQ(a.open_windows(), 2u);
  a.advance(70'000);  // window [0, 60s) ends before: closed
  EXPECT_EQ(a.open_windows(), 1u);
  EXPECT_EQ(a.samples(Dimension::kGlobal).share5xx.size(), 1u);
  EXPECT_FALSE(a.add(20'000, "h", "", "", 500));
  EXPECT_EQ(a.late(), 1u);
  EXPECT_TRUE(a.add(65'000, "h", "", "", 500));  // its window is still open
}

TEST(WindowAggregator, LatenessKeepsWindowsOpenLonger) {
  AggregatorOptions o = small();
  o.lateness_ms = 120'000;
  WindowAggregator a(o);
  a.add(10'000, "h", "", "", 200);
  a.advance(150'000);  // 150 - 120 = 30 s: window [0, 60 s) stays open
  EXPECT_TRUE(a.add(20'000, "h", "", "", 200));
  a.advance(180'000);
  EXPECT_EQ(a.open_windows(), 0u);
  EXPECT_FALSE(a.add(20'000, "h", "", "", 200));
}

TEST(WindowAggregator, NegativeTimesAlignDown) {
  WindowAggregator a(small());
  for (int i = 0; i < 4; ++i) a.add(-1 - i, "h", "", "", 500);
  for (int i = 0; i < 4; ++i) a.add(i, "h", "", "", 200);
  a.finish();
  EXPECT_EQ(a.windows_closed(), 2u);
}

TEST(WindowAggregator, PerKeySamplesWhenAsked) {
  AggregatorOptions o = small();
  o.per_key = true;
  WindowAggregator a(o);
  for (int w = 0; w < 3; ++w) {
    for (int i = 0; i < 4; ++i) a.add(w * 60'000 + i, "h", "A", "/x", i == 0 ? 500 : 200);
  }
  a.finish();
  const auto& ip = a.samples(Dimension::kIp);
  ASSERT_EQ(ip.per_key.count("A"), 1u);
  ASSERT_EQ(ip.per_key.at("A").size(), 3u);
  EXPECT_FLOAT_EQ(ip.per_key.at("A")[0].first, 0.25f);
}

}  // namespace
}  // namespace sentinel::thresholds

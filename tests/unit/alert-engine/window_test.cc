// Window arithmetic and aggregation, and the engine's event-time windows with a fake clock:
// tumbling and hopping assignment, close on the watermark, late records, idle close.
#include "alert-engine/window.h"

#include <gtest/gtest.h>

#include "alert-engine/engine.h"

namespace sentinel::alerts {
namespace {

TEST(AlertWindows, TumblingWindowHoldsEachTimestampOnce) {
  WindowSpec w{60000, 60000};
  auto r = windows_containing(125000, w);
  EXPECT_EQ(r.first, 120000);
  EXPECT_EQ(r.last, 120000);
  r = windows_containing(120000, w);  // start inclusive
  EXPECT_EQ(r.first, 120000);
  r = windows_containing(119999, w);  // end exclusive
  EXPECT_EQ(r.first, 60000);
}

TEST(AlertWindows, HoppingWindowHoldsTimestampSizeOverAdvanceTimes) {
  WindowSpec w{300000, 60000};
  auto r = windows_containing(610000, w);
  EXPECT_EQ(r.first, 360000);
  EXPECT_EQ(r.last, 600000);
  EXPECT_EQ((r.last - r.first) / w.advance_ms + 1, 5);
}

TEST(AlertWindows, NegativeTimestampsAlignToTheEpochToo) {
  auto r = windows_containing(-1, WindowSpec{1000, 1000});
  EXPECT_EQ(r.first, -1000);
  EXPECT_EQ(r.last, -1000);
}

TEST(AlertWindows, AggregationsOverOneWindow) {
  Aggregate a(true);
  for (int i = 1; i <= 100; ++i) a.add(i, 1000 * i);
  EXPECT_DOUBLE_EQ(a.result(Agg::kAvg), 50.5);
  EXPECT_DOUBLE_EQ(a.result(Agg::kMin), 1);
  EXPECT_DOUBLE_EQ(a.result(Agg::kMax), 100);
  EXPECT_DOUBLE_EQ(a.result(Agg::kLast), 100);
  EXPECT_DOUBLE_EQ(a.result(Agg::kSum), 5050);
  EXPECT_DOUBLE_EQ(a.result(Agg::kCount), 100);
  EXPECT_DOUBLE_EQ(a.result(Agg::kRate), 1.0);  // one unit a second
  EXPECT_DOUBLE_EQ(a.result(Agg::kP50), 50);
  EXPECT_DOUBLE_EQ(a.result(Agg::kP95), 95);
  EXPECT_DOUBLE_EQ(a.result(Agg::kP99), 99);
}

TEST(AlertWindows, LastIsTheLatestTimestampNotTheLatestArrival) {
  Aggregate a;
  a.add(5, 2000);
  a.add(7, 1000);
  EXPECT_DOUBLE_EQ(a.result(Agg::kLast), 5);
  Aggregate one;
  one.add(3, 1000);
  EXPECT_TRUE(std::isnan(one.result(Agg::kRate)));
}

// --- the engine's windows, driven with records and a fake wall clock --------------------------

struct Harness {
  AlertsConfig config;
  std::unique_ptr<Engine> engine;
  std::vector<Alert> out;
  int64_t offset = 0;
  std::vector<std::pair<std::string, std::string>> tags = {{"cpu", "total"}};

  explicit Harness(Agg agg = Agg::kAvg, WindowSpec window = {10000, 10000}, int for_windows = 1) {
    config.allowed_lateness_ms = 2000;
    config.idle_timeout_ms = 5000;
    config.host_silent.enabled = false;
    Rule r;
    r.name = "cpu_high";
    r.resource = "cpu";
    r.metric = "usage_pct";
    r.match = {{"cpu", "total"}};
    r.group_by = {"host"};
    r.window = window;
    r.agg = agg;
    r.threshold = 90;
    r.for_windows = for_windows;
    r.summary = "{value}";
    config.rules.push_back(r);
    engine = std::make_unique<Engine>(config);
  }
  void record(int64_t ts, double value, int64_t wall = 0, const std::string& host = "web-1",
              int32_t partition = 0) {
    MetricRecord m;
    m.host = host;
    m.resource = "cpu";
    m.ts = ts;
    for (const auto& [k, v] : tags) m.tags.emplace_back(k, v);
    m.metrics.emplace_back("usage_pct", value);
    engine->on_record(m, partition, offset++, wall, &out);
  }
};

TEST(AlertEngineWindows, TumblingWindowClosesWhenWatermarkPassesItsEnd) {
  Harness h;
  h.record(1000, 95);
  h.record(9000, 95);
  h.record(11000, 10);  // watermark 9000: [0,10000) still open
  EXPECT_TRUE(h.out.empty());
  h.record(12000, 10);  // watermark 10000: closes [0,10000)
  ASSERT_EQ(h.out.size(), 1u);
  EXPECT_TRUE(h.out[0].firing);
  EXPECT_EQ(h.out[0].window_start, 0);
  EXPECT_EQ(h.out[0].window_end, 10000);
  EXPECT_DOUBLE_EQ(h.out[0].value, 95);
  EXPECT_EQ(h.out[0].id, "cpu_high/host=web-1");
}

TEST(AlertEngineWindows, OutOfOrderRecordWithinLatenessIsMerged) {
  Harness h(Agg::kMax);
  h.record(5000, 10);
  h.record(11000, 10);  // watermark 9000
  h.record(9500, 99);   // late by order, not by lateness: belongs to [0,10000)
  h.record(12500, 10);  // watermark 10500: closes it
  ASSERT_EQ(h.out.size(), 1u);
  EXPECT_DOUBLE_EQ(h.out[0].value, 99);
  EXPECT_EQ(h.engine->stats().late, 0u);
}

TEST(AlertEngineWindows, RecordLaterThanAllowedLatenessIsCountedNotMerged) {
  Harness h(Agg::kMax);
  h.record(5000, 10);
  h.record(13000, 10);  // watermark 11000: [0,10000) closed, max 10, nothing fires
  EXPECT_TRUE(h.out.empty());
  h.record(9000, 99);  // its window is closed
  EXPECT_EQ(h.engine->stats().late, 1u);
  h.record(30000, 10);  // closes [10000,20000): max 10, still nothing
  EXPECT_TRUE(h.out.empty());
}

TEST(AlertEngineWindows, HoppingWindowsEachSeeTheRecord) {
  Harness h(Agg::kCount, WindowSpec{30000, 10000});
  h.config.rules[0].threshold = 0;  // count > 0 fires: every closed window shows up
  h.engine = std::make_unique<Engine>(h.config);
  h.record(25000, 1);
  h.record(62000, 1);  // watermark 60000: closes windows ending 30000..60000 that saw ts 25000
  // [0,30000) fires (count 1); [10000,40000) and [20000,50000) keep it firing.
  ASSERT_EQ(h.out.size(), 1u);
  EXPECT_EQ(h.out[0].window_start, 0);
  EXPECT_EQ(h.out[0].window_end, 30000);
}

TEST(AlertEngineWindows, QuietPartitionClosesItsWindowsAfterIdleTimeout) {
  Harness h;
  int64_t wall = 1'000'000;
  h.record(wall - 8000, 95, wall);  // window [wall-10000, wall) — wall is a multiple of 10 s
  h.engine->on_tick(wall + 4000, &h.out);  // idle 4 s < 5 s: nothing
  EXPECT_TRUE(h.out.empty());
  h.engine->on_tick(wall + 5000, &h.out);  // idle: watermark = wall clock − lateness
  ASSERT_EQ(h.out.size(), 1u);
  EXPECT_TRUE(h.out[0].firing);
  EXPECT_EQ(h.engine->stats().idle_closes, 1u);
}

TEST(AlertEngineWindows, IdleCloseLeavesWindowsThatEndInTheFutureOpen) {
  Harness h;
  int64_t wall = 1'000'000;
  h.record(wall + 1000, 95, wall);  // window [wall, wall+10000)
  h.engine->on_tick(wall + 6000, &h.out);
  EXPECT_TRUE(h.out.empty());
  h.engine->on_tick(wall + 12000, &h.out);  // wall − lateness reached its end
  EXPECT_EQ(h.out.size(), 1u);
}

// An agent that buffered through a broker outage delivers old records after the partition went
// idle: the idle close must not have pushed the watermark past windows that never existed.
TEST(AlertEngineWindows, RecordsArrivingAfterAnIdleCloseStillOpenNewerWindows) {
  Harness h;
  int64_t wall = 1'000'000;
  int64_t t = wall - 600'000;              // ten minutes behind the wall clock
  h.record(t + 1000, 95, wall);            // window [t, t+10000)
  h.engine->on_tick(wall + 5000, &h.out);  // idle close: that window fires
  ASSERT_EQ(h.out.size(), 1u);
  EXPECT_EQ(h.engine->watermark(0), t + 10000) << "only as far as the closed window's end";
  h.out.clear();
  h.record(t + 11000, 10, wall + 6000);  // the next window of the backlog: accepted
  h.record(t + 15000, 10, wall + 6000);
  EXPECT_EQ(h.engine->stats().late, 0u);
  h.record(t + 5000, 99, wall + 6000);  // but the closed window stays closed
  EXPECT_EQ(h.engine->stats().late, 1u);
  h.record(t + 23000, 10, wall + 6000);  // watermark t+21000 closes [t+10000, t+20000): resolves
  ASSERT_EQ(h.out.size(), 1u);
  EXPECT_FALSE(h.out[0].firing);
  EXPECT_EQ(h.out[0].window_start, t + 10000);
}

TEST(AlertEngineWindows, RecordsWithoutTheMatchedTagOrMetricAreIgnored) {
  Harness h;
  h.tags = {{"cpu", "cpu3"}};
  h.record(1000, 99);
  h.record(20000, 99);
  EXPECT_TRUE(h.out.empty());
  EXPECT_EQ(h.engine->group_count(), 0u);
}

}  // namespace
}  // namespace sentinel::alerts

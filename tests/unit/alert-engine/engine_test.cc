// The engine across restarts (recovered state, replay without duplicates), its commit offsets,
// host_silent on a fake wall clock, and reloads.
#include "alert-engine/engine.h"

#include <gtest/gtest.h>

namespace sentinel::alerts {
namespace {

AlertsConfig make_config() {
  AlertsConfig c;
  c.allowed_lateness_ms = 0;
  c.idle_timeout_ms = 60000;
  c.host_silent.after_ms = 30000;
  Rule r;
  r.name = "cpu_high";
  r.resource = "cpu";
  r.metric = "usage_pct";
  r.group_by = {"host"};
  r.window = {10000, 10000};
  r.threshold = 90;
  r.resolve = 80;
  r.severity = "critical";
  r.summary = "cpu {value} on {host}";
  c.rules.push_back(r);
  return c;
}

struct Input {
  int64_t ts;
  double value;
};

// One record a second from `from` (ms) for `values.size()` seconds on partition 0.
std::vector<Input> series(int64_t from, std::vector<std::pair<int, double>> runs) {
  std::vector<Input> out;
  int64_t ts = from;
  for (auto [seconds, v] : runs) {
    for (int i = 0; i < seconds; ++i, ts += 1000) out.push_back({ts, v});
  }
  return out;
}

void feed(Engine& e, const std::vector<Input>& in, size_t from, size_t to, std::vector<Alert>* out,
          int64_t wall = 0, const std::string& host = "web-1") {
  for (size_t i = from; i < to; ++i) {
    MetricRecord m;
    m.host = host;
    m.resource = "cpu";
    m.ts = in[i].ts;
    m.metrics.emplace_back("usage_pct", in[i].value);
    e.on_record(m, 0, static_cast<int64_t>(i), wall, out);
  }
}

std::vector<RecoveredAlert> as_recovered(const std::vector<Alert>& alerts) {
  std::vector<RecoveredAlert> out;
  for (const auto& a : alerts) {
    std::string error;
    auto r = decode_alert(encode_alert(a), &error);
    EXPECT_TRUE(r) << error;
    out.push_back(*r);
  }
  return out;
}

TEST(AlertEngine, SpikeGivesOneFiringThenOneResolved) {
  Engine e(make_config());
  std::vector<Alert> out;
  auto in = series(0, {{20, 10}, {20, 99}, {30, 10}});
  feed(e, in, 0, in.size(), &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].firing);
  EXPECT_EQ(out[0].since, 30000);
  EXPECT_FALSE(out[1].firing);
  EXPECT_EQ(out[1].window_end, 50000);
  EXPECT_EQ(out[1].id, out[0].id);
  EXPECT_EQ(out[0].summary, "cpu 99 on web-1");
}

TEST(AlertEngine, ReplayAfterRestartWithFiringInTopicDoesNotFireAgainAndStillResolves) {
  auto in = series(0, {{20, 10}, {20, 99}, {30, 10}});
  std::vector<Alert> first_life;
  {
    Engine e(make_config());
    feed(e, in, 0, 35, &first_life);  // fired; then killed before any commit
    ASSERT_EQ(first_life.size(), 1u);
  }
  Engine restarted(make_config());
  restarted.restore(as_recovered(first_life), 0);
  std::vector<Alert> out;
  feed(restarted, in, 0, in.size(), &out);  // replay from offset 0
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].firing);
}

TEST(AlertEngine, ReplayAfterResolvedWasPublishedEmitsNothing) {
  auto in = series(0, {{20, 10}, {20, 99}, {30, 10}});
  std::vector<Alert> first_life;
  {
    Engine e(make_config());
    feed(e, in, 0, in.size(), &first_life);
    ASSERT_EQ(first_life.size(), 2u);
  }
  Engine restarted(make_config());
  auto rec = as_recovered(first_life);
  restarted.restore({rec.back()}, 0);  // the last state per id: resolved
  std::vector<Alert> out;
  feed(restarted, in, 0, in.size(), &out);
  EXPECT_TRUE(out.empty());
}

TEST(AlertEngine, RecoveredFiringAlertResolvesWhenReplayStartsAfterTheSpike) {
  auto in = series(0, {{20, 10}, {20, 99}, {30, 10}});
  std::vector<Alert> first_life;
  Engine e(make_config());
  feed(e, in, 0, 35, &first_life);
  Engine restarted(make_config());
  restarted.restore(as_recovered(first_life), 0);
  std::vector<Alert> out;
  feed(restarted, in, 40, in.size(), &out);  // committed offsets were past the spike
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].firing);
}

TEST(AlertEngine, CommitOffsetsStopAtTheFirstRecordOfAnOpenWindow) {
  Engine e(make_config());
  std::vector<Alert> out;
  auto in = series(0, {{25, 10}});
  feed(e, in, 0, in.size(), &out);
  // Windows [0,10) and [10,20) closed; [20,30) is open and starts at offset 20.
  EXPECT_EQ(e.commit_offsets().at(0), 20);
}

TEST(AlertEngine, CommitOffsetsKeepAPendingStreakReplayable) {
  AlertsConfig c = make_config();
  c.rules[0].for_windows = 3;
  Engine e(c);
  std::vector<Alert> out;
  auto in = series(0, {{10, 10}, {20, 99}, {5, 99}});
  feed(e, in, 0, in.size(), &out);
  EXPECT_TRUE(out.empty());                 // two breaching windows: pending
  EXPECT_EQ(e.commit_offsets().at(0), 10);  // the streak's first window starts at offset 10
}

TEST(AlertEngine, HostSilentFiresOnWallClockAndResolvesWhenTheHostReturns) {
  Engine e(make_config());
  std::vector<Alert> out;
  auto in = series(0, {{3, 10}});
  feed(e, in, 0, in.size(), &out, /*wall=*/1000);
  e.on_tick(30999, &out);
  EXPECT_TRUE(out.empty());
  e.on_tick(31000, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, "host_silent/host=web-1");
  EXPECT_TRUE(out[0].firing);
  e.on_tick(60000, &out);
  EXPECT_EQ(out.size(), 1u);  // still silent: no second firing
  auto back = series(100000, {{1, 10}});
  feed(e, back, 0, 1, &out, 61000);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[1].firing);
}

TEST(AlertEngine, RecoveredHostSilentIsNotResolvedByReplayedOldRecords) {
  Engine first(make_config());
  std::vector<Alert> fired;
  auto in = series(0, {{3, 10}});
  feed(first, in, 0, in.size(), &fired, 1000);
  first.on_tick(40000, &fired);
  ASSERT_EQ(fired.size(), 1u);
  Engine restarted(make_config());
  restarted.restore(as_recovered(fired), 50000);
  std::vector<Alert> out;
  feed(restarted, in, 0, in.size(), &out, 50000);  // the same old records again
  restarted.on_tick(200000, &out);
  EXPECT_TRUE(out.empty());
  auto back = series(10000, {{1, 10}});
  feed(restarted, back, 0, 1, &out, 200001);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].firing);
}

TEST(AlertEngine, ReloadWithUnchangedRuleKeepsItsFiringAlert) {
  Engine e(make_config());
  std::vector<Alert> out;
  auto in = series(0, {{20, 10}, {20, 99}, {30, 10}});
  feed(e, in, 0, 35, &out);
  ASSERT_EQ(out.size(), 1u);
  e.set_config(make_config(), 0, &out);
  feed(e, in, 35, in.size(), &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[1].firing);
}

TEST(AlertEngine, ReloadWithChangedThresholdKeepsTheAlertOpenWithoutSecondFiring) {
  Engine e(make_config());
  std::vector<Alert> out;
  auto in = series(0, {{20, 10}, {20, 99}, {30, 10}});
  feed(e, in, 0, 35, &out);
  AlertsConfig changed = make_config();
  changed.rules[0].threshold = 95;
  e.set_config(changed, 0, &out);
  EXPECT_EQ(out.size(), 1u);
  feed(e, in, 35, in.size(), &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[1].firing);
}

TEST(AlertEngine, ReloadThatRemovesARuleResolvesItsOpenAlerts) {
  Engine e(make_config());
  std::vector<Alert> out;
  auto in = series(0, {{20, 10}, {20, 99}, {30, 10}});
  feed(e, in, 0, 35, &out);
  AlertsConfig none = make_config();
  none.rules.clear();
  e.set_config(none, 0, &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[1].firing);
  EXPECT_EQ(out[1].id, "cpu_high/host=web-1");
}

}  // namespace
}  // namespace sentinel::alerts

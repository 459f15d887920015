// The pending → firing → resolved state machine, window by window.
#include "alert-engine/lifecycle.h"

#include <gtest/gtest.h>

namespace sentinel::alerts {
namespace {

Rule rule(int for_windows = 1) {
  Rule r;
  r.name = "cpu_high";
  r.window = {60000, 60000};
  r.op = Op::kAbove;
  r.threshold = 90;
  r.for_windows = for_windows;
  return r;
}

// Feeds consecutive one-minute windows with these values; returns the transitions.
std::vector<Transition> feed(Lifecycle& life, const Rule& r, std::vector<double> values,
                             int64_t first_window = 0) {
  std::vector<Transition> out;
  int64_t start = first_window * r.window.advance_ms;
  for (double v : values) {
    out.push_back(life.step(r, start, start + r.window.size_ms, v));
    start += r.window.advance_ms;
  }
  return out;
}

constexpr auto N = Transition::kNone;
constexpr auto F = Transition::kFire;
constexpr auto R = Transition::kResolve;

TEST(AlertLifecycle, PendingThenFiringAfterForWindowsThenResolved) {
  Rule r = rule(3);
  Lifecycle life;
  EXPECT_EQ(feed(life, r, {95, 96}), (std::vector<Transition>{N, N}));
  EXPECT_EQ(life.state(), Lifecycle::State::kPending);
  EXPECT_EQ(feed(life, r, {97}, 2), (std::vector<Transition>{F}));
  EXPECT_TRUE(life.firing());
  EXPECT_EQ(life.since(), 3 * 60000);
  EXPECT_EQ(feed(life, r, {99, 50}, 3), (std::vector<Transition>{N, R}));
  EXPECT_TRUE(life.idle());
}

TEST(AlertLifecycle, ClearWindowWhilePendingResetsTheCount) {
  Rule r = rule(2);
  Lifecycle life;
  EXPECT_EQ(feed(life, r, {95, 10, 95, 10, 95, 95}), (std::vector<Transition>{N, N, N, N, N, F}));
}

TEST(AlertLifecycle, GapInWindowsRestartsPending) {
  Rule r = rule(2);
  Lifecycle life;
  EXPECT_EQ(feed(life, r, {95}, 0), (std::vector<Transition>{N}));
  EXPECT_EQ(feed(life, r, {95}, 5), (std::vector<Transition>{N}));  // not window 1: no streak
  EXPECT_EQ(feed(life, r, {95}, 6), (std::vector<Transition>{F}));
}

TEST(AlertLifecycle, HysteresisKeepsFiringBetweenResolveAndFireThresholds) {
  Rule r = rule();
  r.resolve = 80;
  Lifecycle life;
  EXPECT_EQ(feed(life, r, {95, 85, 89, 81, 80}), (std::vector<Transition>{F, N, N, N, R}));
}

TEST(AlertLifecycle, KeepFiringForHoldsAResolveUntilClearLongEnough) {
  Rule r = rule();
  r.keep_firing_for_ms = 120000;
  Lifecycle life;
  EXPECT_EQ(feed(life, r, {95, 10, 95, 10, 10}), (std::vector<Transition>{F, N, N, N, R}));
}

TEST(AlertLifecycle, BelowRulesFireOnLowValues) {
  Rule r = rule();
  r.op = Op::kBelow;
  r.threshold = 10;
  r.resolve = 20;
  Lifecycle life;
  EXPECT_EQ(feed(life, r, {50, 5, 15, 25}), (std::vector<Transition>{N, F, N, R}));
}

TEST(AlertLifecycle, FlappingAlertIsHeldFiringInsteadOfStorming) {
  Rule r = rule();
  r.flap_max_firings = 3;
  r.flap_window_ms = 10 * 60000;
  Lifecycle life;
  // Two full cycles are ordinary; the third firing within 10 minutes marks it flapping.
  EXPECT_EQ(feed(life, r, {95, 10, 95, 10, 95}), (std::vector<Transition>{F, R, F, R, F}));
  EXPECT_TRUE(life.flapping());
  // Flapping on: clear windows do not resolve it until a whole flapping window is clear.
  std::vector<double> more = {10, 95, 10, 95, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10};
  auto t = feed(life, r, more, 5);
  std::vector<Transition> expect(more.size(), N);
  expect.back() = R;  // window 18 ends 10 minutes after the last breach (window 8 ends at 9 min)
  EXPECT_EQ(t, expect);
  EXPECT_FALSE(life.flapping());
}

TEST(AlertLifecycle, NoValueChangesNothing) {
  Rule r = rule();
  Lifecycle life;
  EXPECT_EQ(feed(life, r, {95, std::numeric_limits<double>::quiet_NaN()}),
            (std::vector<Transition>{F, N}));
  EXPECT_TRUE(life.firing());
}

TEST(AlertLifecycle, RestoredFiringAlertDoesNotFireAgain) {
  Rule r = rule();
  Lifecycle life;
  life.restore_firing(60000, 60000);
  EXPECT_EQ(feed(life, r, {95, 96, 10}, 1), (std::vector<Transition>{N, N, R}));
}

}  // namespace
}  // namespace sentinel::alerts

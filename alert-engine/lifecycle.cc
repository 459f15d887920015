// The pending → firing → resolved state machine of one alert.
#include "alert-engine/lifecycle.h"

#include <algorithm>
#include <cmath>

namespace sentinel::alerts {

bool Lifecycle::in_streak() const {
  return state_ == State::kPending || (state_ == State::kFiring && clearing_);
}

void Lifecycle::restore_firing(int64_t since, int64_t window_end) {
  state_ = State::kFiring;
  since_ = since;
  last_breach_end_ = window_end;
  clearing_ = false;
}

Lifecycle::Snapshot Lifecycle::snapshot() const {
  return {state_,      pending_,         since_,
          last_start_, last_breach_end_, streak_start_,
          clearing_,   flapping_,        std::vector<int64_t>(firings_.begin(), firings_.end())};
}

void Lifecycle::restore(const Snapshot& s) {
  state_ = s.state;
  pending_ = s.pending;
  since_ = s.since;
  last_start_ = s.last_start;
  last_breach_end_ = s.last_breach_end;
  streak_start_ = s.streak_start;
  clearing_ = s.clearing;
  flapping_ = s.flapping;
  firings_.assign(s.firings.begin(), s.firings.end());
}

void Lifecycle::break_streak() {
  if (state_ == State::kPending) state_ = State::kInactive;
  pending_ = 0;
  clearing_ = false;
  last_start_ = INT64_MIN;
}

Transition Lifecycle::step(const Rule& rule, int64_t start, int64_t end, double value,
                           double threshold, double resolve) {
  if (std::isnan(value)) return Transition::kNone;
  bool consecutive = last_start_ != INT64_MIN && start == last_start_ + rule.window.advance_ms;
  last_start_ = start;
  bool breach = breaches(rule.op, value, threshold);

  if (state_ != State::kFiring) {
    if (!consecutive) pending_ = 0;
    if (!breach) {
      state_ = State::kInactive;
      pending_ = 0;
      return Transition::kNone;
    }
    if (pending_ == 0) streak_start_ = start;
    if (++pending_ < rule.for_windows) {
      state_ = State::kPending;
      return Transition::kNone;
    }
    state_ = State::kFiring;
    pending_ = 0;
    since_ = end;
    last_breach_end_ = end;
    clearing_ = false;
    if (rule.flap_max_firings > 0) {
      while (!firings_.empty() && firings_.front() <= end - rule.flap_window_ms)
        firings_.pop_front();
      firings_.push_back(end);
      flapping_ = static_cast<int>(firings_.size()) >= rule.flap_max_firings;
    }
    return Transition::kFire;
  }

  // Firing: clear once the value no longer breaches the resolve threshold (hysteresis).
  bool clear = !breaches(rule.op, value, resolve);
  if (!clear) {
    last_breach_end_ = end;
    clearing_ = false;
    return Transition::kNone;
  }
  if (!clearing_) {
    clearing_ = true;
    streak_start_ = start;
  }
  int64_t hold = rule.keep_firing_for_ms;
  if (flapping_) hold = std::max(hold, rule.flap_window_ms);
  if (end - last_breach_end_ < hold) return Transition::kNone;
  state_ = State::kInactive;
  clearing_ = false;
  since_ = end;
  if (flapping_) {
    // Held down through a whole quiet flapping window: it has settled.
    flapping_ = false;
    firings_.clear();
  }
  return Transition::kResolve;
}

}  // namespace sentinel::alerts

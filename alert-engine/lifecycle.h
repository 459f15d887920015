// The state of one alert (one rule × one label set) as closed windows are evaluated in order:
//
//   inactive ──breach──► pending ──`for` consecutive breaching windows──► firing
//   firing ──clear (below the resolve threshold, for keep_firing_for)──► inactive  (resolved)
//
// Only firing and resolved are transitions the world sees; pending is internal. A window that
// does not follow the previous one (a gap in the data) restarts the pending count; a firing
// alert keeps firing through gaps (the host_silent rule reports silence). An alert that fired
// `max_firings` times within the flapping window is held firing until its condition has been
// clear for that whole window, so a flapping metric gives one long alert instead of a storm.
// All times are event times (window ends); the class does no I/O.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "alert-engine/rules.h"

namespace sentinel::alerts {

enum class Transition { kNone, kFire, kResolve };

class Lifecycle {
 public:
  enum class State { kInactive, kPending, kFiring };

  // Evaluates the closed window [start, end) whose aggregate is `value` (NaN: no value, which
  // changes nothing).
  Transition step(const Rule& rule, int64_t start, int64_t end, double value) {
    return step(rule, start, end, value, rule.threshold, rule.resolve.value_or(rule.threshold));
  }
  // The same with the thresholds of this alert (a per-key override of the rule's).
  Transition step(const Rule& rule, int64_t start, int64_t end, double value, double threshold,
                  double resolve);

  // A firing alert recovered after a restart: firing since `since`, last seen breaching at the
  // window ending `window_end`.
  void restore_firing(int64_t since, int64_t window_end);

  // Everything the state machine holds: a stage-2 checkpoint in the repartition topic carries
  // it to the instance that takes the group over (docs/alerts.md, Several instances).
  struct Snapshot {
    State state = State::kInactive;
    int pending = 0;
    int64_t since = 0;
    int64_t last_start = INT64_MIN;
    int64_t last_breach_end = 0;
    int64_t streak_start = 0;
    bool clearing = false;
    bool flapping = false;
    std::vector<int64_t> firings;
    bool operator==(const Snapshot&) const = default;
  };
  Snapshot snapshot() const;
  void restore(const Snapshot& s);

  // The data stopped (no open window follows): a pending streak ends, a clearing firing alert
  // goes back to waiting for its first clear window.
  void break_streak();

  State state() const { return state_; }
  bool firing() const { return state_ == State::kFiring; }
  bool idle() const { return state_ == State::kInactive; }
  int64_t since() const { return since_; }
  bool flapping() const { return flapping_; }
  int pending_windows() const { return pending_; }
  // The start of the first window of the current breaching streak (pending) or of the clear
  // streak (firing, waiting out keep_firing_for); replaying from here rebuilds this state.
  int64_t streak_start() const { return streak_start_; }
  bool in_streak() const;

 private:
  State state_ = State::kInactive;
  int pending_ = 0;
  int64_t since_ = 0;
  int64_t last_start_ = INT64_MIN;
  int64_t last_breach_end_ = 0;
  int64_t streak_start_ = 0;
  bool clearing_ = false;
  bool flapping_ = false;
  std::deque<int64_t> firings_;  // ends of the windows that fired, within the flapping window
};

}  // namespace sentinel::alerts

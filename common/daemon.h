// The skeleton every Sentinel daemon's main() shares: signals through a signalfd, the systemd
// notify protocol, and the main loop "wait for a deadline, a signal or a descriptor; reload on
// SIGHUP; stop on SIGTERM or SIGINT". What a daemon's main() keeps is its own: its config, its
// parts, and the hooks of its loop (DaemonLoop).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/notify.h"
#include "common/signals.h"

namespace sentinel {

// How the main loop ended: a stop signal (SIGTERM or SIGINT; exit_code 0), or the tick asked to
// stop with exit_code (signal 0).
struct DaemonStop {
  int signal = 0;
  int exit_code = 0;
};

// The daemon's own parts of the loop. Every hook but `stop` may be left empty.
struct DaemonLoop {
  // The longest this turn may wait (the loop also wakes for the watchdog and the status, and when
  // one of `wake_fds` becomes readable). Empty: until the watchdog or the status is due, 1 s at
  // most.
  std::function<std::chrono::milliseconds(MonoClock::time_point now)> wait_at_most;
  std::function<std::vector<int>()> wake_fds;
  // The daemon's work, once per turn after the signal (if any) is handled; an exit code ends the
  // loop (`stop` is called with it).
  std::function<std::optional<int>(MonoClock::time_point now)> tick;
  // SIGHUP, between RELOADING=1 and READY=1. A ConfigError refuses the reload: it is logged as
  // "reload failed, keeping <reload_keeps>: <what>" and the running configuration stays.
  std::function<void()> reload;
  std::string reload_keeps = "the running configuration";
  // The STATUS= text, asked every `status_every` (zero: every turn); an empty text is not sent.
  std::function<std::string()> status;
  std::chrono::milliseconds status_every{5000};
  // Sent as STATUS= right after READY=1 at start when not empty; the first status() is then one
  // `status_every` later (else it is asked at once).
  std::string ready_status;
  // After STOPPING=1: stops the parts and returns the process's exit code.
  std::function<int(const DaemonStop&)> stop;
};

// How long a turn of the loop waits at most: the loop's own bound (1 s without one), shortened to
// the watchdog's next ping (when systemd asks for pings) and to the next status (unless it is sent
// every turn). Pure, for the tests.
std::chrono::milliseconds turn_wait(const DaemonLoop& loop, MonoClock::time_point now,
                                    std::optional<MonoClock::time_point> watchdog_due,
                                    MonoClock::time_point status_due);

// Construct it first in main(), before any thread starts, so that every thread inherits the
// blocked signals (SignalWaiter). Runs the loop in the calling thread:
//
//   READY=1 (then STATUS=ready_status)
//   each turn: hang_main_loop_if_asked(); wait;
//     SIGTERM/SIGINT -> STOPPING=1, stop({signal}), return its code;
//     SIGHUP -> RELOADING=1, reload(), READY=1;
//     tick(); an exit code -> STOPPING=1, stop({0, code}), return its code;
//     WATCHDOG=1 when due (half of WATCHDOG_USEC); STATUS=status() when due.
class Daemon {
 public:
  Daemon() = default;
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  SystemdNotifier& notifier() { return notifier_; }

  // WATCHDOG=1 if a ping is due: for a part's long operations outside the loop's turns.
  void keep_alive();
  // Whether SIGTERM or SIGINT has arrived, without waiting; a signal read here is kept for the
  // loop's next turn (a SIGHUP is not lost), so a part can give up a long operation early.
  bool stop_requested();
  // The next turn sends the status, whenever it was due (after a reload changed what it says).
  void report_status_now() { next_status_ = MonoClock::now(); }

  int run(const DaemonLoop& loop);

 private:
  int next_signal(std::chrono::milliseconds timeout, const std::vector<int>& fds);

  SignalWaiter signals_;
  SystemdNotifier notifier_;
  int pending_signal_ = 0;
  MonoClock::time_point next_watchdog_ = MonoClock::now();
  MonoClock::time_point next_status_ = MonoClock::now();
};

}  // namespace sentinel

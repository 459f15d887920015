// The daemons' shared main loop: signals, systemd notify, reload and stop.
#include "common/daemon.h"

#include <signal.h>

#include <algorithm>

#include "common/config.h"
#include "common/log.h"
#include "common/test_hooks.h"

namespace sentinel {
namespace {

using std::chrono::milliseconds;

bool is_stop(int sig) { return sig == SIGTERM || sig == SIGINT; }

// A wait that ends at `deadline` at the latest; one millisecond more so that the turn after it
// finds the deadline passed instead of waking just before it.
milliseconds until(MonoClock::time_point deadline, MonoClock::time_point now) {
  return std::chrono::duration_cast<milliseconds>(deadline - now) + milliseconds(1);
}

}  // namespace

milliseconds turn_wait(const DaemonLoop& loop, MonoClock::time_point now,
                       std::optional<MonoClock::time_point> watchdog_due,
                       MonoClock::time_point status_due) {
  milliseconds timeout = loop.wait_at_most ? loop.wait_at_most(now) : milliseconds::max();
  if (watchdog_due) timeout = std::min(timeout, until(*watchdog_due, now));
  // A status sent every turn sets no deadline: it would make every wait end at once.
  if (loop.status && loop.status_every > milliseconds(0)) {
    timeout = std::min(timeout, until(status_due, now));
  }
  return timeout == milliseconds::max() ? milliseconds(1000) : timeout;
}

void Daemon::keep_alive() {
  auto interval = notifier_.watchdog_interval();
  if (!interval || MonoClock::now() < next_watchdog_) return;
  notifier_.watchdog();
  next_watchdog_ = MonoClock::now() + *interval;
}

bool Daemon::stop_requested() {
  if (pending_signal_ == 0) pending_signal_ = signals_.wait(milliseconds(0));
  return is_stop(pending_signal_);
}

int Daemon::next_signal(milliseconds timeout, const std::vector<int>& fds) {
  int sig = pending_signal_;
  pending_signal_ = 0;
  return sig != 0 ? sig : signals_.wait(timeout, fds);
}

int Daemon::run(const DaemonLoop& loop) {
  notifier_.ready();
  if (!loop.ready_status.empty()) {
    notifier_.status(loop.ready_status);
    next_status_ = MonoClock::now() + loop.status_every;
  }
  auto stop = [&](const DaemonStop& how) {
    notifier_.stopping();
    return loop.stop(how);
  };
  for (;;) {
    hang_main_loop_if_asked();
    auto now = MonoClock::now();
    std::optional<MonoClock::time_point> watchdog_due;
    if (notifier_.watchdog_interval()) watchdog_due = next_watchdog_;
    int sig = next_signal(turn_wait(loop, now, watchdog_due, next_status_),
                          loop.wake_fds ? loop.wake_fds() : std::vector<int>{});

    if (is_stop(sig)) return stop({sig, 0});
    if (sig == SIGHUP) {
      notifier_.reloading();
      try {
        if (loop.reload) loop.reload();
      } catch (const ConfigError& e) {
        log::error("reload failed, keeping {}: {}", loop.reload_keeps, e.what());
      }
      notifier_.ready();
    }

    now = MonoClock::now();
    if (loop.tick) {
      if (std::optional<int> code = loop.tick(now)) return stop({0, *code});
      now = MonoClock::now();
    }
    keep_alive();
    if (loop.status && now >= next_status_) {
      next_status_ = now + loop.status_every;
      std::string text = loop.status();
      if (!text.empty()) notifier_.status(text);
    }
  }
}

}  // namespace sentinel

// The daemons' shared main loop with fake hooks: the signals are raised by the hooks themselves
// (blocked, they wait in the signalfd), and the notify messages are read from a real AF_UNIX
// datagram socket standing in for systemd.
#include "common/daemon.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/config.h"
#include "tests/support/process.h"

namespace sentinel {
namespace {

using std::chrono::milliseconds;

// systemd's side of NOTIFY_SOCKET: every datagram sent so far, in order.
class FakeSystemd {
 public:
  FakeSystemd() {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", dir_.file("notify").c_str());
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    setenv("NOTIFY_SOCKET", dir_.file("notify").c_str(), 1);
  }
  ~FakeSystemd() {
    unsetenv("NOTIFY_SOCKET");
    close(fd_);
  }
  // The messages, each cut at its first newline ("RELOADING=1\nMONOTONIC_USEC=…" -> "RELOADING=1").
  std::vector<std::string> received() {
    char buf[4096];
    for (ssize_t n; (n = recv(fd_, buf, sizeof buf, 0)) > 0;) {
      std::string m(buf, static_cast<size_t>(n));
      messages_.push_back(m.substr(0, m.find('\n')));
    }
    return messages_;
  }
  // The messages other than STATUS= and WATCHDOG=1: the protocol's states.
  std::vector<std::string> states() {
    std::vector<std::string> out;
    for (const auto& m : received()) {
      if (m.rfind("STATUS=", 0) != 0 && m != "WATCHDOG=1") out.push_back(m);
    }
    return out;
  }

 private:
  test::TempDir dir_;
  int fd_ = -1;
  std::vector<std::string> messages_;
};

// A loop whose tick raises `signals` one per turn, then ends the loop with exit code 99 (which a
// test that expects a signal to stop it sees as a failure).
struct Script {
  explicit Script(std::vector<int> to_raise = {}) : signals(std::move(to_raise)) {}

  std::vector<int> signals;
  size_t turns = 0;
  std::vector<DaemonStop> stops;
  int reloads = 0;

  DaemonLoop loop() {
    DaemonLoop l;
    l.wait_at_most = [](MonoClock::time_point) { return milliseconds(0); };
    l.tick = [this](MonoClock::time_point) -> std::optional<int> {
      if (turns == signals.size()) return 99;
      raise(signals[turns++]);
      return std::nullopt;
    };
    l.reload = [this] { ++reloads; };
    l.stop = [this](const DaemonStop& how) {
      stops.push_back(how);
      return how.signal != 0 ? 0 : how.exit_code;
    };
    return l;
  }
};

TEST(Daemon, SighupReloadsBetweenReloadingAndReadyThenSigtermStopsOnce) {
  FakeSystemd systemd;
  Daemon daemon;
  Script script({SIGHUP, SIGTERM});
  EXPECT_EQ(daemon.run(script.loop()), 0);
  EXPECT_EQ(script.reloads, 1);
  ASSERT_EQ(script.stops.size(), 1u);
  EXPECT_EQ(script.stops[0].signal, SIGTERM);
  EXPECT_EQ(systemd.states(),
            (std::vector<std::string>{"READY=1", "RELOADING=1", "READY=1", "STOPPING=1"}));
}

TEST(Daemon, SigintStopsLikeSigterm) {
  Daemon daemon;
  Script script({SIGINT});
  EXPECT_EQ(daemon.run(script.loop()), 0);
  ASSERT_EQ(script.stops.size(), 1u);
  EXPECT_EQ(script.stops[0].signal, SIGINT);
}

TEST(Daemon, RefusedReloadIsLoggedAndTheLoopGoesOnWithTheRunningConfig) {
  FakeSystemd systemd;
  Daemon daemon;
  Script script({SIGHUP, SIGHUP, SIGTERM});
  std::string config = "old";
  DaemonLoop loop = script.loop();
  loop.reload_keeps = "the old rules";
  loop.reload = [&] {
    if (++script.reloads == 1) throw ConfigError("rules.yaml:3: expected a duration");
    config = "new";
  };
  testing::internal::CaptureStderr();
  int code = daemon.run(loop);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 0);
  EXPECT_NE(err.find("reload failed, keeping the old rules: rules.yaml:3: expected a duration"),
            std::string::npos)
      << err;
  EXPECT_EQ(script.reloads, 2) << "the loop stopped at the refused reload";
  EXPECT_EQ(config, "new");
  EXPECT_EQ(systemd.states(), (std::vector<std::string>{"READY=1", "RELOADING=1", "READY=1",
                                                        "RELOADING=1", "READY=1", "STOPPING=1"}));
}

TEST(Daemon, TickExitCodeStopsWithStoppingAndReturnsTheCode) {
  FakeSystemd systemd;
  Daemon daemon;
  Script script;
  DaemonLoop loop = script.loop();
  loop.tick = [](MonoClock::time_point) -> std::optional<int> { return 4; };
  EXPECT_EQ(daemon.run(loop), 4);
  ASSERT_EQ(script.stops.size(), 1u);
  EXPECT_EQ(script.stops[0].signal, 0);
  EXPECT_EQ(script.stops[0].exit_code, 4);
  EXPECT_EQ(systemd.states(), (std::vector<std::string>{"READY=1", "STOPPING=1"}));
}

TEST(Daemon, StopRequestedSeesSigtermAndKeepsASighupForTheLoop) {
  Daemon daemon;
  Script script;
  raise(SIGHUP);
  EXPECT_FALSE(daemon.stop_requested());
  EXPECT_EQ(daemon.run(script.loop()), 99);
  EXPECT_EQ(script.reloads, 1) << "the SIGHUP read by stop_requested() was lost";

  Daemon second;
  Script stopped;
  raise(SIGTERM);
  EXPECT_TRUE(second.stop_requested());
  EXPECT_EQ(second.run(stopped.loop()), 0);
  ASSERT_EQ(stopped.stops.size(), 1u);
  EXPECT_EQ(stopped.stops[0].signal, SIGTERM);
  EXPECT_EQ(stopped.turns, 0u) << "the loop ticked after a stop signal";
}

TEST(Daemon, ReadyStatusFollowsReadyAndStatusIsSentWhenDue) {
  FakeSystemd systemd;
  Daemon daemon;
  Script script({SIGHUP, SIGHUP});
  DaemonLoop loop = script.loop();
  loop.ready_status = "waiting for partitions";
  loop.status_every = milliseconds(0);  // every turn
  loop.status = [&] {
    return script.turns == 1 ? std::string() : "turn " + std::to_string(script.turns);
  };
  EXPECT_EQ(daemon.run(loop), 99);
  // Turn 1 raises SIGHUP (its status is empty: not sent), turn 2 reloads and raises another,
  // turn 3 reloads and ends the loop.
  std::vector<std::string> got = systemd.received();
  EXPECT_EQ(got, (std::vector<std::string>{"READY=1", "STATUS=waiting for partitions",
                                           "RELOADING=1", "READY=1", "STATUS=turn 2", "RELOADING=1",
                                           "READY=1", "STOPPING=1"}));
}

TEST(Daemon, WatchdogPingsOnlyWhenSystemdAsksForThem) {
  {
    FakeSystemd systemd;
    Daemon daemon;
    Script script({SIGHUP, SIGHUP});
    daemon.run(script.loop());
    for (const auto& m : systemd.received()) EXPECT_NE(m, "WATCHDOG=1");
  }
  FakeSystemd systemd;
  setenv("WATCHDOG_USEC", "2", 1);  // a ping is due every microsecond: at every turn
  Daemon daemon;
  unsetenv("WATCHDOG_USEC");
  Script script({SIGHUP, SIGHUP});
  daemon.run(script.loop());
  std::vector<std::string> got = systemd.received();
  EXPECT_EQ(std::count(got.begin(), got.end(), "WATCHDOG=1"), 2) << "one per turn, turns 1 and 2";
}

TEST(Daemon, TurnWaitEndsAtTheWatchdogOrStatusDeadlineButNotForAStatusSentEveryTurn) {
  auto now = MonoClock::now();
  DaemonLoop loop;
  loop.wait_at_most = [](MonoClock::time_point) { return milliseconds(500); };
  EXPECT_EQ(turn_wait(loop, now, std::nullopt, now - milliseconds(10)), milliseconds(500))
      << "no status hook: its deadline does not count";
  EXPECT_EQ(turn_wait(loop, now, now + milliseconds(100), now), milliseconds(101));
  loop.status = [] { return std::string("s"); };
  EXPECT_EQ(turn_wait(loop, now, std::nullopt, now + milliseconds(200)), milliseconds(201));
  loop.status_every = milliseconds(0);
  EXPECT_EQ(turn_wait(loop, now, std::nullopt, now - milliseconds(10)), milliseconds(500))
      << "a status sent every turn made the loop spin";
  EXPECT_EQ(turn_wait(DaemonLoop{}, now, std::nullopt, now), milliseconds(1000));
}

}  // namespace
}  // namespace sentinel

// sentinel-agent, sentinel-alerts, sentinel-connect and sentinel-dashboard speak sd_notify(3) as
// systemd expects of a Type=notify unit with WatchdogSec=: each daemon runs as a process with
// NOTIFY_SOCKET pointing at a test socket and WATCHDOG_USEC set, against a real sentinel-devkafka,
// and the test checks:
// - READY=1 arrives once, and only when the daemon is really ready (what its main.cc defines:
//   agent: producer created and the loop about to run; alerts: clients created and subscribed to
//   system_metrics; connect, standalone or distributed: the REST API answers /health with 200 the
//   moment READY=1 arrives (a distributed worker: once in the workers' group);
//   dashboard: the page's server answers api/health with 200 at that moment);
// - WATCHDOG=1 arrives again and again, each within WATCHDOG_USEC of the one before;
// - SIGHUP gives RELOADING=1 (with MONOTONIC_USEC) and then READY=1; SIGTERM gives STOPPING=1
//   and exit 0;
// - when the main loop hangs the pings stop. SIGSTOP would prove nothing (it stops every thread),
//   so the daemons run with the test hook SENTINEL_TEST_HANG_AFTER_MS (common/test_hooks.h), which
//   blocks only the main loop; the process stays alive (connect's REST threads still answer) but
//   no WATCHDOG=1 follows, so systemd would restart it.
#include <gtest/gtest.h>
#include <signal.h>

#include <functional>
#include <memory>
#include <regex>

#include "tests/support/build_paths.h"
#include "tests/support/kafka_env.h"
#include "tests/support/notify_listener.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

using namespace std::chrono_literals;

// Pings are due every WATCHDOG_USEC / 2 = 500 ms; systemd would act after 1 s without one.
constexpr auto kWatchdog = 1000ms;
const std::string kWatchdogUsec = "1000000";

struct Daemon {
  std::string name;
  // Starts the daemon with `options` (NOTIFY_SOCKET, WATCHDOG_USEC, … already set).
  std::function<std::unique_ptr<Process>(const Process::Options&)> start;
  // Whether the daemon is ready by its own definition, asked the moment READY=1 arrived.
  std::function<bool(Process&)> ready_now;
};

class DaemonNotify : public ::testing::Test {
 protected:
  DaemonNotify()
      : kafka_({"system_metrics:1", "system_alerts:1", "connect-configs:1", "connect-status:5",
                "connect-offsets:25"}) {}

  Daemon agent() {
    write_file(
        dir_.file("agent.yaml"),
        "host: test-host\ninterval: 200ms\nkafka:\n  bootstrap.servers: " + kafka_.bootstrap() +
            "\ncollectors:\n  cpu: {enabled: false}\n  memory: {enabled: false}\n"
            "  disk: {enabled: false}\n  diskio: {enabled: false}\n"
            "  network: {enabled: false}\n  pressure: {enabled: false}\n");
    return {
        "sentinel-agent",
        [this](const Process::Options& o) {
          return std::make_unique<Process>(
              std::vector<std::string>{bin("sentinel-agent"), "--config", dir_.file("agent.yaml")},
              o);
        },
        [](Process& p) {
          return std::regex_search(
              p.err(), std::regex(R"(sentinel-agent \S+: host test-host, \d+ collectors)"));
        }};
  }

  Daemon alerts() {
    return {
        "sentinel-alerts",
        [this](const Process::Options& o) {
          return std::make_unique<Process>(
              std::vector<std::string>{bin("sentinel-alerts"), "--config",
                                       source_dir() + "/config/alerts.yaml", "--bootstrap-servers",
                                       kafka_.bootstrap()},
              o);
        },
        [](Process& p) { return p.err().find("consuming system_metrics") != std::string::npos; }};
  }

  Daemon connect() {
    write_file(dir_.file("worker.properties"),
               "bootstrap.servers=" + kafka_.bootstrap() +
                   "\nlisteners=http://127.0.0.1:0\nsentinel.state.dir=" + dir_.file("state") +
                   "\narchive.root=" + dir_.file("archive") + "\n");
    return {"sentinel-connect",
            [this](const Process::Options& o) {
              return std::make_unique<Process>(
                  std::vector<std::string>{bin("sentinel-connect"), dir_.file("worker.properties")},
                  o);
            },
            [](Process& p) { return health(p) == "200"; }};
  }

  // The same unit runs a distributed worker (group.id and the storage topics in its file): ready
  // once it is in the workers' group (GET /health answers 200 from the first assignment).
  Daemon connect_distributed() {
    write_file(dir_.file("distributed.properties"),
               "bootstrap.servers=" + kafka_.bootstrap() +
                   "\nlisteners=http://127.0.0.1:0\ngroup.id=notify-workers"
                   "\nconfig.storage.topic=connect-configs\nstatus.storage.topic=connect-status"
                   "\noffset.storage.topic=connect-offsets\narchive.root=" +
                   dir_.file("archive") + "\n");
    return {"sentinel-connect (distributed)",
            [this](const Process::Options& o) {
              return std::make_unique<Process>(
                  std::vector<std::string>{bin("sentinel-connect"),
                                           dir_.file("distributed.properties")},
                  o);
            },
            [](Process& p) { return health(p) == "200"; }};
  }

  Daemon dashboard() {
    return {"sentinel-dashboard",
            [this](const Process::Options& o) {
              return std::make_unique<Process>(
                  std::vector<std::string>{bin("sentinel-dashboard"), "--bootstrap-servers",
                                           kafka_.bootstrap(), "--listen", "127.0.0.1:0",
                                           "--connect-url", "http://127.0.0.1:1"},
                  o);
            },
            [](Process& p) { return health(p, "/api/health") == "200"; }};
  }

  // GET /health of a running sentinel-connect: the HTTP status, or "" when it does not answer.
  static std::string health(Process& p, const std::string& path = "/health") {
    std::string out = p.out();
    std::smatch m;
    if (!std::regex_search(out, m, std::regex(R"(listening (http://127\.0\.0\.1:\d+))"))) return "";
    std::string url = std::string(m[1]) + path, code;
    run({"curl", "-s", "-o", "/dev/null", "-m", "5", "-w", "%{http_code}", url}, &code, 10s);
    return code;
  }

  Process::Options notify_options(const NotifyListener& listener) {
    Process::Options o;
    o.env = {{"NOTIFY_SOCKET", listener.path()}, {"WATCHDOG_USEC", kWatchdogUsec}};
    return o;
  }

  // Waits for `n` pings from index `from` on, reading each as it arrives; returns their indexes.
  static std::vector<size_t> pings(NotifyListener& notify, size_t from, int n, Process& p) {
    std::vector<size_t> out;
    for (int i = 0; i < n; ++i) {
      int at = notify.wait_for("WATCHDOG=1", from, 20s);
      if (at < 0) {
        ADD_FAILURE() << "no WATCHDOG=1 (" << out.size() << " of " << n << ")\n" << p.err();
        break;
      }
      out.push_back(static_cast<size_t>(at));
      from = static_cast<size_t>(at) + 1;
    }
    return out;
  }

  void check_protocol(const Daemon& d) {
    SCOPED_TRACE(d.name);
    NotifyListener notify(dir_.file("notify"));
    auto p = d.start(notify_options(notify));
    int ready = notify.wait_for("READY=1", 0, 30s);
    ASSERT_GE(ready, 0) << "no READY=1\n" << p->err();
    EXPECT_TRUE(d.ready_now(*p)) << "READY=1 before the daemon was ready:\n" << p->err();

    auto seen = pings(notify, static_cast<size_t>(ready), 4, *p);
    ASSERT_EQ(seen.size(), 4u);
    const auto& m = notify.poll();
    for (size_t i = 1; i < seen.size(); ++i) {
      auto gap =
          std::chrono::duration_cast<std::chrono::milliseconds>(m[seen[i]].at - m[seen[i - 1]].at);
      EXPECT_LT(gap, kWatchdog) << "WATCHDOG=1 " << i << " came " << gap.count()
                                << " ms after the one before";
    }
    EXPECT_EQ(notify.find_all("READY=1").size(), 1u) << "READY=1 more than once before any reload";

    size_t before = notify.poll().size();
    p->signal(SIGHUP);
    int reloading = notify.wait_for("RELOADING=1", before, 20s);
    ASSERT_GE(reloading, 0) << "no RELOADING=1 after SIGHUP\n" << p->err();
    EXPECT_NE(notify.poll()[static_cast<size_t>(reloading)].text.find("MONOTONIC_USEC="),
              std::string::npos);
    EXPECT_GE(notify.wait_for("READY=1", static_cast<size_t>(reloading) + 1, 20s), 0)
        << "no READY=1 after RELOADING=1\n"
        << p->err();
    EXPECT_EQ(pings(notify, static_cast<size_t>(reloading) + 1, 2, *p).size(), 2u)
        << "pings go on after a reload";

    before = notify.poll().size();
    p->signal(SIGTERM);
    EXPECT_GE(notify.wait_for("STOPPING=1", before, 20s), 0) << "no STOPPING=1 after SIGTERM\n"
                                                             << p->err();
    EXPECT_EQ(p->wait(30s), std::optional<int>(0)) << p->err();
  }

  // `while_hung`, if given, checks the daemon during the hang.
  void check_pings_stop_when_main_loop_hangs(const Daemon& d,
                                             const std::function<void(Process&)>& while_hung = {}) {
    SCOPED_TRACE(d.name);
    NotifyListener notify(dir_.file("notify"));
    Process::Options o = notify_options(notify);
    o.env["SENTINEL_TEST_HANG_AFTER_MS"] = "3000";
    auto p = d.start(o);
    int ready = notify.wait_for("READY=1", 0, 30s);
    ASSERT_GE(ready, 0) << "no READY=1\n" << p->err();
    ASSERT_EQ(pings(notify, static_cast<size_t>(ready), 2, *p).size(), 2u);
    ASSERT_TRUE(wait_until(
        [&] { return p->err().find("the main loop hangs now") != std::string::npos; }, 30s))
        << p->err();
    // Every ping sent before the hang is in the socket by now (poll() reads what the listener's
    // thread has not: under ASan load it once lagged behind); none may follow.
    size_t after = notify.poll().size();
    EXPECT_EQ(notify.wait_for("WATCHDOG=1", after, 3 * kWatchdog), -1)
        << "pings go on while the main loop hangs";
    EXPECT_TRUE(p->running()) << "the daemon died instead of hanging\n" << p->err();
    if (while_hung) while_hung(*p);
  }

  DevKafka kafka_;
  TempDir dir_;
};

TEST_F(DaemonNotify, Agent_ReadyWatchdogReloadStop) { check_protocol(agent()); }
TEST_F(DaemonNotify, Alerts_ReadyWatchdogReloadStop) { check_protocol(alerts()); }
TEST_F(DaemonNotify, Connect_ReadyOnlyWhenRestAnswersWatchdogReloadStop) {
  check_protocol(connect());
}

TEST_F(DaemonNotify, ConnectDistributed_ReadyOnlyWhenInTheWorkersGroupWatchdogReloadStop) {
  check_protocol(connect_distributed());
}

TEST_F(DaemonNotify, Dashboard_ReadyOnlyWhenThePageAnswersWatchdogReloadStop) {
  check_protocol(dashboard());
}

TEST_F(DaemonNotify, Agent_PingsStopWhenMainLoopHangs) {
  check_pings_stop_when_main_loop_hangs(agent());
}
TEST_F(DaemonNotify, Alerts_PingsStopWhenMainLoopHangs) {
  check_pings_stop_when_main_loop_hangs(alerts());
}

TEST_F(DaemonNotify, Connect_PingsStopWhenMainLoopHangsWhileRestThreadsRun) {
  check_pings_stop_when_main_loop_hangs(connect(), [](Process& p) {
    EXPECT_EQ(health(p), "200") << "only the main loop should hang, not the REST threads";
  });
}

TEST_F(DaemonNotify, Dashboard_PingsStopWhenMainLoopHangsWhileThePageIsServed) {
  check_pings_stop_when_main_loop_hangs(dashboard(), [](Process& p) {
    EXPECT_EQ(health(p, "/api/health"), "200")
        << "only the main loop should hang, not the web server";
  });
}

}  // namespace
}  // namespace sentinel::test

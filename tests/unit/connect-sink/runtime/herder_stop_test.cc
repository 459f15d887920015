// The herder with tasks that do not stop (a plugin call that never returns), over the fake
// backend: the herder lock is free while it waits, the wait ends at
// task.shutdown.graceful.timeout.ms, a task still running then is abandoned and shown FAILED, the
// main loop's tick never waits, and tasks.max is bounded by the worker's sentinel.tasks.max.limit.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <future>

#include "connect-sink/runtime/herder.h"
#include "tests/support/connect_fakes.h"
#include "tests/support/process.h"

namespace sentinel::connect {
namespace {

using namespace std::chrono_literals;

// A herder call that must not hang: run on a thread; when it has not returned within a generous
// deadline the test binary fails at once (waiting for the thread would hang the suite instead).
template <typename F>
auto within(std::chrono::milliseconds deadline, F&& f) {
  std::future<decltype(f())> result = std::async(std::launch::async, std::forward<F>(f));
  if (result.wait_for(deadline) != std::future_status::ready) {
    std::fprintf(stderr, "FAILED: a herder call hung for %lld ms\n",
                 static_cast<long long>(deadline.count()));
    std::abort();
  }
  return result;
}

struct Fixture {
  explicit Fixture(std::chrono::milliseconds shutdown_timeout, const std::string& state_dir = "") {
    plugins.add(testing::memory_sink_plugin());
    WorkerSettings s;
    s.validation.plugins = &plugins;
    s.task_shutdown_timeout = shutdown_timeout;
    if (!state_dir.empty()) store = std::make_unique<StateStore>(state_dir);
    herder = std::make_unique<Herder>(s, &backend, store.get());
  }
  ~Fixture() {
    for (auto* r : stuck) r->release();
  }
  Outcome create(const std::string& name, bool stuck_tasks, const std::string& tasks_max = "1") {
    backend.stuck = stuck_tasks;
    RawConfig config = {
        {"connector.class", "Memory"}, {"topics", "t"}, {"tasks.max", tasks_max}, {"name", name}};
    bool created = false;
    ConnectorInfoView info;
    Outcome o = herder->put_connector(name, config, std::nullopt, false, &created, &info);
    if (stuck_tasks && o.ok()) stuck.push_back(backend.last);
    backend.stuck = false;
    return o;
  }
  StateView task(const std::string& name, int id) {
    StateView v;
    herder->task_status(name, id, &v);
    return v;
  }

  PluginRegistry plugins;
  testing::FakeBackend backend;
  std::unique_ptr<StateStore> store;
  std::unique_ptr<Herder> herder;
  std::vector<testing::FakeRunner*> stuck;
};

TEST(HerderStop, ReadsAndOtherConnectorsAnswerWhileATaskIsBeingStopped) {
  Fixture f(60s);  // long enough that only a released lock lets the calls below answer
  ASSERT_TRUE(f.create("hang", true).ok());
  ASSERT_TRUE(f.create("other", false).ok());
  testing::FakeRunner* runner = f.stuck[0];
  std::future<Outcome> removing =
      std::async(std::launch::async, [&] { return f.herder->remove("hang"); });
  ASSERT_TRUE(test::wait_until([&] { return f.backend.waits > 0; }, 10s))
      << "remove never waited for the task";

  // The herder is inside the wait: reads, other connectors and new connectors go on...
  auto status = within(10s, [&] {
    ConnectorStatusView v;
    return f.herder->status("hang", &v).status;
  });
  EXPECT_EQ(status.get(), 0);
  EXPECT_EQ(within(10s, [&] { return f.herder->names().size(); }).get(), 2u);
  EXPECT_TRUE(within(10s, [&] { return f.herder->pause("other"); }).get().ok());
  EXPECT_TRUE(within(10s, [&] { return f.create("third", false); }).get().ok());
  // ... and a change to the connector being stopped is refused, not queued behind the wait.
  Outcome busy = within(10s, [&] { return f.herder->stop("hang"); }).get();
  EXPECT_EQ(busy.status, 409);
  EXPECT_NE(busy.message.find("connector hang is stopping its tasks"), std::string::npos)
      << busy.message;

  runner->release();  // the task stops in time after all
  f.stuck.clear();
  ASSERT_EQ(removing.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(removing.get().ok());
  ConnectorStatusView v;
  EXPECT_EQ(f.herder->status("hang", &v).status, 404);
}

TEST(HerderStop, TaskThatDoesNotStopInTimeIsAbandonedAndShownFailed) {
  Fixture f(200ms);
  ASSERT_TRUE(f.create("hang", true).ok());
  // PUT /connectors/hang/stop answers once the deadline passes; the task stays listed, FAILED.
  EXPECT_TRUE(within(10s, [&] { return f.herder->stop("hang"); }).get().ok());
  ConnectorStatusView v;
  ASSERT_TRUE(f.herder->status("hang", &v).ok());
  EXPECT_EQ(v.connector.state, ConnectorState::kStopped);
  ASSERT_EQ(v.tasks.size(), 1u);
  EXPECT_EQ(v.tasks[0].second.state, TaskState::kFailed);
  EXPECT_EQ(v.tasks[0].second.trace, "abandoned after 200 ms in SinkTask.put()");
  // An abandoned task is not waited for again: DELETE answers without another wait.
  int waits = f.backend.waits;
  EXPECT_GE(waits, 1);
  EXPECT_TRUE(within(10s, [&] { return f.herder->remove("hang"); }).get().ok());
  f.stuck.clear();  // the runner went with the connector
  EXPECT_EQ(f.backend.waits, waits);
}

TEST(HerderStop, RestartReplacesAnAbandonedTask) {
  Fixture f(200ms);
  ASSERT_TRUE(f.create("hang", true).ok());
  int started = f.backend.started;
  EXPECT_TRUE(within(10s, [&] { return f.herder->restart_task("hang", 0); }).get().ok());
  EXPECT_EQ(f.backend.started, started + 1);
  EXPECT_EQ(f.task("hang", 0).state, TaskState::kRunning);
  f.stuck.clear();  // the abandoned runner was dropped when the new one took its slot
}

TEST(HerderStop, TickNeverWaitsForAFailedTaskAndGivesUpAfterTheDeadline) {
  Fixture f(5s);
  f.backend.stuck = true;
  RawConfig config = {{"connector.class", "Memory"},
                      {"topics", "t"},
                      {"name", "auto"},
                      {"sentinel.task.restart.max.attempts", "3"},
                      {"sentinel.task.restart.backoff.ms", "0"}};
  bool created = false;
  ConnectorInfoView info;
  ASSERT_TRUE(f.herder->put_connector("auto", config, std::nullopt, false, &created, &info).ok());
  f.backend.stuck = false;
  testing::FakeRunner* runner = f.backend.last;
  f.stuck.push_back(runner);
  runner->fail("boom");
  int started = f.backend.started;
  auto now = MonoClock::now();
  within(10s, [&] {
    f.herder->tick(now);
    return 0;
  });  // schedules the restart
  within(10s, [&] {
    f.herder->tick(now + 1ms);
    return 0;
  });  // asks the task to stop
  within(10s, [&] {
    f.herder->tick(now + 2s);
    return 0;
  });  // still stopping: no wait
  EXPECT_EQ(f.backend.started, started);
  within(10s, [&] {
    f.herder->tick(now + 6s);
    return 0;
  });  // deadline passed: abandoned
  EXPECT_EQ(f.backend.started, started + 1);
  EXPECT_EQ(f.task("auto", 0).state, TaskState::kRunning);
  f.stuck.clear();
}

TEST(HerderStop, ShutdownEndsAtTheDeadlineWithAStuckTask) {
  Fixture f(200ms);
  ASSERT_TRUE(f.create("hang", true, "2").ok());
  ASSERT_TRUE(f.create("fine", false).ok());
  within(10s, [&] {
    f.herder->shutdown();
    return 0;
  });
  f.stuck.clear();
}

TEST(HerderStop, TasksMaxAboveTheWorkerLimitIsRefusedAtValidationAndAtStart) {
  Fixture f(1s);
  Outcome o = f.create("many", false, "65");
  EXPECT_EQ(o.status, 400);
  EXPECT_NE(
      o.message.find(
          "Invalid value 65 for configuration tasks.max: Value must be at most 64 (this worker's "
          "sentinel.tasks.max.limit)"),
      std::string::npos)
      << o.message;
  EXPECT_TRUE(f.create("enough", false, "64").ok());

  // A connector saved before the limit existed is not started with 100 000 tasks.
  test::TempDir dir;
  std::string error;
  ASSERT_TRUE(StateStore(dir.path())
                  .save({{"old", StoredConnector{{{"name", "old"},
                                                  {"connector.class", "Memory"},
                                                  {"topics", "t"},
                                                  {"tasks.max", "100000"}},
                                                 TargetState::kStarted}}},
                        &error))
      << error;
  Fixture restored(1s, dir.path());
  int started = restored.backend.started;
  ASSERT_TRUE(restored.herder->restore(&error)) << error;
  EXPECT_EQ(restored.backend.started, started);
  ConnectorStatusView v;
  ASSERT_TRUE(restored.herder->status("old", &v).ok());
  EXPECT_EQ(v.connector.state, ConnectorState::kFailed);
  EXPECT_NE(v.connector.trace.find(
                "tasks.max 100000 is above this worker's sentinel.tasks.max.limit (64)"),
            std::string::npos)
      << v.connector.trace;
}

}  // namespace
}  // namespace sentinel::connect

// Restarts on a real Kafka 2.4.1 broker (label realbroker): a SIGKILLed sentinel-connect or
// sentinel-alerts, restarted with its default settings, gets all its partitions back and resumes
// before a deadline (the dead consumers' session timeout, 45 s, is longer), archiving every
// record exactly once and repeating or losing no alert across the kill; and a second process
// joining with the same identity from a different bootstrap spelling (so that the host lock does
// not see it) fences the first, which says so and stays stopped instead of taking the partitions
// back. How fast they resume is measured by bench/restart.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "common/clock.h"
#include "tests/integration/groups/groups_support.h"
#include "tests/support/build_paths.h"
#include "tests/support/kafka_env.h"
#include "tests/support/real_kafka.h"

namespace sentinel::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

// A restart counts as resumed within this; the session timeout a dynamic member waits is 45 s.
constexpr auto kResumeDeadline = 30s;

std::string worker_properties(const TempDir& dir) {
  return "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
         "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
         "offset.flush.interval.ms=1000\n"
         "plugin.path=" +
         built(plugin_dir()) +
         "\n"
         "archive.root=" +
         dir.file("archive") + "\n";
}

// Produces numbered records round-robin over the partitions until stopped, from its own thread.
class Flow {
 public:
  Flow(std::string bootstrap, std::string topic, int partitions)
      : thread_([this, bootstrap, topic, partitions] {
          while (!stop_) {
            std::vector<TimedRecord> batch;
            for (int i = 0; i < 32; ++i, ++next_) {
              batch.push_back({"", "seq-" + std::to_string(next_), 0,
                               static_cast<int32_t>(next_ % partitions)});
            }
            std::string error;
            if (!produce_records(bootstrap, topic, batch, &error)) {
              failure_ = error;
              return;
            }
            produced_ = next_;
            std::this_thread::sleep_for(50ms);  // a steady trickle, not a measurement
          }
        }) {}
  ~Flow() { finish(); }
  void finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int64_t produced() const { return produced_; }
  const std::string& failure() const { return failure_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> produced_{0};
  int64_t next_ = 0;
  std::string failure_;
  std::thread thread_;
};

// The largest sequence number archived per partition.
std::map<int, int64_t> newest_per_partition(const Archived& a) {
  std::map<int, int64_t> out;
  for (const auto& [key, value] : a.value) {
    int64_t seq = std::stoll(value.substr(4));
    out[key.first] = std::max(out.count(key.first) ? out[key.first] : -1, seq);
  }
  return out;
}

TEST(Restart, SigkilledConnectWorkerGetsAll16PartitionsBackAndArchivesEveryRecordOnce) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  const std::string topic = RealKafka::unique_name("archive");
  const std::string name = RealKafka::unique_name("archive-sink");
  std::string error;
  ASSERT_TRUE(kafka.create_topics({{topic, 16, 1, {}}}, &error)) << error;
  TempDir dir;
  const int port = free_port();  // the default identity is <host>:<REST port>: keep the port
  auto worker = std::make_unique<ConnectWorker>(dir, kafka.bootstrap(), worker_properties(dir),
                                                ConnectWorker::Options{.port = port});
  ASSERT_TRUE(worker->up()) << worker->process().err();
  ASSERT_EQ(worker->send("POST", "/connectors", archive_connector(name, topic, 4)).first, 201);
  Flow flow(kafka.bootstrap(), topic, 16);
  // Killed once the group has settled and archiving is under way, as a running system is.
  ASSERT_TRUE(wait_until(
      [&] {
        return worker->settled(name, 4, 16) && read_archive(dir.file("archive")).count.size() > 500;
      },
      60s))
      << worker->process().err();

  worker->process().signal(SIGKILL);
  worker->process().wait(10s);
  int64_t produced_at_restart = flow.produced();
  auto restarted = std::make_unique<ConnectWorker>(dir, kafka.bootstrap(), worker_properties(dir),
                                                   ConnectWorker::Options{.port = port});
  ASSERT_TRUE(restarted->up()) << restarted->process().err();
  // Every partition archives a record produced after the restart: all 16 are back.
  bool resumed = wait_until(
      [&] {
        auto newest = newest_per_partition(read_archive(dir.file("archive")));
        if (newest.size() < 16) return false;
        for (const auto& [partition, seq] : newest) {
          if (seq < produced_at_restart) return false;
        }
        return true;
      },
      kResumeDeadline, 100ms);
  EXPECT_TRUE(resumed) << "not resumed " << kResumeDeadline.count() << " s after the restart\n"
                       << restarted->process().err();
  EXPECT_TRUE(restarted->settled(name, 4, 16)) << restarted->process().err();

  flow.finish();
  ASSERT_EQ(flow.failure(), "");
  const int64_t produced = flow.produced();
  ASSERT_TRUE(wait_until(
      [&] {
        return static_cast<int64_t>(read_archive(dir.file("archive")).count.size()) >= produced;
      },
      30s));
  restarted->process().signal(SIGTERM);
  EXPECT_EQ(restarted->process().wait(20s), 0) << restarted->process().err();

  // Exactly once: every record of the topic once, nothing else.
  Archived a = read_archive(dir.file("archive"));
  for (size_t i = 0; i < a.problems.size() && i < 5; ++i) ADD_FAILURE() << a.problems[i];
  std::vector<KafkaRecord> in_kafka = kcat_consume(kafka.bootstrap(), topic);
  EXPECT_EQ(static_cast<int64_t>(in_kafka.size()), produced);
  size_t missing = 0, twice = 0;
  for (const auto& r : in_kafka) {
    auto it = a.count.find({r.partition, static_cast<int64_t>(r.offset)});
    if (it == a.count.end()) {
      ++missing;
    } else if (it->second != 1 || a.value[it->first] != r.value) {
      ++twice;
    }
  }
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(twice, 0u) << "records archived more than once or with another value";
  EXPECT_EQ(a.count.size(), in_kafka.size());
}

// Killed in the middle of its first rebalance (one task has the partitions, the others are
// joining), the worker is restarted while the group still waits for the dead members. Kafka 2.4
// then gives the restarted static members that join after the rebalance's join phase an empty
// assignment and their partitions to nobody; the worker notices (UnownedPartitionsWatch) and
// rejoins, so every partition is archived again.
TEST(Restart, ConnectWorkerKilledDuringItsFirstRebalanceStillGetsAll16PartitionsBack) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  const std::string topic = RealKafka::unique_name("archive");
  std::string error;
  ASSERT_TRUE(kafka.create_topics({{topic, 16, 1, {}}}, &error)) << error;
  TempDir dir;
  const int port = free_port();
  auto worker = std::make_unique<ConnectWorker>(dir, kafka.bootstrap(), worker_properties(dir),
                                                ConnectWorker::Options{.port = port});
  ASSERT_TRUE(worker->up()) << worker->process().err();
  Flow flow(kafka.bootstrap(), topic, 16);
  // The moment sought: one task has the partitions of a first generation, the other three have
  // asked to join and the group waits for that first member, which rejoins on its next heartbeat,
  // seconds later. When the four tasks happen to join in one generation instead, another
  // connector (a new group) tries again.
  std::string name, archive;
  bool caught = false;
  for (int attempt = 0; attempt < 8 && !caught; ++attempt) {
    name = RealKafka::unique_name("archive-sink");
    archive = dir.file("archive/" + name);
    ASSERT_EQ(worker->send("POST", "/connectors", archive_connector(name, topic, 4, name)).first,
              201);
    bool settled = false;
    wait_until(
        [&] {
          GroupView g = describe_group(kafka.bootstrap(), "connect-" + name);
          caught =
              worker->assigned_total(name) > 0 && g.state == "PreparingRebalance" && g.members == 4;
          settled = worker->settled(name, 4, 16);
          return caught || settled;
        },
        20s, 20ms);
    if (!caught) {
      ASSERT_EQ(worker->send("DELETE", "/connectors/" + name).first, 204);
    }
  }
  if (!caught) GTEST_SKIP() << "the four tasks joined in one generation eight times in a row";
  worker->process().signal(SIGKILL);
  worker->process().wait(10s);
  int64_t produced_at_restart = flow.produced();
  auto restarted = std::make_unique<ConnectWorker>(dir, kafka.bootstrap(), worker_properties(dir),
                                                   ConnectWorker::Options{.port = port});
  ASSERT_TRUE(restarted->up()) << restarted->process().err();
  bool resumed = wait_until(
      [&] {
        auto newest = newest_per_partition(read_archive(archive));
        if (newest.size() < 16) return false;
        for (const auto& [partition, seq] : newest) {
          if (seq < produced_at_restart) return false;
        }
        return true;
      },
      kResumeDeadline, 100ms);
  EXPECT_TRUE(resumed) << "not resumed " << kResumeDeadline.count() << " s after the restart\n"
                       << restarted->process().err();
  flow.finish();
  restarted->process().signal(SIGTERM);
  EXPECT_EQ(restarted->process().wait(20s), 0) << restarted->process().err();
}

// sentinel-alerts on the real broker: topics and group of its own, default group settings.
class AlertsOnRealBroker {
 public:
  AlertsOnRealBroker()
      : metrics_(RealKafka::unique_name("system_metrics")),
        alerts_(RealKafka::unique_name("system_alerts")),
        group_(RealKafka::unique_name("alert-group")) {}

  bool create_topics(std::string* error) {
    return RealKafka::instance().create_topics({{metrics_, 3, 1, {}}, {alerts_, 3, 1, {}}}, error);
  }
  std::unique_ptr<Process> start(const std::string& bootstrap, const std::string& instance = "") {
    write_file(dir_.file("alerts.yaml"),
               "kafka: {bootstrap.servers: \"" + bootstrap +
                   "\"}\n"
                   "input: {topic: " +
                   metrics_ + ", group: " + group_ +
                   (instance.empty() ? "" : ", instance_id: " + instance) +
                   "}\n"
                   "output: {topic: " +
                   alerts_ +
                   "}\n"
                   "time: {allowed_lateness: 1s, idle_timeout: 1s}\n"
                   "commit_interval: 200ms\n"
                   "rules:\n"
                   "  cpu_high:\n"
                   "    resource: cpu\n    metric: usage_pct\n    match: {cpu: total}\n"
                   "    group_by: [host]\n    window: 5s\n    agg: avg\n    above: 90\n"
                   "    resolve: 80\n    for: 2\n    severity: critical\n"
                   "host_silent: {enabled: false}\n");
    return std::make_unique<Process>(
        std::vector<std::string>{bin("sentinel-alerts"), "--config", dir_.file("alerts.yaml")});
  }
  // One cpu record a second for `host` from `from_ms`, as (seconds, usage) runs.
  bool produce(const std::string& host, int64_t from_ms, std::vector<std::pair<int, double>> runs) {
    std::vector<TimedRecord> records;
    int64_t ts = from_ms;
    for (auto [seconds, usage] : runs) {
      for (int i = 0; i < seconds; ++i, ts += 1000) {
        json j = {{"v", 1},
                  {"host", host},
                  {"resource", "cpu"},
                  {"ts", ts},
                  {"tags", {{"cpu", "total"}}},
                  {"metrics", {{"usage_pct", usage}}}};
        records.push_back({"cpu", j.dump(), ts, -1});
      }
    }
    std::string error;
    bool ok = produce_records(RealKafka::instance().bootstrap(), metrics_, records, &error);
    EXPECT_TRUE(ok) << error;
    return ok;
  }
  std::vector<std::string> states(const std::string& id) {
    std::vector<std::string> out;
    for (const auto& r : kcat_consume(RealKafka::instance().bootstrap(), alerts_)) {
      json j = json::parse(r.value, nullptr, false);
      if (!j.is_discarded() && j.value("id", "") == id) out.push_back(j.value("state", "?"));
    }
    return out;
  }
  const std::string& metrics_topic() const { return metrics_; }
  const std::string& group() const { return group_; }

 private:
  std::string metrics_, alerts_, group_;
  TempDir dir_;
};

// Assignment lines of sentinel-alerts that name all three partitions of `topic`.
bool assigned_all(const std::string& log, const std::string& topic) {
  return std::regex_search(log, std::regex("assigned " + topic + "\\[\\d\\] " + topic +
                                           "\\[\\d\\] " + topic + "\\[\\d\\]"));
}

TEST(Restart, SigkilledAlertsInstanceGetsItsPartitionsBackAndNeitherRepeatsNorLosesAnAlert) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  AlertsOnRealBroker a;
  std::string error;
  ASSERT_TRUE(a.create_topics(&error)) << error;
  const std::string id = "cpu_high/host=synthetic-1";
  int64_t t0 = (wall_ms() - 600000) / 5000 * 5000;
  auto first = a.start(RealKafka::instance().bootstrap());
  ASSERT_TRUE(a.produce("synthetic-1", t0, {{10, 10}, {20, 99}}));
  ASSERT_TRUE(wait_until([&] { return a.states(id).size() == 1; }, 40s)) << first->err();

  first->signal(SIGKILL);
  first->wait(10s);
  auto restarted = a.start(RealKafka::instance().bootstrap());
  EXPECT_TRUE(wait_until([&] { return assigned_all(restarted->err(), a.metrics_topic()); },
                         kResumeDeadline))
      << "not resumed " << kResumeDeadline.count() << " s after the restart\n"
      << restarted->err();
  ASSERT_TRUE(a.produce("synthetic-1", t0 + 30000, {{20, 10}}));
  ASSERT_TRUE(wait_until([&] { return a.states(id).size() >= 2; }, 40s)) << restarted->err();
  restarted->signal(SIGTERM);
  EXPECT_EQ(restarted->wait(20s), 0) << restarted->err();
  EXPECT_EQ(a.states(id), (std::vector<std::string>{"firing", "resolved"})) << restarted->err();
}

// 127.0.0.1:PORT → localhost:PORT: the same broker under another name, so the host's identity
// lock (keyed by the bootstrap servers) lets a second process with the same identity in.
std::string other_spelling(const std::string& bootstrap) {
  return "localhost" + bootstrap.substr(bootstrap.find(':'));
}

TEST(Restart, ConnectTaskFencedByAnotherWorkerWithItsIdentityFailsSaysSoAndIsNotRestarted) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  const std::string topic = RealKafka::unique_name("fenced");
  const std::string name = RealKafka::unique_name("fenced-sink");
  std::string error;
  ASSERT_TRUE(kafka.create_topics({{topic, 2, 1, {}}}, &error)) << error;
  TempDir dir_a, dir_b;
  std::string props = "sentinel.worker.id=twin\n";
  // The fenced task would be restarted 100 ms later if nothing held it back.
  json config = {{"connector.class", "FileStreamSink"},
                 {"tasks.max", "1"},
                 {"topics", topic},
                 {"sentinel.task.restart.max.attempts", "-1"},
                 {"sentinel.task.restart.backoff.ms", "100"}};
  ConnectWorker a(dir_a, kafka.bootstrap(), worker_properties(dir_a) + props);
  ASSERT_TRUE(a.up()) << a.process().err();
  config["file"] = dir_a.file("archive/out.log");  // under archive.root
  ASSERT_EQ(a.send("POST", "/connectors", json{{"name", name}, {"config", config}}.dump()).first,
            201);
  ASSERT_TRUE(wait_until([&] { return a.assigned_total(name) == 2; }, 30s)) << a.process().err();

  ConnectWorker b(dir_b, other_spelling(kafka.bootstrap()), worker_properties(dir_b) + props);
  ASSERT_TRUE(b.up()) << b.process().err();
  config["file"] = dir_b.file("archive/out.log");
  ASSERT_EQ(b.send("POST", "/connectors", json{{"name", name}, {"config", config}}.dump()).first,
            201);
  ASSERT_TRUE(wait_until([&] { return a.task_state(name) == "FAILED"; }, 30s)) << a.process().err();
  EXPECT_NE(a.task_trace(name).find("fenced: another consumer joined group connect-" + name +
                                    " with this task's group.instance.id twin-" + name + "-0"),
            std::string::npos)
      << a.task_trace(name);
  // The newcomer keeps the partitions: it archives what comes next, while the fenced task stays
  // FAILED and is never restarted (which would fence the newcomer in turn).
  std::vector<TimedRecord> more;
  for (int i = 0; i < 20; ++i) more.push_back({"", "after-" + std::to_string(i), 0, i % 2});
  ASSERT_TRUE(produce_records(kafka.bootstrap(), topic, more, &error)) << error;
  EXPECT_TRUE(wait_until(
      [&] {
        return read_file(dir_b.file("archive/out.log")).find("after-19") != std::string::npos &&
               read_file(dir_b.file("archive/out.log")).find("after-0") != std::string::npos;
      },
      30s))
      << b.process().err();
  EXPECT_EQ(b.task_state(name), "RUNNING") << b.process().err();
  EXPECT_EQ(a.task_state(name), "FAILED");
  EXPECT_EQ(a.process().err().find("restarting in"), std::string::npos) << a.process().err();
  EXPECT_EQ(read_file(dir_a.file("archive/out.log")).find("after-"), std::string::npos);
}

TEST(Restart, AlertsInstanceFencedByAnotherWithItsIdentityExitsWithCode4) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  AlertsOnRealBroker a;
  std::string error;
  ASSERT_TRUE(a.create_topics(&error)) << error;
  auto first = a.start(RealKafka::instance().bootstrap(), "twin");
  ASSERT_TRUE(wait_until([&] { return assigned_all(first->err(), a.metrics_topic()); }, 30s))
      << first->err();
  auto second = a.start(other_spelling(RealKafka::instance().bootstrap()), "twin");
  std::optional<int> code = first->wait(30s);
  EXPECT_EQ(code, 4) << first->err();
  EXPECT_NE(
      first->err().find("fenced: another consumer joined group " + a.group() + " as instance twin"),
      std::string::npos)
      << first->err();
  EXPECT_TRUE(second->running()) << second->err();
  second->signal(SIGTERM);
  EXPECT_EQ(second->wait(20s), 0) << second->err();
}

}  // namespace
}  // namespace sentinel::test

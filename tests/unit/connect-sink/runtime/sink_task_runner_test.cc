// SinkTaskRunner driven directly, with an in-test SinkTask that records its calls, against
// sentinel-devkafka started as a process (kcat produces, the offset admin reads the group's
// committed offsets back): records reach put() in order and converted, pre_commit's answer is what
// gets committed, pause holds records back and resume delivers them, a put() that throws fails the
// task with a trace naming it, an unconvertible record goes to the dead letter queue when
// tolerated, a stop with a deadline abandons a put() that never returns, and in distributed mode a
// task never starts nor commits below the group's committed offset.
#include "connect-sink/runtime/sink_task_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "connect-sink/runtime/offset_admin.h"
#include "tests/support/kafka_env.h"
#include "tests/support/process.h"

namespace sentinel::connect {
namespace {

using namespace std::chrono_literals;
using test::DevKafka;
using test::wait_until;

constexpr auto kDeadline = 30s;

// What the task saw; shared with the test (the runner owns the task, and keeps an abandoned one).
struct Recorder {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<SinkRecord> records;          // every record put() got, in order
  std::vector<OffsetMap> pre_commit_calls;  // the current offsets of each pre_commit
  std::atomic<int> puts{0};                 // put() calls, empty batches included
  std::atomic<bool> stopped{false};
  // Behaviour the test chooses.
  std::atomic<bool> throw_in_put{false};  // a non-empty batch makes put() throw
  std::atomic<bool> hang_in_put{false};   // a non-empty batch makes put() wait for `release`
  std::atomic<bool> in_put{false};
  bool release = false;                 // under mu
  std::optional<int64_t> hold_back_to;  // pre_commit answers this offset for every partition
  // open() asks (SinkTaskContext::offset) to start every partition here, and pre_commit answers it
  // until a record came: a task positioning itself from its own files, as RotatingFileSink does.
  std::optional<int64_t> open_at;

  size_t record_count() {
    std::lock_guard lock(mu);
    return records.size();
  }
  void release_put() {
    std::lock_guard lock(mu);
    release = true;
    cv.notify_all();
  }
};

class RecordingTask : public SinkTask {
 public:
  explicit RecordingTask(std::shared_ptr<Recorder> r) : r_(std::move(r)) {}
  std::string version() const override { return "test"; }
  void initialize(SinkTaskContext& context) override { context_ = &context; }
  Status start(const Config&) override { return Status::Ok(); }
  Status open(const std::vector<TopicPartition>& partitions) override {
    if (!r_->open_at) return Status::Ok();
    OffsetMap at;
    for (const auto& tp : partitions) at[tp] = *r_->open_at;
    context_->offset(at);
    std::lock_guard lock(r_->mu);
    own_ = at;
    return Status::Ok();
  }
  Status put(const std::vector<SinkRecord>& records) override {
    ++r_->puts;
    if (records.empty()) return Status::Ok();
    if (r_->throw_in_put) throw std::runtime_error("the disk is on fire");
    if (r_->hang_in_put) {
      r_->in_put = true;
      std::unique_lock lock(r_->mu);
      r_->cv.wait(lock, [&] { return r_->release; });
    }
    std::lock_guard lock(r_->mu);
    r_->records.insert(r_->records.end(), records.begin(), records.end());
    for (const auto& rec : records) own_[{rec.topic, rec.partition}] = rec.offset + 1;
    return Status::Ok();
  }
  Status pre_commit(const OffsetMap& current, OffsetMap* committable) override {
    std::lock_guard lock(r_->mu);
    r_->pre_commit_calls.push_back(current);
    *committable = current;
    if (r_->hold_back_to) {
      for (auto& [tp, off] : *committable) off = *r_->hold_back_to;
    }
    if (r_->open_at) {
      for (auto& [tp, off] : *committable) {
        if (own_.count(tp)) off = own_.at(tp);
      }
    }
    return Status::Ok();
  }
  void stop() override { r_->stopped = true; }

 private:
  std::shared_ptr<Recorder> r_;
  SinkTaskContext* context_ = nullptr;
  OffsetMap own_;  // open_at: the position "its files" hold (under r_->mu)
};

// A task spec as the herder makes one (Herder::consumer_props), for connector `name` on `topic`.
TaskSpec spec_for(const std::string& bootstrap, const std::string& name, const std::string& topic,
                  std::shared_ptr<Recorder> recorder) {
  TaskSpec spec;
  spec.connector = name;
  spec.topics = {topic};
  spec.consumer = {{"bootstrap.servers", bootstrap},
                   {"group.id", "connect-" + name},
                   {"client.id", "connector-consumer-" + name + "-0"},
                   {"enable.auto.commit", "false"},
                   {"enable.auto.offset.store", "false"},
                   {"auto.offset.reset", "earliest"}};
  spec.producer = {{"bootstrap.servers", bootstrap}};
  spec.flush_interval = 200ms;
  spec.value_converter = {ConverterKind::kJson, /*schemas_enable=*/true};
  spec.task = std::make_unique<RecordingTask>(std::move(recorder));
  spec.metrics = std::make_shared<TaskMetrics>();
  return spec;
}

// A value with a schema, as JsonConverter (schemas.enable) expects it; its payload is `text`.
std::string json_value(const std::string& text) {
  return R"({"schema":{"type":"string","optional":false},"payload":")" + text + R"("})";
}

std::vector<std::string> keyed_values(int from, int to) {
  std::vector<std::string> lines;
  for (int i = from; i < to; ++i) {
    lines.push_back("k" + std::to_string(i) + "\t" + json_value("v" + std::to_string(i)));
  }
  return lines;
}

// The group's committed offset of `topic` partition 0, as the offset admin lists it (-1: none).
int64_t committed_offset(const std::string& bootstrap, const std::string& name,
                         const std::string& topic) {
  std::vector<PartitionOffset> out;
  OffsetsResult r = list_group_offsets(
      {{"bootstrap.servers", bootstrap}, {"group.id", "connect-" + name}}, {topic}, "", 10s, &out);
  EXPECT_TRUE(r.ok()) << r.detail;
  for (const auto& p : out) {
    if (p.topic == topic && p.partition == 0) return p.offset;
  }
  return -1;
}

bool stops(SinkTaskRunner& runner) {
  runner.request_stop();
  return runner.wait_stopped(kDeadline);
}

TEST(SinkTaskRunner, RecordsReachPutInOrderWithConvertedKeysAndValues) {
  DevKafka kafka({"events:1"});
  auto recorder = std::make_shared<Recorder>();
  SinkTaskRunner runner(spec_for(kafka.bootstrap(), "ordered", "events", recorder));
  ASSERT_TRUE(test::kcat_produce(kafka.bootstrap(), "events", keyed_values(0, 20), true));
  ASSERT_TRUE(wait_until([&] { return recorder->record_count() >= 20; }, kDeadline))
      << "records put: " << recorder->record_count() << ", status "
      << to_string(runner.status().view.state) << ": " << runner.status().view.trace;
  ASSERT_TRUE(stops(runner));
  std::lock_guard lock(recorder->mu);
  ASSERT_EQ(recorder->records.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    const SinkRecord& r = recorder->records[i];
    EXPECT_EQ(r.topic, "events");
    EXPECT_EQ(r.partition, 0);
    EXPECT_EQ(r.offset, i);
    EXPECT_EQ(r.key, "k" + std::to_string(i));
    EXPECT_EQ(r.value, "v" + std::to_string(i)) << "the JsonConverter's payload, not the envelope";
  }
  EXPECT_TRUE(recorder->stopped);
  EXPECT_EQ(runner.status().view.state, TaskState::kUnassigned);
}

TEST(SinkTaskRunner, CommitsTheOffsetsPreCommitReturnsNotThoseConsumed) {
  DevKafka kafka({"events:1"});
  auto recorder = std::make_shared<Recorder>();
  recorder->hold_back_to = 3;  // the destination holds only the first 3 records durably
  SinkTaskRunner runner(spec_for(kafka.bootstrap(), "flushing", "events", recorder));
  ASSERT_TRUE(test::kcat_produce(kafka.bootstrap(), "events", keyed_values(0, 5), true));
  const TopicPartition tp{"events", 0};
  // Flush first: pre_commit is asked with the offset after the last record put().
  ASSERT_TRUE(wait_until(
      [&] {
        std::lock_guard lock(recorder->mu);
        for (const auto& current : recorder->pre_commit_calls) {
          if (current.count(tp) && current.at(tp) == 5) return true;
        }
        return false;
      },
      kDeadline))
      << "status " << to_string(runner.status().view.state) << ": " << runner.status().view.trace;
  // Then the commit: what pre_commit returned, periodically and again at the stop.
  ASSERT_TRUE(wait_until(
      [&] { return committed_offset(kafka.bootstrap(), "flushing", "events") == 3; }, kDeadline));
  ASSERT_TRUE(stops(runner));
  EXPECT_EQ(committed_offset(kafka.bootstrap(), "flushing", "events"), 3);
}

// Distributed mode (no_seek_below_committed): a task whose own position for a partition lies
// below the group's committed offset (this host's files are behind: another worker archived what
// lies between) starts at the committed offset, and its commits never move the group back there
// — not even when it reports its own stale position before it wrote anything (seen with three
// workers: the next owner archived the records between again).
TEST(SinkTaskRunner, DistributedTaskStartsAtTheGroupsCommittedOffsetAndNeverCommitsBelowIt) {
  DevKafka kafka({"events:1"});
  ASSERT_TRUE(test::kcat_produce(kafka.bootstrap(), "events", keyed_values(0, 10), true));
  // Another worker's task archived the first 8 records and committed.
  auto commit_as_another_worker = [&](const std::string& name, int64_t offset) {
    OffsetsResult r = alter_group_offsets(
        {{"bootstrap.servers", kafka.bootstrap()}, {"group.id", "connect-" + name}},
        {{{"events", 0}, offset}}, 10s);
    ASSERT_TRUE(r.ok()) << r.detail;
    ASSERT_EQ(committed_offset(kafka.bootstrap(), name, "events"), offset);
  };
  commit_as_another_worker("floor", 8);
  auto recorder = std::make_shared<Recorder>();
  recorder->open_at = 2;  // this host's files end at record 2
  TaskSpec spec = spec_for(kafka.bootstrap(), "floor", "events", recorder);
  spec.no_seek_below_committed = true;
  SinkTaskRunner runner(std::move(spec));
  ASSERT_TRUE(wait_until([&] { return recorder->record_count() >= 2; }, kDeadline))
      << "status " << to_string(runner.status().view.state) << ": " << runner.status().view.trace;
  ASSERT_TRUE(wait_until(
      [&] { return committed_offset(kafka.bootstrap(), "floor", "events") == 10; }, kDeadline));
  ASSERT_TRUE(stops(runner));
  {
    std::lock_guard lock(recorder->mu);
    ASSERT_EQ(recorder->records.size(), 2u);
    EXPECT_EQ(recorder->records[0].offset, 8) << "started at the group's committed offset";
  }
  EXPECT_EQ(committed_offset(kafka.bootstrap(), "floor", "events"), 10);

  // Such a task on a partition with nothing new since the group's commit: it reports its stale
  // position (2) at every commit; the group stays at 10.
  commit_as_another_worker("idle", 10);
  auto idle = std::make_shared<Recorder>();
  idle->open_at = 2;
  TaskSpec idle_spec = spec_for(kafka.bootstrap(), "idle", "events", idle);
  idle_spec.no_seek_below_committed = true;
  SinkTaskRunner idle_runner(std::move(idle_spec));
  ASSERT_TRUE(wait_until(
      [&] {
        std::lock_guard lock(idle->mu);
        return idle->pre_commit_calls.size() >= 2;
      },
      kDeadline))
      << "status " << to_string(idle_runner.status().view.state);
  ASSERT_TRUE(stops(idle_runner));
  EXPECT_EQ(idle->record_count(), 0u);
  EXPECT_EQ(committed_offset(kafka.bootstrap(), "idle", "events"), 10)
      << "a stale position reported by pre_commit moved the group back";
}

TEST(SinkTaskRunner, PauseHoldsRecordsBackAndResumeDeliversThem) {
  DevKafka kafka({"events:1"});
  auto recorder = std::make_shared<Recorder>();
  SinkTaskRunner runner(spec_for(kafka.bootstrap(), "pausing", "events", recorder));
  ASSERT_TRUE(test::kcat_produce(kafka.bootstrap(), "events", keyed_values(0, 3), true));
  ASSERT_TRUE(wait_until([&] { return recorder->record_count() == 3; }, kDeadline));

  runner.set_paused(true);
  ASSERT_TRUE(
      wait_until([&] { return runner.status().view.state == TaskState::kPaused; }, kDeadline));
  ASSERT_TRUE(test::kcat_produce(kafka.bootstrap(), "events", keyed_values(3, 6), true));
  // put() still runs (with empty batches) while paused: forty of them, about four seconds of
  // polls after the records were produced, bring none of them.
  int puts = recorder->puts;
  ASSERT_TRUE(wait_until([&] { return recorder->puts >= puts + 40; }, kDeadline));
  EXPECT_EQ(recorder->record_count(), 3u) << "records reached put() while the task was paused";

  runner.set_paused(false);
  ASSERT_TRUE(wait_until([&] { return recorder->record_count() == 6; }, kDeadline))
      << "records put after resume: " << recorder->record_count();
  EXPECT_EQ(runner.status().view.state, TaskState::kRunning);
  ASSERT_TRUE(stops(runner));
  std::lock_guard lock(recorder->mu);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(recorder->records[i].offset, i);
}

TEST(SinkTaskRunner, PutThatThrowsFailsTheTaskWithATraceNamingIt) {
  DevKafka kafka({"events:1"});
  auto recorder = std::make_shared<Recorder>();
  recorder->throw_in_put = true;
  SinkTaskRunner runner(spec_for(kafka.bootstrap(), "throwing", "events", recorder));
  ASSERT_TRUE(test::kcat_produce(kafka.bootstrap(), "events", keyed_values(0, 1), true));
  ASSERT_TRUE(
      wait_until([&] { return runner.status().view.state == TaskState::kFailed; }, kDeadline));
  TaskStatus status = runner.status();
  EXPECT_NE(status.view.trace.find("Exiting WorkerSinkTask due to unrecoverable exception"),
            std::string::npos)
      << status.view.trace;
  EXPECT_NE(status.view.trace.find("put threw: the disk is on fire"), std::string::npos)
      << status.view.trace;
  EXPECT_TRUE(status.auto_restart);
  // The thread ends by itself (no stop asked) and the failure sticks.
  ASSERT_TRUE(runner.wait_stopped(kDeadline));
  EXPECT_EQ(runner.status().view.state, TaskState::kFailed);
  EXPECT_EQ(committed_offset(kafka.bootstrap(), "throwing", "events"), -1)
      << "a failed task commits nothing";
}

TEST(SinkTaskRunner, UnconvertibleRecordGoesToTheDeadLetterQueueWhenTolerated) {
  DevKafka kafka({"events:1", "dlq:1"});
  auto recorder = std::make_shared<Recorder>();
  TaskSpec spec = spec_for(kafka.bootstrap(), "tolerant", "events", recorder);
  spec.tolerate_all = true;
  spec.dlq_topic = "dlq";
  spec.dlq_context_headers = true;
  std::shared_ptr<TaskMetrics> metrics = spec.metrics;
  SinkTaskRunner runner(std::move(spec));
  std::vector<std::string> lines = keyed_values(0, 1);
  lines.push_back("bad\tnot json at all");
  std::vector<std::string> after = keyed_values(2, 3);
  lines.insert(lines.end(), after.begin(), after.end());
  ASSERT_TRUE(test::kcat_produce(kafka.bootstrap(), "events", lines, true));
  ASSERT_TRUE(wait_until([&] { return recorder->record_count() == 2; }, kDeadline))
      << "status " << to_string(runner.status().view.state) << ": " << runner.status().view.trace;
  std::vector<test::KafkaRecord> dead;
  ASSERT_TRUE(wait_until(
      [&] {
        dead = test::kcat_consume(kafka.bootstrap(), "dlq");
        return !dead.empty();
      },
      kDeadline));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].key, "bad");
  EXPECT_EQ(dead[0].value, "not json at all") << "the original bytes";
  EXPECT_EQ(metrics->dlq_records, 1u);
  EXPECT_EQ(runner.status().view.state, TaskState::kRunning);
  ASSERT_TRUE(stops(runner));
  std::lock_guard lock(recorder->mu);
  EXPECT_EQ(recorder->records[0].offset, 0);
  EXPECT_EQ(recorder->records[1].offset, 2);
}

TEST(SinkTaskRunner, StopWithADeadlineAbandonsAStuckPutWhichThenCommitsNothing) {
  DevKafka kafka({"events:1"});
  auto recorder = std::make_shared<Recorder>();
  recorder->hang_in_put = true;
  SinkTaskRunner runner(spec_for(kafka.bootstrap(), "stuck", "events", recorder));
  ASSERT_TRUE(test::kcat_produce(kafka.bootstrap(), "events", keyed_values(0, 2), true));
  ASSERT_TRUE(wait_until([&] { return recorder->in_put.load(); }, kDeadline));

  runner.request_stop();
  EXPECT_FALSE(runner.wait_stopped(300ms));
  ASSERT_TRUE(runner.abandon(300ms));
  TaskStatus status = runner.status();
  EXPECT_EQ(status.view.state, TaskState::kFailed);
  EXPECT_NE(
      status.view.trace.find("did not stop within task.shutdown.graceful.timeout.ms (300 ms)"),
      std::string::npos)
      << status.view.trace;
  EXPECT_NE(status.view.trace.find("stuck in SinkTask.put()"), std::string::npos)
      << status.view.trace;
  EXPECT_EQ(SinkTaskRunner::abandoned_running(), 1u);

  // The call returns after all: the thread ends without stop() and without a commit.
  recorder->release_put();
  ASSERT_TRUE(wait_until([] { return SinkTaskRunner::abandoned_running() == 0; }, kDeadline));
  EXPECT_FALSE(recorder->stopped) << "an abandoned task's plugin is never stopped";
  EXPECT_EQ(committed_offset(kafka.bootstrap(), "stuck", "events"), -1);
}

}  // namespace
}  // namespace sentinel::connect

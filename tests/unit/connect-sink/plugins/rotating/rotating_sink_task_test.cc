// The task as the worker drives it, with a fake SinkTaskContext and a controllable clock: resume
// positions from the archive on open, the durability cadence (records and time, also without
// traffic), what pre_commit reports, duplicates skipped, rotation with compression and retention.
#include "rotating_sink_task.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include <filesystem>

#include "tests/support/process.h"

namespace sentinel::archive {
namespace {

namespace fs = std::filesystem;
using connect::Config;
using connect::OffsetMap;
using connect::SinkRecord;
using connect::TopicPartition;

constexpr int64_t kTaskMay1 = 1714521600000;

struct FakeContext : connect::SinkTaskContext {
  void offset(const OffsetMap& o) override {
    for (const auto& [tp, off] : o) seeks[tp] = off;
  }
  void request_commit() override { ++commits_requested; }
  OffsetMap seeks;
  int commits_requested = 0;
};

std::vector<SinkRecord> records(const std::string& topic, int partition, int64_t from, int64_t to) {
  std::vector<SinkRecord> out;
  for (int64_t o = from; o < to; ++o) {
    SinkRecord r;
    r.topic = topic;
    r.partition = partition;
    r.offset = o;
    r.timestamp = kTaskMay1 + o;
    r.key = "k" + std::to_string(o);
    r.value = "{\"n\":" + std::to_string(o) + "}";
    out.push_back(r);
  }
  return out;
}

class Task : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
    config = {{"path", dir.file("{topic}-{partition}.log")},
              {"flush.max.records", "100"},
              {"flush.interval.ms", "1000"},
              {"compression", "none"}};
  }
  std::unique_ptr<RotatingFileSinkTask> start(FakeContext* ctx) {
    auto t = std::make_unique<RotatingFileSinkTask>([this] { return now; });
    t->initialize(*ctx);
    auto s = t->start(config);
    EXPECT_TRUE(s.ok) << s.message;
    return t;
  }
  std::string read(const std::string& name) { return test::read_file(dir.file(name)); }
  size_t lines(const std::string& name) {
    std::string t = read(name);
    return static_cast<size_t>(std::count(t.begin(), t.end(), '\n'));
  }
  test::TempDir dir;
  Config config;
  int64_t now = kTaskMay1;
  const TopicPartition p0{"alerts", 0}, p1{"alerts", 1};
};

TEST_F(Task, OpenSeeksEveryPartitionToWhatTheArchiveHolds) {
  {
    FakeContext ctx;
    auto t = start(&ctx);
    ASSERT_TRUE(t->open({p0, p1}).ok);
    EXPECT_TRUE(ctx.seeks.empty()) << "a new archive leaves the position to the consumer group";
    ASSERT_TRUE(t->put(records("alerts", 0, 0, 7)).ok);
    ASSERT_TRUE(t->put(records("alerts", 1, 40, 43)).ok);
    OffsetMap committable;
    ASSERT_TRUE(t->pre_commit({{p0, 7}, {p1, 43}}, &committable).ok);
    EXPECT_EQ(committable, (OffsetMap{{p0, 7}, {p1, 43}}));
    ASSERT_TRUE(t->put(records("alerts", 0, 7, 9)).ok);  // not durable when the task dies
  }
  FakeContext ctx;
  auto t = start(&ctx);
  ASSERT_TRUE(t->open({p0, p1}).ok);
  EXPECT_EQ(ctx.seeks, (OffsetMap{{p0, 9}, {p1, 43}})) << "stop() flushed offsets 7 and 8";
}

TEST_F(Task, RecordsAlreadyArchivedAreSkipped) {
  FakeContext ctx;
  auto t = start(&ctx);
  ASSERT_TRUE(t->open({p0}).ok);
  ASSERT_TRUE(t->put(records("alerts", 0, 0, 5)).ok);
  ASSERT_TRUE(t->put(records("alerts", 0, 3, 8)).ok);  // a redelivery overlapping the archive
  OffsetMap committable;
  ASSERT_TRUE(t->pre_commit({{p0, 8}}, &committable).ok);
  EXPECT_EQ(lines("alerts-0.log"), 8u);
  EXPECT_EQ(t->duplicates_skipped(), 2u);
}

TEST_F(Task, DurabilityCadenceByRecordsByTimeAndWhenTheTopicGoesQuiet) {
  FakeContext ctx;
  auto t = start(&ctx);
  ASSERT_TRUE(t->open({p0}).ok);
  auto state = [&] { return read(".sentinel-archive/alerts-0.log.state"); };
  ASSERT_TRUE(t->put(records("alerts", 0, 0, 99)).ok);
  t->drain_background();
  EXPECT_EQ(ctx.commits_requested, 0);
  EXPECT_NE(state().find("length 0\n"), std::string::npos) << "written, not yet recorded";
  ASSERT_TRUE(t->put(records("alerts", 0, 99, 100)).ok);  // the 100th record: flush.max.records
  t->drain_background();  // the sync runs on the task's syncer thread
  EXPECT_EQ(ctx.commits_requested, 1);
  EXPECT_NE(state().find("alerts 0 0 99 100"), std::string::npos);
  ASSERT_TRUE(t->put(records("alerts", 0, 100, 101)).ok);
  now += 999;
  ASSERT_TRUE(t->put(records("alerts", 0, 101, 102)).ok);
  EXPECT_EQ(ctx.commits_requested, 1);
  now += 1;  // flush.interval.ms since the oldest unrecorded line
  ASSERT_TRUE(t->put(records("alerts", 0, 102, 103)).ok);
  t->drain_background();
  EXPECT_EQ(ctx.commits_requested, 2);
  EXPECT_NE(state().find("alerts 0 0 102 103"), std::string::npos);
  ASSERT_TRUE(t->put(records("alerts", 0, 103, 104)).ok);
  EXPECT_EQ(ctx.commits_requested, 2);
  ASSERT_TRUE(t->put({}).ok);  // the worker's empty put: the topic went quiet
  t->drain_background();
  EXPECT_EQ(ctx.commits_requested, 3);
  EXPECT_NE(state().find("alerts 0 0 103 104"), std::string::npos);
  ASSERT_TRUE(t->put({}).ok);
  EXPECT_EQ(ctx.commits_requested, 3) << "nothing new, nothing to flush";
}

TEST_F(Task, EnvelopeLinesCarryTopicPartitionOffsetTimestampKeyValueHeaders) {
  config["format"] = "envelope";
  FakeContext ctx;
  auto t = start(&ctx);
  ASSERT_TRUE(t->open({p0}).ok);
  auto rs = records("alerts", 0, 5, 6);
  rs[0].value = "a \"quoted\"\nvalue";
  rs[0].headers.push_back({"h", std::nullopt});
  ASSERT_TRUE(t->put(rs).ok);
  t->stop();
  EXPECT_EQ(
      read("alerts-0.log"),
      "{\"topic\":\"alerts\",\"partition\":0,\"offset\":5,\"timestamp\":1714521600005,\"key\":"
      "\"k5\","
      "\"value\":\"a \\\"quoted\\\"\\nvalue\",\"headers\":[{\"key\":\"h\",\"value\":null}]}\n");
}

TEST_F(Task, RotationCompressionAndRetentionWithAControllableClock) {
  config["rotate.interval.ms"] = "60000";
  config["compression"] = "zstd";
  config["retention.max.files"] = "2";
  FakeContext ctx;
  auto t = start(&ctx);
  ASSERT_TRUE(t->open({p0}).ok);
  for (int minute = 0; minute < 4; ++minute) {
    ASSERT_TRUE(t->put(records("alerts", 0, minute * 10, minute * 10 + 10)).ok);
    now += 60000;
    ASSERT_TRUE(t->put({}).ok);  // the interval passed: rotates
  }
  t->drain_background();
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    if (e.is_regular_file()) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"alerts-0.log",
                                             "alerts-0.log.20240501-000300.alerts+0+20+29.zst",
                                             "alerts-0.log.20240501-000400.alerts+0+30+39.zst"}));
  EXPECT_EQ(read("alerts-0.log"), "");
}

TEST_F(Task, BadConfigurationFailsStartWithTheKey) {
  config["format"] = "xml";
  RotatingFileSinkTask t([this] { return now; });
  auto s = t.start(config);
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.message,
            "RotatingFileSink configuration: format: Invalid value xml for configuration format: "
            "expected value or envelope");
}

TEST_F(Task, AWriteErrorFailsTheTaskAndARestartResumesFromWhatIsDurable) {
  {
    FakeContext ctx;
    auto t = start(&ctx);
    ASSERT_TRUE(t->open({p0}).ok);
    ASSERT_TRUE(t->put(records("alerts", 0, 0, 3)).ok);
    OffsetMap committable;
    ASSERT_TRUE(t->pre_commit({{p0, 3}}, &committable).ok);
    // The file may not grow past its size + 100 bytes: write() fails with EFBIG part-way, as it
    // would with ENOSPC (SIGXFSZ ignored so the call returns the error).
    struct rlimit old;
    ::getrlimit(RLIMIT_FSIZE, &old);
    auto previous = ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old;
    small.rlim_cur = fs::file_size(dir.file("alerts-0.log")) + 100;
    ::setrlimit(RLIMIT_FSIZE, &small);
    auto s = t->put(records("alerts", 0, 3, 200));
    ::setrlimit(RLIMIT_FSIZE, &old);
    ::signal(SIGXFSZ, previous);
    ASSERT_FALSE(s.ok);
    EXPECT_NE(s.message.find("could not write to " + dir.file("alerts-0.log")), std::string::npos)
        << s.message;
    EXPECT_NE(s.message.find("File too large"), std::string::npos) << s.message;
    EXPECT_NE(s.trace.find("ConnectException"), std::string::npos);
    committable.clear();
    EXPECT_FALSE(t->pre_commit({{p0, 200}}, &committable).ok)
        << "a failed task commits nothing more";
    EXPECT_TRUE(committable.empty());
    t->stop();
  }
  FakeContext ctx;
  auto t = start(&ctx);
  ASSERT_TRUE(t->open({p0}).ok);
  EXPECT_EQ(ctx.seeks, (OffsetMap{{p0, 3}}));
  EXPECT_EQ(lines("alerts-0.log"), 3u) << "the partly written batch is cut off";
  ASSERT_TRUE(t->put(records("alerts", 0, 3, 200)).ok);
  OffsetMap committable;
  ASSERT_TRUE(t->pre_commit({{p0, 200}}, &committable).ok);
  EXPECT_EQ(committable, (OffsetMap{{p0, 200}}));
  EXPECT_EQ(lines("alerts-0.log"), 200u);
}

}  // namespace
}  // namespace sentinel::archive

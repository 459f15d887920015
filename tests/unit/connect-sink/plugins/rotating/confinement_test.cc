// The task and its background passes stay beneath the worker's archive.root at every open, not
// just at validation: a {topic} or %Y directory that is a link out, a dangling link as the file, a
// directory swapped for a link between two runs, a topic named "..", and a retention pass whose
// directory became a link. Every case runs with openat2 and with the component walk.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include <filesystem>

#include "janitor.h"
#include "rotating_sink_task.h"
#include "tests/support/process.h"

namespace sentinel::archive {
namespace {

namespace fs = std::filesystem;
using connect::Config;
using connect::SinkRecord;
using connect::Status;
using connect::TopicPartition;

constexpr int64_t kConfinedMay1 = 1714521600000;  // 2024-05-01T00:00:00Z

struct NoContext : connect::SinkTaskContext {
  void offset(const connect::OffsetMap&) override {}
  void request_commit() override {}
};

std::vector<SinkRecord> records(const std::string& topic, int64_t from, int64_t to) {
  std::vector<SinkRecord> out;
  for (int64_t o = from; o < to; ++o)
    out.push_back(SinkRecord{topic, 0, o, kConfinedMay1, std::nullopt, "v", {}});
  return out;
}

class Confinement : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
    confined::force_walk_for_testing(GetParam());
    fs::create_directories(root);
    fs::create_directories(outside);
    root = fs::canonical(root).string();  // what the worker hands the task
  }
  void TearDown() override { confined::force_walk_for_testing(false); }
  // Starts a task on `path` (under the root) and opens alerts-0 / `topic`-0; the first failure.
  Status run(const std::string& path, const std::string& topic = "alerts") {
    RotatingFileSinkTask t([this] { return now; });
    NoContext ctx;
    t.initialize(ctx);
    Status s = t.start(
        {{"path", root + "/" + path}, {connect::kArchiveRootKey, root}, {"compression", "none"}});
    if (!s.ok) return s;
    s = t.open({TopicPartition{topic, 0}});
    if (s.ok) s = t.put(records(topic, 0, 3));
    if (s.ok) {
      connect::OffsetMap committable;
      s = t.pre_commit({{TopicPartition{topic, 0}, 3}}, &committable);
    }
    t.stop();
    return s;
  }

  test::TempDir dir;
  std::string root = dir.file("a/b/archive");
  std::string outside = dir.file("outside");
  int64_t now = kConfinedMay1;
};

TEST_P(Confinement, ATopicDirectoryThatIsALinkOutFailsTheTaskNamingIt) {
  fs::create_directories(root + "/y");
  fs::create_symlink(outside, root + "/y/alerts");
  Status s = run("y/{topic}/a-{partition}.log");
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find(root + "/y/alerts"), std::string::npos) << s.message;
  EXPECT_NE(s.message.find("symbolic link"), std::string::npos) << s.message;
  EXPECT_TRUE(fs::is_empty(outside));
}

TEST_P(Confinement, ADateDirectoryThatIsALinkOutFailsTheTask) {
  fs::create_directories(root + "/d");
  fs::create_symlink(outside, root + "/d/2024");
  Status s = run("d/%Y/{topic}.log");
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find(root + "/d/2024"), std::string::npos) << s.message;
  EXPECT_TRUE(fs::is_empty(outside));
}

TEST_P(Confinement, ADanglingLinkAsTheFileIsNotCreatedThrough) {
  fs::create_symlink(outside + "/target.log", root + "/alerts.log");
  Status s = run("alerts.log");
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find("symbolic link"), std::string::npos) << s.message;
  EXPECT_TRUE(fs::is_empty(outside));
}

TEST_P(Confinement, ADirectorySwappedForALinkBetweenTwoRunsFailsTheSecond) {
  ASSERT_TRUE(run("d/{topic}-{partition}.log").ok);
  ASSERT_TRUE(fs::exists(root + "/d/alerts-0.log"));
  fs::rename(root + "/d", root + "/d.old");
  fs::create_symlink(outside, root + "/d");
  Status s = run("d/{topic}-{partition}.log");
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find(root + "/d"), std::string::npos) << s.message;
  EXPECT_TRUE(fs::is_empty(outside));
}

TEST_P(Confinement, ATopicNamedDotDotNeverClimbsAboveTheRoot) {
  Status s = run("{topic}/{topic}/x.log", "..");
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find("has the path component \"..\""), std::string::npos) << s.message;
  EXPECT_FALSE(fs::exists(dir.file("a/x.log"))) << "two levels above the root";
}

TEST_P(Confinement, RetentionNeverReachesThroughALinkedDirectory) {
  // Rotated-looking files outside, and the stream's directory now a link to them.
  std::string victim = outside + "/alerts.log.20240501-000001.alerts+0+1+1";
  test::write_file(victim, "not the sink's\n");
  fs::create_symlink(outside, root + "/sub");
  std::string error;
  MaintenanceSpec spec;
  spec.key = "k";
  spec.scan_root = root + "/sub";
  spec.path_regex = root + "/sub/alerts\\.log";
  spec.ext = "gz";
  spec.retention.max_files = 0;
  spec.root = confined::Root::open(root, &error);
  ASSERT_TRUE(spec.root) << error;
  std::atomic<bool> stop{false};
  MaintenanceResult result;
  EXPECT_TRUE(maintain(spec, kConfinedMay1 + 3600000, stop, &result, &error)) << error;
  EXPECT_EQ(result.compressed + result.removed, 0);
  EXPECT_EQ(test::read_file(victim), "not the sink's\n");
  EXPECT_FALSE(fs::exists(victim + ".gz"));
}

TEST_P(Confinement, ArchivingBeneathTheRootStillWorks) {
  ASSERT_TRUE(run("alerts/{topic}/%Y/{topic}-{partition}.log").ok);
  EXPECT_EQ(test::read_file(root + "/alerts/alerts/2024/alerts-0.log"), "v\nv\nv\n");
  EXPECT_TRUE(fs::exists(root + "/alerts/.sentinel-archive"));
}

INSTANTIATE_TEST_SUITE_P(Resolution, Confinement, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? std::string("ComponentWalk")
                                             : std::string("Openat2");
                         });

}  // namespace
}  // namespace sentinel::archive

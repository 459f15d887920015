// Archive streams on a real directory with a controllable clock: rotation (size, interval,
// midnight, a new date in the path), and recovery from every state a SIGKILL can leave — a torn
// line, written but unrecorded lines, a rotation stopped before or after its rename.
#include "archive_stream.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/support/process.h"

namespace sentinel::archive {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kStreamMay1 = 1714521600000;  // 2024-05-01T00:00:00Z
const PartitionKey kP0{"alerts", 0};

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class Stream : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }
  std::unique_ptr<ArchiveStream> open(const std::string& tmpl_text, std::string* error = nullptr) {
    std::string e, why;
    auto tmpl = PathTemplate::parse(dir.file(tmpl_text), &why);
    EXPECT_TRUE(tmpl) << why;
    StreamOptions o;
    o.rotation = policy;
    o.now_ms = [this] { return now; };
    o.warn = [this](const std::string& w) { warnings.push_back(w); };
    o.lock_wait_ms = 100;
    auto s = ArchiveStream::open(*tmpl, "alerts", 0, o, error ? error : &e);
    if (!error) {
      EXPECT_TRUE(s) << e;
    }
    return s;
  }
  void append(ArchiveStream& s, int64_t from, int64_t to) {
    std::string e;
    for (int64_t o = from; o < to; ++o)
      ASSERT_TRUE(s.append(kP0, o, "line-" + std::to_string(o) + "\n", &e)) << e;
    ASSERT_TRUE(s.write_pending(&e)) << e;
  }
  void flush(ArchiveStream& s) {
    std::string e;
    ASSERT_TRUE(s.flush(&e)) << e;
  }

  test::TempDir dir;
  RotationPolicy policy;
  int64_t now = kStreamMay1 + 1000;
  std::vector<std::string> warnings;
};

TEST_F(Stream, RotatesBySizeRenamingTheActiveFileAndCreatingItAgainAtOnce) {
  policy.max_bytes = 40;  // "line-N\n" is 7 bytes: 5 lines a file
  auto s = open("alerts.log");
  append(*s, 0, 12);
  flush(*s);
  auto rotated = s->take_rotated();
  ASSERT_EQ(rotated.size(), 2u);
  EXPECT_EQ(fs::path(rotated[0]).filename(), "alerts.log.20240501-000001.alerts+0+0+4");
  EXPECT_EQ(fs::path(rotated[1]).filename(), "alerts.log.20240501-000001.alerts+0+5+9");
  EXPECT_EQ(test::read_file(rotated[0]), "line-0\nline-1\nline-2\nline-3\nline-4\n");
  EXPECT_EQ(test::read_file(dir.file("alerts.log")), "line-10\nline-11\n");
  EXPECT_EQ(s->durable_next_offset(kP0), 12);
}

TEST_F(Stream, TornLastLineAndUnrecordedLinesAreCutAndTheirOffsetsResumed) {
  {
    auto s = open("alerts.log");
    append(*s, 0, 3);
    flush(*s);
    append(*s, 3, 5);  // written, never recorded: a SIGKILL before the next flush
  }
  {
    std::ofstream torn(dir.file("alerts.log"), std::ios::app);
    torn << "line-5 tor";  // and a line cut in the middle
  }
  auto s = open("alerts.log");
  EXPECT_EQ(test::read_file(dir.file("alerts.log")), "line-0\nline-1\nline-2\n");
  EXPECT_EQ(s->durable_next_offset(kP0), 3) << "resume right after what the archive holds";
  append(*s, 3, 4);
  flush(*s);
  EXPECT_EQ(test::read_file(dir.file("alerts.log")), "line-0\nline-1\nline-2\nline-3\n");
}

TEST_F(Stream, KillAfterTheRotationIntentBeforeTheRenameKeepsTheDataActive) {
  std::string rotating;
  {
    auto s = open("alerts.log");
    append(*s, 0, 3);
    flush(*s);
    // Lay out the state a kill between "record intent" and rename() leaves.
    std::string e;
    auto st = load_state(s->state_path(), &e);
    ASSERT_TRUE(st);
    st->rotating = dir.file("alerts.log.20240501-000001.alerts+0+0+2");
    rotating = st->rotating;
    ASSERT_TRUE(save_state(-1, s->state_path(), *st, &e));
  }
  auto s = open("alerts.log");
  EXPECT_EQ(test::read_file(dir.file("alerts.log")), "line-0\nline-1\nline-2\n");
  EXPECT_FALSE(fs::exists(rotating));
  EXPECT_TRUE(s->take_rotated().empty());
  EXPECT_EQ(s->durable_next_offset(kP0), 3);
}

TEST_F(Stream, KillAfterTheRenameBeforeTheStateWasClearedFinishesTheRotation) {
  std::string rotating = dir.file("alerts.log.20240501-000001.alerts+0+0+2");
  {
    auto s = open("alerts.log");
    append(*s, 0, 3);
    flush(*s);
    std::string e;
    auto st = load_state(s->state_path(), &e);
    st->rotating = rotating;
    ASSERT_TRUE(save_state(-1, s->state_path(), *st, &e));
  }
  fs::rename(dir.file("alerts.log"), rotating);  // the rename happened; no new active file yet
  auto s = open("alerts.log");
  EXPECT_EQ(test::read_file(rotating), "line-0\nline-1\nline-2\n");
  EXPECT_EQ(test::read_file(dir.file("alerts.log")), "");
  EXPECT_EQ(s->take_rotated(), std::vector<std::string>{rotating});
  EXPECT_EQ(s->durable_next_offset(kP0), 3);
  append(*s, 3, 4);
  flush(*s);
  EXPECT_EQ(test::read_file(dir.file("alerts.log")), "line-3\n");
  EXPECT_TRUE(warnings.empty()) << warnings.front();
}

TEST_F(Stream, RotatesByIntervalAndAtMidnightOnTicksWithoutTraffic) {
  policy.interval_ms = 60000;
  policy.at_midnight = true;
  auto s = open("alerts.log");
  std::string e;
  ASSERT_TRUE(s->tick(&e));
  now += 120000;
  ASSERT_TRUE(s->tick(&e));
  EXPECT_TRUE(s->take_rotated().empty()) << "an empty file never rotates";
  append(*s, 0, 1);
  now += 59999;
  ASSERT_TRUE(s->tick(&e));
  EXPECT_TRUE(s->take_rotated().empty());
  now += 1;
  ASSERT_TRUE(s->tick(&e));
  EXPECT_EQ(s->take_rotated().size(), 1u);
  policy.interval_ms = -1;
  now = kStreamMay1 + 86400000 - 5000;  // 23:59:55
  auto m = open("midnight.log");
  append(*m, 0, 1);
  now += 4999;
  ASSERT_TRUE(m->tick(&e));
  EXPECT_TRUE(m->take_rotated().empty());
  now += 1;  // 00:00:00 the next day
  ASSERT_TRUE(m->tick(&e));
  auto r = m->take_rotated();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(fs::path(r[0]).filename(), "midnight.log.20240502-000000.alerts+0+0+0");
}

TEST_F(Stream, ANewDateInThePathRotatesTheOldFileAndStartsTheNewOne) {
  auto s = open("%Y/%m/alerts-%d.log");
  append(*s, 0, 2);
  flush(*s);
  now += 86400000;  // May 2nd
  std::string e;
  ASSERT_TRUE(s->tick(&e));
  append(*s, 2, 3);
  flush(*s);
  EXPECT_EQ(s->active_path(), dir.file("2024/05/alerts-02.log"));
  EXPECT_EQ(test::read_file(dir.file("2024/05/alerts-02.log")), "line-2\n");
  EXPECT_EQ(
      files_in(dir.file("2024/05")),
      (std::vector<std::string>{"alerts-01.log.20240502-000001.alerts+0+0+1", "alerts-02.log"}));
  // After a restart the stream is found again by its key, whatever the date.
  s.reset();
  auto again = open("%Y/%m/alerts-%d.log");
  EXPECT_EQ(again->durable_next_offset(kP0), 3);
}

TEST_F(Stream, ASecondWriterOfTheSameFileIsRefusedWithTheReason) {
  auto first = open("alerts.log");
  std::string error;
  auto second = open("alerts.log", &error);
  EXPECT_FALSE(second);
  EXPECT_NE(error.find("another writer holds the archive stream"), std::string::npos) << error;
  first.reset();
  EXPECT_TRUE(open("alerts.log"));
}

TEST_F(Stream, AnActiveFileRemovedByHandIsStartedAgainWithAWarning) {
  {
    auto s = open("alerts.log");
    append(*s, 0, 2);
    flush(*s);
  }
  fs::remove(dir.file("alerts.log"));
  auto s = open("alerts.log");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("removed outside the sink"), std::string::npos);
  EXPECT_EQ(s->durable_next_offset(kP0), 2);
}

TEST_F(Stream, ADamagedStateFileFailsWithItsNameAndLine) {
  { auto s = open("alerts.log"); }
  test::write_file(dir.file(".sentinel-archive/alerts.log.state"), "nonsense\n");
  std::string error;
  EXPECT_FALSE(open("alerts.log", &error));
  EXPECT_NE(error.find("alerts.log.state: line 1"), std::string::npos) << error;
}

}  // namespace
}  // namespace sentinel::archive

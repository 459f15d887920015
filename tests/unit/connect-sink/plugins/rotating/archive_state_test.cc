// The state file: round trip, clear errors for damaged text, atomic save.
#include "archive_state.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/support/process.h"

namespace sentinel::archive {
namespace {

TEST(ArchiveState, RoundTripsEveryField) {
  StreamState s;
  s.active_path = "/a/with space/alerts.log";
  s.length = 1234;
  s.first_record_ms = 1714521600000;
  s.rotating = "/a/with space/alerts.log.20240501-000000.alerts+0+1+2";
  s.partitions[{"alerts", 0}] = {1, 2, 3};
  s.partitions[{"other", 7}] = {-1, -1, 99};
  std::string error;
  auto back = parse_state(serialize(s), &error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->active_path, s.active_path);
  EXPECT_EQ(back->length, 1234);
  EXPECT_EQ(back->first_record_ms, s.first_record_ms);
  EXPECT_EQ(back->rotating, s.rotating);
  EXPECT_EQ(back->partitions, s.partitions);
}

TEST(ArchiveState, DamagedTextNamesTheLine) {
  std::string error;
  EXPECT_FALSE(parse_state("garbage\n", &error));
  EXPECT_EQ(error, "line 1: expected \"sentinel-archive-state 1\"");
  EXPECT_FALSE(parse_state("sentinel-archive-state 1\nactive /a\nlength x\n", &error));
  EXPECT_EQ(error, "line 3: expected a number after length");
  EXPECT_FALSE(parse_state("sentinel-archive-state 1\nactive /a\nlength 1\npartition t\n", &error));
  EXPECT_EQ(error, "line 4: expected partition <topic> <partition> <first> <last> <next>");
  EXPECT_FALSE(parse_state("sentinel-archive-state 1\nactive /a\n", &error));
  EXPECT_EQ(error, "no length line");
}

TEST(ArchiveState, SaveReplacesAtomicallyAndLoadReportsAbsence) {
  test::TempDir dir;
  std::string path = dir.file("s.state");
  std::string error;
  EXPECT_FALSE(load_state(path, &error));
  EXPECT_EQ(error, "") << "absent is not an error";
  int dfd = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  StreamState s;
  s.active_path = "/x";
  s.length = 5;
  ASSERT_TRUE(save_state(dfd, path, s, &error)) << error;
  s.length = 7;
  ASSERT_TRUE(save_state(dfd, path, s, &error)) << error;
  ::close(dfd);
  auto back = load_state(path, &error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->length, 7);
  EXPECT_NE(::access((path + ".tmp").c_str(), F_OK), 0);
  test::write_file(path, "sentinel-archive-state 2\n");
  EXPECT_FALSE(load_state(path, &error));
  EXPECT_EQ(error, path + ": line 1: expected \"sentinel-archive-state 1\"");
}

}  // namespace
}  // namespace sentinel::archive

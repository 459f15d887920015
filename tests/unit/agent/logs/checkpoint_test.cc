// Access-log checkpoints (checkpoint.h): a save/load round trip, the atomic replace (a leftover
// temporary of a killed save is ignored and overwritten), the readable text format, clear errors
// for a corrupt or truncated file, nothing at all for a missing one, and the hash of the bytes
// before an offset that tells a restart whether a file is still the one it checkpointed.
#include "agent/logs/checkpoint.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/process.h"

namespace sentinel::agent {
namespace {

namespace fs = std::filesystem;

std::vector<FileCheckpoint> two_files() {
  return {{64769, 1234567, 8192, 0x0123456789abcdefull, "/var/log/nginx/access.log"},
          {64769, 42, 0, 0xffffffffffffffffull, "/var/log/my app/access log.1"}};
}

void expect_same(const std::vector<FileCheckpoint>& a, const std::vector<FileCheckpoint>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].dev, b[i].dev) << i;
    EXPECT_EQ(a[i].ino, b[i].ino) << i;
    EXPECT_EQ(a[i].offset, b[i].offset) << i;
    EXPECT_EQ(a[i].hash, b[i].hash) << i;
    EXPECT_EQ(a[i].path, b[i].path) << i;
  }
}

class Checkpoint : public ::testing::Test {
 protected:
  std::optional<std::vector<FileCheckpoint>> load() { return load_checkpoints(path, &error); }
  test::TempDir dir;
  std::string path = dir.file("logs.checkpoint");
  std::string error;
};

TEST_F(Checkpoint, SavedFilesLoadBackTheSame) {
  ASSERT_TRUE(save_checkpoints(path, two_files(), &error)) << error;
  auto loaded = load();
  ASSERT_TRUE(loaded) << error;
  EXPECT_EQ(error, "");
  expect_same(*loaded, two_files());
}

TEST_F(Checkpoint, NoFilesIsAValidCheckpoint) {
  ASSERT_TRUE(save_checkpoints(path, {}, &error)) << error;
  auto loaded = load();
  ASSERT_TRUE(loaded) << error;
  EXPECT_TRUE(loaded->empty());
}

TEST_F(Checkpoint, TheFileIsTextAnOperatorCanRead) {
  ASSERT_TRUE(save_checkpoints(path, two_files(), &error)) << error;
  EXPECT_EQ(test::read_file(path),
            "sentinel-agent-checkpoint 1\n"
            "64769 1234567 8192 0123456789abcdef /var/log/nginx/access.log\n"
            "64769 42 0 ffffffffffffffff /var/log/my app/access log.1\n");
}

TEST_F(Checkpoint, ASaveReplacesThePreviousOneWhole) {
  ASSERT_TRUE(save_checkpoints(path, two_files(), &error)) << error;
  std::vector<FileCheckpoint> one = {{1, 2, 3, 4, "/x"}};
  ASSERT_TRUE(save_checkpoints(path, one, &error)) << error;
  auto loaded = load();
  ASSERT_TRUE(loaded) << error;
  expect_same(*loaded, one);
  EXPECT_FALSE(fs::exists(path + ".tmp")) << "the temporary is renamed into place";
}

TEST_F(Checkpoint, ALeftoverTemporaryOfAKilledSaveIsIgnoredAndOverwritten) {
  ASSERT_TRUE(save_checkpoints(path, two_files(), &error)) << error;
  test::write_file(path + ".tmp", "sentinel-agent-checkpoint 1\n1 2 3 torn");
  auto loaded = load();
  ASSERT_TRUE(loaded) << error;
  expect_same(*loaded, two_files());

  std::vector<FileCheckpoint> one = {{5, 6, 7, 8, "/y"}};
  ASSERT_TRUE(save_checkpoints(path, one, &error)) << error;
  loaded = load();
  ASSERT_TRUE(loaded) << error;
  expect_same(*loaded, one);
}

TEST_F(Checkpoint, AMissingFileIsAFreshStartWithoutAnError) {
  error = "left from before";
  EXPECT_FALSE(load());
  EXPECT_EQ(error, "");
}

TEST_F(Checkpoint, AWrongHeaderIsAnErrorNamingFileAndLine) {
  test::write_file(path, "sentinel-agent-checkpoint 2\n");
  EXPECT_FALSE(load());
  EXPECT_EQ(error, path + ": line 1: expected \"sentinel-agent-checkpoint 1\"");
}

TEST_F(Checkpoint, AnEmptyFileIsAnError) {
  test::write_file(path, "");
  EXPECT_FALSE(load());
  EXPECT_EQ(error, path + ": empty");
}

TEST_F(Checkpoint, ACorruptLineIsAnErrorNamingFileAndLine) {
  const char* bad[] = {
      "1 2 3",                       // truncated: no hash, no path
      "1 2 3 0123456789abcde /p",    // 15 hex digits
      "1 2 3 0123456789abcdeg /p",   // not hex
      "1 2 -5 0123456789abcdef /p",  // negative offset
      "x 2 3 0123456789abcdef /p",   // not a number
  };
  for (const char* line : bad) {
    test::write_file(
        path,
        std::string("sentinel-agent-checkpoint 1\n1 2 3 0123456789abcdef /ok\n") + line + "\n");
    EXPECT_FALSE(load()) << line;
    EXPECT_EQ(error, path + ": line 3: expected <dev> <inode> <offset> <hash> <path>") << line;
  }
}

TEST_F(Checkpoint, AnUnreadableFileIsAnErrorNotAFreshStart) {
  fs::create_directory(path);  // a directory where the file should be
  EXPECT_FALSE(load());
  EXPECT_NE(error.find(path), std::string::npos)
      << "a checkpoint that exists but cannot be read must not be taken as absent";
}

TEST_F(Checkpoint, SavingIntoAMissingDirectoryFailsNamingTheCall) {
  std::string missing = dir.file("no/such/dir/logs.checkpoint");
  EXPECT_FALSE(save_checkpoints(missing, two_files(), &error));
  // common/atomic_file's text: "<path>: <call> <file>: <reason>".
  EXPECT_EQ(error.rfind(missing + ": open ", 0), 0u) << error;
  EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(dir.file("no")));
}

TEST_F(Checkpoint, HashCoversTheBytesJustBeforeTheOffset) {
  std::string file = dir.file("access.log");
  test::write_file(file, std::string(100, 'a') + "0123456789");
  int fd = ::open(file.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  auto at_110 = hash_before(fd, 110);
  auto at_100 = hash_before(fd, 100);
  auto at_0 = hash_before(fd, 0);
  ASSERT_TRUE(at_110 && at_100 && at_0);
  EXPECT_NE(*at_110, *at_100);
  EXPECT_EQ(*at_0, 1469598103934665603ull) << "FNV-1a of nothing: its offset basis";
  EXPECT_FALSE(hash_before(fd, 111)) << "the file is shorter than the offset";
  ::close(fd);

  // Only the last 64 bytes count: a change earlier does not alter the hash.
  std::string other = dir.file("other.log");
  test::write_file(other, std::string(46, 'b') + std::string(54, 'a') + "0123456789");
  int fd2 = ::open(other.c_str(), O_RDONLY);
  ASSERT_GE(fd2, 0);
  EXPECT_EQ(hash_before(fd2, 110), at_110);
  // A change within them does.
  test::write_file(other, std::string(100, 'a') + "0123456780");
  EXPECT_NE(hash_before(fd2, 110), at_110);
  ::close(fd2);
}

}  // namespace
}  // namespace sentinel::agent

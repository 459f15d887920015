// Output paths stay under archive.root: no "..", no absolute path outside, no symlink escape
// (dangling or not), no FIFO; what the worker hands a plugin (absolute paths and archive.root).
#include "connect-sink/runtime/path_confinement.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/process.h"

namespace sentinel::connect {
namespace {

namespace fs = std::filesystem;

TEST(PathConfinement, WithoutRootPathsAreKeptAsGiven) {
  std::string reason;
  EXPECT_EQ(confine_path("", "tmp/alerts.log", &reason), "tmp/alerts.log");
}

TEST(PathConfinement, RelativePathsLandUnderTheRoot) {
  test::TempDir dir;
  std::string reason;
  auto p = confine_path(dir.path(), "tmp/alerts.log", &reason);
  ASSERT_TRUE(p) << reason;
  EXPECT_EQ(*p, fs::canonical(dir.path()).string() + "/tmp/alerts.log");
  auto abs = confine_path(dir.path(), dir.path() + "/a.log", &reason);
  ASSERT_TRUE(abs) << reason;
}

TEST(PathConfinement, DotDotAndOutsidePathsAreRefused) {
  test::TempDir dir;
  std::string reason;
  EXPECT_FALSE(confine_path(dir.path(), "../etc/passwd", &reason));
  EXPECT_NE(reason.find("'..'"), std::string::npos);
  EXPECT_FALSE(confine_path(dir.path(), "a/../../b", &reason));
  EXPECT_FALSE(confine_path(dir.path(), "/etc/passwd", &reason));
  EXPECT_NE(reason.find("outside archive.root"), std::string::npos);
  EXPECT_FALSE(confine_path(dir.path(), dir.path(), &reason));
  EXPECT_FALSE(
      confine_path(dir.path() + "-sibling-prefix-trick", "x", &reason));  // root does not exist
}

TEST(PathConfinement, SymlinkLeadingOutsideIsRefused) {
  test::TempDir dir;
  test::TempDir outside;
  fs::create_symlink(outside.path(), dir.path() + "/escape");
  fs::create_symlink("/etc/passwd", dir.path() + "/file-link");
  std::string reason;
  EXPECT_FALSE(confine_path(dir.path(), "escape/x.log", &reason));
  EXPECT_NE(reason.find("symbolic link"), std::string::npos) << reason;
  EXPECT_FALSE(confine_path(dir.path(), "file-link", &reason));
  // A relative link that stays beneath the root is followed (by openat2; the plugins resolve it
  // at open); an absolute one is refused even when it points inside.
  fs::create_directory(dir.path() + "/real");
  fs::create_symlink("real", dir.path() + "/inside-link");
  EXPECT_TRUE(confine_path(dir.path(), "inside-link/x.log", &reason)) << reason;
  fs::create_symlink(dir.path() + "/real", dir.path() + "/absolute-link");
  EXPECT_FALSE(confine_path(dir.path(), "absolute-link/x.log", &reason));
}

// The attacker's first finding: a dangling link passed because only links with an existing
// target were followed.
TEST(PathConfinement, DanglingLinksAndNonRegularFilesAreRefused) {
  test::TempDir dir;
  test::TempDir outside;
  fs::create_symlink(outside.path() + "/target.log", dir.path() + "/linkfile");
  fs::create_symlink(outside.path() + "/new", dir.path() + "/linkdir");
  fs::create_symlink("../../nowhere", dir.path() + "/relative-out");
  std::string reason;
  EXPECT_FALSE(confine_path(dir.path(), "linkfile", &reason));
  EXPECT_NE(reason.find("symbolic link"), std::string::npos) << reason;
  EXPECT_FALSE(confine_path(dir.path(), "linkdir/x.log", &reason));
  EXPECT_NE(reason.find("through a symbolic link"), std::string::npos) << reason;
  EXPECT_FALSE(confine_path(dir.path(), "relative-out/x.log", &reason));
  ASSERT_EQ(::mkfifo((dir.path() + "/pipe").c_str(), 0644), 0);
  EXPECT_FALSE(confine_path(dir.path(), "pipe", &reason));
  EXPECT_NE(reason.find("FIFO"), std::string::npos) << reason;
  fs::create_directory(dir.path() + "/sub");
  EXPECT_FALSE(confine_path(dir.path(), "sub", &reason));
  EXPECT_NE(reason.find("directory"), std::string::npos) << reason;
  // Placeholders of a template simply do not exist yet.
  EXPECT_TRUE(confine_path(dir.path(), "sub/{topic}/%Y/{partition}.log", &reason)) << reason;
}

TEST(PathConfinement, WorkerHandsOnAbsolutePathsAndItsOwnArchiveRoot) {
  test::TempDir dir;
  ConfigKey file;
  file.name = "file";
  file.is_output_path = true;
  ConfigKey other;
  other.name = "format";
  std::map<std::string, std::string> config = {
      {"file", "a/x.log"}, {"format", "a/../../y"}, {kArchiveRootKey, "/"}};
  std::string error;
  ASSERT_TRUE(confine_output_paths(dir.path(), {file, other}, &config, &error)) << error;
  std::string real = fs::canonical(dir.path()).string();
  EXPECT_EQ(config["file"], real + "/a/x.log");
  EXPECT_EQ(config["format"], "a/../../y") << "only output paths are touched";
  EXPECT_EQ(config[kArchiveRootKey], real) << "a user's value is overwritten";
  // Again on what it produced (a task start after the connector's): unchanged.
  auto again = config;
  ASSERT_TRUE(confine_output_paths(dir.path(), {file, other}, &again, &error)) << error;
  EXPECT_EQ(again, config);
  // Without a root no key reaches the plugin, whatever the user wrote.
  std::map<std::string, std::string> free = {{"file", "x.log"}, {kArchiveRootKey, "/"}};
  ASSERT_TRUE(confine_output_paths("", {file}, &free, &error));
  EXPECT_EQ(free, (std::map<std::string, std::string>{{"file", "x.log"}}));
  // A path that no longer passes names the key and the value.
  fs::create_symlink("/tmp", dir.path() + "/a");
  EXPECT_FALSE(confine_output_paths(dir.path(), {file}, &config, &error));
  EXPECT_NE(error.find("file \"" + real + "/a/x.log\": "), std::string::npos) << error;
  EXPECT_NE(error.find("through a symbolic link"), std::string::npos) << error;
}

TEST(PathConfinement, ARefusingTaskFailsAtStartWithTheReason) {
  auto task = refusing_task("file \"/r/x\": refused");
  Status s = task->start({});
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.message, "file \"/r/x\": refused");
  EXPECT_NE(s.trace.find("ConnectException"), std::string::npos);
}

}  // namespace
}  // namespace sentinel::connect

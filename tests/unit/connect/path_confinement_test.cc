// Output paths stay under archive.root: no "..", no absolute path outside, no symlink escape.
#include "rest-api/path_confinement.h"

#include <gtest/gtest.h>
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
  EXPECT_FALSE(confine_path(dir.path() + "-sibling-prefix-trick", "x", &reason));  // root does not exist
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
  fs::create_directory(dir.path() + "/real");
  fs::create_symlink(dir.path() + "/real", dir.path() + "/inside-link");
  EXPECT_TRUE(confine_path(dir.path(), "inside-link/x.log", &reason)) << reason;
}

}  // namespace
}  // namespace sentinel::connect

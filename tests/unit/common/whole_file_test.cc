// Whole-file reads of operator-named files: contents, and an error in a few words for each way a
// path can be unusable, including a file the reader may not read.
#include "common/whole_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/process.h"

namespace sentinel {
namespace {

std::string error_of(const std::string& path, size_t max = kMaxReadFileBytes) {
  std::string why;
  auto text = read_whole_file(path, &why, max);
  return text ? "" : why;
}

TEST(WholeFile, ReadsARegularFile) {
  test::TempDir dir;
  test::write_file(dir.file("a"), std::string("x\0y", 3));
  std::string why;
  auto text = read_whole_file(dir.file("a"), &why);
  ASSERT_TRUE(text) << why;
  EXPECT_EQ(*text, std::string("x\0y", 3));
}

TEST(WholeFile, EachUnusablePathSaysWhatIsWrong) {
  test::TempDir dir;
  EXPECT_EQ(error_of(dir.path()), "is a directory");
  EXPECT_EQ(error_of(dir.file("missing")), "no such file");
  test::write_file(dir.file("f"), "x");
  EXPECT_EQ(error_of(dir.file("f") + "/below"), "a part of the path is not a directory");
  ASSERT_EQ(mkfifo(dir.file("fifo").c_str(), 0600), 0);
  EXPECT_EQ(error_of(dir.file("fifo")), "is not a regular file (a FIFO)");  // without blocking
  EXPECT_EQ(error_of("/dev/zero"), "is not a regular file (a character device)");
  test::write_file(dir.file("big"), std::string(2048, 'x'));
  EXPECT_EQ(error_of(dir.file("big"), 1024), "is larger than 1024 bytes");
}

// Root reads any file, so the check runs in a child that gives up root first (as nobody).
TEST(WholeFile, UnreadableFileIsPermissionDenied) {
  test::TempDir dir;
  std::string path = dir.file("secret");
  test::write_file(path, "x");
  ASSERT_EQ(chmod(path.c_str(), 0), 0);
  ASSERT_EQ(chmod(dir.path().c_str(), 0755), 0);
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(pipefd[0]);
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(2);
    std::string why = error_of(path);
    ssize_t n = write(pipefd[1], why.data(), why.size());
    _exit(n == static_cast<ssize_t>(why.size()) ? 0 : 3);
  }
  close(pipefd[1]);
  std::string got;
  char buf[256];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0) got.append(buf, static_cast<size_t>(n));
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(got, "permission denied");
}

}  // namespace
}  // namespace sentinel

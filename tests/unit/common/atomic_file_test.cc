// common/atomic_file: the content, the permissions, no temporary file left after success or
// failure, the directory fsync (and its failure), the directory-fd variant's refusals, and
// concurrent writers of one path taking turns.
#include "common/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/process.h"

// Every fsync of this test program passes through here: the tests see which files and
// directories were fsynced, in which order, and can make a directory's fsync fail.
namespace {
struct FsyncLog {
  std::mutex mu;
  std::vector<std::pair<dev_t, ino_t>> synced;  // in call order
  bool fail_directories = false;
};
FsyncLog& fsync_log() {
  static FsyncLog log;
  return log;
}
}  // namespace

extern "C" int fsync(int fd) {
  struct stat st {};
  bool is_dir = ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
  {
    std::lock_guard<std::mutex> lock(fsync_log().mu);
    fsync_log().synced.emplace_back(st.st_dev, st.st_ino);
    if (is_dir && fsync_log().fail_directories) {
      errno = EIO;
      return -1;
    }
  }
  return static_cast<int>(::syscall(SYS_fsync, fd));
}

namespace sentinel {
namespace {

using test::read_file;
using test::TempDir;
using test::write_file;

std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode;
}

std::pair<dev_t, ino_t> id_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return {st.st_dev, st.st_ino};
}

// Restores the umask a test sets.
struct Umask {
  mode_t old;
  explicit Umask(mode_t m) : old(::umask(m)) {}
  ~Umask() { ::umask(old); }
};

TEST(WriteFileAtomically, WritesTheContentAndLeavesNoTempFile) {
  TempDir dir;
  std::string error;
  ASSERT_TRUE(write_file_atomically(dir.file("thresholds.json"), "first\n", 0644, &error)) << error;
  EXPECT_EQ(read_file(dir.file("thresholds.json")), "first\n");
  ASSERT_TRUE(write_file_atomically(dir.file("thresholds.json"), "second", 0644, &error)) << error;
  EXPECT_EQ(read_file(dir.file("thresholds.json")), "second");
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"thresholds.json"});
  std::string big(3 << 20, 'x');
  ASSERT_TRUE(write_file_atomically(dir.file("big"), big, 0644, &error)) << error;
  EXPECT_EQ(read_file(dir.file("big")), big);
  ASSERT_TRUE(write_file_atomically(dir.file("empty"), "", 0644, &error)) << error;
  EXPECT_EQ(read_file(dir.file("empty")), "");
}

TEST(WriteFileAtomically, ReplacedFileKeepsItsPermissions) {
  TempDir dir;
  std::string path = dir.file("thresholds.json");
  write_file(path, "old");
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  std::string error;
  ASSERT_TRUE(write_file_atomically(path, "new", 0600, &error)) << error;
  EXPECT_EQ(mode_of(path) & 07777, 0640u);
  EXPECT_EQ(read_file(path), "new");
}

TEST(WriteFileAtomically, NewFileGetsTheCallersModeLessTheUmask) {
  TempDir dir;
  Umask umask(022);
  std::string error;
  ASSERT_TRUE(write_file_atomically(dir.file("a"), "x", 0600, &error)) << error;
  EXPECT_EQ(mode_of(dir.file("a")) & 07777, 0600u);
  ASSERT_TRUE(write_file_atomically(dir.file("b"), "x", 0666, &error)) << error;
  EXPECT_EQ(mode_of(dir.file("b")) & 07777, 0644u);
}

TEST(WriteFileAtomically, MissingDirectoryIsAnErrorNamingPathAndCall) {
  TempDir dir;
  std::string path = dir.file("no-such-dir/thresholds.json");
  std::string error;
  EXPECT_FALSE(write_file_atomically(path, "x", 0644, &error));
  EXPECT_EQ(error.rfind(path + ": open ", 0), 0u) << error;
  EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{});
}

TEST(WriteFileAtomically, TargetThatIsADirectoryFailsAndKeepsNoTemp) {
  TempDir dir;
  ASSERT_EQ(::mkdir(dir.file("sub").c_str(), 0755), 0);
  std::string error;
  EXPECT_FALSE(write_file_atomically(dir.file("sub"), "x", 0644, &error));
  EXPECT_EQ(error, dir.file("sub") + ": rename " + dir.file("sub.tmp") + ": Is a directory");
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"sub"});
}

// A write that fails half-way (the file size limit, as a full disk would) leaves the old file and
// no temporary file.
TEST(WriteFileAtomically, AFailedWriteRemovesTheTemporaryFile) {
  TempDir dir;
  std::string path = dir.file("state");
  write_file(path, "old");
  struct rlimit old_limit {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_limit;
  small.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  std::string error;
  bool ok = write_file_atomically(path, std::string(100000, 'y'), 0644, &error);
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::signal(SIGXFSZ, old_handler);
  EXPECT_FALSE(ok);
  EXPECT_EQ(error, path + ": write " + path + ".tmp: File too large");
  EXPECT_EQ(read_file(path), "old");
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"state"});
}

// A crash between creating and renaming the temporary file leaves it behind: the next writer
// replaces it (one name, so crashes never accumulate files) and does not inherit its mode.
TEST(WriteFileAtomically, ATemporaryFileLeftByACrashIsReplaced) {
  TempDir dir;
  Umask umask(022);
  std::string path = dir.file("checkpoint");
  write_file(path + ".tmp", "torn partial content that is longer than the new one");
  ASSERT_EQ(::chmod((path + ".tmp").c_str(), 0666), 0);
  std::string error;
  ASSERT_TRUE(write_file_atomically(path, "whole", 0600, &error)) << error;
  EXPECT_EQ(read_file(path), "whole");
  EXPECT_EQ(mode_of(path) & 07777, 0600u);
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"checkpoint"});
}

TEST(WriteFileAtomically, FsyncsTheFileThenTheDirectoryAfterTheRename) {
  TempDir dir;
  std::string path = dir.file("f");
  {
    std::lock_guard<std::mutex> lock(fsync_log().mu);
    fsync_log().synced.clear();
  }
  std::string error;
  ASSERT_TRUE(write_file_atomically(path, "x", 0644, &error)) << error;
  std::lock_guard<std::mutex> lock(fsync_log().mu);
  std::vector<std::pair<dev_t, ino_t>> expected = {id_of(path), id_of(dir.path())};
  EXPECT_EQ(fsync_log().synced, expected);
}

// The rename is not durable until the directory is: a failed directory fsync is an error (the
// connector state store used to ignore it).
TEST(WriteFileAtomically, AFailedDirectoryFsyncIsAnError) {
  TempDir dir;
  std::string path = dir.file("f");
  {
    std::lock_guard<std::mutex> lock(fsync_log().mu);
    fsync_log().fail_directories = true;
  }
  std::string error;
  bool ok = write_file_atomically(path, "x", 0644, &error);
  {
    std::lock_guard<std::mutex> lock(fsync_log().mu);
    fsync_log().fail_directories = false;
  }
  EXPECT_FALSE(ok);
  EXPECT_EQ(error, path + ": fsync directory " + dir.path() + ": Input/output error");
}

TEST(WriteFileAtomically, ATemporaryFileThatIsALinkIsNotFollowed) {
  TempDir dir;
  write_file(dir.file("outside"), "untouched");
  ASSERT_EQ(::symlink(dir.file("outside").c_str(), dir.file("f.tmp").c_str()), 0);
  std::string error;
  EXPECT_FALSE(write_file_atomically(dir.file("f"), "x", 0644, &error));
  EXPECT_EQ(error, dir.file("f") + ": open " + dir.file("f.tmp") +
                       ": refused: it is a symbolic link, not a regular file");
  EXPECT_EQ(read_file(dir.file("outside")), "untouched");
  EXPECT_TRUE(S_ISLNK(mode_of(dir.file("f.tmp"))));
}

struct DirFd {
  int fd;
  explicit DirFd(const std::string& path) : fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY)) {}
  ~DirFd() { ::close(fd); }
};

TEST(WriteFileAtomicallyAt, ReplacesTheFileUnderTheDirectory) {
  TempDir dir;
  DirFd d(dir.path());
  std::string error;
  ASSERT_TRUE(write_file_atomically_at(d.fd, "s.state", "one", 0644, &error, "/shown/s.state"))
      << error;
  ASSERT_TRUE(write_file_atomically_at(d.fd, "s.state", "two", 0644, &error)) << error;
  EXPECT_EQ(read_file(dir.file("s.state")), "two");
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"s.state"});
  EXPECT_FALSE(write_file_atomically_at(d.fd, "a/s.state", "x", 0644, &error, "/r/a/s.state"));
  EXPECT_EQ(error, "/r/a/s.state: expected one file name under a directory, not \"a/s.state\"");
}

TEST(WriteFileAtomicallyAt, RefusesASymbolicLinkInsteadOfReplacingIt) {
  TempDir dir;
  DirFd d(dir.path());
  write_file(dir.file("outside"), "untouched");
  ASSERT_EQ(::symlink(dir.file("outside").c_str(), dir.file("s.state").c_str()), 0);
  std::string error;
  EXPECT_FALSE(write_file_atomically_at(d.fd, "s.state", "x", 0644, &error, "/r/s.state"));
  EXPECT_EQ(error, "/r/s.state: refused: it is a symbolic link, not a regular file");
  EXPECT_TRUE(S_ISLNK(mode_of(dir.file("s.state"))));
  EXPECT_EQ(read_file(dir.file("outside")), "untouched");
  EXPECT_EQ(entries(dir.path()), (std::vector<std::string>{"outside", "s.state"}));

  // The temporary file's name, a link, is not followed either.
  ASSERT_EQ(::unlink(dir.file("s.state").c_str()), 0);
  ASSERT_EQ(::symlink(dir.file("outside").c_str(), dir.file("s.state.tmp").c_str()), 0);
  EXPECT_FALSE(write_file_atomically_at(d.fd, "s.state", "x", 0644, &error, "/r/s.state"));
  EXPECT_EQ(error,
            "/r/s.state: open /r/s.state.tmp: refused: it is a symbolic link, not a regular file");
  EXPECT_EQ(read_file(dir.file("outside")), "untouched");
}

// A FIFO is refused without blocking on it (no reader ever opens these).
TEST(WriteFileAtomicallyAt, RefusesAFifoWithoutBlocking) {
  TempDir dir;
  DirFd d(dir.path());
  ASSERT_EQ(::mkfifo(dir.file("s.state").c_str(), 0644), 0);
  std::string error;
  EXPECT_FALSE(write_file_atomically_at(d.fd, "s.state", "x", 0644, &error, "/r/s.state"));
  EXPECT_EQ(error, "/r/s.state: refused: it is a FIFO (named pipe), not a regular file");
  EXPECT_TRUE(S_ISFIFO(mode_of(dir.file("s.state"))));

  ASSERT_EQ(::unlink(dir.file("s.state").c_str()), 0);
  ASSERT_EQ(::mkfifo(dir.file("s.state.tmp").c_str(), 0644), 0);
  EXPECT_FALSE(write_file_atomically_at(d.fd, "s.state", "x", 0644, &error, "/r/s.state"));
  EXPECT_EQ(error,
            "/r/s.state: open /r/s.state.tmp: refused: it is a FIFO (named pipe), not a regular "
            "file");
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"s.state.tmp"});
}

// True when /proc/locks shows a process waiting for an flock on the file with inode `ino`.
bool someone_waits_for_lock_on(ino_t ino) {
  std::ifstream locks("/proc/locks");
  std::string line;
  std::string suffix = ":" + std::to_string(ino) + " ";
  while (std::getline(locks, line)) {
    if (line.find(" -> FLOCK") != std::string::npos && line.find(suffix) != std::string::npos)
      return true;
  }
  return false;
}

// Writer A is between writing its temporary file and renaming it (it holds the flock, as the
// implementation does). Writer B must wait for it, then start from a file of its own: A's bytes
// are never mixed with B's, and the result is B's content whole.
TEST(WriteFileAtomically, ASecondWriterWaitsAndNeverWritesIntoTheFirstWritersFile) {
  TempDir dir;
  std::string path = dir.file("f");
  std::string tmp = path + ".tmp";
  int a = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  ASSERT_GE(a, 0);
  ASSERT_EQ(::flock(a, LOCK_EX), 0);
  ASSERT_EQ(::write(a, "AAAA", 4), 4);
  struct stat st {};
  ASSERT_EQ(::fstat(a, &st), 0);

  std::string b_error;
  std::atomic<bool> b_done{false}, b_ok{false};
  std::thread b([&] {
    b_ok = write_file_atomically(path, "BBBBBBBB", 0644, &b_error);
    b_done = true;
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool waiting = false;
  while (!b_done && std::chrono::steady_clock::now() < deadline) {
    if ((waiting = someone_waits_for_lock_on(st.st_ino))) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(waiting) << "writer B did not wait for writer A's lock";
  EXPECT_EQ(read_file(tmp), "AAAA") << "writer B wrote into writer A's temporary file";

  // A finishes: rename, then release the lock by closing.
  ASSERT_EQ(::rename(tmp.c_str(), path.c_str()), 0);
  ASSERT_EQ(::close(a), 0);
  b.join();
  EXPECT_TRUE(b_ok) << b_error;
  EXPECT_EQ(read_file(path), "BBBBBBBB");
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"f"});
}

// Many writers and a reader at once: every read sees one writer's content whole.
TEST(WriteFileAtomically, ConcurrentWritersNeverInterleave) {
  TempDir dir;
  std::string path = dir.file("f");
  constexpr int kWriters = 4, kWrites = 15;
  constexpr size_t kSize = 256 * 1024;
  std::string error;
  ASSERT_TRUE(write_file_atomically(path, std::string(kSize, 'a'), 0644, &error)) << error;
  std::atomic<int> writing{kWriters};
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::string text(kSize, static_cast<char>('b' + w));
      for (int i = 0; i < kWrites; ++i) {
        std::string why;
        if (!write_file_atomically(path, text, 0644, &why)) {
          ADD_FAILURE() << why;
          ++failures;
        }
      }
      --writing;
    });
  }
  int reads = 0, torn = 0;
  while (writing > 0) {
    std::string seen = read_file(path);
    ++reads;
    if (seen.size() != kSize || seen.find_first_not_of(seen[0]) != std::string::npos) ++torn;
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(torn, 0) << "of " << reads << " reads";
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"f"});
}

}  // namespace
}  // namespace sentinel

// Confined filesystem calls: nothing leads outside the root — a dangling link, a link to a
// directory outside or to /, "..", an absolute path, a /proc magic link, a directory swapped for
// a link after the root was opened — and a FIFO, device, socket or directory is refused without
// blocking. Every test runs twice: with openat2 and with the component walk older kernels get.
#include "common/confined_fs.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <future>

#include "tests/support/process.h"

namespace sentinel::confined {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class ConfinedFs : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    force_walk_for_testing(GetParam());
    fs::create_directories(root_dir);
    fs::create_directories(outside);
    std::string error;
    root = Root::open(root_dir, &error);
    ASSERT_TRUE(root) << error;
  }
  void TearDown() override { force_walk_for_testing(false); }
  bool walk() const { return GetParam(); }
  // Creates `path` for writing the way the sinks do.
  int create(const std::string& path, std::string* error) {
    return root->open_file(path, O_WRONLY | O_CREAT | O_APPEND, 0644, error);
  }

  test::TempDir base;
  std::string root_dir = base.file("root");
  std::string outside = base.file("outside");
  std::shared_ptr<const Root> root;
};

TEST_P(ConfinedFs, FilesAndDirectoriesBeneathTheRootWork) {
  EXPECT_EQ(using_openat2(), !walk());
  std::string error;
  ASSERT_TRUE(root->make_dirs(root_dir + "/a/b/c", &error)) << error;
  int fd = create(root_dir + "/a/b/c/x.log", &error);
  ASSERT_GE(fd, 0) << error;
  ASSERT_EQ(::write(fd, "hello\n", 6), 6);
  EXPECT_EQ(::fcntl(fd, F_GETFL) & O_NONBLOCK, 0) << "the fd is back in blocking mode";
  ::close(fd);
  ASSERT_TRUE(root->truncate("a/b/c/x.log", 3, &error)) << error;  // relative to the root
  struct stat st;
  ASSERT_TRUE(root->stat(root_dir + "/a/b/c/x.log", &st, &error)) << error;
  EXPECT_EQ(st.st_size, 3);
  ASSERT_TRUE(root->rename(root_dir + "/a/b/c/x.log", root_dir + "/a/y.log", &error)) << error;
  std::vector<Root::Entry> entries;
  ASSERT_TRUE(root->list(root_dir + "/a", &entries, &error)) << error;
  std::vector<std::string> names;
  for (const auto& e : entries) names.push_back(e.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"b", "y.log"}));
  ASSERT_TRUE(root->fsync_dir(root_dir + "/a", &error)) << error;
  ASSERT_TRUE(root->fsync_dir(root_dir, &error)) << error;
  ASSERT_TRUE(root->unlink(root_dir + "/a/y.log", &error)) << error;
  EXPECT_FALSE(root->exists(root_dir + "/a/y.log"));
  EXPECT_TRUE(root->rmdir(root_dir + "/a/b/c"));
  EXPECT_FALSE(root->unlink(root_dir + "/a/gone", &error));
  EXPECT_EQ(errno, ENOENT);
  EXPECT_TRUE(root->check_file_path(root_dir + "/new/deep/file.log", &error)) << error;
}

TEST_P(ConfinedFs, ADanglingLinkIsNeverFollowedNorCreatedThrough) {
  fs::create_symlink(outside + "/target.log", root_dir + "/linkfile");
  fs::create_symlink(outside + "/newdir", root_dir + "/linkdir");
  std::string error;
  int fd = create(root_dir + "/linkfile", &error);
  EXPECT_LT(fd, 0);
  EXPECT_NE(error.find("symbolic link"), std::string::npos) << error;
  EXPECT_NE(error.find(root_dir + "/linkfile"), std::string::npos) << "names the path: " << error;
  EXPECT_FALSE(root->make_dirs(root_dir + "/linkdir/sub", &error));
  EXPECT_LT(create(root_dir + "/linkdir/x.log", &error), 0);
  EXPECT_FALSE(root->check_file_path(root_dir + "/linkfile", &error));
  EXPECT_FALSE(root->check_file_path(root_dir + "/linkdir/x.log", &error));
  EXPECT_TRUE(fs::is_empty(outside));
}

TEST_P(ConfinedFs, ALinkToADirectoryOutsideIsRefusedForEveryCall) {
  test::write_file(outside + "/precious", "keep");
  fs::create_symlink(outside, root_dir + "/y");
  test::write_file(root_dir + "/inside.log", "x");
  std::string error;
  EXPECT_LT(create(root_dir + "/y/system_alerts.log", &error), 0);
  EXPECT_NE(error.find("symbolic link"), std::string::npos) << error;
  EXPECT_TRUE(errno == EXDEV || errno == ELOOP) << errno;
  EXPECT_FALSE(root->make_dirs(root_dir + "/y/2026", &error));
  EXPECT_FALSE(root->rename(root_dir + "/inside.log", root_dir + "/y/inside.log", &error));
  EXPECT_FALSE(root->unlink(root_dir + "/y/precious", &error));
  EXPECT_FALSE(root->truncate(root_dir + "/y/precious", 0, &error));
  std::vector<Root::Entry> entries;
  EXPECT_FALSE(root->list(root_dir + "/y", &entries, &error));
  EXPECT_LT(root->open_dir(root_dir + "/y", &error), 0);
  EXPECT_FALSE(root->fsync_dir(root_dir + "/y", &error));
  struct stat st;
  EXPECT_FALSE(root->stat(root_dir + "/y/precious", &st, &error));
  EXPECT_FALSE(root->check_file_path(root_dir + "/y/x.log", &error));
  EXPECT_NE(error.find("symbolic link"), std::string::npos) << error;
  EXPECT_EQ(test::read_file(outside + "/precious"), "keep");
  EXPECT_EQ(fs::directory_iterator(outside)->path().filename(), "precious");
  EXPECT_TRUE(fs::exists(root_dir + "/inside.log"));
}

TEST_P(ConfinedFs, ALinkToTheFilesystemRootIsRefused) {
  fs::create_symlink("/", root_dir + "/slash");
  std::string error;
  EXPECT_LT(create(root_dir + "/slash" + outside + "/x.log", &error), 0);
  EXPECT_LT(root->open_file(root_dir + "/slash/etc/hostname", O_RDONLY, 0, &error), 0);
  EXPECT_FALSE(root->make_dirs(root_dir + "/slash" + outside + "/d", &error));
  EXPECT_TRUE(fs::is_empty(outside));
}

TEST_P(ConfinedFs, DotDotAndAbsolutePathsOutsideAreRefused) {
  std::string error;
  for (const std::string& p :
       {std::string("../outside/x.log"), std::string("a/../../outside/x.log"), outside + "/x.log",
        root_dir + "-sibling/x.log", root_dir + "/./x.log", root_dir + "//x.log",
        root_dir + "/a/../x.log"}) {
    EXPECT_LT(create(p, &error), 0) << p;
    EXPECT_FALSE(root->make_dirs(p, &error)) << p;
    EXPECT_FALSE(root->check_file_path(p, &error)) << p;
    EXPECT_NE(error.find(p), std::string::npos) << "names the path: " << error;
  }
  // A relative link climbing out is refused too.
  fs::create_symlink("../outside", root_dir + "/up");
  EXPECT_LT(create(root_dir + "/up/x.log", &error), 0);
  EXPECT_NE(error.find("symbolic link"), std::string::npos) << error;
  EXPECT_TRUE(fs::is_empty(outside));
  EXPECT_FALSE(fs::exists(root_dir + "-sibling"));
}

TEST_P(ConfinedFs, ProcMagicLinksAreNotFollowed) {
  std::string error;
  auto proc = Root::open("/proc/self", &error);
  ASSERT_TRUE(proc) << error;
  // /proc/self/root and /proc/self/cwd are magic links to / and the working directory.
  EXPECT_LT(proc->open_file("root/etc/hostname", O_RDONLY, 0, &error), 0);
  EXPECT_NE(error.find("symbolic link"), std::string::npos) << error;
  EXPECT_LT(proc->open_dir("cwd", &error), 0);
  // A link to a magic link inside the archive is an absolute link: refused as well.
  fs::create_symlink("/proc/self/root", root_dir + "/magic");
  EXPECT_LT(create(root_dir + "/magic" + outside + "/x.log", &error), 0);
  EXPECT_TRUE(fs::is_empty(outside));
}

TEST_P(ConfinedFs, FifoDeviceSocketAndDirectoryAreRefusedWithoutBlocking) {
  std::string fifo = root_dir + "/pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  // A writer's open of a FIFO without a reader blocks for good: the call must return anyway.
  auto opened = std::async(std::launch::async, [&] {
    std::string error;
    int fd = create(fifo, &error);
    if (fd >= 0) ::close(fd);
    return std::make_pair(fd, error);
  });
  if (opened.wait_for(10s) != std::future_status::ready) {
    ADD_FAILURE() << "open_file blocked on a FIFO";
    int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);  // releases the blocked writer
    opened.wait();
    ::close(reader);
  }
  auto [fd, error] = opened.get();
  EXPECT_LT(fd, 0);
  EXPECT_NE(error.find("FIFO"), std::string::npos) << error;
  EXPECT_NE(error.find(fifo), std::string::npos) << error;
  EXPECT_FALSE(root->check_file_path(fifo, &error));
  EXPECT_NE(error.find("FIFO"), std::string::npos) << error;
  EXPECT_FALSE(root->truncate(fifo, 0, &error));
  int dir_fd = ::open(root_dir.c_str(), O_PATH | O_DIRECTORY);
  EXPECT_LT(open_regular_at(dir_fd, "pipe", O_WRONLY | O_CREAT, 0644, &error), 0);
  EXPECT_NE(error.find("FIFO"), std::string::npos) << error;
  ::close(dir_fd);

  auto dev = Root::open("/dev", &error);
  ASSERT_TRUE(dev) << error;
  EXPECT_LT(dev->open_file("null", O_WRONLY | O_APPEND, 0, &error), 0);
  EXPECT_NE(error.find("character device"), std::string::npos) << error;

  std::string sock_path = root_dir + "/sock";
  int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(sock_path.size(), sizeof addr.sun_path);
  std::strcpy(addr.sun_path, sock_path.c_str());
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_LT(create(sock_path, &error), 0);
  EXPECT_NE(error.find("socket"), std::string::npos) << error;
  ::close(sock);

  fs::create_directory(root_dir + "/dir");
  EXPECT_LT(create(root_dir + "/dir", &error), 0);
  EXPECT_NE(error.find("directory"), std::string::npos) << error;
  EXPECT_EQ(errno, EISDIR);
}

TEST_P(ConfinedFs, RelativeLinksBeneathTheRootAreFollowedOnlyWithOpenat2) {
  fs::create_directory(root_dir + "/real");
  fs::create_symlink("real", root_dir + "/alias");
  std::string error;
  int fd = create(root_dir + "/alias/x.log", &error);
  if (walk()) {
    EXPECT_LT(fd, 0);
    EXPECT_NE(error.find("\"alias\" is a symbolic link, and without openat2"), std::string::npos)
        << error;
  } else {
    EXPECT_GE(fd, 0) << error;
    ::close(fd);
    EXPECT_TRUE(fs::exists(root_dir + "/real/x.log"));
  }
  // The file itself is never a link, wherever it points.
  test::write_file(root_dir + "/real/y.log", "");
  fs::create_symlink("real/y.log", root_dir + "/y-link");
  EXPECT_LT(create(root_dir + "/y-link", &error), 0);
  EXPECT_NE(error.find("symbolic link"), std::string::npos) << error;
}

TEST_P(ConfinedFs, ADirectorySwappedForALinkAfterTheRootOpenedIsRefusedAtTheNextOpen) {
  std::string error;
  ASSERT_TRUE(root->make_dirs(root_dir + "/d", &error)) << error;
  int fd = create(root_dir + "/d/x.log", &error);
  ASSERT_GE(fd, 0) << error;
  ::close(fd);
  fs::rename(root_dir + "/d", root_dir + "/d.old");
  fs::create_symlink(outside, root_dir + "/d");
  EXPECT_LT(create(root_dir + "/d/x.log", &error), 0);
  EXPECT_NE(error.find("symbolic link"), std::string::npos) << error;
  EXPECT_TRUE(fs::is_empty(outside));
}

TEST_P(ConfinedFs, UnconfinedPathsAreTakenAsGivenButNeverAFifoOrALink) {
  auto none = Root::unconfined();
  EXPECT_FALSE(none->confined());
  std::string error;
  int fd = none->open_file(outside + "/free.log", O_WRONLY | O_CREAT, 0644, &error);
  EXPECT_GE(fd, 0) << error;
  ::close(fd);
  ASSERT_EQ(::mkfifo((outside + "/pipe").c_str(), 0644), 0);
  EXPECT_LT(none->open_file(outside + "/pipe", O_WRONLY, 0, &error), 0);
  EXPECT_NE(error.find("FIFO"), std::string::npos) << error;
  fs::create_symlink(outside + "/free.log", outside + "/link");
  EXPECT_LT(none->open_file(outside + "/link", O_WRONLY, 0, &error), 0);
}

INSTANTIATE_TEST_SUITE_P(Resolution, ConfinedFs, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? std::string("ComponentWalk")
                                             : std::string("Openat2");
                         });

}  // namespace
}  // namespace sentinel::confined

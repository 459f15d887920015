// disk collector: statvfs metrics, mount parsing and exclusions, mount table changes, hung
// mounts, real mounts.
#include "agent/collectors/disk.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include "agent/collectors/factories.h"
#include "agent/collectors/proc_text.h"
#include "tests/support/process.h"

namespace sentinel::agent {
namespace {

using namespace std::chrono_literals;
using Metrics = std::map<std::string, double>;
using Tags = std::vector<std::pair<std::string, std::string>>;

ConfigNode disk_options(const std::string& yaml) {
  return ConfigFile::parse(yaml, "agent.yaml").root();
}

Metrics disk_metrics_of(const Sample& s) { return Metrics(s.metrics.begin(), s.metrics.end()); }

struct statvfs fs(uint64_t blocks, uint64_t bfree, uint64_t bavail, uint64_t files = 1000,
                  uint64_t ffree = 500, unsigned long frsize = 4096) {
  struct statvfs st {};
  st.f_bsize = frsize;
  st.f_frsize = frsize;
  st.f_blocks = blocks;
  st.f_bfree = bfree;
  st.f_bavail = bavail;
  st.f_files = files;
  st.f_ffree = ffree;
  st.f_favail = ffree;
  return st;
}

// A stand-in for statvfs(2). Paths in `hang` block until release(), like a dead NFS server.
// Shared through a shared_ptr so a call still blocked when a test ends never touches freed memory.
struct FakeFs {
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, struct statvfs> filesystems;
  std::map<std::string, int> errors;
  std::set<std::string> hang;
  bool released = false;
  std::map<std::string, int> calls;
  int hung_calls_returned = 0;

  void release() {
    std::lock_guard lock(mu);
    released = true;
    cv.notify_all();
  }
  int calls_of(const std::string& path) {
    std::lock_guard lock(mu);
    return calls[path];
  }
  int returned() {
    std::lock_guard lock(mu);
    return hung_calls_returned;
  }
};

StatvfsFn fake_statvfs(std::shared_ptr<FakeFs> fake) {
  return [fake](const std::string& path, struct statvfs* out) {
    std::unique_lock lock(fake->mu);
    ++fake->calls[path];
    if (fake->hang.count(path)) {
      fake->cv.wait(lock, [&] { return fake->released; });
      ++fake->hung_calls_returned;
    }
    if (auto e = fake->errors.find(path); e != fake->errors.end()) {
      errno = e->second;
      return -1;
    }
    auto it = fake->filesystems.find(path);
    if (it == fake->filesystems.end()) {
      errno = ENOENT;
      return -1;
    }
    *out = it->second;
    return 0;
  };
}

std::vector<std::string> mounts_of(const std::vector<Sample>& samples) {
  std::vector<std::string> out;
  for (const auto& s : samples) out.push_back(s.tags.at(0).second);
  return out;
}

class DiskTest : public ::testing::Test {
 public:
  std::unique_ptr<Collector> make(const std::string& yaml = "{}") {
    return make_disk_collector(disk_options(yaml), HostPaths{dir.path(), dir.path()},
                               fake_statvfs(fake));
  }
  void write_mounts(const std::string& text) { test::write_file(dir.file("self/mounts"), text); }
  std::vector<Sample> tick(Collector& c, std::string* error = nullptr) {
    std::vector<Sample> out;
    std::string e = c.collect(MonoClock::now(), &out);
    if (error) {
      *error = e;
    } else {
      EXPECT_EQ(e, "");
    }
    return out;
  }

  test::TempDir dir;
  std::shared_ptr<FakeFs> fake = std::make_shared<FakeFs>();
};

TEST_F(DiskTest, Disk_MetricsFollowDf) {
  write_mounts("/dev/vda1 / ext4 rw,relatime 0 0\n");
  // 1000 blocks of 4 KiB: 300 free of which 200 available to users (100 reserved for root).
  fake->filesystems["/"] = fs(1000, 300, 200, 100, 40);
  auto out = tick(*make());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].resource, "disk");
  EXPECT_EQ(out[0].tags, (Tags{{"mount", "/"}, {"device", "/dev/vda1"}, {"fstype", "ext4"}}));
  const std::vector<std::pair<std::string, double>> expected = {
      {"total_bytes", 4096000}, {"free_bytes", 819200}, {"used_bytes", 2867200},
      {"used_pct", 77.78},      {"inodes_total", 100},  {"inodes_free", 40},
      {"inodes_used", 60},      {"inodes_used_pct", 60}};
  EXPECT_EQ(out[0].metrics, expected);  // used_pct = 700 / (700 + 200), reserved blocks left out
}

TEST_F(DiskTest, Disk_DefaultExclusionsSkipPseudoFilesystems) {
  write_mounts(
      "proc /proc proc rw 0 0\n"
      "sysfs /sys sysfs rw 0 0\n"
      "devtmpfs /dev devtmpfs rw 0 0\n"
      "tmpfs /run tmpfs rw 0 0\n"
      "cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n"
      "/dev/vda1 / ext4 rw 0 0\n"
      "/dev/loop3 /snap/core/123 squashfs ro 0 0\n"
      "/dev/vda1 /snap/foo ext4 rw 0 0\n"
      "overlay /var/lib/docker/overlay2/abc/merged overlay rw 0 0\n"
      "/dev/vda1 /var/lib/docker/volumes/v ext4 rw 0 0\n"
      "/dev/vda1 /run/credentials/x.service ext4 ro 0 0\n"
      "lxcfs /proc/cpuinfo fuse.lxcfs rw 0 0\n"
      "/dev/vdb /data xfs rw 0 0\n"
      "server:/export /mnt/nfs nfs4 rw 0 0\n"
      "/dev/vdc /devices ext4 rw 0 0\n");
  for (const char* p : {"/", "/data", "/mnt/nfs", "/devices", "/proc", "/sys", "/dev", "/run",
                        "/snap/foo", "/var/lib/docker/volumes/v"}) {
    fake->filesystems[p] = fs(100, 50, 50);
  }
  auto out = tick(*make());
  EXPECT_EQ(mounts_of(out), (std::vector<std::string>{"/", "/data", "/mnt/nfs", "/devices"}));
  EXPECT_EQ(fake->calls_of("/run"), 0);  // excluded mounts are never statvfs'd
  EXPECT_EQ(fake->calls_of("/proc"), 0);
}

TEST_F(DiskTest, Disk_ConfiguredListsReplaceTheDefaults) {
  write_mounts(
      "/dev/vda1 / ext4 rw 0 0\n"
      "tmpfs /run tmpfs rw 0 0\n"
      "/dev/vdb /data xfs rw 0 0\n"
      "/dev/vdc /data2 ext4 rw 0 0\n"
      "devtmpfs /dev devtmpfs rw 0 0\n");
  for (const char* p : {"/", "/run", "/data", "/data2", "/dev"})
    fake->filesystems[p] = fs(10, 5, 5);
  auto out = tick(*make("exclude_fstypes: [xfs]\nexclude_mounts: ['^/$']\n"));
  EXPECT_EQ(mounts_of(out), (std::vector<std::string>{"/run", "/data2", "/dev"}));
  out = tick(*make("include_mounts: ['^/data']\n"));
  EXPECT_EQ(mounts_of(out), (std::vector<std::string>{"/data", "/data2"}));
}

TEST_F(DiskTest, Disk_EscapedMountPointsAreDecoded) {
  write_mounts("/dev/sdb1 /media/usb\\040stick\\011x vfat rw 0 0\n");
  fake->filesystems["/media/usb stick\tx"] = fs(10, 5, 5);
  auto out = tick(*make());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tags[0].second, "/media/usb stick\tx");
  std::string decoded;
  decode_mount_field("a\\012b\\134c\\\\d\\9", &decoded);
  EXPECT_EQ(decoded, "a\nb\\c\\\\d\\9");
}

TEST_F(DiskTest, Disk_DuplicateMountPointKeepsTheLastMount) {
  write_mounts(
      "/dev/sda1 /data ext4 rw 0 0\n"
      "/dev/vda1 / ext4 rw 0 0\n"
      "/dev/sdb1 /data xfs rw 0 0\n"
      "/dev/sdc1 /hidden ext4 rw 0 0\n"
      "tmpfs /hidden tmpfs rw 0 0\n");
  fake->filesystems["/"] = fs(10, 5, 5);
  fake->filesystems["/data"] = fs(10, 5, 5);
  fake->filesystems["/hidden"] = fs(10, 5, 5);
  auto out = tick(*make());
  ASSERT_EQ(out.size(), 2u);  // /hidden: the tmpfs on top is what statvfs sees, and it is excluded
  EXPECT_EQ(out[0].tags, (Tags{{"mount", "/"}, {"device", "/dev/vda1"}, {"fstype", "ext4"}}));
  EXPECT_EQ(out[1].tags, (Tags{{"mount", "/data"}, {"device", "/dev/sdb1"}, {"fstype", "xfs"}}));
  EXPECT_EQ(fake->calls_of("/data"), 1);
}

TEST_F(DiskTest, Disk_ZeroBlockFilesystemsAreSkipped) {
  write_mounts("/dev/vda1 / ext4 rw 0 0\nfoo /mnt/foo fuse.foo rw 0 0\n");
  fake->filesystems["/"] = fs(10, 5, 5);
  fake->filesystems["/mnt/foo"] = fs(0, 0, 0, 0, 0);
  EXPECT_EQ(mounts_of(tick(*make())), (std::vector<std::string>{"/"}));
}

TEST_F(DiskTest, Disk_StatvfsFailureIsReportedAndOtherMountsContinue) {
  write_mounts("/dev/sdb1 /secret ext4 rw 0 0\n/dev/vda1 / ext4 rw 0 0\n");
  fake->filesystems["/"] = fs(10, 5, 5);
  fake->errors["/secret"] = EACCES;
  std::string error;
  auto out = tick(*make(), &error);
  EXPECT_EQ(mounts_of(out), (std::vector<std::string>{"/"}));
  EXPECT_EQ(error, "disk: statvfs /secret: Permission denied");
}

// A real hung NFS mount needs root-only kernel facilities (an NFS server or FUSE daemon that stops
// answering), which this test cannot create, so the injected statvfs blocks instead.
void expect_hung_mount_does_not_stall(DiskTest& t, const std::string& mounts) {
  t.write_mounts(mounts);
  t.fake->filesystems["/"] = fs(10, 5, 5);
  t.fake->filesystems["/data"] = fs(20, 5, 5);
  t.fake->filesystems["/mnt/nfs"] = fs(30, 5, 5);
  t.fake->hang.insert("/mnt/nfs");
  auto c = t.make("timeout: 300ms");

  // The injected call for /mnt/nfs never returns until release(): collect() returning at all, with
  // the other mounts, proves collection did not wait for it. (No timing assertion: how fast it
  // returns is the benchmark's business.)
  std::string error;
  auto out = t.tick(*c, &error);
  EXPECT_EQ(mounts_of(out), (std::vector<std::string>{"/", "/data"}));
  EXPECT_EQ(error, "disk: statvfs /mnt/nfs did not return within 300ms; skipping it until it does");

  for (int i = 0; i < 3; ++i) {  // later ticks skip the hung mount, with no error repeated
    out = t.tick(*c);
    EXPECT_EQ(mounts_of(out), (std::vector<std::string>{"/", "/data"}));
  }
  EXPECT_EQ(t.fake->calls_of("/mnt/nfs"), 1);

  t.fake->release();  // the server answers again
  ASSERT_TRUE(test::wait_until(
      [&] {
        auto names = mounts_of(t.tick(*c));
        return std::find(names.begin(), names.end(), "/mnt/nfs") != names.end();
      },
      5s));
  EXPECT_EQ(t.fake->calls_of("/mnt/nfs"), 2);
  EXPECT_EQ(t.fake->calls_of("/"), t.fake->calls_of("/data"));
}

TEST_F(DiskTest, Disk_HungMountDoesNotStallOtherMounts) {
  // The hung mount comes first: the mounts queued behind it go to a fresh worker within the tick.
  expect_hung_mount_does_not_stall(*this,
                                   "server:/export /mnt/nfs nfs4 rw 0 0\n"
                                   "/dev/vda1 / ext4 rw 0 0\n"
                                   "/dev/vdb /data xfs rw 0 0\n");
}

TEST_F(DiskTest, Disk_HungLastMountDoesNotStallLaterTicks) {
  // The hung mount comes last: its stuck worker is replaced by a fresh one on the next tick.
  expect_hung_mount_does_not_stall(*this,
                                   "/dev/vda1 / ext4 rw 0 0\n"
                                   "/dev/vdb /data xfs rw 0 0\n"
                                   "server:/export /mnt/nfs nfs4 rw 0 0\n");
}

TEST_F(DiskTest, Disk_DestroyedWhileMountHungLeavesNothingDangling) {
  write_mounts("server:/export /mnt/nfs nfs4 rw 0 0\n/dev/vda1 / ext4 rw 0 0\n");
  fake->filesystems["/"] = fs(10, 5, 5);
  fake->hang.insert("/mnt/nfs");
  {
    auto c = make("timeout: 100ms");
    std::string error;
    EXPECT_EQ(mounts_of(tick(*c, &error)), (std::vector<std::string>{"/"}));
    EXPECT_NE(error, "");
  }
  // The collector is gone; the stuck call returns into state it shares (checked under ASan).
  fake->release();
  EXPECT_TRUE(test::wait_until([&] { return fake->returned() == 1; }, 5s));
}

TEST_F(DiskTest, Disk_NonPositiveTimeoutIsAConfigError) {
  EXPECT_THROW(make("timeout: 0s"), ConfigError);
}

TEST_F(DiskTest, Disk_MountTableFixtureChangesBetweenTicksAreSeen) {
  write_mounts("/dev/vda1 / ext4 rw 0 0\n");
  fake->filesystems["/"] = fs(10, 5, 5);
  fake->filesystems["/data"] = fs(20, 5, 5);
  auto c = make();
  EXPECT_EQ(mounts_of(tick(*c)), (std::vector<std::string>{"/"}));
  write_mounts("/dev/vda1 / ext4 rw 0 0\n/dev/vdb /data xfs rw 0 0\n");
  EXPECT_EQ(mounts_of(tick(*c)), (std::vector<std::string>{"/", "/data"}));
  write_mounts("/dev/vdb /data xfs rw 0 0\n");
  EXPECT_EQ(mounts_of(tick(*c)), (std::vector<std::string>{"/data"}));
  std::filesystem::remove(dir.file("self/mounts"));
  std::string error;
  EXPECT_TRUE(tick(*c, &error).empty());
  EXPECT_EQ(error, "cannot read " + dir.file("self/mounts") + ": No such file or directory");
}

// The real /proc/self/mounts is read again only when poll(2) flags a change: mounting and
// unmounting a tmpfs in a private mount namespace (a child process; skipped where unshare(2) or
// mount(2) is not permitted) must show up on the next tick.
int mount_table_child(const std::string& dir) {
  if (::unshare(CLONE_NEWNS) != 0 && ::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) return 77;
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return 77;
  const std::string point = dir + "/m";
  if (::mkdir(point.c_str(), 0700) != 0) return 2;

  FileReader reader;
  std::string_view text;
  std::string error;
  if (!reader.read("/proc/self/mounts", &text, &error)) return 3;
  if (!reader.unchanged_since_read("/proc/self/mounts")) return 4;

  auto c = make_disk_collector(
      disk_options("{exclude_fstypes: [], include_mounts: [\"^" + dir + "/\"]}"), HostPaths{});
  auto mounts = [&] {
    std::vector<Sample> out;
    c->collect(MonoClock::now(), &out);
    return mounts_of(out);
  };
  if (!mounts().empty() || !mounts().empty()) return 5;
  if (::mount("sentinel-test", point.c_str(), "tmpfs", 0, "size=64k") != 0) return 77;
  if (reader.unchanged_since_read("/proc/self/mounts")) return 6;
  if (mounts() != std::vector<std::string>{point}) return 7;
  if (mounts() != std::vector<std::string>{point}) return 8;  // unchanged table: same answer
  if (::umount(point.c_str()) != 0) return 9;
  if (!mounts().empty()) return 10;
  return 0;
}

TEST_F(DiskTest, Disk_RealMountTableChangeIsSeenThroughPoll) {
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) ::_exit(mount_table_child(dir.path()));
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "no permission for a private mount namespace";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "mount_table_child failed at step " << WEXITSTATUS(status);
}

TEST(DiskRealProc, Disk_RealMountsIncludeRoot) {
  auto c = make_disk_collector(disk_options("{}"), HostPaths{});
  std::vector<Sample> out;
  c->collect(MonoClock::now(), &out);  // some mounts may deny statvfs; root must not
  const Sample* root = nullptr;
  for (const auto& s : out) {
    if (s.tags.at(0).second == "/") root = &s;
    Metrics m = disk_metrics_of(s);
    EXPECT_GE(m["used_pct"], 0.0);
    EXPECT_LE(m["used_pct"], 100.0);
    EXPECT_LE(m["free_bytes"] + m["used_bytes"], m["total_bytes"]);
  }
  ASSERT_NE(root, nullptr);
  EXPECT_GT(disk_metrics_of(*root)["total_bytes"], 0.0);
}

}  // namespace
}  // namespace sentinel::agent

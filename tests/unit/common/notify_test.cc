// The systemd notify protocol, received on a real AF_UNIX datagram socket.
#include "common/notify.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>

#include "tests/support/process.h"

namespace sentinel {
namespace {

class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    timeval tv{1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~NotifySocket() { close(fd_); }
  std::string receive() {
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

 private:
  std::string path_;
  int fd_;
};

TEST(Notify, SilentWithoutNotifySocket) {
  unsetenv("NOTIFY_SOCKET");
  SystemdNotifier n;
  EXPECT_FALSE(n.active());
  EXPECT_FALSE(n.send("READY=1"));
}

TEST(Notify, SendsReadyStatusReloadingStoppingWatchdog) {
  test::TempDir dir;
  NotifySocket sock(dir.file("notify"));
  setenv("NOTIFY_SOCKET", dir.file("notify").c_str(), 1);
  SystemdNotifier n;
  unsetenv("NOTIFY_SOCKET");
  n.ready();
  EXPECT_NE(sock.receive().find("READY=1"), std::string::npos);
  n.status("all good");
  EXPECT_EQ(sock.receive(), "STATUS=all good");
  n.reloading();
  std::string reloading = sock.receive();
  EXPECT_EQ(reloading.rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u) << reloading;
  n.stopping();
  EXPECT_EQ(sock.receive(), "STOPPING=1");
  n.watchdog();
  EXPECT_EQ(sock.receive(), "WATCHDOG=1");
}

TEST(Notify, WatchdogIntervalIsHalfOfWatchdogUsecForThisPid) {
  setenv("WATCHDOG_USEC", "4000000", 1);
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  SystemdNotifier mine;
  ASSERT_TRUE(mine.watchdog_interval());
  EXPECT_EQ(mine.watchdog_interval()->count(), 2000000);
  setenv("WATCHDOG_PID", "1", 1);
  SystemdNotifier other;
  EXPECT_FALSE(other.watchdog_interval());
  unsetenv("WATCHDOG_USEC");
  unsetenv("WATCHDOG_PID");
}

}  // namespace
}  // namespace sentinel

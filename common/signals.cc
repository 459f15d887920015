// signalfd-based waiting for the daemons' main loops.
#include "common/signals.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

namespace sentinel {

SignalWaiter::SignalWaiter() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

SignalWaiter::~SignalWaiter() {
  if (fd_ >= 0) close(fd_);
}

int SignalWaiter::wait(std::chrono::milliseconds timeout, const std::vector<int>& fds) {
  std::vector<pollfd> pfds;
  pfds.push_back({fd_, POLLIN, 0});
  for (int fd : fds) pfds.push_back({fd, POLLIN, 0});
  int ms = timeout.count() < 0 ? 0 : static_cast<int>(std::min<int64_t>(timeout.count(), 1 << 30));
  int n = poll(pfds.data(), pfds.size(), ms);
  if (n <= 0) return 0;
  if (pfds[0].revents & POLLIN) {
    signalfd_siginfo info{};
    if (read(fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      return static_cast<int>(info.ssi_signo);
    }
  }
  return 0;
}

}  // namespace sentinel

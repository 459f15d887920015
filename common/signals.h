// The main loop's view of signals: SIGTERM, SIGINT and SIGHUP arrive through a signalfd, so a
// daemon waits for "the next tick, a signal, or a file descriptor" in one poll(2), with no
// signal-handler races.
#pragma once

#include <chrono>
#include <vector>

namespace sentinel {

class SignalWaiter {
 public:
  // Blocks SIGTERM, SIGINT, SIGHUP (and SIGPIPE is ignored) in the calling thread; call it first
  // in main(), before any thread starts, so every thread inherits the mask.
  SignalWaiter();
  ~SignalWaiter();
  SignalWaiter(const SignalWaiter&) = delete;
  SignalWaiter& operator=(const SignalWaiter&) = delete;

  // Waits up to `timeout` for a signal or for any of `fds` to become readable.
  // Returns the signal number, or 0 on timeout or fd readiness.
  int wait(std::chrono::milliseconds timeout, const std::vector<int>& fds = {});

 private:
  int fd_ = -1;
};

}  // namespace sentinel

// One process per identity on a host. Two Sentinel processes that claim one static group
// membership identity would fence each other's consumers; on one host the second one is refused
// at start instead. The lock is an abstract Unix socket named after the identity: the kernel
// releases it when the process ends however it ends (SIGKILL included), it needs no file or
// writable directory (sentinel-alerts writes none), and the refused process learns the holder's
// pid from it (SO_PEERCRED). Its scope is the network namespace, which is the host for
// Sentinel's units; across hosts the broker fences a duplicate (FENCED_INSTANCE_ID).
#pragma once

#include <memory>
#include <string>

namespace sentinel {

class IdentityLock {
 public:
  // Takes the lock named `name` (any text). nullptr when another live process holds it, with
  // *holder_pid set to that process (0 when unknown) and *error to what went wrong.
  static std::unique_ptr<IdentityLock> acquire(const std::string& name, int* holder_pid,
                                               std::string* error);
  ~IdentityLock();
  IdentityLock(const IdentityLock&) = delete;
  IdentityLock& operator=(const IdentityLock&) = delete;

 private:
  explicit IdentityLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace sentinel

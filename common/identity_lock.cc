// The identity lock: bind an abstract Unix socket, or name who holds it.
#include "common/identity_lock.h"

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sentinel {
namespace {

// "\0sentinel-identity:<name>", or a hash of the name when it does not fit sun_path.
sockaddr_un address(const std::string& name, socklen_t* length) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::string path = "sentinel-identity:" + name;
  if (path.size() > sizeof a.sun_path - 1) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : name) {
      h ^= c;
      h *= 1099511628211ull;
    }
    path = fmt::format("sentinel-identity:{}~{:016x}", name.substr(0, 40), h);
  }
  std::memcpy(a.sun_path + 1, path.data(), path.size());  // sun_path[0] = 0: abstract namespace
  *length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + path.size());
  return a;
}

}  // namespace

std::unique_ptr<IdentityLock> IdentityLock::acquire(const std::string& name, int* holder_pid,
                                                    std::string* error) {
  *holder_pid = 0;
  socklen_t length = 0;
  sockaddr_un a = address(name, &length);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = fmt::format("cannot create the identity lock socket: {}", std::strerror(errno));
    return nullptr;
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), length) == 0 && listen(fd, 4) == 0) {
    return std::unique_ptr<IdentityLock>(new IdentityLock(fd));
  }
  int bind_errno = errno;
  close(fd);
  if (bind_errno != EADDRINUSE) {
    *error = fmt::format("cannot take the identity lock: {}", std::strerror(bind_errno));
    return nullptr;
  }
  // Held: ask the holder's socket who it is.
  int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe >= 0 && connect(probe, reinterpret_cast<sockaddr*>(&a), length) == 0) {
    ucred cred{};
    socklen_t size = sizeof cred;
    if (getsockopt(probe, SOL_SOCKET, SO_PEERCRED, &cred, &size) == 0) *holder_pid = cred.pid;
  }
  if (probe >= 0) close(probe);
  *error = *holder_pid ? fmt::format("held by process {}", *holder_pid) : "held by another process";
  return nullptr;
}

IdentityLock::~IdentityLock() { close(fd_); }

}  // namespace sentinel

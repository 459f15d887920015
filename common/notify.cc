// The systemd notify protocol over an AF_UNIX datagram socket.
#include "common/notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "common/log.h"

namespace sentinel {

SystemdNotifier::SystemdNotifier() {
  if (const char* path = std::getenv("NOTIFY_SOCKET"); path && (path[0] == '/' || path[0] == '@')) {
    socket_path_ = path;
  }
  const char* usec = std::getenv("WATCHDOG_USEC");
  const char* pid = std::getenv("WATCHDOG_PID");
  if (usec) {
    char* end = nullptr;
    unsigned long long value = std::strtoull(usec, &end, 10);
    bool for_us = !pid || std::strtoll(pid, nullptr, 10) == static_cast<long long>(getpid());
    if (end && *end == '\0' && value > 0 && for_us) {
      watchdog_interval_ = std::chrono::microseconds(value / 2);
    }
  }
}

bool SystemdNotifier::send(std::string_view message) {
  if (socket_path_.empty()) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, socket_path_.data(), socket_path_.size());
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size());
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  // Never block the main loop on the manager: a datagram socket whose reader fell behind blocks
  // senders once its queue (net.unix.max_dgram_qlen) is full, and a daemon stuck there would not
  // even see SIGTERM. A message the manager cannot take is dropped (and said so).
  ssize_t n = sendto(fd, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                     reinterpret_cast<sockaddr*>(&addr), len);
  int err = errno;
  close(fd);
  if (n < 0) {
    if (err == EAGAIN) {
      log::warning("systemd notify: {} is not reading its socket (queue full); dropped \"{}\"",
                   socket_path_, message.substr(0, message.find('\n')));
      return false;
    }
    log::debug("systemd notify: sendto {}: {}", socket_path_, std::strerror(err));
    return false;
  }
  return true;
}

void SystemdNotifier::ready() { send("READY=1\nSTATUS=running"); }
void SystemdNotifier::status(std::string_view text) { send("STATUS=" + std::string(text)); }
void SystemdNotifier::stopping() { send("STOPPING=1"); }
void SystemdNotifier::watchdog() { send("WATCHDOG=1"); }

void SystemdNotifier::reloading() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  unsigned long long usec = static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL +
                            static_cast<unsigned long long>(ts.tv_nsec) / 1000ULL;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

}  // namespace sentinel

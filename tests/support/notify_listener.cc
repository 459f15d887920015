// The receiving end of the systemd notify protocol for tests.
#include "tests/support/notify_listener.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <thread>

namespace sentinel::test {

bool NotifyListener::Message::has(const std::string& assignment) const {
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (text.compare(start, end - start, assignment) == 0) return true;
    start = end + 1;
  }
  return false;
}

NotifyListener::NotifyListener(const std::string& path) : path_(path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path)
    throw std::runtime_error("notify socket path too long: " + path);
  fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("notify socket: ") + std::strerror(errno));
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::string error = std::strerror(errno);
    close(fd_);
    throw std::runtime_error("notify socket: bind " + path + ": " + error);
  }
}

NotifyListener::~NotifyListener() {
  close(fd_);
  unlink(path_.c_str());
}

const std::vector<NotifyListener::Message>& NotifyListener::poll() {
  char buf[4096];
  for (;;) {
    ssize_t n = recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0) break;
    messages_.push_back({std::string(buf, static_cast<size_t>(n)), Clock::now()});
  }
  return messages_;
}

int NotifyListener::wait_for(const std::string& assignment, size_t from,
                             std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    poll();
    for (size_t i = from; i < messages_.size(); ++i) {
      if (messages_[i].has(assignment)) return static_cast<int>(i);
    }
    if (Clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::vector<size_t> NotifyListener::find_all(const std::string& assignment, size_t from) {
  poll();
  std::vector<size_t> out;
  for (size_t i = from; i < messages_.size(); ++i) {
    if (messages_[i].has(assignment)) out.push_back(i);
  }
  return out;
}

}  // namespace sentinel::test

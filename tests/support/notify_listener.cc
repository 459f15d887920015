// The receiving end of the systemd notify protocol for tests.
#include "tests/support/notify_listener.h"

#include <poll.h>
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
  reader_ = std::thread([this] { read_loop(); });
}

NotifyListener::~NotifyListener() {
  stop_ = true;
  reader_.join();
  close(fd_);
  unlink(path_.c_str());
}

bool NotifyListener::receive_locked() {
  char buf[4096];
  ssize_t n = recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
  if (n < 0) return false;
  messages_.push_back({std::string(buf, static_cast<size_t>(n)), Clock::now()});
  return true;
}

void NotifyListener::read_loop() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    // Received and stored under the lock, so that poll() sees every datagram either stored or
    // still in the socket.
    for (;;) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!receive_locked()) break;
    }
  }
}

std::vector<NotifyListener::Message> NotifyListener::poll() {
  std::lock_guard<std::mutex> lock(mutex_);
  while (receive_locked()) {
  }
  return messages_;
}

int NotifyListener::wait_for(const std::string& assignment, size_t from,
                             std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    std::vector<Message> messages = poll();
    for (size_t i = from; i < messages.size(); ++i) {
      if (messages[i].has(assignment)) return static_cast<int>(i);
    }
    if (Clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::vector<size_t> NotifyListener::find_all(const std::string& assignment, size_t from) {
  std::vector<Message> messages = poll();
  std::vector<size_t> out;
  for (size_t i = from; i < messages.size(); ++i) {
    if (messages[i].has(assignment)) out.push_back(i);
  }
  return out;
}

}  // namespace sentinel::test

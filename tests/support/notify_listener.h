// The service manager's side of sd_notify(3), for tests: an AF_UNIX datagram socket whose path is
// given to a daemon as NOTIFY_SOCKET; every message is kept with the time it was read. A thread
// reads the socket all the time, as systemd does: the kernel queues only net.unix.max_dgram_qlen
// (often 10) datagrams, and daemons drop what a manager that falls behind cannot take.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sentinel::test {

class NotifyListener {
 public:
  using Clock = std::chrono::steady_clock;
  struct Message {
    std::string text;  // e.g. "READY=1\nSTATUS=running"
    Clock::time_point at;
    // True when one line of the message is exactly `assignment` ("READY=1").
    bool has(const std::string& assignment) const;
  };

  // Binds a socket at `path` (which must not exist yet).
  explicit NotifyListener(const std::string& path);
  ~NotifyListener();
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  const std::string& path() const { return path_; }
  // Every message since the start, oldest first, including those the reading thread has not read
  // yet: a datagram sent before this call is in the result.
  std::vector<Message> poll();
  // Waits up to `timeout` for a message at index >= `from` that has `assignment`; returns its
  // index, or -1. Checks every few milliseconds, so the caller acts right after it arrived.
  int wait_for(const std::string& assignment, size_t from, std::chrono::milliseconds timeout);
  // The indexes of the messages at or after `from` that have `assignment`.
  std::vector<size_t> find_all(const std::string& assignment, size_t from = 0);

 private:
  void read_loop();
  // Receives one waiting datagram into messages_ (mutex_ held); false when none waits.
  bool receive_locked();
  int fd_ = -1;
  std::string path_;
  std::mutex mutex_;
  std::vector<Message> messages_;
  std::atomic<bool> stop_{false};
  std::thread reader_;
};

}  // namespace sentinel::test

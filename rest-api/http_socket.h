// One accepted REST connection's byte stream, plain TCP or TLS (OpenSSL), on a non-blocking socket:
// every wait is bounded by a deadline and cut short by the server's stop signal (an fd that
// becomes readable once, for good, when the server stops).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

struct ssl_st;

namespace sentinel::connect {

using Deadline = std::chrono::steady_clock::time_point;

class HttpSocket {
 public:
  enum class Io { kOk, kEof, kTimeout, kStopped, kError };

  // Takes ownership of `fd` (non-blocking) and `ssl` (null for plain TCP, else set to `fd`).
  HttpSocket(int fd, ssl_st* ssl, int stop_fd) : fd_(fd), ssl_(ssl), stop_fd_(stop_fd) {}
  ~HttpSocket();
  HttpSocket(const HttpSocket&) = delete;
  HttpSocket& operator=(const HttpSocket&) = delete;

  bool tls() const { return ssl_ != nullptr; }
  // TLS only: completes the server side of the handshake.
  Io handshake(Deadline deadline);
  // Appends what arrived (at most `max` bytes) to *out, waiting until something does.
  Io read_some(std::string* out, size_t max, Deadline deadline);
  Io write_all(std::string_view data, Deadline deadline);
  // Ends the connection after a response sent while the client may still be sending (an
  // unread body): stops writing, then reads and drops what arrives until the client closes,
  // `max_bytes` were dropped or `deadline` passes — closing a socket with unread data resets
  // it, and the reset can destroy the response before the client reads it.
  void linger_close(size_t max_bytes, Deadline deadline);

 private:
  Io wait(short events, Deadline deadline);
  Io tls_result(int ret, Deadline deadline, bool* retry);

  int fd_;
  ssl_st* ssl_;
  int stop_fd_;
};

}  // namespace sentinel::connect

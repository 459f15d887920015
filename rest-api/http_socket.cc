// Deadline-bounded socket and TLS I/O with poll(2).
#include "rest-api/http_socket.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace sentinel::connect {
namespace {

int poll_timeout_ms(Deadline deadline) {
  auto left =
      std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return 0;
  return left.count() > 60000 ? 60000 : static_cast<int>(left.count());
}

}  // namespace

HttpSocket::~HttpSocket() {
  if (ssl_) SSL_free(ssl_);
  if (fd_ >= 0) ::close(fd_);
}

HttpSocket::Io HttpSocket::wait(short events, Deadline deadline) {
  for (;;) {
    pollfd fds[2] = {{fd_, events, 0}, {stop_fd_, POLLIN, 0}};
    int timeout = poll_timeout_ms(deadline);
    int n = ::poll(fds, 2, timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Io::kError;
    }
    if (fds[1].revents) return Io::kStopped;
    if (fds[0].revents) return Io::kOk;  // ready, or an error/hang-up the next call reports
    if (std::chrono::steady_clock::now() >= deadline) return Io::kTimeout;
  }
}

// Maps an OpenSSL call's result: kOk with *retry when it must be called again after waiting.
HttpSocket::Io HttpSocket::tls_result(int ret, Deadline deadline, bool* retry) {
  *retry = false;
  int err = SSL_get_error(ssl_, ret);
  switch (err) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE: {
      Io io = wait(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
      *retry = io == Io::kOk;
      return io;
    }
    case SSL_ERROR_ZERO_RETURN:
      return Io::kEof;
    case SSL_ERROR_SYSCALL:
      // A peer that closed without close_notify (or before the handshake ended).
      return (errno == 0 || ERR_peek_error() == 0) ? Io::kEof : Io::kError;
    default:
      return Io::kError;
  }
}

HttpSocket::Io HttpSocket::handshake(Deadline deadline) {
  if (!ssl_) return Io::kOk;
  for (;;) {
    ERR_clear_error();
    errno = 0;
    int r = SSL_accept(ssl_);
    if (r == 1) return Io::kOk;
    bool retry = false;
    Io io = tls_result(r, deadline, &retry);
    if (!retry) return io == Io::kOk ? Io::kError : io;
  }
}

HttpSocket::Io HttpSocket::read_some(std::string* out, size_t max, Deadline deadline) {
  size_t old = out->size();
  out->resize(old + max);
  char* buf = out->data() + old;
  for (;;) {
    ssize_t n;
    if (ssl_) {
      ERR_clear_error();
      errno = 0;
      int r = SSL_read(ssl_, buf, static_cast<int>(max));
      if (r > 0) {
        out->resize(old + static_cast<size_t>(r));
        return Io::kOk;
      }
      bool retry = false;
      Io io = tls_result(r, deadline, &retry);
      if (retry) continue;
      out->resize(old);
      return io == Io::kOk ? Io::kError : io;
    }
    n = ::recv(fd_, buf, max, 0);
    if (n > 0) {
      out->resize(old + static_cast<size_t>(n));
      return Io::kOk;
    }
    if (n == 0) {
      out->resize(old);
      return Io::kEof;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      out->resize(old);
      return Io::kError;
    }
    Io io = wait(POLLIN, deadline);
    if (io != Io::kOk) {
      out->resize(old);
      return io;
    }
  }
}

HttpSocket::Io HttpSocket::write_all(std::string_view data, Deadline deadline) {
  while (!data.empty()) {
    if (ssl_) {
      ERR_clear_error();
      errno = 0;
      int chunk = data.size() > (1u << 30) ? (1 << 30) : static_cast<int>(data.size());
      int r = SSL_write(ssl_, data.data(), chunk);
      if (r > 0) {
        data.remove_prefix(static_cast<size_t>(r));
        continue;
      }
      bool retry = false;
      Io io = tls_result(r, deadline, &retry);
      if (retry) continue;
      return io == Io::kOk ? Io::kError : io;
    }
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return Io::kError;
    Io io = wait(POLLOUT, deadline);
    if (io != Io::kOk) return io;
  }
  return Io::kOk;
}

void HttpSocket::linger_close(size_t max_bytes, Deadline deadline) {
  if (ssl_) {
    ERR_clear_error();
    SSL_shutdown(ssl_);  // sends close_notify; the answer is not waited for
  }
  ::shutdown(fd_, SHUT_WR);
  char buf[16384];
  size_t dropped = 0;
  while (dropped < max_bytes) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      dropped += static_cast<size_t>(n);
      continue;
    }
    if (n == 0) break;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) break;
    if (wait(POLLIN, deadline) != Io::kOk) break;
  }
}

}  // namespace sentinel::connect

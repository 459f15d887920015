// Listeners, accept threads, connection admission and shutdown of the REST server.
#include "rest-api/http_server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/log.h"
#include "rest-api/http_connection.h"
#include "rest-api/http_socket.h"

namespace sentinel::connect {
namespace {

// The address a connection is counted under: IPv4 as is, IPv4-mapped IPv6 as IPv4, other IPv6
// by its /64 (one host usually owns a whole /64, so counting single addresses would not bound it).
std::string client_address(const sockaddr_storage& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(a).sin_addr, buf, sizeof buf);
    return buf;
  }
  if (a.ss_family == AF_INET6) {
    in6_addr addr = reinterpret_cast<const sockaddr_in6&>(a).sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&addr)) {
      inet_ntop(AF_INET, &addr.s6_addr[12], buf, sizeof buf);
      return buf;
    }
    std::memset(&addr.s6_addr[8], 0, 8);
    inet_ntop(AF_INET6, &addr, buf, sizeof buf);
    return std::string(buf) + "/64";
  }
  return "unknown";
}

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

// Sends a short refusal without waiting (the socket buffer of a new connection has room).
void refuse(int fd, int status, const std::string& message) {
  std::string bytes = format_response(error_response(status, message), false, true);
  (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(fd, SHUT_WR);
}

}  // namespace

HttpServer::HttpServer() { stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }

HttpServer::~HttpServer() {
  stop();
  for (auto& l : listeners_) {
    if (l.fd >= 0) ::close(l.fd);
  }
  if (tls_) SSL_CTX_free(tls_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

bool HttpServer::bind(const WorkerConfig& config, BasicAuth* auth, std::string* error) {
  auth_ = auth;
  limits_ = config.rest_limits;
  limiter_ = std::make_unique<ConnectionLimiter>(limits_.max_connections,
                                                 limits_.max_connections_per_client);
  if (stop_fd_ < 0) {
    *error = fmt::format("REST server: cannot create an eventfd: {}", std::strerror(errno));
    return false;
  }
  for (const Listener& l : config.listeners) {
    std::string host = l.host.empty() ? "0.0.0.0" : l.host;
    std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    std::string where = fmt::format("listener {}://{}:{}", l.scheme, shown_host, l.port);
    bool tls = l.scheme == "https";
    if (tls && !tls_) {
      SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
      if (!ctx) {
        *error = fmt::format("{}: cannot create a TLS context: {}", where, openssl_error());
        return false;
      }
      tls_ = ctx;
      SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
      // No client-initiated renegotiation (a CPU sink); a peer closing without close_notify is EOF.
      SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
      SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                SSL_MODE_RELEASE_BUFFERS);
      if (SSL_CTX_use_certificate_chain_file(ctx, config.tls_certificate.c_str()) != 1 ||
          SSL_CTX_use_PrivateKey_file(ctx, config.tls_private_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
          SSL_CTX_check_private_key(ctx) != 1) {
        *error = fmt::format("{}: cannot load the TLS certificate {} or key {}: {}", where,
                             config.tls_certificate, config.tls_private_key, openssl_error());
        return false;
      }
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    int rc = getaddrinfo(host.c_str(), std::to_string(l.port).c_str(), &hints, &found);
    if (rc != 0) {
      *error = fmt::format("{}: cannot resolve {}: {}", where, host, gai_strerror(rc));
      return false;
    }
    int fd = -1;
    std::string why;
    for (addrinfo* a = found; a && fd < 0; a = a->ai_next) {
      fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) continue;
      int one = 1;
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
        why = std::strerror(errno);
        ::close(fd);
        fd = -1;
      }
    }
    freeaddrinfo(found);
    if (fd < 0) {
      *error = fmt::format("{}: cannot bind (address in use or not available): {}", where, why);
      return false;
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    int port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(bound).sin6_port
                                                 : reinterpret_cast<sockaddr_in&>(bound).sin_port);
    if (first_port_ == 0) first_port_ = port;
    urls_.push_back(fmt::format("{}://{}:{}", l.scheme, shown_host, port));
    listeners_.push_back({fd, tls});
  }
  return true;
}

void HttpServer::start(RestApi* api) {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  api_ = api;
  for (const ListenSocket& l : listeners_) acceptors_.emplace_back([this, l] { accept_loop(l); });
}

void HttpServer::stop() {
  std::vector<std::thread> acceptors;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    acceptors.swap(acceptors_);
  }
  if (stop_fd_ >= 0) {
    uint64_t one = 1;
    // Never read back: the eventfd stays readable, so every poll on it returns at once from now on.
    (void)!::write(stop_fd_, &one, sizeof one);
  }
  for (auto& t : acceptors) t.join();
  std::unique_lock lock(mu_);
  idle_.wait(lock, [&] { return connections_ == 0; });
}

void HttpServer::accept_loop(ListenSocket listener) {
  auto last_warning = std::chrono::steady_clock::time_point{};
  size_t refused = 0;
  auto warn = [&](const std::string& what) {
    ++refused;
    auto now = std::chrono::steady_clock::now();
    if (now - last_warning < std::chrono::seconds(10)) return;
    log::warning("REST: {} ({} connection(s) refused since the last warning)", what, refused);
    last_warning = now;
    refused = 0;
  };
  for (;;) {
    pollfd fds[2] = {{listener.fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      log::error("REST: poll on a listening socket failed: {}", std::strerror(errno));
      return;
    }
    if (fds[1].revents) return;
    for (;;) {
      sockaddr_storage peer{};
      socklen_t len = sizeof peer;
      int fd = ::accept4(listener.fd, reinterpret_cast<sockaddr*>(&peer), &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          warn(fmt::format("cannot accept a connection: {}", std::strerror(errno)));
          pollfd stop = {stop_fd_, POLLIN, 0};
          ::poll(&stop, 1, 100);  // let connections end before trying again
        }
        break;
      }
      std::string client = client_address(peer);
      switch (limiter_->admit(client)) {
        case ConnectionLimiter::Verdict::kAdmitted:
          admit(fd, client, listener.tls);
          break;
        case ConnectionLimiter::Verdict::kTooManyFromClient: {
          std::string m = fmt::format(
              "Too many connections from {}: at most {} at a time "
              "(sentinel.rest.max.connections.per.client)",
              client, limits_.max_connections_per_client);
          if (!listener.tls) refuse(fd, 429, m);
          ::close(fd);
          warn(m);
          break;
        }
        case ConnectionLimiter::Verdict::kTooManyInTotal: {
          std::string m = fmt::format(
              "Too many connections: at most {} at a time (sentinel.rest.max.connections)",
              limits_.max_connections);
          if (!listener.tls) refuse(fd, 503, m);
          ::close(fd);
          warn(m);
          break;
        }
      }
    }
  }
}

void HttpServer::admit(int fd, const std::string& client, bool tls) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      ::close(fd);
      limiter_->release(client);
      return;
    }
    ++connections_;
  }
  try {
    std::thread([this, fd, client, tls] { serve(fd, client, tls); }).detach();
  } catch (const std::system_error& e) {
    log::warning("REST: cannot start a thread for a connection from {}: {}", client, e.what());
    ::close(fd);
    limiter_->release(client);
    std::lock_guard lock(mu_);
    --connections_;
    idle_.notify_all();
  }
}

void HttpServer::serve(int fd, std::string client, bool tls) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
               sizeof one);  // small answers must not wait for ACKs
  SSL* ssl = nullptr;
  if (tls) {
    ssl = SSL_new(tls_);
    if (ssl) SSL_set_fd(ssl, fd);
  }
  if (!tls || ssl) {
    HttpSocket socket(fd, ssl, stop_fd_);
    ConnectionHandlers handlers;
    handlers.handle = [this](const HttpRequest& r) { return api_->handle(r); };
    if (auth_) {
      handlers.authorize = [this](const std::string& header) { return auth_->check(header); };
    }
    serve_connection(socket, limits_, handlers, client);
  } else {
    ::close(fd);
  }
  limiter_->release(client);
  // Notified under the lock: once stop() sees zero, this thread touches nothing of the server.
  std::lock_guard lock(mu_);
  --connections_;
  idle_.notify_all();
}

}  // namespace sentinel::connect

// The request loop of one connection.
#include "rest-api/http_connection.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "common/log.h"
#include "rest-api/http_request_parser.h"

namespace sentinel::connect {
namespace {

using Clock = std::chrono::steady_clock;
using Io = HttpSocket::Io;

constexpr size_t kReadChunk = 16384;
// After an error answered before the request was fully read: how long and how much of the rest
// is read and dropped so that the answer reaches the client (see HttpSocket::linger_close).
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 8 << 20;

bool has_crlf(const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; }

class Connection {
 public:
  Connection(HttpSocket& socket, const HttpLimits& limits, const ConnectionHandlers& handlers,
             const std::string& peer)
      : s_(socket), limits_(limits), handlers_(handlers), peer_(peer) {}

  void run() {
    Clock::time_point accepted = Clock::now();
    if (s_.tls() && s_.handshake(accepted + limits_.header_timeout) != Io::kOk) {
      log::debug("REST {}: TLS handshake failed or timed out", peer_);
      return;
    }
    // The first request starts at accept: a client that connects and waits has used its time.
    std::optional<Clock::time_point> start = accepted;
    while (serve_one(start)) start.reset();
  }

 private:
  // Reads and answers one request; false when the connection must end.
  bool serve_one(std::optional<Clock::time_point> start) {
    RequestParser p(limits_);
    Clock::time_point idle_since = Clock::now();
    auto head_deadline = [&] {
      if (!start) return idle_since + limits_.idle_timeout;
      return *start + std::min(limits_.header_timeout, limits_.request_timeout);
    };
    if (!read_until_not(p, RequestParser::State::kHead, &start, head_deadline)) return false;
    if (p.state() == RequestParser::State::kFailed) return fail(p.error(), true);
    const RequestHead& head = p.head();
    bool body_pending = p.state() == RequestParser::State::kBody;

    if (handlers_.authorize && !handlers_.authorize(head.header("Authorization").value_or(""))) {
      // Refused before any body byte is read: an unauthenticated client costs no memory.
      HttpResponse r = error_response(401, "Authentication required: send HTTP basic credentials");
      r.headers["WWW-Authenticate"] = "Basic realm=\"sentinel-connect\"";
      bool close = body_pending || !head.keep_alive;
      if (!send(r, head.method == "HEAD", close, *start)) return false;
      if (body_pending) s_.linger_close(kLingerBytes, Clock::now() + kLingerTime);
      return !close;
    }
    if (body_pending && head.expect_continue && pos_ == in_.size()) {
      Deadline deadline = *start + limits_.request_timeout;
      if (s_.write_all("HTTP/1.1 100 Continue\r\n\r\n", deadline) != Io::kOk) return false;
    }
    auto body_deadline = [&] { return *start + limits_.request_timeout; };
    if (!read_until_not(p, RequestParser::State::kBody, &start, body_deadline)) return false;
    if (p.state() == RequestParser::State::kFailed) return fail(p.error(), true);

    HttpRequest request;
    request.method = head.method == "HEAD" ? "GET" : head.method;
    std::string error;
    HttpResponse response;
    if (!split_target(head.target, &request.path, &request.query, &error)) {
      response = error_response(400, error);
    } else {
      request.content_type = head.header("Content-Type").value_or("");
      request.body = std::move(p.body());
      try {
        response = handlers_.handle(request);
      } catch (const std::exception& e) {
        log::error("REST {} {}: {}", head.method, request.path, e.what());
        response = error_response(500, std::string("Internal error: ") + e.what());
      }
    }
    bool close = !head.keep_alive;
    if (!close && head.version_minor == 0) response.headers["Connection"] = "keep-alive";
    if (!send(response, head.method == "HEAD", close, Clock::now())) return false;
    return !close;
  }

  // Feeds the parser buffered bytes, reading more while it stays in `state`. False when the
  // connection ended (closed, timed out — answered 408 when a request had started — or stopped).
  template <typename DeadlineFn>
  bool read_until_not(RequestParser& p, RequestParser::State state,
                      std::optional<Clock::time_point>* start, DeadlineFn deadline) {
    while (p.state() == state) {
      if (pos_ < in_.size()) {
        size_t used = p.feed(std::string_view(in_).substr(pos_));
        pos_ += used;
        if (!*start && p.started()) *start = Clock::now();
        if (used == 0 && p.state() == state) return false;  // cannot happen: it always progresses
        continue;
      }
      in_.clear();
      pos_ = 0;
      Io io = s_.read_some(&in_, kReadChunk, deadline());
      if (io == Io::kOk) continue;
      if (io == Io::kTimeout && *start) {
        std::string what =
            state == RequestParser::State::kHead
                ? fmt::format(
                      "the request headers did not arrive within {} ms "
                      "(sentinel.rest.header.timeout.ms)",
                      std::min(limits_.header_timeout, limits_.request_timeout).count())
                : fmt::format(
                      "the request did not arrive within {} ms (sentinel.rest.request.timeout.ms)",
                      limits_.request_timeout.count());
        fail({408, "HTTP 408 Request Timeout: " + what}, true);
      } else if (io == Io::kEof && *start && p.state() == state) {
        log::debug("REST {}: closed in the middle of a request", peer_);
      }
      return false;
    }
    return true;
  }

  // Answers an error that ends the connection; `unread` when the client may still be sending.
  bool fail(const HttpError& e, bool unread) {
    log::debug("REST {}: {} {}", peer_, e.status, e.message);
    if (send(error_response(e.status, e.message), false, true, Clock::now()) && unread) {
      s_.linger_close(kLingerBytes, Clock::now() + kLingerTime);
    }
    return false;
  }

  bool send(const HttpResponse& r, bool head_request, bool close, Clock::time_point from) {
    Deadline deadline = std::max(from, Clock::now()) + limits_.request_timeout;
    return s_.write_all(format_response(r, head_request, close), deadline) == Io::kOk;
  }

  HttpSocket& s_;
  const HttpLimits& limits_;
  const ConnectionHandlers& handlers_;
  const std::string& peer_;
  std::string in_;  // bytes read and not yet parsed start at pos_ (pipelined requests wait here)
  size_t pos_ = 0;
};

}  // namespace

const char* reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return status < 400 ? "OK" : status < 500 ? "Client Error" : "Server Error";
  }
}

std::string format_response(const HttpResponse& r, bool head_request, bool close) {
  std::string out = fmt::format("HTTP/1.1 {} {}\r\n", r.status, reason_phrase(r.status));
  bool no_body = r.status == 204 || r.status == 304 || (r.status >= 100 && r.status < 200);
  if (!r.content_type.empty() && !has_crlf(r.content_type) && !no_body) {
    out += "Content-Type: " + r.content_type + "\r\n";
  }
  if (!no_body) out += fmt::format("Content-Length: {}\r\n", r.body.size());
  if (close) out += "Connection: close\r\n";
  for (const auto& [k, v] : r.headers) {
    if (has_crlf(k) || has_crlf(v) || k.empty()) continue;
    if (close && k == "Connection") continue;
    out += k + ": " + v + "\r\n";
  }
  out += "\r\n";
  if (!head_request && !no_body) out += r.body;
  return out;
}

void serve_connection(HttpSocket& socket, const HttpLimits& limits,
                      const ConnectionHandlers& handlers, const std::string& peer) {
  Connection(socket, limits, handlers, peer).run();
}

}  // namespace sentinel::connect

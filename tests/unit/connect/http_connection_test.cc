// One REST connection served over a socketpair with a recording handler: pipelined requests
// answered in order, a half-closed client still answered, credentials refused before any body byte
// is read, chunked bodies over the limit cut off, slow and idle clients timed out, and the stop
// signal ending a connection that waits. No timing assertions: timeouts are short and the tests
// wait for what the server sends.
#include "rest-api/http_connection.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace sentinel::connect {
namespace {

using namespace std::chrono_literals;

struct Served {
  explicit Served(HttpLimits limits, std::function<bool(const std::string&)> authorize = nullptr)
      : limits_(limits) {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    client = fds[0];
    ::fcntl(fds[1], F_SETFL, O_NONBLOCK);
    timeval tv{10, 0};  // a broken server fails the test instead of hanging it
    ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    stop_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    handlers.handle = [this](const HttpRequest& r) {
      ++handled;
      HttpResponse out;
      out.body = r.method + " " + r.path + (r.body.empty() ? "" : " " + r.body);
      out.content_type = "text/plain";
      return out;
    };
    handlers.authorize = std::move(authorize);
    server = std::thread([this, fd = fds[1]] {
      HttpSocket socket(fd, nullptr, stop_fd);
      serve_connection(socket, limits_, handlers, "test");
      finished = true;
    });
  }
  ~Served() {
    stop();
    ::close(client);
    ::close(stop_fd);
  }
  void stop() {
    uint64_t one = 1;
    (void)!::write(stop_fd, &one, sizeof one);
    if (server.joinable()) server.join();
  }
  void send(const std::string& bytes) {
    ASSERT_EQ(::send(client, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  // Everything the server sends until it closes (or 10 s pass).
  std::string read_to_eof() {
    std::string out;
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(client, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  // Reads until `text` has arrived (or 10 s pass, or the server closes).
  std::string read_until(const std::string& text) {
    std::string out;
    char buf[4096];
    while (out.find(text) == std::string::npos) {
      ssize_t n = ::recv(client, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

  HttpLimits limits_;
  ConnectionHandlers handlers;
  int client = -1;
  int stop_fd = -1;
  std::atomic<int> handled{0};
  std::atomic<bool> finished{false};
  std::thread server;
};

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

TEST(HttpConnection, PipelinedRequestsAreAnsweredEachInOrder) {
  Served s(HttpLimits{});
  s.send(
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
      "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string out = s.read_to_eof();
  EXPECT_EQ(count(out, "HTTP/1.1 200 OK"), 3u) << out;
  size_t a = out.find("GET /a"), b = out.find("POST /b hi"), c = out.find("GET /c");
  ASSERT_NE(a, std::string::npos) << out;
  ASSERT_NE(b, std::string::npos) << out;
  ASSERT_NE(c, std::string::npos) << out;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
}

TEST(HttpConnection, HalfClosedClientStillGetsItsResponses) {
  Served s(HttpLimits{});
  s.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  ::shutdown(s.client, SHUT_WR);
  std::string out = s.read_to_eof();
  EXPECT_EQ(count(out, "HTTP/1.1 200 OK"), 2u) << out;
  EXPECT_NE(out.find("GET /b"), std::string::npos) << out;
}

TEST(HttpConnection, CredentialsAreRefusedBeforeAnyBodyByteIsRead) {
  HttpLimits limits;
  std::atomic<int> checked{0};
  Served s(limits, [&](const std::string& header) {
    ++checked;
    return header == "Basic good";
  });
  // The body is announced and never sent: the answer must not wait for it.
  s.send("POST /connectors HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
  std::string out = s.read_to_eof();
  EXPECT_EQ(out.rfind("HTTP/1.1 401 Unauthorized\r\n", 0), 0u) << out;
  EXPECT_NE(out.find("WWW-Authenticate: Basic realm=\"sentinel-connect\""), std::string::npos);
  EXPECT_NE(out.find("\"error_code\":401"), std::string::npos);
  EXPECT_EQ(s.handled, 0);
  EXPECT_EQ(checked, 1);
}

TEST(HttpConnection, GoodCredentialsAreServedAndABodylessRefusalKeepsTheConnection) {
  Served s(HttpLimits{}, [](const std::string& header) { return header == "Basic good"; });
  s.send(
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nAuthorization: Basic "
      "good\r\n"
      "Connection: close\r\n\r\n");
  std::string out = s.read_to_eof();
  EXPECT_EQ(out.rfind("HTTP/1.1 401", 0), 0u) << out;
  EXPECT_NE(out.find("GET /b"), std::string::npos) << out;
  EXPECT_EQ(s.handled, 1);
}

TEST(HttpConnection, ChunkedBodyOverTheLimitIsAnswered413WithoutReadingTheRest) {
  HttpLimits limits;
  limits.max_body_bytes = 4096;
  Served s(limits);
  s.send("POST /connectors HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string chunk = "400\r\n" + std::string(1024, 'x') + "\r\n";
  for (int i = 0; i < 5; ++i) s.send(chunk);
  std::string out = s.read_to_eof();
  EXPECT_EQ(out.rfind("HTTP/1.1 413 Payload Too Large\r\n", 0), 0u) << out;
  EXPECT_NE(out.find("\"error_code\":413"), std::string::npos);
  EXPECT_NE(out.find("Connection: close"), std::string::npos);
  EXPECT_EQ(s.handled, 0);
}

TEST(HttpConnection, BadContentLengthsAre400WithTheEnvelope) {
  for (const char* headers :
       {"Content-Length: -1\r\n", "Content-Length: 3\r\nContent-Length: 4\r\n",
        "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n"}) {
    Served s(HttpLimits{});
    s.send(std::string("POST /x HTTP/1.1\r\nHost: x\r\n") + headers + "\r\nabc");
    std::string out = s.read_to_eof();
    EXPECT_EQ(out.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << headers << out;
    EXPECT_NE(out.find("\"error_code\":400"), std::string::npos) << out;
    EXPECT_EQ(s.handled, 0);
  }
}

TEST(HttpConnection, SlowSenderIsCutOffWith408) {
  HttpLimits limits;
  limits.header_timeout = 300ms;
  Served s(limits);
  s.send("GET /slow HT");  // and nothing more
  std::string out = s.read_to_eof();
  EXPECT_EQ(out.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << out;
  EXPECT_NE(out.find("sentinel.rest.header.timeout.ms"), std::string::npos) << out;
}

TEST(HttpConnection, SlowBodyIsCutOffWith408) {
  HttpLimits limits;
  limits.request_timeout = 400ms;
  Served s(limits);
  s.send("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
  std::string out = s.read_to_eof();
  EXPECT_EQ(out.rfind("HTTP/1.1 408 Request Timeout\r\n", 0), 0u) << out;
  EXPECT_NE(out.find("sentinel.rest.request.timeout.ms"), std::string::npos) << out;
}

TEST(HttpConnection, IdleKeptAliveConnectionIsClosedQuietly) {
  HttpLimits limits;
  limits.idle_timeout = 200ms;
  Served s(limits);
  s.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string out = s.read_to_eof();  // the answer, then the close after the idle time
  EXPECT_EQ(count(out, "HTTP/1.1 "), 1u) << out;
  EXPECT_EQ(out.find("408"), std::string::npos) << out;
}

TEST(HttpConnection, StopEndsAWaitingConnection) {
  Served s(HttpLimits{});
  s.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  s.read_until("GET /a");
  s.stop();  // joins the server thread: it must not wait for the idle timeout
  EXPECT_TRUE(s.finished);
}

TEST(HttpConnection, HeadAndExpectContinue) {
  Served s(HttpLimits{});
  s.send("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string head = s.read_until("\r\n\r\n");
  EXPECT_NE(head.find("Content-Length: 6\r\n"), std::string::npos) << head;  // "GET /a"
  s.send("PUT /b HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  std::string cont = s.read_until("100 Continue\r\n\r\n");
  EXPECT_EQ(cont.rfind("HTTP/1.1 100 Continue", 0), 0u) << cont;  // no body of the HEAD before it
  s.send("ok");
  EXPECT_NE(s.read_until("PUT /b ok").find("PUT /b ok"), std::string::npos);
}

TEST(HttpResponseFormat, NoContentLengthFor204AndNoHeaderInjection) {
  HttpResponse r;
  r.status = 204;
  r.content_type.clear();
  r.headers["Location"] = "/x\r\nSet-Cookie: evil";
  r.headers["Allow"] = "GET";
  std::string out = format_response(r, false, true);
  EXPECT_EQ(out, "HTTP/1.1 204 No Content\r\nConnection: close\r\nAllow: GET\r\n\r\n");
}

}  // namespace
}  // namespace sentinel::connect

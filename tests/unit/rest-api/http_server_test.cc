// The REST server in-process on loopback: stop() returns whatever the moment it is called (before
// start, right after it, twice) — the start-up error paths of the worker call it at any time —
// the limit keys are read from the worker config, and a request over TCP is served.
#include "rest-api/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <future>

#include "tests/support/connect_fakes.h"

namespace sentinel::connect {
namespace {

using namespace std::chrono_literals;

// Runs `body` and ends the test binary if it does not return in time (a hung stop() would
// otherwise hang the whole test run until CTest's timeout).
void within(std::chrono::seconds limit, const std::function<void()>& body, const char* what) {
  auto done = std::async(std::launch::async, body);
  if (done.wait_for(limit) != std::future_status::ready) {
    ADD_FAILURE() << what << " did not return within " << limit.count() << " s";
    std::fprintf(stderr, "%s hung\n", what);
    std::_Exit(1);
  }
  done.get();
}

WorkerConfig loopback_config() {
  WorkerConfig c =
      parse_worker_config(parse_properties("listeners=http://127.0.0.1:0\n", "w.properties"));
  return c;
}

struct ServerApi {
  ServerApi() {
    plugins.add(testing::memory_sink_plugin());
    WorkerSettings s;
    s.validation.plugins = &plugins;
    herder = std::make_unique<Herder>(s, &backend, nullptr);
    api = std::make_unique<RestApi>(herder.get(), ServerInfo{});
  }
  PluginRegistry plugins;
  testing::FakeBackend backend;
  std::unique_ptr<Herder> herder;
  std::unique_ptr<RestApi> api;
};

TEST(HttpServer, StopReturnsWhateverTheMomentItIsCalled) {
  ServerApi a;
  within(
      60s,
      [&] {
        for (int i = 0; i < 50; ++i) {
          HttpServer s;
          std::string error;
          ASSERT_TRUE(s.bind(loopback_config(), nullptr, &error)) << error;
          s.start(a.api.get());
          s.stop();  // right after start: the accept thread may not have run yet
          s.stop();  // and again
        }
        HttpServer never_started;
        std::string error;
        ASSERT_TRUE(never_started.bind(loopback_config(), nullptr, &error)) << error;
        never_started.stop();
        never_started.start(a.api.get());  // after stop: does nothing
        HttpServer never_bound;
        never_bound.stop();
      },
      "HttpServer::stop");
}

TEST(HttpServer, StopEndsOpenConnections) {
  ServerApi a;
  HttpServer s;
  std::string error;
  ASSERT_TRUE(s.bind(loopback_config(), nullptr, &error)) << error;
  s.start(a.api.get());
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(s.first_port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string req =
      "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n";  // the 2nd never ends
  ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  char buf[4096];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)).rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  within(
      20s, [&] { s.stop(); }, "HttpServer::stop with an open connection");
  ::close(fd);
}

TEST(HttpServer, LimitKeysAreReadFromTheWorkerConfig) {
  WorkerConfig c = parse_worker_config(parse_properties(
      "sentinel.rest.max.body.bytes=2048\nsentinel.rest.max.header.bytes=4096\nsentinel.rest.max."
      "headers=20\n"
      "sentinel.rest.header.timeout.ms=500\nsentinel.rest.request.timeout.ms=1500\n"
      "sentinel.rest.idle.timeout.ms=700\nsentinel.rest.max.connections=10\n"
      "sentinel.rest.max.connections.per.client=3\n",
      "w.properties"));
  EXPECT_EQ(c.rest_limits.max_body_bytes, 2048u);
  EXPECT_EQ(c.rest_limits.max_header_bytes, 4096u);
  EXPECT_EQ(c.rest_limits.max_headers, 20u);
  EXPECT_EQ(c.rest_limits.header_timeout, 500ms);
  EXPECT_EQ(c.rest_limits.request_timeout, 1500ms);
  EXPECT_EQ(c.rest_limits.idle_timeout, 700ms);
  EXPECT_EQ(c.rest_limits.max_connections, 10u);
  EXPECT_EQ(c.rest_limits.max_connections_per_client, 3u);
  for (const auto& w : c.warnings) EXPECT_EQ(w.find("unknown key"), std::string::npos) << w;
  HttpLimits defaults = loopback_config().rest_limits;
  EXPECT_EQ(defaults.max_body_bytes, 1u << 20);
  EXPECT_EQ(defaults.max_connections_per_client, 16u);
  EXPECT_THROW(
      parse_worker_config(parse_properties("sentinel.rest.max.connections=0\n", "w.properties")),
      WorkerConfigError);
}

}  // namespace
}  // namespace sentinel::connect

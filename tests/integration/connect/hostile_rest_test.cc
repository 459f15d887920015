// Hostile input against a real sentinel-connect process on loopback (issue #18, REST part): no
// crash, no hang, no unbounded memory, no wrong answer. Bodies over the limit in chunked framing
// (with and without basic auth) are refused while the worker's peak RSS stays small; slow senders
// are cut off and do not starve other clients; connections are capped per client address (the
// attacker uses 127.0.0.2…) and in total; a half-closed client and pipelined requests are
// answered; malformed Content-Length forms get 400; a password with a NUL byte is refused; secret
// config values are hidden in every answer and in the log; bad connector names create nothing
// (checked across SIGKILL and restart); start-up errors exit instead of hanging (10 runs each);
// OPTIONS answers with Allow.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "tests/support/connect_worker.h"
#include "tests/support/kafka_env.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

// A bound on how much the worker's peak resident memory may grow while it is fed 200 MB: the body
// limit is 1 MiB; the old server grew by 250–760 MB here. Growth, not the absolute peak, so that
// the bound holds under AddressSanitizer too (its shadow memory adds tens of MB to the baseline).
constexpr long kMaxPeakGrowthKb = 32 * 1024;

DevKafka& kafka() {
  static DevKafka k({"hostile:1"});
  return k;
}

const std::string kRestWorker =
    "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
    "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
    "offset.flush.interval.ms=300\n";

// A worker on the shared broker with kRestWorker plus `extra`.
ConnectWorker start_worker(const TempDir& dir, const std::string& extra,
                           const ConnectWorker::Options& options = {}) {
  return ConnectWorker(dir, kafka().bootstrap(), kRestWorker + extra, options);
}

// A TCP connection to the worker from `source` (any 127.x.y.z is loopback on Linux, so each
// stands for another client address).
int connect_from(const std::string& source, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  inet_pton(AF_INET, source.c_str(), &src.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
    ADD_FAILURE() << "bind " << source;
  }
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(static_cast<uint16_t>(port));
  dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
    ADD_FAILURE() << "connect from " << source;
  }
  timeval tv{15, 0};  // a server that never answers fails the test instead of hanging it
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

void send_all(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

std::string read_to_eof(int fd) {
  std::string out;
  char buf[16384];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// One response (head and Content-Length body) from a kept-alive connection.
std::string read_response(int fd) {
  std::string out;
  char c;
  while (out.find("\r\n\r\n") == std::string::npos && ::recv(fd, &c, 1, 0) == 1) out += c;
  std::smatch m;
  size_t length = 0;
  if (std::regex_search(out, m, std::regex("Content-Length: (\\d+)"))) length = std::stoul(m[1]);
  std::string body(length, '\0');
  size_t got = 0;
  while (got < length) {
    ssize_t n = ::recv(fd, body.data() + got, length - got, 0);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  return out + body.substr(0, got);
}

// A whole exchange on a new connection: the request (which should ask to close), then all of the
// answer.
std::string round_trip(int port, const std::string& request,
                       const std::string& source = "127.0.0.1") {
  int fd = connect_from(source, port);
  send_all(fd, request);
  std::string out = read_to_eof(fd);
  ::close(fd);
  return out;
}

int status_of(const std::string& response) {
  std::smatch m;
  if (!std::regex_search(response, m, std::regex("^HTTP/1\\.1 (\\d{3}) "))) return 0;
  return std::stoi(m[1]);
}

std::string body_of(const std::string& response) {
  size_t at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

std::string get(int port, const std::string& path, const std::string& source = "127.0.0.1") {
  return round_trip(port, "GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                    source);
}

std::string call(int port, const std::string& method, const std::string& path,
                 const std::string& body) {
  return round_trip(port, method + " " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" +
                              "Content-Type: application/json\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body);
}

long peak_rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

std::string basic(const std::string& user_pass) {
  std::string out(4 * ((user_pass.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(user_pass.data()),
                          static_cast<int>(user_pass.size()));
  out.resize(static_cast<size_t>(n));
  return "Basic " + out;
}

std::string credentials_file(const TempDir& dir) {
  std::string hash;
  EXPECT_EQ(run({"openssl", "passwd", "-6", "-salt", "saltsalt", "s3cret"}, &hash), 0);
  hash.erase(hash.find_last_not_of("\n") + 1);
  write_file(dir.file("creds"), "admin:" + hash + "\n");
  return dir.file("creds");
}

// Streams a chunked body of up to `total` bytes and returns the answer, stopping as soon as the
// server answers (or resets the connection).
std::string stream_chunked(int port, const std::string& head, size_t total) {
  int fd = connect_from("127.0.0.1", port);
  send_all(fd, head + "Transfer-Encoding: chunked\r\n\r\n");
  std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
  size_t sent = 0, in_chunk = 0;
  while (sent < total) {
    pollfd p = {fd, POLLIN | POLLOUT, 0};
    if (::poll(&p, 1, 15000) <= 0) break;
    if (p.revents & (POLLIN | POLLERR | POLLHUP)) break;
    ssize_t n =
        ::send(fd, chunk.data() + in_chunk, chunk.size() - in_chunk, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) break;
    in_chunk = (in_chunk + static_cast<size_t>(n)) % chunk.size();
    sent += static_cast<size_t>(n);
  }
  std::string out = read_to_eof(fd);
  ::close(fd);
  return out;
}

TEST(HostileRest, ChunkedBodyOverTheLimitIs413AndMemoryStaysBounded) {
  TempDir dir;
  ConnectWorker w = start_worker(dir, "");
  long before = peak_rss_kb(w.process().pid());
  ASSERT_GT(before, 0);
  std::string out = stream_chunked(
      w.port(), "POST /connectors HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n",
      200u << 20);
  EXPECT_EQ(status_of(out), 413) << out.substr(0, 300);
  EXPECT_EQ(json::parse(body_of(out), nullptr, false)["error_code"], 413);
  long peak = peak_rss_kb(w.process().pid());
  EXPECT_LT(peak - before, kMaxPeakGrowthKb) << "peak RSS " << before << " -> " << peak << " kB";
  EXPECT_EQ(status_of(get(w.port(), "/")), 200);
}

TEST(HostileRest, UnauthenticatedChunkedBodyIs401BeforeItIsRead) {
  TempDir dir;
  ConnectWorker w =
      start_worker(dir, "sentinel.rest.basic.auth.credentials.file=" + credentials_file(dir));
  long before = peak_rss_kb(w.process().pid());
  ASSERT_GT(before, 0);
  std::string out = stream_chunked(
      w.port(), "POST /connectors HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n",
      200u << 20);
  EXPECT_EQ(status_of(out), 401) << out.substr(0, 300);
  EXPECT_NE(out.find("WWW-Authenticate: Basic"), std::string::npos);
  long peak = peak_rss_kb(w.process().pid());
  EXPECT_LT(peak - before, kMaxPeakGrowthKb) << "peak RSS " << before << " -> " << peak << " kB";
}

TEST(HostileRest, SlowSendersAreCutOffAndOtherClientsAreServedMeanwhile) {
  TempDir dir;
  ConnectWorker w = start_worker(dir, "sentinel.rest.header.timeout.ms=2000\n");
  // 60 connections from one address, each trickling a request line a byte at a time.
  std::atomic<bool> connected{false};
  std::atomic<int> cut_off{0}, refused{0}, ended{0};
  std::thread attacker([&] {
    std::vector<int> fds;
    for (int i = 0; i < 60; ++i) fds.push_back(connect_from("127.0.0.2", w.port()));
    connected = true;
    std::string line = "GET /connectors HTTP/1.1\r\nHost: t\r\nX-Slow: " + std::string(1000, 'a');
    size_t at = 0;
    // Far beyond the 2 s header timeout: connections still open then were never cut off.
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (ended < 60 && std::chrono::steady_clock::now() < deadline) {
      for (int& fd : fds) {
        if (fd < 0) continue;
        pollfd p = {fd, POLLIN, 0};
        if (::poll(&p, 1, 0) > 0) {  // the server answered or closed: the connection is over
          std::string out = read_to_eof(fd);
          if (status_of(out) == 408) ++cut_off;
          if (status_of(out) == 429) ++refused;
          ::close(fd);
          fd = -1;
          ++ended;
          continue;
        }
        ::send(fd, &line[at % line.size()], 1, MSG_NOSIGNAL);
      }
      ++at;
      std::this_thread::sleep_for(200ms);  // the pace of the attack, not a wait for a condition
    }
    for (int fd : fds) {
      if (fd >= 0) ::close(fd);
    }
  });
  ASSERT_TRUE(wait_until([&] { return connected.load(); }, 30s));
  std::string answer = get(w.port(), "/connectors");
  EXPECT_EQ(status_of(answer), 200)
      << "a normal client was not served while the slow senders held connections";
  attacker.join();
  EXPECT_EQ(ended, 60) << "slow senders were not cut off";
  EXPECT_GT(cut_off, 0);  // admitted ones: 408 after sentinel.rest.header.timeout.ms
  EXPECT_GT(refused, 0);  // the ones over sentinel.rest.max.connections.per.client: 429
}

TEST(HostileRest, ConnectionsAreCappedPerClientAndInTotal) {
  TempDir dir;
  ConnectWorker w = start_worker(
      dir, "sentinel.rest.max.connections=6\nsentinel.rest.max.connections.per.client=3\n");
  const std::string ping = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
  std::vector<int> held;
  for (const char* source : {"127.0.0.3", "127.0.0.3", "127.0.0.3", "127.0.0.4", "127.0.0.4"}) {
    int fd = connect_from(source, w.port());
    send_all(fd, ping);
    EXPECT_EQ(status_of(read_response(fd)), 200) << source;  // admitted, kept alive
    held.push_back(fd);
  }
  std::string over_client = get(w.port(), "/", "127.0.0.3");
  EXPECT_EQ(status_of(over_client), 429) << over_client;
  EXPECT_NE(over_client.find("sentinel.rest.max.connections.per.client"), std::string::npos);
  // Another client still gets in (a connection that just ended may take a moment to be released).
  int sixth = -1;
  EXPECT_TRUE(wait_until(
      [&] {
        if (sixth >= 0) ::close(sixth);
        sixth = connect_from("127.0.0.5", w.port());
        send_all(sixth, ping);
        return status_of(read_response(sixth)) == 200;
      },
      10s));
  std::string over_total = get(w.port(), "/", "127.0.0.6");
  EXPECT_EQ(status_of(over_total), 503) << over_total;
  ::close(held[0]);
  EXPECT_TRUE(wait_until([&] { return status_of(get(w.port(), "/", "127.0.0.6")) == 200; }, 10s))
      << "a closed connection did not make room";
  for (size_t i = 1; i < held.size(); ++i) ::close(held[i]);
  ::close(sixth);
}

TEST(HostileRest, HalfClosedClientStillGetsItsResponse) {
  TempDir dir;
  ConnectWorker w = start_worker(dir, "");
  int fd = connect_from("127.0.0.1", w.port());
  send_all(fd, "GET /connectors HTTP/1.1\r\nHost: t\r\n\r\n");
  ::shutdown(fd, SHUT_WR);
  std::string out = read_to_eof(fd);
  ::close(fd);
  EXPECT_EQ(status_of(out), 200) << out;
  EXPECT_EQ(body_of(out), "[]");
}

TEST(HostileRest, PipelinedRequestsAreEachAnsweredInOrder) {
  TempDir dir;
  ConnectWorker w = start_worker(dir, "");
  std::string out = round_trip(w.port(),
                               "GET / HTTP/1.1\r\nHost: t\r\n\r\n"
                               "GET /connectors HTTP/1.1\r\nHost: t\r\n\r\n"
                               "OPTIONS /connectors HTTP/1.1\r\nHost: t\r\n\r\n"
                               "GET /nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  std::vector<int> statuses;
  std::regex status("HTTP/1\\.1 (\\d{3}) ");
  for (auto it = std::sregex_iterator(out.begin(), out.end(), status); it != std::sregex_iterator();
       ++it) {
    statuses.push_back(std::stoi((*it)[1]));
  }
  EXPECT_EQ(statuses, (std::vector<int>{200, 200, 200, 404})) << out;
  EXPECT_NE(out.find("Allow: HEAD,POST,GET,OPTIONS"), std::string::npos) << out;
}

TEST(HostileRest, MalformedContentLengthsAre400WithTheEnvelope) {
  TempDir dir;
  ConnectWorker w = start_worker(dir, "");
  for (const char* headers :
       {"Content-Length: -1\r\n", "Content-Length: 2\r\nContent-Length: 30\r\n",
        "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n", "Content-Length: 0x10\r\n"}) {
    std::string out = round_trip(w.port(), std::string("POST /connectors HTTP/1.1\r\nHost: t\r\n"
                                                       "Content-Type: application/json\r\n") +
                                               headers + "\r\n{}");
    EXPECT_EQ(status_of(out), 400) << headers << out;
    EXPECT_EQ(json::parse(body_of(out), nullptr, false)["error_code"], 400) << headers << out;
  }
  EXPECT_EQ(status_of(round_trip(
                w.port(), "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n")),
            414);
  EXPECT_EQ(status_of(round_trip(w.port(), "GET / HTTP/1.1\r\nHost: t\r\nX: " +
                                               std::string(20000, 'a') + "\r\n\r\n")),
            431);
  EXPECT_EQ(get(w.port(), "/connectors").find("HTTP/1.1 200"), 0u);
}

TEST(HostileRest, PasswordWithANulByteIsRefused) {
  TempDir dir;
  ConnectWorker w =
      start_worker(dir, "sentinel.rest.basic.auth.credentials.file=" + credentials_file(dir));
  auto with = [&](const std::string& user_pass) {
    return status_of(round_trip(
        w.port(), "GET /connectors HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: " +
                      basic(user_pass) + "\r\n\r\n"));
  };
  EXPECT_EQ(with(std::string("admin:s3cret\0trailing", 21)), 401);
  EXPECT_EQ(with(std::string("admin:s3cret\0", 13)), 401);
  EXPECT_EQ(with("admin:s3cret"), 200);
}

TEST(HostileRest, SecretValuesAreHiddenInEveryAnswerAndNeverLogged) {
  TempDir dir;
  ConnectWorker w = start_worker(dir, "");
  json config = {{"connector.class", "FileStreamSink"},
                 {"topics", "hostile"},
                 {"file", dir.file("sink.log")},
                 {"my.custom.password", "pw-one"},
                 {"value.converter.basic.auth.user.info", "user:pw-two"},
                 {"consumer.override.sasl.oauthbearer.config", "clientSecret=pw-three"}};
  std::string created =
      call(w.port(), "POST", "/connectors", json{{"name", "s"}, {"config", config}}.dump());
  ASSERT_EQ(status_of(created), 201) << created;
  std::vector<std::string> answers = {
      created,
      get(w.port(), "/connectors/s"),
      get(w.port(), "/connectors/s/config"),
      get(w.port(), "/connectors/s/tasks"),
      get(w.port(), "/connectors/s/tasks-config"),
      get(w.port(), "/connectors?expand=info"),
      call(w.port(), "PUT", "/connector-plugins/FileStreamSink/config/validate", config.dump())};
  for (const std::string& a : answers) {
    EXPECT_EQ(status_of(a), 200 + (a == created ? 1 : 0)) << a;
    for (const char* secret : {"pw-one", "pw-two", "pw-three"}) {
      EXPECT_EQ(a.find(secret), std::string::npos) << a;
    }
    EXPECT_NE(a.find("[hidden]"), std::string::npos) << a;
  }
  for (const char* secret : {"pw-one", "pw-two", "pw-three"}) {
    EXPECT_EQ(w.process().err().find(secret), std::string::npos) << "logged: " << secret;
  }
}

TEST(HostileRest, BadNamesAre400AndCreateNothingAcrossSigkill) {
  TempDir dir;
  std::string cfg =
      json{
          {"connector.class", "FileStreamSink"}, {"topics", "hostile"}, {"file", dir.file("n.log")}}
          .dump();
  auto create = [&](int port, const std::string& name) {
    return call(port, "POST", "/connectors",
                json{{"name", name}, {"config", json::parse(cfg)}}.dump());
  };
  {
    ConnectWorker w = start_worker(dir, "");
    ASSERT_EQ(status_of(create(w.port(), "first")), 201);
    std::string utf8 = call(w.port(), "PUT", "/connectors/%ff%fe/config", cfg);
    EXPECT_EQ(status_of(utf8), 400) << utf8;
    EXPECT_NE(body_of(utf8).find("valid UTF-8"), std::string::npos) << utf8;
    std::string long_name(10000, 'n');
    EXPECT_EQ(status_of(call(w.port(), "PUT", "/connectors/" + long_name + "/config", cfg)), 400);
    EXPECT_EQ(status_of(create(w.port(), long_name)), 400);
    EXPECT_EQ(status_of(create(w.port(), "a/b")), 400);
    EXPECT_EQ(body_of(get(w.port(), "/connectors")), R"(["first"])");
    // Every later change still works and is saved.
    EXPECT_EQ(status_of(call(w.port(), "DELETE", "/connectors/first", "")), 204);
    EXPECT_EQ(status_of(create(w.port(), "second")), 201);
    EXPECT_EQ(status_of(call(w.port(), "PUT", "/connectors/second/pause", "")), 202);
    w.process().signal(SIGKILL);
    w.process().wait(10s);
  }
  ConnectWorker again = start_worker(dir, "");
  EXPECT_EQ(body_of(get(again.port(), "/connectors")), R"(["second"])");
  EXPECT_NE(body_of(get(again.port(), "/connectors/second/status")).find("PAUSED"),
            std::string::npos);
}

// Start-up errors after the listeners started must end the process: the REST server's stop()
// used to wait for a listener thread that had not started yet (hung 3 runs in 4).
TEST(HostileRest, StartupErrorsExitEveryTime) {
  TempDir dir;
  fs::create_directories(dir.file("archive"));
  write_file(dir.file("escape.properties"),
             "name=escape\nconnector.class=FileStreamSink\ntopics=hostile\nfile=../../etc/x\n");
  write_file(dir.file("slash.properties"),
             "name=a/b\nconnector.class=FileStreamSink\ntopics=hostile\nfile=ok.log\n");
  for (int i = 0; i < 10; ++i) {
    for (const char* file : {"escape.properties", "slash.properties"}) {
      ConnectWorker w = start_worker(dir, "archive.root=" + dir.file("archive") + "\n",
                                     {.connector_files = {dir.file(file)}, .expect_exit = true});
      std::optional<int> code = w.process().wait(20s);
      ASSERT_TRUE(code.has_value()) << file << " run " << i << ": the worker hung\n"
                                    << w.process().err();
      EXPECT_EQ(*code, 3) << file << " run " << i << "\n" << w.process().err();
    }
  }
  TempDir empty_state;
  write_file(empty_state.file("state/connectors.json"), "");
  for (int i = 0; i < 10; ++i) {
    ConnectWorker w = start_worker(empty_state, "", {.expect_exit = true});
    std::optional<int> code = w.process().wait(20s);
    ASSERT_TRUE(code.has_value()) << "empty state file, run " << i << ": the worker hung\n"
                                  << w.process().err();
    EXPECT_EQ(*code, 1) << w.process().err();
    EXPECT_NE(w.process().err().find("not a sentinel-connect state file"), std::string::npos)
        << w.process().err();
  }
}

TEST(HostileRest, OptionsAnswersWithAllowAndUnknownPathsStay404) {
  TempDir dir;
  ConnectWorker w = start_worker(dir, "");
  std::string out =
      round_trip(w.port(), "OPTIONS /connectors HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(status_of(out), 200) << out;
  EXPECT_NE(out.find("Allow: HEAD,POST,GET,OPTIONS\r\n"), std::string::npos) << out;
  out = round_trip(w.port(),
                   "OPTIONS /connectors/x/config HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_NE(out.find("Allow: HEAD,PUT,PATCH,GET,OPTIONS\r\n"), std::string::npos) << out;
  EXPECT_EQ(status_of(round_trip(w.port(),
                                 "OPTIONS /nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")),
            404);
}

}  // namespace
}  // namespace sentinel::test

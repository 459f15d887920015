// The HTTP/1.1 request parser on byte strings: framing (Content-Length, chunked, neither), every
// byte limit whatever the framing, the malformed forms that must be refused rather than guessed
// (negative or conflicting lengths, Content-Length with Transfer-Encoding, bare CR, folding),
// pipelined requests left in the buffer, byte-at-a-time delivery, and request-target decoding.
#include "rest-api/http_request_parser.h"

#include <gtest/gtest.h>

namespace sentinel::connect {
namespace {

using State = RequestParser::State;

HttpLimits small_limits() {
  HttpLimits l;
  l.max_body_bytes = 1024;
  l.max_header_bytes = 512;
  l.max_headers = 10;
  return l;
}

// Feeds `bytes` whole and returns how many the parser used.
size_t feed_all(RequestParser& p, const std::string& bytes) {
  size_t used = 0;
  while (used < bytes.size() && (p.state() == State::kHead || p.state() == State::kBody)) {
    size_t n = p.feed(std::string_view(bytes).substr(used));
    if (n == 0) break;
    used += n;
  }
  return used;
}

TEST(HttpRequestParser, ContentLengthBodyAndHeaders) {
  HttpLimits l = small_limits();
  RequestParser p(l);
  std::string req =
      "POST /connectors?expand=info HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 7\r\n\r\n{\"a\":1}";
  EXPECT_EQ(feed_all(p, req), req.size());
  ASSERT_EQ(p.state(), State::kDone);
  EXPECT_EQ(p.head().method, "POST");
  EXPECT_EQ(p.head().target, "/connectors?expand=info");
  EXPECT_EQ(p.head().header("content-type"), "application/json");
  EXPECT_TRUE(p.head().keep_alive);
  EXPECT_EQ(p.body(), "{\"a\":1}");
}

TEST(HttpRequestParser, StopsAfterTheHeadSoCredentialsAreCheckedBeforeTheBody) {
  HttpLimits l = small_limits();
  RequestParser p(l);
  std::string head = "PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n";
  EXPECT_EQ(p.feed(head + "hello"), head.size());
  EXPECT_EQ(p.state(), State::kBody);
  EXPECT_TRUE(p.body().empty());
  EXPECT_EQ(p.feed("hello"), 5u);
  EXPECT_EQ(p.state(), State::kDone);
}

TEST(HttpRequestParser, ChunkedBodyWithExtensionsAndTrailers) {
  HttpLimits l = small_limits();
  RequestParser p(l);
  std::string req =
      "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: 1\r\n\r\n";
  EXPECT_EQ(feed_all(p, req), req.size());
  ASSERT_EQ(p.state(), State::kDone) << p.error().message;
  EXPECT_TRUE(p.head().chunked);
  EXPECT_EQ(p.body(), "Wikipedia");
}

TEST(HttpRequestParser, ByteAtATimeGivesTheSameRequest) {
  HttpLimits l = small_limits();
  RequestParser p(l);
  std::string req =
      "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  for (char c : req) {
    ASSERT_NE(p.state(), State::kFailed) << p.error().message;
    EXPECT_EQ(p.feed(std::string_view(&c, 1)), 1u);
  }
  EXPECT_EQ(p.state(), State::kDone);
  EXPECT_EQ(p.body(), "abc");
}

TEST(HttpRequestParser, ChunkedBodyOverTheLimitFailsAsSoonAsAChunkSizeSaysSo) {
  HttpLimits l = small_limits();
  RequestParser p(l);
  std::string head = "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  feed_all(p, head);
  std::string chunk = "200\r\n" + std::string(512, 'a') + "\r\n";
  feed_all(p, chunk);
  feed_all(p, chunk);
  EXPECT_EQ(p.state(), State::kBody);  // exactly 1024 bytes: at the limit, not over it
  feed_all(p, "1\r\n");
  ASSERT_EQ(p.state(), State::kFailed);
  EXPECT_EQ(p.error().status, 413);
  EXPECT_NE(p.error().message.find("sentinel.rest.max.body.bytes"), std::string::npos);
  EXPECT_LE(p.body().size(), l.max_body_bytes);

  RequestParser huge(l);
  feed_all(huge, head + "ffffffffffffffffffffffff\r\n");
  EXPECT_EQ(huge.error().status, 413);
}

TEST(HttpRequestParser, ContentLengthOverTheLimitFailsBeforeTheBody) {
  HttpLimits l = small_limits();
  for (const char* length : {"1025", "99999999999999999999999999"}) {
    RequestParser p(l);
    feed_all(p,
             std::string("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: ") + length + "\r\n\r\n");
    EXPECT_EQ(p.state(), State::kFailed) << length;
    EXPECT_EQ(p.error().status, 413) << length;
  }
}

TEST(HttpRequestParser, MalformedFramingIsRefusedNotGuessed) {
  HttpLimits l = small_limits();
  struct Case {
    std::string headers;
    int status;
  };
  for (const Case& c :
       {Case{"Content-Length: -1\r\n", 400}, Case{"Content-Length: 1x\r\n", 400},
        Case{"Content-Length: \r\n", 400}, Case{"Content-Length: 5\r\nContent-Length: 6\r\n", 400},
        Case{"Content-Length: 5, 6\r\n", 400},
        Case{"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 400},
        Case{"Transfer-Encoding: gzip, chunked\r\n", 501},
        Case{"Transfer-Encoding: chunked, identity\r\n", 501},
        Case{"Expect: something\r\n", 417}}) {
    RequestParser p(l);
    feed_all(p, "POST /x HTTP/1.1\r\nHost: x\r\n" + c.headers + "\r\n");
    EXPECT_EQ(p.state(), State::kFailed) << c.headers;
    EXPECT_EQ(p.error().status, c.status) << c.headers << p.error().message;
  }
  // The same length twice is one length (RFC 9110 §8.6).
  RequestParser same(l);
  feed_all(same, "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok");
  EXPECT_EQ(same.state(), State::kDone);
}

TEST(HttpRequestParser, MalformedHeadsAreRefused) {
  HttpLimits l = small_limits();
  struct Case {
    std::string bytes;
    int status;
  };
  for (const Case& c :
       {Case{"GET /x HTTP/1.1\r\n\r\n", 400},                        // no Host
        Case{"GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},  // two Hosts
        Case{"GET /x HTTP/2.0\r\nHost: a\r\n\r\n", 505}, Case{"GET /x FOO\r\nHost: a\r\n\r\n", 400},
        Case{"GET  /x HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        Case{"GET /x HTTP/1.1\r\nHost: a\r\nBad Name: 1\r\n\r\n", 400},
        Case{"GET /x HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400},
        Case{"GET /x HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400},
        Case{"GET /x HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400},
        Case{std::string("GET /x HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", 36), 400},
        Case{"GET /x\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400}}) {
    RequestParser p(l);
    feed_all(p, c.bytes);
    EXPECT_EQ(p.state(), State::kFailed) << c.bytes;
    EXPECT_EQ(p.error().status, c.status) << c.bytes << p.error().message;
  }
}

TEST(HttpRequestParser, HeaderBytesAndCountAreBounded) {
  HttpLimits l = small_limits();
  RequestParser long_line(l);
  feed_all(long_line, "GET /" + std::string(600, 'a'));
  EXPECT_EQ(long_line.error().status, 414);
  RequestParser big(l);
  feed_all(big, "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(600, 'a'));
  EXPECT_EQ(big.error().status, 431);
  RequestParser many(l);
  std::string req = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 10; ++i) req += "X" + std::to_string(i) + ": 1\r\n";
  feed_all(many, req + "\r\n");
  EXPECT_EQ(many.error().status, 431);
  EXPECT_NE(many.error().message.find("sentinel.rest.max.headers"), std::string::npos);
  RequestParser trailers(l);
  feed_all(trailers, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: " +
                         std::string(600, 'b'));
  EXPECT_EQ(trailers.error().status, 431);
}

TEST(HttpRequestParser, BadChunksAreRefused) {
  HttpLimits l = small_limits();
  for (const std::string& body : {std::string("zz\r\n"), std::string("3\r\nabcd\r\n"),
                                  std::string("\r\n"), "1;" + std::string(5000, 'e')}) {
    RequestParser p(l);
    feed_all(p, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
    EXPECT_EQ(p.state(), State::kFailed) << body;
    EXPECT_EQ(p.error().status, 400) << body;
  }
}

TEST(HttpRequestParser, PipelinedRequestsStayInTheBuffer) {
  HttpLimits l = small_limits();
  std::string one = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string two = "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi";
  std::string three = "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::string all = one + two + three;
  std::vector<std::string> targets;
  size_t pos = 0;
  while (pos < all.size()) {
    RequestParser p(l);
    pos += feed_all(p, all.substr(pos));
    ASSERT_EQ(p.state(), State::kDone);
    targets.push_back(p.head().target + (p.head().keep_alive ? "" : " close") +
                      (p.body().empty() ? "" : " " + p.body()));
  }
  EXPECT_EQ(targets, (std::vector<std::string>{"/a", "/b hi", "/c close"}));
}

TEST(HttpRequestParser, KeepAliveFollowsTheVersionAndConnectionHeader) {
  HttpLimits l = small_limits();
  auto keep = [&](const std::string& head) {
    RequestParser p(l);
    feed_all(p, head + "\r\n");
    EXPECT_EQ(p.state(), State::kDone) << head;
    return p.head().keep_alive;
  };
  EXPECT_TRUE(keep("GET / HTTP/1.1\r\nHost: a\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.0\r\n"));
  EXPECT_TRUE(keep("GET / HTTP/1.0\r\nConnection: keep-alive\r\n"));
  // A leading empty line (RFC 9112 §2.2) is ignored; LF alone ends lines too.
  EXPECT_TRUE(keep("\r\nGET / HTTP/1.1\nHost: a\n"));
}

TEST(HttpRequestParser, ExpectContinueIsReported) {
  HttpLimits l = small_limits();
  RequestParser p(l);
  feed_all(p, "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n");
  EXPECT_EQ(p.state(), State::kBody);
  EXPECT_TRUE(p.head().expect_continue);
}

TEST(HttpRequestTarget, PathIsDecodedQueryIsSplit) {
  std::string path, error;
  std::multimap<std::string, std::string> query;
  ASSERT_TRUE(split_target("/connectors/%ff%fe/config?expand=info&expand=status&a+b=c%20d&flag",
                           &path, &query, &error));
  EXPECT_EQ(path, "/connectors/\xff\xfe/config");
  EXPECT_EQ(query.count("expand"), 2u);
  EXPECT_EQ(query.find("a b")->second, "c d");
  EXPECT_EQ(query.find("flag")->second, "");
  ASSERT_TRUE(split_target("http://host:8083/connectors?x=1", &path, &query, &error));
  EXPECT_EQ(path, "/connectors");
  ASSERT_TRUE(split_target("http://host:8083", &path, &query, &error));
  EXPECT_EQ(path, "/");
  ASSERT_TRUE(split_target("*", &path, &query, &error));
  EXPECT_EQ(path, "*");
  for (const char* bad : {"/a%2", "/a%zz", "/a?b=%g0", "connectors", "host:80"}) {
    EXPECT_FALSE(split_target(bad, &path, &query, &error)) << bad;
    EXPECT_FALSE(error.empty());
  }
}

}  // namespace
}  // namespace sentinel::connect

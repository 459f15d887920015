// HTTP/1.1 request parsing as pure logic over bytes (RFC 9112): the request line, header fields,
// message framing (Content-Length or chunked, never both) and the body, with every HttpLimits
// byte bound enforced as the bytes arrive. No sockets and no clocks: the connection feeds what it
// read and asks what state the request is in; tests feed byte strings.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rest-api/http_limits.h"

namespace sentinel::connect {

struct RequestHead {
  std::string method;     // "GET", as sent (methods are case-sensitive)
  std::string target;     // the request-target as sent: "/connectors?expand=info"
  int version_minor = 1;  // HTTP/1.<minor>: 0 or 1
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent, values trimmed

  // Derived from the headers once the head is complete.
  bool keep_alive = true;
  bool chunked = false;
  uint64_t content_length = 0;  // when not chunked
  bool expect_continue = false;

  // The first value of a header, by case-insensitive name.
  std::optional<std::string> header(std::string_view name) const;
};

// Why a request cannot be served: the status to answer and a message naming what was wrong.
struct HttpError {
  int status = 400;
  std::string message;
};

class RequestParser {
 public:
  enum class State {
    kHead,    // reading the request line and headers
    kBody,    // head complete, body bytes expected
    kDone,    // the whole request is in
    kFailed,  // error() says what to answer; the connection cannot be reused
  };

  explicit RequestParser(const HttpLimits& limits) : limits_(limits) {}

  // Consumes bytes from `in` and returns how many it used. It stops at the end of the head (so
  // the caller can check credentials and Expect before reading any body) and at the end of the
  // request (so that pipelined bytes stay for the next request).
  size_t feed(std::string_view in);

  State state() const { return state_; }
  // True once any byte of this request (other than leading empty lines) has arrived.
  bool started() const { return started_; }
  const RequestHead& head() const { return head_; }
  std::string& body() { return body_; }
  const HttpError& error() const { return error_; }

 private:
  enum class Body { kNone, kLength, kChunkSize, kChunkData, kChunkDataEnd, kTrailers };

  bool fail(int status, std::string message);
  size_t feed_head(std::string_view in);
  size_t feed_body(std::string_view in);
  // Appends to line_ up to and including '\n'; returns the bytes used and sets *complete.
  size_t take_line(std::string_view in, size_t max_line, bool* complete);
  bool on_head_line(std::string_view line);
  bool on_request_line(std::string_view line);
  bool finish_head();
  bool on_chunk_size_line(std::string_view line);
  bool on_trailer_line(std::string_view line);

  const HttpLimits& limits_;
  State state_ = State::kHead;
  Body body_state_ = Body::kNone;
  bool started_ = false;
  bool have_request_line_ = false;
  int empty_lines_ = 0;
  size_t head_bytes_ = 0;  // request line, headers and trailers so far
  size_t trailer_count_ = 0;
  uint64_t remaining_ = 0;  // body bytes left (Content-Length) or in the current chunk
  std::string line_;
  RequestHead head_;
  std::string body_;
  HttpError error_;
};

// The request-target split into a percent-decoded path and query parameters ('+' in the query is
// a space, as HTML forms send it). Origin-form ("/a?b=c"), absolute-form ("http://h:1/a") and "*"
// are accepted; false with *error otherwise or on a bad percent escape.
bool split_target(const std::string& target, std::string* path,
                  std::multimap<std::string, std::string>* query, std::string* error);

}  // namespace sentinel::connect

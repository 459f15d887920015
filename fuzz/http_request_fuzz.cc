// Fuzz target: raw bytes from a client through the REST server's HTTP/1.1 request parser
// (rest-api/http_request_parser.h), as a connection feeds it: pipelined requests one after
// another, the bytes arriving in pieces. Small limits (1 KiB of head, 16 headers, 4 KiB of body)
// so that every limit is reached often. Input: the first byte picks the piece size (1–256 bytes),
// the rest is what the client sent. Invariants beyond "no crash":
//  - the outcome does not depend on how the bytes were split: fed whole and fed in pieces, every
//    request ends in the same state with the same head, body and error status;
//  - no state holds more than the limits allow: body ≤ max_body_bytes, a Content-Length body is
//    exactly that long, every failure is a 4xx/5xx status with a message;
//  - the parser always makes progress (it never consumes 0 bytes while it still wants more);
//  - split_target either fails with a message or yields a path that starts with '/' or is "*".
#include <map>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "rest-api/http_request_parser.h"

namespace sentinel::fuzz {
namespace {

using connect::HttpLimits;
using connect::RequestParser;

constexpr size_t kMaxRequests = 32;

HttpLimits limits() {
  HttpLimits l;
  l.max_body_bytes = 4096;
  l.max_header_bytes = 1024;
  l.max_headers = 16;
  return l;
}

struct Outcome {
  RequestParser::State state;
  std::string method, target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int error_status = 0;
  bool operator==(const Outcome&) const = default;
};

// Parses `in` as a connection would, `piece` bytes at a time, until the input ends or a request
// fails; returns what each request came to.
std::vector<Outcome> parse_all(std::string_view in, size_t piece) {
  const HttpLimits lim = limits();
  std::vector<Outcome> out;
  std::string pending;  // read from the "socket", not yet consumed
  size_t offset = 0;
  while (out.size() < kMaxRequests) {
    RequestParser p(lim);
    for (;;) {
      if (pending.empty()) {
        if (offset >= in.size()) break;
        size_t n = std::min(piece, in.size() - offset);
        pending.assign(in.substr(offset, n));
        offset += n;
      }
      size_t used = p.feed(pending);
      FUZZ_CHECK(used <= pending.size(), "used {} of {}", used, pending.size());
      pending.erase(0, used);
      auto s = p.state();
      if (s == RequestParser::State::kDone || s == RequestParser::State::kFailed) break;
      FUZZ_CHECK(used > 0 || pending.empty(), "no progress in state {}", static_cast<int>(s));
    }
    Outcome o{p.state(), p.head().method, p.head().target, p.head().headers, p.body(), 0};
    FUZZ_CHECK(o.body.size() <= lim.max_body_bytes, "body of {} bytes", o.body.size());
    if (o.state == RequestParser::State::kFailed) {
      o.error_status = p.error().status;
      FUZZ_CHECK(o.error_status >= 400 && o.error_status <= 599, "status {}", o.error_status);
      FUZZ_CHECK(!p.error().message.empty(), "status {} without a message", o.error_status);
    }
    if (o.state == RequestParser::State::kDone) {
      if (!p.head().chunked) {
        FUZZ_CHECK(o.body.size() == p.head().content_length, "body {} vs Content-Length {}",
                   o.body.size(), p.head().content_length);
      }
      std::string path, error;
      std::multimap<std::string, std::string> query;
      if (connect::split_target(o.target, &path, &query, &error)) {
        FUZZ_CHECK(path == "*" || (!path.empty() && path[0] == '/'), "path '{}' from '{}'", path,
                   o.target);
      } else {
        FUZZ_CHECK(!error.empty(), "split_target failed without a message on '{}'", o.target);
      }
    }
    out.push_back(std::move(o));
    if (out.back().state != RequestParser::State::kDone) break;
    if (pending.empty() && offset >= in.size()) break;
  }
  return out;
}

}  // namespace
}  // namespace sentinel::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sentinel::fuzz;
  if (size < 1) return 0;
  size_t piece = 1 + data[0];
  std::string_view in = as_text(data + 1, size - 1);
  auto whole = parse_all(in, in.size() + 1);
  auto pieces = parse_all(in, piece);
  FUZZ_CHECK(whole.size() == pieces.size(), "{} requests whole, {} in pieces of {}", whole.size(),
             pieces.size(), piece);
  for (size_t i = 0; i < whole.size(); ++i) {
    FUZZ_CHECK(whole[i] == pieces[i],
               "request {} differs when fed in pieces of {} (states {} vs {})", i, piece,
               static_cast<int>(whole[i].state), static_cast<int>(pieces[i].state));
  }
  return 0;
}

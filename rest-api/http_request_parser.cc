// Incremental HTTP/1.1 request parser with byte limits (RFC 9112 §2–§7).
#include "rest-api/http_request_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace sentinel::connect {
namespace {

// A chunk-size line with its extensions; longer ones are refused (the data itself is not bounded
// by this, only by the body limit).
constexpr size_t kMaxChunkSizeLine = 4096;
// Empty lines tolerated before a request line (RFC 9112 §2.2 asks for at least one).
constexpr int kMaxLeadingEmptyLines = 4;

bool is_tchar(unsigned char c) {
  return std::isalnum(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return is_tchar(static_cast<unsigned char>(c)); });
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "a, b ,c" → {"a", "b", "c"}; empty elements are dropped (RFC 9110 §5.6.1).
std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string_view::npos) comma = s.size();
    std::string_view item = trim_ows(s.substr(start, comma - start));
    if (!item.empty()) out.emplace_back(item);
    start = comma + 1;
  }
  return out;
}

// Text safe to quote in an error message: printable ASCII, the rest as \xNN, at most 64 bytes.
std::string quoted(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < 64; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02X}", c);
    }
  }
  if (s.size() > 64) out += "…";
  return "\"" + out + "\"";
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool percent_decode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hex_value(in[i + 1]);
      int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      *out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (plus_is_space && in[i] == '+') {
      *out += ' ';
    } else {
      *out += in[i];
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> RequestHead::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return std::nullopt;
}

bool RequestParser::fail(int status, std::string message) {
  state_ = State::kFailed;
  error_ = {status, std::move(message)};
  return false;
}

size_t RequestParser::feed(std::string_view in) {
  if (in.empty()) return 0;
  if (state_ == State::kHead) return feed_head(in);
  if (state_ == State::kBody) return feed_body(in);
  return 0;
}

size_t RequestParser::take_line(std::string_view in, size_t max_line, bool* complete) {
  size_t nl = in.find('\n');
  *complete = nl != std::string_view::npos;
  size_t n = *complete ? nl + 1 : in.size();
  // Never hold more than one byte past the limit: the caller refuses the line then.
  size_t room = max_line + 1 > line_.size() ? max_line + 1 - line_.size() : 0;
  if (n > room) {
    n = room;
    *complete = false;
  }
  line_.append(in.data(), n);
  return n;
}

size_t RequestParser::feed_head(std::string_view in) {
  size_t used = 0;
  started_ = true;
  while (used < in.size() && state_ == State::kHead) {
    bool complete = false;
    size_t n = take_line(in.substr(used), limits_.max_header_bytes, &complete);
    used += n;
    head_bytes_ += n;
    if (head_bytes_ > limits_.max_header_bytes) {
      if (!have_request_line_) {
        fail(414, fmt::format("HTTP 414 URI Too Long: the request line is longer than {} bytes "
                              "(sentinel.rest.max.header.bytes)",
                              limits_.max_header_bytes));
      } else {
        fail(431, fmt::format(
                      "HTTP 431 Request Header Fields Too Large: the request line and headers are "
                      "longer than {} bytes (sentinel.rest.max.header.bytes)",
                      limits_.max_header_bytes));
      }
      break;
    }
    if (!complete) break;
    std::string_view line(line_);
    line.remove_suffix(1);  // '\n'
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) {
      fail(400, "Bad request: a bare CR inside a header line");
      break;
    }
    bool ok = on_head_line(line);
    line_.clear();
    if (!ok) break;
  }
  return used;
}

bool RequestParser::on_head_line(std::string_view line) {
  if (!have_request_line_) {
    if (line.empty()) {
      if (++empty_lines_ > kMaxLeadingEmptyLines) {
        return fail(400, "Bad request: empty lines instead of a request line");
      }
      return true;
    }
    have_request_line_ = true;
    return on_request_line(line);
  }
  if (line.empty()) return finish_head();
  if (line[0] == ' ' || line[0] == '\t') {
    return fail(400, "Bad request: obsolete line folding in the headers (RFC 9112 §5.2)");
  }
  if (head_.headers.size() >= limits_.max_headers) {
    return fail(431, fmt::format("HTTP 431 Request Header Fields Too Large: more than {} headers "
                                 "(sentinel.rest.max.headers)",
                                 limits_.max_headers));
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    return fail(400, "Bad request: header line " + quoted(line) + " has no ':'");
  }
  std::string_view name = line.substr(0, colon);
  if (!is_token(name)) {
    return fail(400, "Bad request: header name " + quoted(name) + " is not a token");
  }
  std::string_view value = trim_ows(line.substr(colon + 1));
  for (char ch : value) {
    unsigned char c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      return fail(400,
                  "Bad request: header " + std::string(name) + " contains a control character");
    }
  }
  head_.headers.emplace_back(name, value);
  return true;
}

bool RequestParser::on_request_line(std::string_view line) {
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return fail(400, "Bad request: request line " + quoted(line) +
                         ": expected METHOD SP target SP HTTP/1.1");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method)) {
    return fail(400, "Bad request: method " + quoted(method) + " is not a token");
  }
  if (target.empty() || std::any_of(target.begin(), target.end(), [](char ch) {
        unsigned char c = static_cast<unsigned char>(ch);
        return c <= 0x20 || c == 0x7f;
      })) {
    return fail(400, "Bad request: request target " + quoted(target) +
                         " is empty or has control characters");
  }
  if (version == "HTTP/1.1") {
    head_.version_minor = 1;
  } else if (version == "HTTP/1.0") {
    head_.version_minor = 0;
  } else if (version.size() == 8 && version.substr(0, 5) == "HTTP/" &&
             std::isdigit(static_cast<unsigned char>(version[5])) && version[6] == '.' &&
             std::isdigit(static_cast<unsigned char>(version[7]))) {
    return fail(505, "HTTP 505 HTTP Version Not Supported: " + std::string(version) +
                         " (HTTP/1.1 and HTTP/1.0 are)");
  } else {
    return fail(400, "Bad request: protocol " + quoted(version) + ": expected HTTP/1.1");
  }
  head_.method = method;
  head_.target = target;
  return true;
}

bool RequestParser::finish_head() {
  size_t hosts = 0;
  bool close = false, keep_alive = false;
  std::vector<std::string> codings;
  std::vector<std::string> lengths;
  std::optional<std::string> expect;
  for (const auto& [name, value] : head_.headers) {
    if (iequals(name, "Host")) {
      ++hosts;
    } else if (iequals(name, "Connection")) {
      for (const auto& t : split_list(value)) {
        close |= iequals(t, "close");
        keep_alive |= iequals(t, "keep-alive");
      }
    } else if (iequals(name, "Transfer-Encoding")) {
      for (auto& t : split_list(value)) codings.push_back(lower(t));
      if (split_list(value).empty()) codings.push_back("");
    } else if (iequals(name, "Content-Length")) {
      for (auto& t : split_list(value)) lengths.push_back(t);
      if (split_list(value).empty()) lengths.push_back(value);
    } else if (iequals(name, "Expect")) {
      expect = value;
    }
  }
  if (head_.version_minor == 1 && hosts == 0) {
    return fail(400, "Bad request: an HTTP/1.1 request needs a Host header");
  }
  if (hosts > 1) return fail(400, "Bad request: more than one Host header");
  head_.keep_alive = head_.version_minor == 1 ? !close : keep_alive && !close;
  if (expect) {
    if (!iequals(*expect, "100-continue")) {
      return fail(417, "HTTP 417 Expectation Failed: Expect " + quoted(*expect) +
                           ": only 100-continue is supported");
    }
    head_.expect_continue = true;
  }
  if (!codings.empty()) {
    // RFC 9112 §6.1: Content-Length with Transfer-Encoding is how requests get smuggled.
    if (!lengths.empty()) {
      return fail(400, "Bad request: both Content-Length and Transfer-Encoding (RFC 9112 §6.1)");
    }
    if (head_.version_minor == 0) {
      return fail(400, "Bad request: Transfer-Encoding in an HTTP/1.0 request");
    }
    if (codings != std::vector<std::string>{"chunked"}) {
      std::string all;
      for (const auto& c : codings) all += (all.empty() ? "" : ", ") + c;
      return fail(501, "HTTP 501 Not Implemented: Transfer-Encoding " + quoted(all) +
                           ": only chunked is supported");
    }
    head_.chunked = true;
    body_state_ = Body::kChunkSize;
    state_ = State::kBody;
    return true;
  }
  if (!lengths.empty()) {
    for (const auto& l : lengths) {
      if (l != lengths[0]) {
        return fail(400, "Bad request: different Content-Length values (" + quoted(lengths[0]) +
                             " and " + quoted(l) + ")");
      }
    }
    const std::string& text = lengths[0];
    if (text.empty() ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return fail(400,
                  "Bad request: Content-Length " + quoted(text) + ": expected a number of bytes");
    }
    uint64_t n = 0;
    bool huge = false;
    for (char c : text) {
      if (n > (UINT64_MAX - 9) / 10) {
        huge = true;
        break;
      }
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    if (huge || n > limits_.max_body_bytes) {
      return fail(
          413,
          fmt::format("HTTP 413 Payload Too Large: Content-Length {} is over the limit of {} bytes "
                      "(sentinel.rest.max.body.bytes)",
                      text.size() > 24 ? text.substr(0, 24) + "…" : text, limits_.max_body_bytes));
    }
    head_.content_length = n;
    if (n > 0) {
      remaining_ = n;
      body_state_ = Body::kLength;
      body_.reserve(static_cast<size_t>(n));
      state_ = State::kBody;
      return true;
    }
  }
  state_ = State::kDone;
  return true;
}

size_t RequestParser::feed_body(std::string_view in) {
  size_t used = 0;
  while (used < in.size() && state_ == State::kBody) {
    std::string_view rest = in.substr(used);
    switch (body_state_) {
      case Body::kLength:
      case Body::kChunkData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, rest.size()));
        body_.append(rest.data(), n);
        remaining_ -= n;
        used += n;
        if (remaining_ == 0) {
          if (body_state_ == Body::kLength) {
            state_ = State::kDone;
          } else {
            body_state_ = Body::kChunkDataEnd;
          }
        }
        break;
      }
      case Body::kChunkSize: {
        bool complete = false;
        used += take_line(rest, kMaxChunkSizeLine, &complete);
        if (line_.size() > kMaxChunkSizeLine) {
          fail(400, fmt::format("Bad request: a chunk-size line longer than {} bytes",
                                kMaxChunkSizeLine));
          break;
        }
        if (!complete) break;
        std::string line = line_;
        line_.clear();
        on_chunk_size_line(line);
        break;
      }
      case Body::kChunkDataEnd: {
        bool complete = false;
        used += take_line(rest, 2, &complete);
        if (!complete) {
          if (line_ != "\r") fail(400, "Bad request: chunk data longer than its chunk size");
          break;
        }
        bool empty = line_ == "\n" || line_ == "\r\n";
        line_.clear();
        if (!empty) {
          fail(400, "Bad request: chunk data longer than its chunk size");
        } else {
          body_state_ = Body::kChunkSize;
        }
        break;
      }
      case Body::kTrailers: {
        bool complete = false;
        size_t n = take_line(rest, limits_.max_header_bytes, &complete);
        used += n;
        head_bytes_ += n;
        if (head_bytes_ > limits_.max_header_bytes) {
          fail(431, fmt::format("HTTP 431 Request Header Fields Too Large: headers and trailers "
                                "are longer than {} "
                                "bytes (sentinel.rest.max.header.bytes)",
                                limits_.max_header_bytes));
          break;
        }
        if (!complete) break;
        std::string line = line_;
        line_.clear();
        on_trailer_line(line);
        break;
      }
      case Body::kNone:
        state_ = State::kDone;
        break;
    }
  }
  return used;
}

bool RequestParser::on_chunk_size_line(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string_view size = trim_ows(line.substr(0, line.find(';')));
  if (size.empty() ||
      !std::all_of(size.begin(), size.end(), [](char c) { return hex_value(c) >= 0; })) {
    return fail(400, "Bad request: chunk size " + quoted(size) + ": expected hexadecimal digits");
  }
  while (size.size() > 1 && size[0] == '0') size.remove_prefix(1);
  uint64_t n = 0;
  if (size.size() > 15) {
    n = UINT64_MAX;
  } else {
    for (char c : size) n = n * 16 + static_cast<uint64_t>(hex_value(c));
  }
  if (n == 0) {
    body_state_ = Body::kTrailers;
    return true;
  }
  if (n > limits_.max_body_bytes || body_.size() + n > limits_.max_body_bytes) {
    return fail(
        413,
        fmt::format("HTTP 413 Payload Too Large: the chunked request body is over the limit of {} "
                    "bytes (sentinel.rest.max.body.bytes)",
                    limits_.max_body_bytes));
  }
  remaining_ = n;
  body_state_ = Body::kChunkData;
  return true;
}

bool RequestParser::on_trailer_line(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) {
    state_ = State::kDone;
    return true;
  }
  if (head_.headers.size() + ++trailer_count_ > limits_.max_headers) {
    return fail(
        431,
        fmt::format("HTTP 431 Request Header Fields Too Large: more than {} headers and trailers "
                    "(sentinel.rest.max.headers)",
                    limits_.max_headers));
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) {
    return fail(400, "Bad request: trailer line " + quoted(line) + " is not a header field");
  }
  return true;  // trailers carry nothing this server uses
}

bool split_target(const std::string& target, std::string* path,
                  std::multimap<std::string, std::string>* query, std::string* error) {
  std::string_view t(target);
  if (t == "*") {
    *path = "*";
    return true;
  }
  std::string origin;  // absolute-form ("http://host:port/p?q") reduced to origin-form ("/p?q")
  for (std::string_view scheme : {"http://", "https://"}) {
    if (t.size() < scheme.size() || !iequals(t.substr(0, scheme.size()), scheme)) continue;
    size_t end = t.find_first_of("/?", scheme.size());
    if (end == std::string_view::npos) {
      origin = "/";
    } else {
      origin = (t[end] == '?' ? "/" : "") + std::string(t.substr(end));
    }
    t = origin;
    break;
  }
  if (t.empty() || t[0] != '/') {
    *error = "Bad request: request target " + quoted(target) + ": expected a path starting with /";
    return false;
  }
  size_t q = t.find('?');
  std::string_view raw_path = t.substr(0, q);
  if (!percent_decode(raw_path, false, path)) {
    *error = "Bad request: request target " + quoted(target) +
             ": '%' must be followed by two hexadecimal digits";
    return false;
  }
  if (q == std::string_view::npos) return true;
  std::string_view qs = t.substr(q + 1);
  size_t start = 0;
  while (start <= qs.size()) {
    size_t amp = qs.find('&', start);
    if (amp == std::string_view::npos) amp = qs.size();
    std::string_view pair = qs.substr(start, amp - start);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string k, v;
      if (!percent_decode(pair.substr(0, eq), true, &k) ||
          (eq != std::string_view::npos && !percent_decode(pair.substr(eq + 1), true, &v))) {
        *error =
            "Bad request: query " + quoted(qs) + ": '%' must be followed by two hexadecimal digits";
        return false;
      }
      query->emplace(std::move(k), std::move(v));
    }
    start = amp + 1;
  }
  return true;
}

}  // namespace sentinel::connect

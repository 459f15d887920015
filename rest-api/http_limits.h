// The bounds the REST server holds every client to, whatever it sends: bytes and count of headers,
// body size for every framing (Content-Length and chunked alike), time to receive a request, idle
// time between requests, and connections per client address and in total. Each is a worker key
// (docs/connect.md, "Limits"); the defaults below are the values used when a key is absent.
#pragma once

#include <chrono>
#include <cstddef>

namespace sentinel::connect {

struct HttpLimits {
  // sentinel.rest.max.body.bytes: a request body larger than this is answered 413 before it is
  // read further (chunked bodies are counted as they arrive).
  size_t max_body_bytes = 1 << 20;
  // sentinel.rest.max.header.bytes: request line plus header lines (and chunked trailers); a longer
  // request line is 414, longer headers 431.
  size_t max_header_bytes = 16 << 10;
  // sentinel.rest.max.headers: header lines in one request (431 beyond).
  size_t max_headers = 100;
  // sentinel.rest.header.timeout.ms: from the start of a request (the connection's accept for the
  // first one, its first byte for the next ones) to the end of its headers (408 beyond).
  std::chrono::milliseconds header_timeout{10000};
  // sentinel.rest.request.timeout.ms: from the start of a request to the end of its body (408
  // beyond); also the time allowed to send the response.
  std::chrono::milliseconds request_timeout{30000};
  // sentinel.rest.idle.timeout.ms: a kept-alive connection waiting for its next request is closed
  // after this.
  std::chrono::milliseconds idle_timeout{30000};
  // sentinel.rest.max.connections: open connections on all listeners (503 beyond).
  size_t max_connections = 256;
  // sentinel.rest.max.connections.per.client: open connections from one client address (429
  // beyond).
  size_t max_connections_per_client = 16;
};

}  // namespace sentinel::connect

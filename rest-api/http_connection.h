// One REST connection from its first byte to its close: requests are read with RequestParser under
// the HttpLimits deadlines, credentials are checked as soon as the headers are in (before any body
// byte is read), and each request is answered in order — pipelined ones too, and after the client
// half-closed its side. An error the parser finds is answered with Connect's error envelope and
// ends the connection; a client over the header or request time gets 408.
#pragma once

#include <functional>
#include <string>

#include "rest-api/http_limits.h"
#include "rest-api/http_socket.h"
#include "rest-api/rest_api.h"

namespace sentinel::connect {

struct ConnectionHandlers {
  // Answers one request (RestApi::handle).
  std::function<HttpResponse(const HttpRequest&)> handle;
  // Checks an Authorization header value ("" when absent); empty: no authentication.
  std::function<bool(const std::string& authorization)> authorize;
};

// Serves `socket` until the client closes, a limit ends it or the server stops. `peer` names
// the client in debug logs.
void serve_connection(HttpSocket& socket, const HttpLimits& limits,
                      const ConnectionHandlers& handlers, const std::string& peer);

// The bytes of a response: status line, Content-Type, Content-Length (not for 204), Connection:
// close when `close`, the response's own headers (any with CR or LF is dropped), and the body
// unless `head_request`.
std::string format_response(const HttpResponse& response, bool head_request, bool close);

const char* reason_phrase(int status);

}  // namespace sentinel::connect

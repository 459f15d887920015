// The REST API as a pure function from request to response: routing, body parsing and JSON
// shapes of Kafka Connect's REST API (docs/connect.md, "REST API"), over a Herder. No sockets here
// — http_server.h serves it over HTTP/1.1, and tests feed it requests directly.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "connect-sink/runtime/herder.h"

namespace sentinel::connect {

struct HttpRequest {
  std::string method;  // "GET", "POST", …
  std::string path;    // decoded, without the query string
  std::multimap<std::string, std::string> query;
  std::string content_type;  // "" when the request had none
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string body;  // empty for 202/204 without a body
  std::string content_type = "application/json";
  std::map<std::string, std::string> headers;
};

struct ServerInfo {
  std::string version = "3.9.0";
  std::string commit;
  std::function<std::string()> cluster_id;
  std::function<bool()> ready;  // /health: true once startup finished
};

class RestApi {
 public:
  RestApi(Herder* herder, ServerInfo info) : herder_(herder), info_(std::move(info)) {}
  HttpResponse handle(const HttpRequest& request);

 private:
  Herder* herder_;
  ServerInfo info_;
};

// {"error_code":N,"message":"…"}
HttpResponse error_response(int status, const std::string& message);

}  // namespace sentinel::connect

// cpp-httplib listeners (http and https) in front of RestApi, with optional basic auth, a body
// size limit and the error envelope on every error httplib produces itself (413, 400, …).
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "rest-api/basic_auth.h"
#include "rest-api/rest_api.h"
#include "rest-api/worker_config.h"

namespace httplib {
class Server;
}

namespace sentinel::connect {

class HttpServer {
 public:
  HttpServer();
  ~HttpServer();
  // Binds every listener (port 0 picks a free port); false with *error naming the listener.
  bool bind(const WorkerConfig& config, BasicAuth* auth, std::string* error);
  // "http://127.0.0.1:8083" for each bound listener.
  const std::vector<std::string>& urls() const { return urls_; }
  int first_port() const { return first_port_; }
  // Serves `api` on background threads until stop().
  void start(RestApi* api);
  void stop();

 private:
  std::vector<std::unique_ptr<httplib::Server>> servers_;
  std::vector<std::thread> threads_;
  std::vector<std::string> urls_;
  int first_port_ = 0;
  RestApi* api_ = nullptr;
  BasicAuth* auth_ = nullptr;
};

}  // namespace sentinel::connect

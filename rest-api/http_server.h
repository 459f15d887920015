// The REST listeners (http and https) in front of RestApi: a small, strict HTTP/1.1 server.
// Each listener has an accept thread; each admitted connection gets its own thread (so a slow
// client can only hold its own), and ConnectionLimiter bounds how many there are per client
// address and in total. Requests are parsed and bounded by http_connection / http_request_parser
// under the worker's HttpLimits; TLS is OpenSSL with the PEM certificate and key of the config.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "connect-sink/runtime/http_limits.h"
#include "connect-sink/runtime/worker_config.h"
#include "rest-api/basic_auth.h"
#include "rest-api/connection_limiter.h"
#include "rest-api/rest_api.h"

struct ssl_ctx_st;

namespace sentinel::connect {

class HttpServer {
 public:
  HttpServer();
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds every listener (port 0 picks a free port); false with *error naming the listener.
  bool bind(const WorkerConfig& config, BasicAuth* auth, std::string* error);
  // "http://127.0.0.1:8083" for each bound listener.
  const std::vector<std::string>& urls() const { return urls_; }
  int first_port() const { return first_port_; }
  // Serves `api` on background threads until stop().
  void start(RestApi* api);
  // Stops accepting, ends every connection (a request being handled is answered first) and
  // returns when all threads are done. Safe at any moment — before start(), right after it,
  // twice, from any thread.
  void stop();

 private:
  struct ListenSocket {
    int fd = -1;
    bool tls = false;
  };
  void accept_loop(ListenSocket listener);
  void admit(int fd, const std::string& client, bool tls);
  void serve(int fd, std::string client, bool tls);

  std::vector<ListenSocket> listeners_;
  std::vector<std::string> urls_;
  int first_port_ = 0;
  ssl_ctx_st* tls_ = nullptr;
  HttpLimits limits_;
  std::unique_ptr<ConnectionLimiter> limiter_;
  RestApi* api_ = nullptr;
  BasicAuth* auth_ = nullptr;
  int stop_fd_ = -1;  // an eventfd, readable from stop() on

  std::mutex mu_;
  std::condition_variable idle_;
  bool stopping_ = false;
  size_t connections_ = 0;  // connection threads still running
  std::vector<std::thread> acceptors_;
};

}  // namespace sentinel::connect

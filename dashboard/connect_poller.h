// Polls sentinel-connect's REST API (GET /connectors?expand=status, as Kafka Connect answers it)
// every poll interval on its own thread and hands the connectors and their task states, or the
// reason it could not reach the worker, to the Model.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "dashboard/model.h"

namespace sentinel::dashboard {

// "http://host:port/prefix" → base "http://host:port" and path prefix "/prefix" (no trailing /).
bool split_url(const std::string& url, std::string* base, std::string* prefix, std::string* error);

class ConnectPoller {
 public:
  ConnectPoller(Model* model, std::string url, std::chrono::milliseconds interval,
                std::chrono::milliseconds timeout);
  ~ConnectPoller();
  void start();
  void stop();
  void set_url(const std::string& url);  // SIGHUP: takes effect at the next poll
  // One poll now (the thread calls it; tests too).
  void poll_once();

 private:
  Model* model_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string url_;
  std::chrono::milliseconds interval_, timeout_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace sentinel::dashboard

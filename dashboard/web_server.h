// The dashboard's HTTP side (cpp-httplib): the page and uPlot's files from the web root, the JSON
// endpoints over the Model, and `events`, a Server-Sent Events stream with a snapshot every push
// interval and at once when the alerts change. Every URL the page uses is relative, so it works
// under a reverse proxy's prefix.
//
//   GET /                       index.html (also app.js, style.css, uPlot.iife.min.js,
//   uPlot.min.css) GET /api/state              hosts, alerts, http, connectors, health in one
//   object GET /api/hosts              host list with states and latest values GET
//   /api/hosts/<h>/series   ?since=ms: one host's chart series GET /api/series ?hosts=a,b&since=ms:
//   several hosts' series at once GET /api/alerts | /api/http[?since=ms] | /api/connectors |
//   /api/health GET /events                 text/event-stream: "event: state" with the api/state
//   object
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "dashboard/model.h"

namespace httplib {
class Server;
}

namespace sentinel::dashboard {

// The files the page needs; nothing else under the web root is served.
struct StaticFile {
  std::string body;
  std::string content_type;
};
using StaticFiles = std::map<std::string, StaticFile>;
// Reads the page's files from `web_root`; false with *error naming the missing file.
bool load_static_files(const std::string& web_root, StaticFiles* out, std::string* error);

struct WebOptions {
  std::chrono::milliseconds push_interval{std::chrono::seconds(1)};
  size_t max_streams = 32;
  // The HTTP series in each event covers this much (the page keeps the rest).
  std::chrono::milliseconds event_http_window{std::chrono::minutes(2)};
  std::function<int64_t()> now_ms;  // wall clock when empty
};

class WebServer {
 public:
  WebServer(Model* model, StaticFiles files, WebOptions options);
  ~WebServer();
  // Port 0 picks a free port; false with *error naming the address.
  bool bind(const std::string& host, int port, std::string* error);
  int port() const { return port_; }
  void start();
  void stop();
  void set_files(StaticFiles files);  // SIGHUP
  size_t streams() const { return streams_; }

 private:
  int64_t now() const;
  StaticFiles files_;  // guarded by files_mu_
  mutable std::mutex files_mu_;
  Model* model_;
  WebOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> streams_{0};
};

}  // namespace sentinel::dashboard

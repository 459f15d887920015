// The dashboard's HTTP server (see web_server.h).
#include "dashboard/web_server.h"

#include <fmt/format.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "common/whole_file.h"

namespace sentinel::dashboard {
namespace {

using json = nlohmann::json;

const std::pair<const char*, const char*> kPageFiles[] = {
    {"index.html", "text/html; charset=utf-8"},
    {"app.js", "text/javascript; charset=utf-8"},
    {"style.css", "text/css; charset=utf-8"},
    {"uPlot.iife.min.js", "text/javascript; charset=utf-8"},
    {"uPlot.min.css", "text/css; charset=utf-8"},
};

void send_json(httplib::Response& res, const json& body, int status = 200) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, {{"error_code", status}, {"message", message}}, status);
}

// ?since=ms (absent: 0); false with a 400 already sent when it is not a number.
bool since_param(const httplib::Request& req, httplib::Response& res, int64_t* since) {
  *since = 0;
  if (!req.has_param("since")) return true;
  std::string text = req.get_param_value("since");
  try {
    size_t used = 0;
    *since = std::stoll(text, &used);
    if (used == text.size()) return true;
  } catch (const std::exception&) {
  }
  send_error(
      res, 400,
      fmt::format("query parameter since \"{}\": expected milliseconds since the epoch", text));
  return false;
}

}  // namespace

bool load_static_files(const std::string& web_root, StaticFiles* out, std::string* error) {
  StaticFiles files;
  for (const auto& [name, type] : kPageFiles) {
    std::string path = web_root + "/" + name;
    std::string why;
    std::optional<std::string> text = read_whole_file(path, &why);
    if (!text) {
      *error = fmt::format(
          "web root {}: cannot read {}: {} (build the dashboard target, or pass --web-root)",
          web_root, name, why);
      return false;
    }
    files[name] = StaticFile{std::move(*text), type};
  }
  *out = std::move(files);
  return true;
}

WebServer::WebServer(Model* model, StaticFiles files, WebOptions options)
    : files_(std::move(files)), model_(model), options_(std::move(options)) {}

WebServer::~WebServer() { stop(); }

int64_t WebServer::now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void WebServer::set_files(StaticFiles files) {
  std::lock_guard lock(files_mu_);
  files_ = std::move(files);
}

bool WebServer::bind(const std::string& host, int port, std::string* error) {
  server_ = std::make_unique<httplib::Server>();
  httplib::Server& srv = *server_;
  srv.set_tcp_nodelay(true);
  srv.set_keep_alive_max_count(1000);
  srv.set_read_timeout(30, 0);
  // Every open page holds one thread with its event stream; the rest serve requests.
  size_t threads = options_.max_streams + 8;
  srv.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  srv.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                           {"Referrer-Policy", "no-referrer"},
                           {"X-Frame-Options", "DENY"}});

  auto serve_file = [this](const std::string& name, httplib::Response& res) {
    std::lock_guard lock(files_mu_);
    auto it = files_.find(name);
    if (it == files_.end()) return send_error(res, 404, "no such file: " + name);
    res.set_header("Cache-Control", "no-cache");
    if (name == "index.html") {
      // Nothing from anywhere else: the page runs without the internet.
      res.set_header("Content-Security-Policy",
                     "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                     "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'");
    }
    res.set_content(it->second.body, it->second.content_type.c_str());
  };
  srv.Get("/", [serve_file](const httplib::Request&, httplib::Response& res) {
    serve_file("index.html", res);
  });
  srv.Get(R"(/([A-Za-z.]+\.(?:html|js|css)))",
          [serve_file](const httplib::Request& req, httplib::Response& res) {
            serve_file(req.matches[1], res);
          });
  srv.Get("/favicon.ico",
          [](const httplib::Request&, httplib::Response& res) { res.status = 204; });

  srv.Get("/api/state", [this](const httplib::Request&, httplib::Response& res) {
    send_json(res, model_->state_json(now()));
  });
  srv.Get("/api/hosts", [this](const httplib::Request&, httplib::Response& res) {
    send_json(res, model_->hosts_json(now()));
  });
  srv.Get(
      R"(/api/hosts/([^/]+)/series)", [this](const httplib::Request& req, httplib::Response& res) {
        int64_t since = 0;
        if (!since_param(req, res, &since)) return;
        json series = model_->series_json(req.matches[1], since, now());
        if (series.is_null())
          return send_error(res, 404, fmt::format("host {} not seen", std::string(req.matches[1])));
        send_json(res, series);
      });
  srv.Get("/api/series", [this](const httplib::Request& req, httplib::Response& res) {
    int64_t since = 0;
    if (!since_param(req, res, &since)) return;
    json out = json::object();
    std::istringstream hosts(req.get_param_value("hosts"));
    int count = 0;
    for (std::string host; std::getline(hosts, host, ',');) {
      if (host.empty()) continue;
      if (++count > 64)
        return send_error(res, 400, "query parameter hosts: at most 64 hosts at once");
      json series = model_->series_json(host, since, now());
      if (!series.is_null()) out[host] = std::move(series);
    }
    send_json(res, {{"now", now()}, {"hosts", std::move(out)}});
  });
  srv.Get("/api/alerts", [this](const httplib::Request&, httplib::Response& res) {
    send_json(res, model_->alerts_json());
  });
  srv.Get("/api/http", [this](const httplib::Request& req, httplib::Response& res) {
    int64_t since = 0;
    if (!since_param(req, res, &since)) return;
    send_json(res, model_->http_json(now(), since));
  });
  srv.Get("/api/connectors", [this](const httplib::Request&, httplib::Response& res) {
    send_json(res, model_->connectors_json());
  });
  srv.Get("/api/health", [this](const httplib::Request&, httplib::Response& res) {
    json h = model_->health_json(now());
    h["streams"] = streams_.load();
    send_json(res, h);
  });

  srv.Get("/events", [this](const httplib::Request&, httplib::Response& res) {
    if (streams_.fetch_add(1) >= options_.max_streams) {
      streams_.fetch_sub(1);
      res.set_header("Retry-After", "5");
      return send_error(
          res, 503,
          fmt::format("too many open event streams (max_streams {})", options_.max_streams));
    }
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Accel-Buffering", "no");  // nginx: pass events through unbuffered
    auto seen = std::make_shared<uint64_t>(model_->alerts_version());
    auto first = std::make_shared<bool>(true);
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, seen, first](size_t, httplib::DataSink& sink) {
          if (!*first) *seen = model_->wait_alerts_change(*seen, options_.push_interval);
          if (stopping_) return false;
          int64_t t = now();
          std::string data = model_->state_json(t, t - options_.event_http_window.count())
                                 .dump(-1, ' ', false, json::error_handler_t::replace);
          std::string message =
              (*first ? "retry: 2000\n" : "") + std::string("event: state\ndata: ") + data + "\n\n";
          *first = false;
          return sink.write(message.data(), message.size());
        },
        [this](bool) { streams_.fetch_sub(1); });
  });

  srv.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    send_error(res, res.status, fmt::format("HTTP {}: {}", res.status, req.path));
  });
  srv.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        send_error(res, 500, what);
      });

  if (port == 0) {
    port_ = srv.bind_to_any_port(host);
    if (port_ <= 0) {
      *error = fmt::format("listen {}:0: cannot bind", host);
      return false;
    }
  } else if (!srv.bind_to_port(host, port)) {
    *error = fmt::format("listen {}:{}: cannot bind (address in use or not available)", host, port);
    return false;
  } else {
    port_ = port;
  }
  return true;
}

void WebServer::start() {
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

void WebServer::stop() {
  stopping_ = true;
  model_->wake_all();  // event streams return at once
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace sentinel::dashboard

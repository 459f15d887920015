// httplib → RestApi adapter.
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#include "rest-api/http_server.h"

#include <fmt/format.h>
#include <httplib.h>

#include "common/log.h"

namespace sentinel::connect {
namespace {

const char* status_text(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    default: return status >= 500 ? "Server Error" : "Client Error";
  }
}

}  // namespace

HttpServer::HttpServer() = default;
HttpServer::~HttpServer() { stop(); }

bool HttpServer::bind(const WorkerConfig& config, BasicAuth* auth, std::string* error) {
  auth_ = auth;
  for (const Listener& l : config.listeners) {
    std::unique_ptr<httplib::Server> srv;
    if (l.scheme == "https") {
      auto ssl = std::make_unique<httplib::SSLServer>(config.tls_certificate.c_str(), config.tls_private_key.c_str());
      if (!ssl->is_valid()) {
        *error = fmt::format("listener https://{}:{}: cannot load the TLS certificate {} or key {}", l.host, l.port,
                             config.tls_certificate, config.tls_private_key);
        return false;
      }
      srv = std::move(ssl);
    } else {
      srv = std::make_unique<httplib::Server>();
    }
    srv->set_payload_max_length(config.rest_max_body_bytes);
    srv->set_read_timeout(30, 0);
    srv->set_keep_alive_max_count(1000);
    srv->set_tcp_nodelay(true);  // small JSON answers must not wait for delayed ACKs
    // httplib's default pool (8 threads) lets 8 idle keep-alive clients starve everyone else.
    srv->new_task_queue = [] { return new httplib::ThreadPool(48); };
    auto serve = [this](const httplib::Request& req, const std::string& body, httplib::Response& res) {
      if (auth_ && !auth_->check(req.get_header_value("Authorization"))) {
        HttpResponse e = error_response(401, "Authentication required: send HTTP basic credentials");
        res.status = 401;
        res.set_header("WWW-Authenticate", "Basic realm=\"sentinel-connect\"");
        res.set_content(e.body, "application/json");
        return;
      }
      HttpRequest r;
      r.method = req.method == "HEAD" ? "GET" : req.method;
      r.path = req.path;
      for (const auto& [k, v] : req.params) r.query.emplace(k, v);
      r.content_type = req.get_header_value("Content-Type");
      r.body = body;
      HttpResponse out = api_->handle(r);
      res.status = out.status;
      for (const auto& [k, v] : out.headers) res.set_header(k, v);
      if (!out.body.empty() || !out.content_type.empty()) res.set_content(out.body, out.content_type.c_str());
    };
    auto handler = [serve](const httplib::Request& req, httplib::Response& res) { serve(req, req.body, res); };
    // Methods that may carry a body read it themselves: `curl -X PUT …/pause` sends neither
    // Content-Length nor chunks, and httplib would otherwise wait for the connection to close.
    auto with_body = [serve](const httplib::Request& req, httplib::Response& res,
                             const httplib::ContentReader& content_reader) {
      std::string body;
      bool has_body = req.has_header("Content-Length") ||
                      req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
      if (has_body && !content_reader([&](const char* data, size_t len) {
            body.append(data, len);
            return true;
          })) {
        if (res.status < 400) res.status = 400;  // 413 over the limit; the error handler adds the envelope
        return;
      }
      serve(req, body, res);
    };
    srv->Get(".*", handler);
    srv->Post(".*", with_body);
    srv->Put(".*", with_body);
    srv->Patch(".*", with_body);
    srv->Delete(".*", with_body);
    srv->Options(".*", handler);
    srv->set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;
      std::string message = fmt::format("HTTP {} {}", res.status, status_text(res.status));
      if (res.status == 413) message += ": request body too large";
      res.set_content(error_response(res.status, message).body, "application/json");
    });
    std::string host = l.host.empty() ? "0.0.0.0" : l.host;
    int port = l.port;
    if (port == 0) {
      port = srv->bind_to_any_port(host);
      if (port <= 0) {
        *error = fmt::format("listener {}://{}:0: cannot bind", l.scheme, host);
        return false;
      }
    } else if (!srv->bind_to_port(host, port)) {
      *error = fmt::format("listener {}://{}:{}: cannot bind (address in use or not available)", l.scheme, host, port);
      return false;
    }
    if (first_port_ == 0) first_port_ = port;
    urls_.push_back(fmt::format("{}://{}:{}", l.scheme, host, port));
    servers_.push_back(std::move(srv));
  }
  return true;
}

void HttpServer::start(RestApi* api) {
  api_ = api;
  for (auto& s : servers_) {
    httplib::Server* srv = s.get();
    threads_.emplace_back([srv] { srv->listen_after_bind(); });
  }
}

void HttpServer::stop() {
  for (auto& s : servers_) s->stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace sentinel::connect

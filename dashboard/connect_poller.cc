// sentinel-connect REST poller (see connect_poller.h).
#include "dashboard/connect_poller.h"

#include <fmt/format.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "common/clock.h"

namespace sentinel::dashboard {
namespace {

std::string describe(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection:
      return "cannot connect (refused or no route)";
    case httplib::Error::ConnectionTimeout:
      return "connection timed out";
    case httplib::Error::Read:
      return "no answer (read failed or timed out)";
    case httplib::Error::Write:
      return "cannot send the request";
    case httplib::Error::SSLConnection:
      return "TLS handshake failed";
    case httplib::Error::SSLServerVerification:
      return "TLS certificate not trusted";
    default:
      return "request failed: " + httplib::to_string(e);
  }
}

}  // namespace

bool split_url(const std::string& url, std::string* base, std::string* prefix, std::string* error) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos ||
      (url.compare(0, scheme, "http") != 0 && url.compare(0, scheme, "https") != 0)) {
    *error = fmt::format("\"{}\": expected http://host:port or https://host:port", url);
    return false;
  }
  size_t path = url.find('/', scheme + 3);
  *base = url.substr(0, path);
  *prefix = path == std::string::npos ? "" : url.substr(path);
  while (!prefix->empty() && prefix->back() == '/') prefix->pop_back();
  if (base->size() <= scheme + 3) {
    *error = fmt::format("\"{}\": no host", url);
    return false;
  }
  return true;
}

ConnectPoller::ConnectPoller(Model* model, std::string url, std::chrono::milliseconds interval,
                             std::chrono::milliseconds timeout)
    : model_(model), url_(std::move(url)), interval_(interval), timeout_(timeout) {}

ConnectPoller::~ConnectPoller() { stop(); }

void ConnectPoller::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      poll_once();
      lock.lock();
      cv_.wait_for(lock, interval_, [this] { return stop_; });
    }
  });
}

void ConnectPoller::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ConnectPoller::set_url(const std::string& url) {
  std::lock_guard lock(mu_);
  url_ = url;
}

void ConnectPoller::poll_once() {
  std::string url;
  {
    std::lock_guard lock(mu_);
    url = url_;
  }
  std::string base, prefix, error;
  if (!split_url(url, &base, &prefix, &error)) {
    model_->set_connect_state(false, error, nullptr, wall_ms());
    return;
  }
  httplib::Client client(base);
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout_);
  auto usecs = std::chrono::duration_cast<std::chrono::microseconds>(timeout_ - secs);
  client.set_connection_timeout(secs.count(), usecs.count());
  client.set_read_timeout(secs.count(), usecs.count());
  auto res = client.Get((prefix + "/connectors?expand=status").c_str());
  if (!res) {
    model_->set_connect_state(false, fmt::format("{}: {}", url, describe(res.error())), nullptr,
                              wall_ms());
    return;
  }
  nlohmann::json body = nlohmann::json::parse(res->body, nullptr, false);
  if (res->status != 200) {
    std::string message =
        body.is_object() && body.contains("message") && body["message"].is_string()
            ? body["message"].get<std::string>()
            : res->body.substr(0, 200);
    model_->set_connect_state(false, fmt::format("{}: HTTP {}: {}", url, res->status, message),
                              nullptr, wall_ms());
    return;
  }
  if (!body.is_object()) {
    model_->set_connect_state(
        false, fmt::format("{}: GET /connectors?expand=status: expected a JSON object", url),
        nullptr, wall_ms());
    return;
  }
  model_->set_connect_state(true, "", body, wall_ms());
}

}  // namespace sentinel::dashboard

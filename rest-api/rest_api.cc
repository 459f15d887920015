// RestApi::handle: a request matched against the route table (rest-api/route.h). A path that no
// pattern matches is 404; a path that matches with another method is 405 with the Allow header
// of its routes; OPTIONS answers that header. A handler's exception becomes a 500.
#include "rest-api/rest_api.h"

#include <string_view>
#include <vector>

#include "common/log.h"
#include "rest-api/rest_json.h"
#include "rest-api/route.h"

namespace sentinel::connect {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    if (i >= path.size()) break;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// A route with its pattern split once into segments.
struct CompiledRoute {
  const Route* route;
  std::vector<std::string> segments;
};

const std::vector<CompiledRoute>& compiled_routes() {
  static const std::vector<CompiledRoute> routes = [] {
    std::vector<CompiledRoute> out;
    for (const Route& r : route_table()) out.push_back({&r, split_path(r.pattern)});
    return out;
  }();
  return routes;
}

// True when `path` fits `pattern`; *params (if given) gets the {…} segments' values.
bool matches(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
             std::vector<std::string>* params) {
  if (pattern.size() != path.size()) return false;
  for (size_t i = 0; i < path.size(); ++i) {
    if (is_param(pattern[i])) {
      if (params) params->push_back(path[i]);
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

// The Allow header for a path, as Jersey's automatic OPTIONS lists it for Connect: HEAD when GET
// is allowed, the other methods in table order, GET, OPTIONS. "" when no route has this path.
std::string allowed_methods(const std::vector<std::string>& path) {
  std::string others;
  bool get = false, any = false;
  for (const CompiledRoute& r : compiled_routes()) {
    if (!matches(r.segments, path, nullptr)) continue;
    any = true;
    if (r.route->method == "GET")
      get = true;
    else
      others.append(r.route->method).append(",");
  }
  if (!any) return "";
  return (get ? "HEAD," : "") + others + (get ? "GET," : "") + "OPTIONS";
}

}  // namespace

HttpResponse RestApi::handle(const HttpRequest& req) {
  std::vector<std::string> path = split_path(req.path);
  if (req.method == "OPTIONS") {
    std::string allow = allowed_methods(path);
    if (allow.empty()) return error_response(404, "HTTP 404 Not Found");
    HttpResponse r = empty_response(200);
    r.headers["Allow"] = allow;
    return r;
  }
  try {
    for (const CompiledRoute& r : compiled_routes()) {
      if (r.route->method != req.method) continue;
      std::vector<std::string> params;
      if (!matches(r.segments, path, &params)) continue;
      return r.route->handler(RouteCall{req, params, *herder_, info_});
    }
    std::string allow = allowed_methods(path);
    if (allow.empty()) return error_response(404, "HTTP 404 Not Found");
    HttpResponse r = error_response(405, "HTTP 405 Method Not Allowed");
    r.headers["Allow"] = allow;
    return r;
  } catch (const std::exception& e) {
    log::error("REST {} {}: {}", req.method, req.path, e.what());
    return error_response(500, std::string("Internal error: ") + e.what());
  }
}

}  // namespace sentinel::connect

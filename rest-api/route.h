// The REST API's route table: each route is a method, a path pattern whose {…} segments are
// parameters ("/connectors/{connector}/tasks/{task}/status") and the handler that answers it. Each
// resource group (rest-api/resources/, one file per group, as Connect's rest/resources package)
// contributes its routes; RestApi::handle matches a request against the whole table, and OPTIONS
// answers and 405's Allow header come from the same table.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rest-api/rest_api.h"

namespace sentinel::connect {

// What a handler is given: the request, the values of the pattern's {…} segments in order, the
// herder it acts on and the server's identity.
struct RouteCall {
  const HttpRequest& request;
  const std::vector<std::string>& params;
  Herder& herder;
  const ServerInfo& info;
};

using RouteHandler = HttpResponse (*)(const RouteCall& call);

struct Route {
  std::string_view method;   // "GET", "POST", "PUT", "PATCH" or "DELETE" (HEAD is served as GET)
  std::string_view pattern;  // "/" or "/segment/{param}/…"
  RouteHandler handler;
};

// The resource groups, one file each in rest-api/resources/.
std::vector<Route> root_routes();       // GET /, GET /health
std::vector<Route> metrics_routes();    // GET /metrics
std::vector<Route> plugin_routes();     // /connector-plugins, its config and validation
std::vector<Route> logger_routes();     // /admin/loggers
std::vector<Route> connector_routes();  // /connectors: CRUD, status, state changes, tasks, topics
std::vector<Route> offset_routes();     // /connectors/{connector}/offsets

// Every route of the API. Within one path, methods are listed in the order Allow names them
// (Jersey's: HEAD first when GET is allowed, then the others as the table lists them, GET,
// OPTIONS).
const std::vector<Route>& route_table();

}  // namespace sentinel::connect

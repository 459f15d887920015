// The whole route table: the resource groups' routes, concatenated once.
#include "rest-api/route.h"

namespace sentinel::connect {

const std::vector<Route>& route_table() {
  static const std::vector<Route> table = [] {
    std::vector<Route> all;
    for (auto group : {root_routes, metrics_routes, plugin_routes, logger_routes, connector_routes,
                       offset_routes}) {
      std::vector<Route> routes = group();
      all.insert(all.end(), routes.begin(), routes.end());
    }
    return all;
  }();
  return table;
}

}  // namespace sentinel::connect

// GET / (version, commit, Kafka cluster id) and GET /health (503 until the worker has started).
#include "rest-api/rest_json.h"
#include "rest-api/route.h"

namespace sentinel::connect {
namespace {

HttpResponse get_root(const RouteCall& c) {
  return ok_json(200, json{{"version", c.info.version},
                           {"commit", c.info.commit},
                           {"kafka_cluster_id", c.info.cluster_id ? c.info.cluster_id() : ""}});
}

HttpResponse get_health(const RouteCall& c) {
  if (c.info.ready && !c.info.ready()) {
    return ok_json(503, json{{"status", "starting"},
                             {"message",
                              "Worker is still starting up: connectors from the state directory "
                              "and the command line are being started."}});
  }
  return ok_json(
      200, json{{"status", "healthy"},
                {"message", "Worker has completed startup and is ready to handle requests."}});
}

}  // namespace

std::vector<Route> root_routes() {
  return {
      {"GET", "/", get_root},
      {"GET", "/health", get_health},
  };
}

}  // namespace sentinel::connect

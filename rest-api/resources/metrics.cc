// GET /metrics: the herder's metrics in the Prometheus text format.
#include "rest-api/route.h"

namespace sentinel::connect {
namespace {

HttpResponse get_metrics(const RouteCall& c) {
  HttpResponse r;
  r.body = c.herder.metrics_text();
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return r;
}

}  // namespace

std::vector<Route> metrics_routes() { return {{"GET", "/metrics", get_metrics}}; }

}  // namespace sentinel::connect

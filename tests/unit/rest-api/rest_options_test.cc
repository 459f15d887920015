// OPTIONS on every REST resource answers 200 with the resource's Allow header, as Connect (Jersey)
// does; unknown paths stay 404; and the router agrees with the table: every method Allow lists is
// routed (never 405) and every other method is 405 with the same Allow header.
#include <gtest/gtest.h>

#include <set>
#include <string_view>

#include "rest-api/rest_api.h"
#include "rest-api/route.h"
#include "tests/support/connect_fakes.h"

namespace sentinel::connect {
namespace {

struct OptionsApi {
  OptionsApi() {
    plugins.add(testing::memory_sink_plugin());
    WorkerSettings s;
    s.validation.plugins = &plugins;
    herder = std::make_unique<Herder>(s, &backend, nullptr);
    api = std::make_unique<RestApi>(herder.get(), ServerInfo{});
  }
  HttpResponse call(const std::string& method, const std::string& path) {
    HttpRequest r;
    r.method = method;
    r.path = path;
    return api->handle(r);
  }
  PluginRegistry plugins;
  testing::FakeBackend backend;
  std::unique_ptr<Herder> herder;
  std::unique_ptr<RestApi> api;
};

struct Resource {
  std::string path;
  std::string allow;
};

const Resource kResources[] = {
    {"/", "HEAD,GET,OPTIONS"},
    {"/health", "HEAD,GET,OPTIONS"},
    {"/metrics", "HEAD,GET,OPTIONS"},
    {"/connector-plugins", "HEAD,GET,OPTIONS"},
    {"/connector-plugins/Memory/config", "HEAD,GET,OPTIONS"},
    {"/connector-plugins/Memory/config/validate", "PUT,OPTIONS"},
    {"/admin/loggers", "HEAD,GET,OPTIONS"},
    {"/admin/loggers/root", "HEAD,PUT,GET,OPTIONS"},
    {"/connectors", "HEAD,POST,GET,OPTIONS"},  // Connect's own answer
    {"/connectors/c", "HEAD,DELETE,GET,OPTIONS"},
    {"/connectors/c/config", "HEAD,PUT,PATCH,GET,OPTIONS"},
    {"/connectors/c/status", "HEAD,GET,OPTIONS"},
    {"/connectors/c/restart", "POST,OPTIONS"},
    {"/connectors/c/pause", "PUT,OPTIONS"},
    {"/connectors/c/resume", "PUT,OPTIONS"},
    {"/connectors/c/stop", "PUT,OPTIONS"},
    {"/connectors/c/tasks", "HEAD,GET,OPTIONS"},
    {"/connectors/c/tasks-config", "HEAD,GET,OPTIONS"},
    {"/connectors/c/tasks/0/status", "HEAD,GET,OPTIONS"},
    {"/connectors/c/tasks/0/restart", "POST,OPTIONS"},
    {"/connectors/c/topics", "HEAD,GET,OPTIONS"},
    {"/connectors/c/topics/reset", "PUT,OPTIONS"},
    {"/connectors/c/offsets", "HEAD,PATCH,DELETE,GET,OPTIONS"},
};

bool lists(const std::string& allow, const std::string& method) {
  return ("," + allow + ",").find("," + method + ",") != std::string::npos;
}

TEST(RestOptions, EveryResourceAnswersWithItsAllowHeader) {
  OptionsApi a;
  for (const Resource& r : kResources) {
    HttpResponse out = a.call("OPTIONS", r.path);
    EXPECT_EQ(out.status, 200) << r.path;
    EXPECT_EQ(out.headers["Allow"], r.allow) << r.path;
    EXPECT_TRUE(out.body.empty()) << r.path;
  }
  EXPECT_EQ(a.call("OPTIONS", "/connectors/c/config/extra").status, 404);
  EXPECT_EQ(a.call("OPTIONS", "/nope").status, 404);
  EXPECT_EQ(a.call("OPTIONS", "*").status, 404);
}

TEST(RestOptions, TheRouterAgreesWithTheAllowHeader) {
  OptionsApi a;
  for (const Resource& r : kResources) {
    EXPECT_EQ(lists(r.allow, "GET"), lists(r.allow, "HEAD")) << r.path;
    for (const std::string m : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
      HttpResponse out = a.call(m, r.path);
      if (lists(r.allow, m)) {
        EXPECT_NE(out.status, 405) << m << " " << r.path << ": " << out.body;
      } else {
        EXPECT_EQ(out.status, 405) << m << " " << r.path;
        EXPECT_EQ(out.headers["Allow"], r.allow) << m << " " << r.path;
      }
    }
  }
}

// The table itself: no method and pattern twice (the second would never be reached), and every
// route, its {…} filled in, is answered by its own method and listed in its path's Allow header.
TEST(RestRoutes, EveryRouteIsReachableAndListedInItsAllowHeader) {
  OptionsApi a;
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const Route& r : route_table()) {
    EXPECT_TRUE(seen.insert({r.method, r.pattern}).second) << r.method << " " << r.pattern;
    std::string path(r.pattern);
    for (auto [param, value] : {std::pair{"{connector}", "c"},
                                {"{task}", "0"},
                                {"{plugin}", "Memory"},
                                {"{logger}", "root"}}) {
      for (size_t at; (at = path.find(param)) != std::string::npos;) {
        path.replace(at, std::string_view(param).size(), value);
      }
    }
    EXPECT_EQ(path.find('{'), std::string::npos) << "unknown parameter in " << r.pattern;
    EXPECT_NE(a.call(std::string(r.method), path).status, 405) << r.method << " " << path;
    EXPECT_TRUE(lists(a.call("OPTIONS", path).headers["Allow"], std::string(r.method)))
        << r.method << " " << path;
  }
  // 23 paths; five of them take two or three methods (7 routes more).
  EXPECT_EQ(seen.size(), std::size(kResources) + 7)
      << "a route was added or removed: update kResources above";
}

}  // namespace
}  // namespace sentinel::connect

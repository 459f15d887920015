// Fuzz target: the Connect REST API (rest-api/rest_api.h, RestApi::handle) over a Herder with the
// unit tests' fake backend and plugin (tests/unit/connect/fakes.h) and a state file on tmpfs.
// TODO: once the worker has its own HTTP request parser, add a raw-bytes target in front of it.
//
// Input: up to 16 requests separated by a line "%%", each written as
//   METHOD TARGET              target = path[?query], %XX decoded like the HTTP layer does
//   content-type: TYPE         optional header lines; others are ignored
//                              a blank line, then the body to the separator
// A fresh worker serves each input, so an input is one reproducible session. Invariants beyond
// "no crash":
//  - every status is 200–599 and never 500 (the fake backend never fails: a 500 is an exception
//    escaping a handler, or a state file that could not be written);
//  - a JSON answer is valid JSON; an error answer is {"error_code": status, "message": "…"};
//  - after the session, every connector the worker lists can be fetched by its name
//    (GET /connectors/{name}), and the state file holds exactly those connectors.
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "common/log.h"
#include "fuzz/fuzz_check.h"
#include "rest-api/rest_api.h"
#include "tests/unit/connect/fakes.h"

namespace sentinel::fuzz {
namespace {

using namespace sentinel::connect;
using json = nlohmann::json;

constexpr size_t kMaxRequests = 16;

std::string state_dir() {
  static std::string dir = [] {
    std::string base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    std::string templ = base + "/sentinel-rest-fuzz-XXXXXX";
    FUZZ_CHECK(mkdtemp(templ.data()) != nullptr, "mkdtemp {} failed", templ);
    static std::string removed = templ;
    std::atexit([] {
      std::remove((removed + "/connectors.json").c_str());
      std::remove((removed + "/connectors.json.tmp").c_str());
      rmdir(removed.c_str());
    });
    return templ;
  }();
  return dir;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

HttpRequest parse_request(std::string_view text) {
  HttpRequest r;
  size_t eol = text.find('\n');
  std::string_view first = text.substr(0, eol);
  size_t sp = first.find(' ');
  r.method = std::string(first.substr(0, sp));
  std::string_view target = sp == std::string_view::npos ? "/" : first.substr(sp + 1);
  size_t q = target.find('?');
  r.path = percent_decode(target.substr(0, q));
  if (q != std::string_view::npos) {
    std::string_view qs = target.substr(q + 1);
    while (!qs.empty()) {
      size_t amp = qs.find('&');
      std::string_view kv = qs.substr(0, amp);
      size_t eq = kv.find('=');
      r.query.emplace(percent_decode(kv.substr(0, eq)),
                      eq == std::string_view::npos ? "" : percent_decode(kv.substr(eq + 1)));
      qs = amp == std::string_view::npos ? std::string_view{} : qs.substr(amp + 1);
    }
  }
  if (eol == std::string_view::npos) return r;
  std::string_view rest = text.substr(eol + 1);
  // Header lines up to a blank line; the body after it.
  while (!rest.empty() && rest[0] != '\n') {
    size_t end = rest.find('\n');
    std::string_view header = rest.substr(0, end);
    std::string lower(header.substr(0, 13));
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "content-type:") {
      std::string_view v = header.substr(13);
      while (!v.empty() && v[0] == ' ') v.remove_prefix(1);
      r.content_type = std::string(v);
    }
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
  }
  if (!rest.empty()) r.body = std::string(rest.substr(1));
  return r;
}

void check_response(const HttpRequest& req, const HttpResponse& res) {
  FUZZ_CHECK(res.status >= 200 && res.status <= 599 && res.status != 500, "{} {:?} answered {} {}",
             req.method, req.path, res.status, res.body);
  if (res.content_type == "application/json" && !res.body.empty()) {
    json body = json::parse(res.body, nullptr, false);
    FUZZ_CHECK(!body.is_discarded(), "{} {:?} answered invalid JSON {:?}", req.method, req.path,
               res.body);
    if (res.status >= 400) {
      FUZZ_CHECK(body.is_object() && body.value("error_code", 0) == res.status &&
                     body.contains("message") && body["message"].is_string(),
                 "{} {:?} answered {} with {}", req.method, req.path, res.status, res.body);
    }
  }
}

}  // namespace
}  // namespace sentinel::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sentinel::fuzz;
  static bool quiet = (sentinel::log::set_max_level(sentinel::log::Level::kError), true);
  (void)quiet;
  std::string_view text = as_text(data, size);
  std::vector<std::string_view> requests;
  while (requests.size() < kMaxRequests) {
    size_t sep = text.find("\n%%\n");
    requests.push_back(text.substr(0, sep));
    if (sep == std::string_view::npos) break;
    text = text.substr(sep + 4);
  }

  const std::string dir = state_dir();
  std::remove((dir + "/connectors.json").c_str());
  PluginRegistry plugins;
  plugins.add(testing::memory_sink_plugin());
  WorkerSettings settings;
  settings.worker_id = "10.0.0.5:8083";
  settings.validation.plugins = &plugins;
  testing::FakeBackend backend;
  StateStore store(dir);
  std::set<std::string> listed;
  {
    Herder herder(settings, &backend, &store);
    ServerInfo info;
    info.commit = "fuzz";
    info.cluster_id = [] { return "fuzz-cluster"; };
    RestApi api(&herder, info);
    for (std::string_view text_of_request : requests) {
      HttpRequest req = parse_request(text_of_request);
      HttpResponse res = api.handle(req);
      check_response(req, res);
      sentinel::log::set_max_level(
          sentinel::log::Level::kError);  // PUT /admin/loggers may lower it
    }
    for (const std::string& name : herder.names()) {
      listed.insert(name);
      HttpRequest get;
      get.method = "GET";
      get.path = "/connectors/" + name;
      HttpResponse res = api.handle(get);
      FUZZ_CHECK(res.status == 200, "connector {:?} is listed but GET {:?} answers {} {}", name,
                 get.path, res.status, res.body);
    }
  }
  std::map<std::string, StoredConnector> stored;
  std::string error;
  FUZZ_CHECK(store.load(&stored, &error), "the state file cannot be read back: {}", error);
  std::set<std::string> saved;
  for (const auto& [name, c] : stored) saved.insert(name);
  FUZZ_CHECK(saved == listed, "the worker lists {} connectors, the state file holds {}",
             listed.size(), saved.size());
  return 0;
}

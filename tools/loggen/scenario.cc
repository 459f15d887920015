// Scenario YAML → Scenario, with file:line errors (through common/config) and strict keys.
#include "tools/loggen/scenario.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>

#include "common/config.h"
#include "common/whole_file.h"

namespace sentinel::loggen {
namespace {

double get_share(const ConfigNode& node, const std::string& key, double fallback) {
  double v = node.get_double(key, fallback);
  if (!(v >= 0 && v <= 1)) node.fail(key, fmt::format("{}: expected a share from 0 to 1", v));
  return v;
}

double get_positive(const ConfigNode& node, const std::string& key, double fallback) {
  double v = node.get_double(key, fallback);
  if (!(v > 0 && v <= 1e7)) node.fail(key, fmt::format("{}: expected a number above 0", v));
  return v;
}

std::chrono::milliseconds get_required_duration(const ConfigNode& node, const std::string& key,
                                                bool allow_zero) {
  if (!node.has(key)) node.fail(key, "missing: expected a duration like 30s");
  auto d = node.get_duration(key, std::chrono::milliseconds(0));
  if (d.count() < 0 || (!allow_zero && d.count() == 0)) {
    node.fail(key, "expected a duration like 30s above 0");
  }
  return d;
}

void check_keys(const ConfigNode& node, const std::vector<std::string>& allowed,
                const std::string& what) {
  for (const auto& k : node.keys()) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      node.fail(
          k, fmt::format("unknown key for {}: expected one of {}", what, fmt::join(allowed, ", ")));
    }
  }
}

UrlSpec parse_url(const ConfigNode& node) {
  check_keys(node, {"path", "method", "weight", "ids", "bytes"}, "a url");
  UrlSpec u;
  u.path = node.get_string("path", "");
  if (u.path.empty() || u.path[0] != '/' || u.path.find_first_of(" \t\"") != std::string::npos) {
    node.fail("path",
              fmt::format("\"{}\": expected a path starting with / and without spaces or quotes",
                          u.path));
  }
  u.method = node.get_choice("method", "GET",
                             {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"});
  u.weight = get_positive(node, "weight", 1);
  u.ids = node.get_int("ids", 1000, 1, int64_t{1} << 40);
  u.bytes = node.get_bytes("bytes", 2048);
  return u;
}

Anomaly parse_anomaly(const ConfigNode& node, const std::vector<UrlSpec>& urls) {
  Anomaly a;
  std::string type = node.get_choice("type", "", {"ip_hammer", "url_errors", "outage"});
  std::vector<std::string> keys = {"type", "start", "duration", "error_share"};
  if (type == "ip_hammer") {
    a.type = AnomalyType::kIpHammer;
    keys.insert(keys.end(), {"ip", "rate"});
  } else if (type == "url_errors") {
    a.type = AnomalyType::kUrlErrors;
    keys.push_back("path");
  } else {
    a.type = AnomalyType::kOutage;
  }
  check_keys(node, keys, type);
  a.start = get_required_duration(node, "start", true);
  a.duration = get_required_duration(node, "duration", false);
  if (!node.has("error_share")) node.fail("error_share", "missing: expected a share from 0 to 1");
  a.error_share = get_share(node, "error_share", 0);
  if (a.type == AnomalyType::kIpHammer) {
    a.ip = node.get_string("ip", "");
    in_addr addr{};
    if (inet_pton(AF_INET, a.ip.c_str(), &addr) != 1) {
      node.fail("ip", fmt::format("\"{}\": expected an IPv4 address like 203.0.113.7", a.ip));
    }
    if (!node.has("rate")) node.fail("rate", "missing: expected lines/s like 50");
    a.rate = get_positive(node, "rate", 1);
  } else if (a.type == AnomalyType::kUrlErrors) {
    a.path = node.get_string("path", "");
    if (a.path.empty())
      node.fail("path", "missing: expected one of the urls' paths, or a prefix ending in *");
    bool any =
        std::any_of(urls.begin(), urls.end(), [&](const UrlSpec& u) { return a.matches(u.path); });
    if (!any) {
      node.fail("path", fmt::format("\"{}\" matches none of the urls: expected one of the urls' "
                                    "paths, or a prefix ending in *",
                                    a.path));
    }
  }
  return a;
}

}  // namespace

bool Anomaly::matches(const std::string& url_path) const {
  if (!path.empty() && path.back() == '*') {
    return url_path.compare(0, path.size() - 1, path, 0, path.size() - 1) == 0;
  }
  return url_path == path;
}

const char* anomaly_type_name(AnomalyType type) {
  switch (type) {
    case AnomalyType::kIpHammer:
      return "ip_hammer";
    case AnomalyType::kUrlErrors:
      return "url_errors";
    case AnomalyType::kOutage:
      return "outage";
  }
  return "?";
}

Scenario parse_scenario(const std::string& text, const std::string& name) {
  try {
    ConfigFile file = ConfigFile::parse(text, name);
    ConfigNode root = file.root();
    Scenario s;
    s.name = name;
    s.host = root.get_string("host", s.host);
    if (s.host.empty() || s.host.find_first_of(" \t\"") != std::string::npos) {
      root.fail("host", "expected a host name without spaces");
    }
    s.rate = get_positive(root, "rate", s.rate);
    if (root.has("duration")) s.duration = get_required_duration(root, "duration", false);
    ConfigNode clients = root.child("clients");
    s.clients = clients.get_int("count", s.clients, 1, 1000000);
    s.skew = clients.get_double("skew", s.skew);
    if (!(s.skew >= 0 && s.skew <= 5)) clients.fail("skew", "expected a Zipf exponent from 0 to 5");
    ConfigNode errors = root.child("errors");
    s.error_4xx = get_share(errors, "4xx", s.error_4xx);
    s.error_5xx = get_share(errors, "5xx", s.error_5xx);
    for (const ConfigNode& u : root.items("urls")) s.urls.push_back(parse_url(u));
    if (s.urls.empty()) root.fail("urls", "missing: expected a list of urls with path and weight");
    for (const ConfigNode& a : root.items("anomalies"))
      s.anomalies.push_back(parse_anomaly(a, s.urls));
    std::vector<std::string> unknown = file.unknown_keys();
    if (!unknown.empty()) throw ConfigError("config error: " + unknown.front());
    return s;
  } catch (const ConfigError& e) {
    std::string what = e.what();
    const std::string prefix = "config error: ";
    if (what.rfind(prefix, 0) == 0) what = what.substr(prefix.size());
    throw ScenarioError("scenario error: " + what);
  }
}

Scenario load_scenario(const std::string& path) {
  std::string why;
  std::optional<std::string> text = read_whole_file(path, &why);
  if (!text) throw ScenarioError(fmt::format("scenario error: {}: cannot read: {}", path, why));
  return parse_scenario(*text, path);
}

}  // namespace sentinel::loggen

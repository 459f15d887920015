// A loggen scenario: the site, its clients and URLs, the baseline error rates and the anomalies
// scheduled relative to the scenario's start, read from a small YAML file.
//
// Parsing is strict because a scenario is test input: an unknown key or a bad value throws
// ScenarioError whose what() names the file, line and key, e.g.
//   scenario error: demo.yaml:12: anomalies[1].start: "soon": expected a duration like 10s, ...
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sentinel::loggen {

class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct UrlSpec {
  std::string path;  // may hold "{id}", replaced by a number in 1..ids
  std::string method = "GET";
  double weight = 1;
  int64_t ids = 1000;     // how many distinct ids "{id}" takes
  uint64_t bytes = 2048;  // typical response size of a success
};

enum class AnomalyType { kIpHammer, kUrlErrors, kOutage };

struct Anomaly {
  AnomalyType type = AnomalyType::kOutage;
  std::chrono::milliseconds start{0};  // from the scenario's start
  std::chrono::milliseconds duration{0};
  double error_share = 0;  // 4xx share for ip_hammer, 5xx share for url_errors and outage
  std::string ip;          // ip_hammer: the client
  double rate = 0;         // ip_hammer: lines/s on top of the baseline
  std::string path;        // url_errors: a URL's path as written in `urls` ("/api/orders/{id}"),
                           // or a prefix of paths when it ends with '*'

  std::chrono::milliseconds end() const { return start + duration; }
  bool active(std::chrono::milliseconds offset) const { return offset >= start && offset < end(); }
  // True when url_errors applies to the URL written as `url_path` in the scenario.
  bool matches(const std::string& url_path) const;
};

const char* anomaly_type_name(AnomalyType type);

struct Scenario {
  std::string name;  // the file's name, for messages
  std::string host = "web-1";
  double rate = 20;                                   // baseline lines/s
  std::optional<std::chrono::milliseconds> duration;  // default run length
  int64_t clients = 200;
  double skew = 1.0;  // Zipf exponent of requests over clients (0 = uniform)
  std::vector<UrlSpec> urls;
  double error_4xx = 0.01;  // baseline shares of all requests
  double error_5xx = 0.002;
  std::vector<Anomaly> anomalies;
};

Scenario parse_scenario(const std::string& text, const std::string& name);
Scenario load_scenario(const std::string& path);

}  // namespace sentinel::loggen

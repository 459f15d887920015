// The traffic model: a deterministic stream of HTTP requests drawn from a scenario and a seed.
//
// Requests come in time order from a baseline stream (the scenario's rate, Poisson arrivals,
// clients chosen with a Zipf-like skew, URLs by weight) and one stream per ip_hammer anomaly
// while it is active. Statuses follow the baseline error shares, raised by url_errors and outage
// anomalies while they are active. Time is simulated: the model never reads a clock, so the same
// scenario, seed and start time give the same requests whatever the pacing.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tools/loggen/scenario.h"

namespace sentinel::loggen {

struct Request {
  int64_t ts_ms = 0;      // milliseconds since the epoch
  int64_t offset_us = 0;  // since the scenario's start
  std::string client_ip;
  std::string method;
  std::string path;
  std::string protocol;
  int status = 200;
  uint64_t bytes = 0;
  std::string referer;
  std::string user_agent;
};

// splitmix64: small, fast and the same on every platform (std::mt19937's distributions are not).
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next();
  double uniform();            // [0, 1)
  uint64_t below(uint64_t n);  // [0, n)
  double exponential(double mean);

 private:
  uint64_t state_;
};

// The chances of a 4xx and of a 5xx for one request at `offset` to the URL `url`, from the
// baseline raised by the active url_errors and outage anomalies; `hammer` is the ip_hammer
// sending it, or null for the baseline. A request is 5xx with p5, else 4xx with p4.
struct StatusChances {
  double p4 = 0;
  double p5 = 0;
  double error_share() const { return p5 + (1 - p5) * p4; }
};
StatusChances status_chances(const Scenario& scenario, std::chrono::milliseconds offset,
                             const UrlSpec& url, const Anomaly* hammer);

class Traffic {
 public:
  Traffic(const Scenario& scenario, uint64_t seed, int64_t start_ms);
  Traffic(const Traffic&) = delete;
  Traffic& operator=(const Traffic&) = delete;

  // When the next request happens, in microseconds since the start.
  int64_t next_offset_us() const;
  Request next();

  // The client population, most active first (for tests).
  const std::vector<std::string>& client_ips() const { return client_ips_; }

 private:
  struct Client {
    std::string user_agent;
    std::string protocol;
  };
  size_t pick_stream() const;
  int draw_status(double share_4xx, double share_5xx, const std::string& method);
  uint64_t draw_bytes(int status, uint64_t typical);

  const Scenario scenario_;
  int64_t start_ms_;
  Random rng_;
  std::vector<std::string> client_ips_;
  std::vector<Client> clients_;
  std::vector<double> client_cdf_;
  std::vector<double> url_cdf_;
  // Stream 0 is the baseline; stream i > 0 is the (i-1)-th ip_hammer anomaly (hammers_).
  std::vector<const Anomaly*> hammers_;
  std::vector<int64_t> next_us_;  // per stream; INT64_MAX when the stream is over
};

}  // namespace sentinel::loggen

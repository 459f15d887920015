// What a scenario should make an alerting engine say: one expected alert per anomaly, with the
// dimension it shows in (ip, url or global), its key, its window and the error shares the
// traffic model gives there. Computed from the model's rates and chances, not by sampling.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tools/loggen/scenario.h"

namespace sentinel::loggen {

struct ExpectedAlert {
  std::string dimension;                       // "ip", "url" or "global"
  std::string key;                             // the IP, the URL path (pattern) or the host
  std::string anomaly;                         // "ip_hammer", "url_errors", "outage"
  std::string status_class;                    // "4xx" or "5xx": what the anomaly raises
  std::chrono::milliseconds start{0}, end{0};  // from the scenario's start
  double status_share = 0;          // expected share of status_class among the dimension's requests
  double error_share = 0;           // expected share of 4xx + 5xx
  double baseline_error_share = 0;  // the same dimension's error share without anomalies
  double rate = 0;                  // expected lines/s in the dimension during the window
};

std::vector<ExpectedAlert> expected_alerts(const Scenario& scenario);

// One JSON line (without '\n'); absolute times from `start_ms`, the scenario's start.
std::string expected_alert_json(const ExpectedAlert& alert, int64_t start_ms);

}  // namespace sentinel::loggen

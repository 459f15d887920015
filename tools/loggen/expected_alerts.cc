// Expected alerts: the traffic model's chances averaged over each anomaly's window.
#include "tools/loggen/expected_alerts.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>

#include "tools/loggen/traffic.h"

namespace sentinel::loggen {
namespace {

using std::chrono::milliseconds;

struct Shares {
  double requests = 0;    // lines/s
  double s4 = 0, s5 = 0;  // lines/s that are 4xx, 5xx
};

// Rates of requests, 4xx and 5xx at `offset` among the requests that `in_dimension` keeps
// (given the URL and the ip_hammer sending it, null for the baseline).
Shares shares_at(const Scenario& s, milliseconds offset,
                 const std::function<bool(const UrlSpec&, const Anomaly*)>& in_dimension,
                 bool without_anomalies) {
  Scenario plain;  // the scenario without its anomalies, when asked for
  if (without_anomalies) {
    plain = s;
    plain.anomalies.clear();
  }
  double weights = 0;
  for (const UrlSpec& u : s.urls) weights += u.weight;
  Shares out;
  std::vector<const Anomaly*> streams = {nullptr};
  for (const Anomaly& a : s.anomalies) {
    if (without_anomalies) break;
    if (a.type == AnomalyType::kIpHammer && a.active(offset)) streams.push_back(&a);
  }
  for (const Anomaly* hammer : streams) {
    double rate = hammer ? hammer->rate : s.rate;
    for (const UrlSpec& u : s.urls) {
      if (!in_dimension(u, hammer)) continue;
      double r = rate * u.weight / weights;
      StatusChances c = status_chances(without_anomalies ? plain : s, offset, u, hammer);
      out.requests += r;
      out.s5 += r * c.p5;
      out.s4 += r * (1 - c.p5) * c.p4;
    }
  }
  return out;
}

}  // namespace

std::vector<ExpectedAlert> expected_alerts(const Scenario& s) {
  std::vector<ExpectedAlert> out;
  for (const Anomaly& a : s.anomalies) {
    ExpectedAlert e;
    e.anomaly = anomaly_type_name(a.type);
    e.start = a.start;
    e.end = a.end();
    std::function<bool(const UrlSpec&, const Anomaly*)> keep;
    if (a.type == AnomalyType::kIpHammer) {
      e.dimension = "ip";
      e.key = a.ip;
      e.status_class = "4xx";
      keep = [&a](const UrlSpec&, const Anomaly* hammer) { return hammer == &a; };
    } else if (a.type == AnomalyType::kUrlErrors) {
      e.dimension = "url";
      e.key = a.path;
      e.status_class = "5xx";
      keep = [&a](const UrlSpec& u, const Anomaly*) { return a.matches(u.path); };
    } else {
      e.dimension = "global";
      e.key = s.host;
      e.status_class = "5xx";
      keep = [](const UrlSpec&, const Anomaly*) { return true; };
    }
    // Average over the window in up to 1000 steps, at each step's middle.
    Shares total, plain;
    int64_t steps = std::min<int64_t>(1000, std::max<int64_t>(1, a.duration.count()));
    for (int64_t i = 0; i < steps; ++i) {
      milliseconds t = a.start + milliseconds((2 * i + 1) * a.duration.count() / (2 * steps));
      Shares now = shares_at(s, t, keep, false);
      total.requests += now.requests;
      total.s4 += now.s4;
      total.s5 += now.s5;
      {
        // An IP's baseline is what any client sees without the anomalies.
        auto everything = [](const UrlSpec&, const Anomaly*) { return true; };
        Shares p = a.type == AnomalyType::kIpHammer ? shares_at(s, t, everything, true)
                                                    : shares_at(s, t, keep, true);
        plain.requests += p.requests;
        plain.s4 += p.s4;
        plain.s5 += p.s5;
      }
    }
    if (total.requests > 0) {
      e.status_share = (e.status_class == "4xx" ? total.s4 : total.s5) / total.requests;
      e.error_share = (total.s4 + total.s5) / total.requests;
    }
    if (plain.requests > 0) e.baseline_error_share = (plain.s4 + plain.s5) / plain.requests;
    e.rate = total.requests / static_cast<double>(steps);
    out.push_back(e);
  }
  return out;
}

std::string expected_alert_json(const ExpectedAlert& e, int64_t start_ms) {
  auto round4 = [](double v) { return std::round(v * 10000) / 10000; };
  nlohmann::ordered_json j;
  j["dimension"] = e.dimension;
  j["key"] = e.key;
  j["anomaly"] = e.anomaly;
  j["start"] = start_ms + e.start.count();
  j["end"] = start_ms + e.end.count();
  j["start_offset_ms"] = e.start.count();
  j["end_offset_ms"] = e.end.count();
  j["status_class"] = e.status_class;
  j["status_share"] = round4(e.status_share);
  j["error_share"] = round4(e.error_share);
  j["baseline_error_share"] = round4(e.baseline_error_share);
  j["rate"] = round4(e.rate);
  return j.dump();
}

}  // namespace sentinel::loggen

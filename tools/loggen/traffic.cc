// The traffic model: clients, URLs, arrivals and statuses drawn from one seeded generator.
#include "tools/loggen/traffic.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <set>

namespace sentinel::loggen {
namespace {

const char* const kUserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36",
    "curl/8.0.1",
    "Go-http-client/1.1",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
};
const char kHammerAgent[] = "python-requests/2.31.0";

// First octets of ordinary public address space, so the population looks like real clients.
const int kFirstOctets[] = {23,  31,  37,  45,  62,  66,  77,  81,  89,  93,  104, 109,
                            141, 151, 176, 178, 185, 188, 193, 195, 203, 212, 213, 217};

const int kStatus4xx[] = {404, 404, 404, 403, 401, 400, 429};
const int kStatus5xx[] = {500, 502, 502, 503, 504};

std::vector<double> cumulative(const std::vector<double>& weights) {
  std::vector<double> cdf;
  double sum = 0;
  for (double w : weights) cdf.push_back(sum += w);
  for (double& c : cdf) c /= sum;
  return cdf;
}

size_t pick(const std::vector<double>& cdf, double u) {
  size_t i = std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin();
  return std::min(i, cdf.size() - 1);
}

std::string fill_template(const std::string& path, Random& rng, int64_t ids) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t at = path.find("{id}", pos);
    if (at == std::string::npos) break;
    out.append(path, pos, at - pos);
    out += std::to_string(1 + rng.below(static_cast<uint64_t>(ids)));
    pos = at + 4;
  }
  out.append(path, pos, std::string::npos);
  return out;
}

}  // namespace

uint64_t Random::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double Random::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

uint64_t Random::below(uint64_t n) { return n == 0 ? 0 : next() % n; }

double Random::exponential(double mean) { return -mean * std::log(1.0 - uniform()); }

StatusChances status_chances(const Scenario& scenario, std::chrono::milliseconds offset,
                             const UrlSpec& url, const Anomaly* hammer) {
  StatusChances c{scenario.error_4xx, scenario.error_5xx};
  if (hammer) c.p4 = hammer->error_share;
  for (const Anomaly& a : scenario.anomalies) {
    if (!a.active(offset)) continue;
    if (a.type == AnomalyType::kOutage ||
        (a.type == AnomalyType::kUrlErrors && a.matches(url.path))) {
      c.p5 = std::max(c.p5, a.error_share);
    }
  }
  return c;
}

Traffic::Traffic(const Scenario& scenario, uint64_t seed, int64_t start_ms)
    : scenario_(scenario), start_ms_(start_ms), rng_(seed) {
  std::set<std::string> taken;
  for (const Anomaly& a : scenario_.anomalies) {
    if (a.type == AnomalyType::kIpHammer) taken.insert(a.ip);
  }
  std::vector<double> weights;
  for (int64_t i = 0; i < scenario_.clients; ++i) {
    std::string ip;
    do {
      uint64_t r = rng_.next();
      ip = fmt::format("{}.{}.{}.{}", kFirstOctets[r % std::size(kFirstOctets)], (r >> 8) & 0xff,
                       (r >> 16) & 0xff, 1 + (r >> 24) % 254);
    } while (!taken.insert(ip).second);
    client_ips_.push_back(ip);
    uint64_t r = rng_.next();
    clients_.push_back(
        {kUserAgents[r % std::size(kUserAgents)], (r >> 32) % 4 == 0 ? "HTTP/2.0" : "HTTP/1.1"});
    weights.push_back(1.0 / std::pow(static_cast<double>(i + 1), scenario_.skew));
  }
  client_cdf_ = cumulative(weights);
  weights.clear();
  for (const UrlSpec& u : scenario_.urls) weights.push_back(u.weight);
  url_cdf_ = cumulative(weights);

  next_us_.push_back(static_cast<int64_t>(rng_.exponential(1e6 / scenario_.rate)));
  for (const Anomaly& a : scenario_.anomalies) {
    if (a.type != AnomalyType::kIpHammer) continue;
    hammers_.push_back(&a);
    int64_t t = a.start.count() * 1000 + static_cast<int64_t>(rng_.exponential(1e6 / a.rate));
    next_us_.push_back(t < a.end().count() * 1000 ? t : INT64_MAX);
  }
}

size_t Traffic::pick_stream() const {
  return std::min_element(next_us_.begin(), next_us_.end()) - next_us_.begin();
}

int64_t Traffic::next_offset_us() const { return next_us_[pick_stream()]; }

Request Traffic::next() {
  size_t stream = pick_stream();
  const Anomaly* hammer = stream == 0 ? nullptr : hammers_[stream - 1];
  int64_t now_us = next_us_[stream];

  Request r;
  r.offset_us = now_us;
  r.ts_ms = start_ms_ + now_us / 1000;
  const UrlSpec& url = scenario_.urls[pick(url_cdf_, rng_.uniform())];
  if (hammer) {
    r.client_ip = hammer->ip;
    r.user_agent = kHammerAgent;
    r.protocol = "HTTP/1.1";
    r.referer = "-";
  } else {
    size_t c = pick(client_cdf_, rng_.uniform());
    r.client_ip = client_ips_[c];
    r.user_agent = clients_[c].user_agent;
    r.protocol = clients_[c].protocol;
    r.referer = rng_.below(3) == 0 ? "-" : fmt::format("https://{}/", scenario_.host);
  }
  r.method = url.method;
  r.path = fill_template(url.path, rng_, url.ids);
  StatusChances chances =
      status_chances(scenario_, std::chrono::milliseconds(now_us / 1000), url, hammer);
  r.status = draw_status(chances.p4, chances.p5, url.method);
  r.bytes = draw_bytes(r.status, url.bytes);

  double rate = hammer ? hammer->rate : scenario_.rate;
  int64_t next = now_us + 1 + static_cast<int64_t>(rng_.exponential(1e6 / rate));
  if (hammer && next >= hammer->end().count() * 1000) next = INT64_MAX;
  next_us_[stream] = next;
  return r;
}

int Traffic::draw_status(double share_4xx, double share_5xx, const std::string& method) {
  double u = rng_.uniform();
  if (u < share_5xx) return kStatus5xx[rng_.below(std::size(kStatus5xx))];
  if (u < share_5xx + (1 - share_5xx) * share_4xx) {
    return kStatus4xx[rng_.below(std::size(kStatus4xx))];
  }
  if (method == "POST") return 201;
  if (method == "GET" && rng_.below(10) == 0) return 304;
  return 200;
}

uint64_t Traffic::draw_bytes(int status, uint64_t typical) {
  if (status == 304) return 0;
  if (status >= 500) return 150 + rng_.below(400);
  if (status >= 400) return 100 + rng_.below(300);
  double spread = 0.5 + rng_.uniform();  // ±50 % around the typical size
  return static_cast<uint64_t>(static_cast<double>(typical) * spread);
}

}  // namespace sentinel::loggen

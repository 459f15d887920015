// The dashboard's bounded in-memory model (see model.h).
#include "dashboard/model.h"

#include <algorithm>

#include "records/system_alerts.h"

namespace sentinel::dashboard {

using json = nlohmann::json;

namespace {

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

std::string short_text(std::string text, size_t max) {
  if (text.size() > max) {
    text.resize(max);
    text += "…";
  }
  return text;
}

json number_or_null(const std::optional<std::pair<int64_t, double>>& p) {
  return p ? json(p->second) : json(nullptr);
}

}  // namespace

// --- Ring
// -----------------------------------------------------------------------------------------

void Ring::put(int64_t ts_ms, double value) {
  int64_t step = floor_div(ts_ms, step_ms_);
  if (step < 0) return;
  if (newest_step_ >= 0 && newest_step_ - step >= static_cast<int64_t>(slots_)) return;  // too old
  if (step_.empty()) {
    step_.assign(slots_, -1);
    value_.assign(slots_, 0.0f);
  }
  size_t i = static_cast<size_t>(step % static_cast<int64_t>(slots_));
  if (step_[i] > step) return;  // the slot holds a newer step
  step_[i] = step;
  value_[i] = static_cast<float>(value);
  newest_step_ = std::max(newest_step_, step);
}

void Ring::collect(int64_t from_ms, std::vector<std::pair<int64_t, double>>* out) const {
  out->clear();
  if (newest_step_ < 0) return;
  // Steps that start at or after from_ms.
  int64_t first =
      std::max(-floor_div(-from_ms, step_ms_), newest_step_ - static_cast<int64_t>(slots_) + 1);
  for (int64_t s = std::max<int64_t>(first, 0); s <= newest_step_; ++s) {
    size_t i = static_cast<size_t>(s % static_cast<int64_t>(slots_));
    if (step_[i] == s) out->emplace_back(s * step_ms_, value_[i]);
  }
}

std::optional<std::pair<int64_t, double>> Ring::latest() const {
  if (newest_step_ < 0) return std::nullopt;
  size_t i = static_cast<size_t>(newest_step_ % static_cast<int64_t>(slots_));
  return std::make_pair(newest_step_ * step_ms_, static_cast<double>(value_[i]));
}

// --- Model
// ----------------------------------------------------------------------------------------

Model::Host::Host(size_t slots, int64_t step)
    : cpu(slots, step), mem(slots, step), disk(slots, step), rx(slots, step), tx(slots, step) {}

Model::Model(const ModelLimits& limits) : limits_(limits) {
  int64_t step = std::max<int64_t>(limits_.resolution.count(), 1);
  limits_.resolution = std::chrono::milliseconds(step);
  slots_ = static_cast<size_t>(std::max<int64_t>(limits_.history.count() / step, 1) + 1);
  http_seconds_.resize(
      static_cast<size_t>(std::max<int64_t>(limits_.history.count() / 1000, 1) + 1));
  minutes_.resize(
      static_cast<size_t>(std::max<int64_t>(limits_.top_window.count() / 60000, 1) + 1));
}

Model::Host* Model::host_for(std::string_view name, int64_t ts) {
  auto it = hosts_.find(name);
  if (it != hosts_.end()) return &it->second;
  if (hosts_.size() >= limits_.max_hosts) {
    // Make room only by forgetting a host silent for longer than the charts reach back.
    auto oldest = std::min_element(hosts_.begin(), hosts_.end(), [](const auto& a, const auto& b) {
      return a.second.last_seen < b.second.last_seen;
    });
    if (oldest == hosts_.end() || oldest->second.last_seen >= ts - limits_.history.count()) {
      ++hosts_dropped_;
      return nullptr;
    }
    hosts_.erase(oldest);
  }
  return &hosts_.emplace(std::string(name), Host(slots_, limits_.resolution.count())).first->second;
}

void Model::add_metric(const records::MetricRecord& r) {
  std::lock_guard lock(mu_);
  ++metrics_records_;
  if (r.host.empty()) return;
  Host* h = host_for(r.host, r.ts);
  if (!h) return;
  h->last_seen = std::max(h->last_seen, r.ts);
  if (r.resource == "cpu") {
    std::string_view cpu = r.tag("cpu");
    if (!cpu.empty() && cpu != "total") return;
    if (const double* v = r.metric("usage_pct")) h->cpu.put(r.ts, *v);
  } else if (r.resource == "memory") {
    if (const double* v = r.metric("used_pct")) h->mem.put(r.ts, *v);
  } else if (r.resource == "disk") {
    const double* v = r.metric("used_pct");
    if (!v) return;
    std::string_view mount = r.tag("mount");
    auto it = h->disk_used.find(mount);
    if (it == h->disk_used.end()) {
      if (h->disk_used.size() >= 64) return;  // bound per host
      it = h->disk_used.emplace(std::string(mount), 0.0).first;
    }
    it->second = *v;
    double fullest = 0;
    for (const auto& [m, used] : h->disk_used) fullest = std::max(fullest, used);
    h->disk.put(r.ts, fullest);  // the fullest filesystem: the one that will run out first
  } else if (r.resource == "network") {
    std::string_view nic = r.tag("interface");
    if (nic == "lo") return;
    const double* rx = r.metric("rx_bytes_per_s");
    const double* tx = r.metric("tx_bytes_per_s");
    if (!rx || !tx) return;  // the first tick has no rates
    auto it = h->nics.find(nic);
    if (it == h->nics.end()) {
      if (h->nics.size() >= 64) return;
      it = h->nics.emplace(std::string(nic), std::make_pair(0.0, 0.0)).first;
    }
    it->second = {*rx, *tx};
    double sum_rx = 0, sum_tx = 0;
    for (const auto& [n, v] : h->nics) {
      sum_rx += v.first;
      sum_tx += v.second;
    }
    h->rx.put(r.ts, sum_rx);
    h->tx.put(r.ts, sum_tx);
  }
}

void Model::count(std::unordered_map<std::string, KeyCount>* map, KeyCount* other,
                  std::string_view key, int status, size_t bound) {
  if (key.size() > 256) key = key.substr(0, 256);
  auto it = map->find(std::string(key));
  KeyCount* c = nullptr;
  if (it != map->end()) {
    c = &it->second;
  } else if (map->size() < bound) {
    c = &(*map)[std::string(key)];
  } else {
    c = other;
  }
  ++c->requests;
  if (status >= 500) {
    ++c->c5xx;
  } else if (status >= 400) {
    ++c->c4xx;
  }
}

void Model::add_http(const HttpHit& hit) {
  std::lock_guard lock(mu_);
  ++http_records_;
  int64_t second = floor_div(hit.ts, 1000);
  HttpSecond& s =
      http_seconds_[static_cast<size_t>(second % static_cast<int64_t>(http_seconds_.size()))];
  if (s.second < second) s = HttpSecond{second};
  if (s.second == second) {
    ++s.requests;
    if (hit.status >= 500) {
      ++s.c5xx;
    } else if (hit.status >= 400) {
      ++s.c4xx;
    }
  }
  int64_t minute = floor_div(hit.ts, 60000);
  Minute& m = minutes_[static_cast<size_t>(minute % static_cast<int64_t>(minutes_.size()))];
  if (m.minute < minute) {
    m.ips.clear();
    m.urls.clear();
    m.other_ips = m.other_urls = KeyCount{};
    m.minute = minute;
  }
  if (m.minute != minute) return;
  // The URL key of the alert engine (query dropped, /orders/123 → /orders/{id}), so the top URLs
  // match the http_5xx_url / http_4xx_url alerts.
  std::string path = url_keys_.normalize(hit.path);
  count(&m.ips, &m.other_ips, hit.client_ip.empty() ? "-" : hit.client_ip, hit.status,
        limits_.top_keys_per_minute);
  count(&m.urls, &m.other_urls, path.empty() ? "-" : path, hit.status, limits_.top_keys_per_minute);
}

bool Model::add_alert(const json& r, std::string* error) {
  std::optional<records::RecoveredAlert> alert = records::decode_alert_object(r, error);
  if (!alert) return false;
  json v = json::object();
  for (const char* key : {"id", "rule", "state", "severity", "labels", "value", "threshold",
                          "since", "ts", "summary"}) {
    if (r.contains(key)) v[key] = r[key];
  }
  auto host = alert->labels.find("host");
  v["host"] = host == alert->labels.end() ? std::string() : host->second;
  const std::string& id = alert->id;
  {
    std::lock_guard lock(mu_);
    ++alert_records_;
    if (alert->firing) {
      firing_[id] = std::move(v);
    } else {
      auto it = firing_.find(id);
      if (it != firing_.end()) {
        // The firing record's since/value are what an operator wants to see beside the end.
        if (!v.contains("fired_value") && it->second.contains("value"))
          v["fired_value"] = it->second["value"];
        firing_.erase(it);
      }
      resolved_.push_front(std::move(v));
      while (resolved_.size() > limits_.resolved_alerts) resolved_.pop_back();
    }
    ++alerts_version_;
  }
  changed_.notify_all();
  return true;
}

void Model::count_bad_record(const std::string& topic, const std::string& error) {
  std::lock_guard lock(mu_);
  ++bad_records_;
  last_bad_ = short_text(topic + ": " + error, 300);
}

void Model::set_kafka_state(bool ok, const std::string& error, int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (!kafka_known_ || ok != kafka_ok_) kafka_since_ = now_ms;
  kafka_known_ = true;
  kafka_ok_ = ok;
  kafka_error_ = ok ? "" : short_text(error, 300);
}

void Model::set_kafka_progress(int assigned_partitions, bool backfill_done) {
  std::lock_guard lock(mu_);
  kafka_partitions_ = assigned_partitions;
  backfill_done_ = backfill_done;
}

void Model::set_connect_state(bool ok, const std::string& error, const json& connectors,
                              int64_t now_ms) {
  json list = json::array();
  if (ok && connectors.is_object()) {
    for (const auto& [name, entry] : connectors.items()) {
      const json& status = entry.contains("status") ? entry["status"] : json::object();
      json c = {{"name", name},
                {"type", status.value("type", "")},
                {"state", ""},
                {"worker_id", ""},
                {"tasks", json::array()}};
      if (status.contains("connector") && status["connector"].is_object()) {
        c["state"] = status["connector"].value("state", "");
        c["worker_id"] = status["connector"].value("worker_id", "");
        if (status["connector"].contains("trace"))
          c["trace"] = short_text(status["connector"].value("trace", ""), 500);
      }
      if (status.contains("tasks") && status["tasks"].is_array()) {
        for (const auto& t : status["tasks"]) {
          if (!t.is_object()) continue;
          json task = {{"id", t.value("id", -1)},
                       {"state", t.value("state", "")},
                       {"worker_id", t.value("worker_id", "")}};
          if (t.contains("trace") && t["trace"].is_string())
            task["trace"] = short_text(t["trace"], 500);
          c["tasks"].push_back(std::move(task));
        }
      }
      list.push_back(std::move(c));
    }
  }
  std::lock_guard lock(mu_);
  if (!connect_known_ || ok != connect_ok_) connect_since_ = now_ms;
  connect_known_ = true;
  connect_ok_ = ok;
  connect_error_ = ok ? "" : short_text(error, 300);
  connect_checked_ = now_ms;
  if (ok)
    connectors_ = std::move(list);  // when unreachable the last known list stays, marked stale
}

std::string Model::host_state(const std::string& name, const Host& h, int64_t now_ms,
                              const std::vector<std::string>& alerting) const {
  if (now_ms - h.last_seen > limits_.host_silent_after.count()) return "silent";
  if (std::binary_search(alerting.begin(), alerting.end(), name)) return "alerting";
  return "ok";
}

json Model::hosts_json_locked(int64_t now_ms) const {
  std::vector<std::string> alerting;
  std::map<std::string, int> alert_count;
  for (const auto& [id, a] : firing_) {
    const std::string& host = a["host"].get_ref<const std::string&>();
    if (!host.empty()) {
      alerting.push_back(host);
      ++alert_count[host];
    }
  }
  std::sort(alerting.begin(), alerting.end());
  json out = json::array();
  for (const auto& [name, h] : hosts_) {
    auto rx = h.rx.latest();
    auto tx = h.tx.latest();
    auto n = alert_count.find(name);
    out.push_back({{"host", name},
                   {"state", host_state(name, h, now_ms, alerting)},
                   {"last_seen", h.last_seen},
                   {"alerts", n == alert_count.end() ? 0 : n->second},
                   {"cpu", number_or_null(h.cpu.latest())},
                   {"mem", number_or_null(h.mem.latest())},
                   {"disk", number_or_null(h.disk.latest())},
                   {"rx", number_or_null(rx)},
                   {"tx", number_or_null(tx)}});
  }
  return out;
}

json Model::hosts_json(int64_t now_ms) const {
  std::lock_guard lock(mu_);
  return hosts_json_locked(now_ms);
}

json Model::series_json(const std::string& host, int64_t since_ms, int64_t now_ms) const {
  std::lock_guard lock(mu_);
  auto it = hosts_.find(host);
  if (it == hosts_.end()) return nullptr;
  const Host& h = it->second;
  int64_t from = std::max(since_ms, now_ms - limits_.history.count());
  std::vector<std::pair<int64_t, double>> points;
  auto columns = [&](const Ring& ring) {
    ring.collect(from, &points);
    json t = json::array(), v = json::array();
    for (const auto& [ts, value] : points) {
      t.push_back(ts);
      v.push_back(value);
    }
    return json::array({std::move(t), std::move(v)});
  };
  json out = {
      {"host", host}, {"cpu", columns(h.cpu)}, {"mem", columns(h.mem)}, {"disk", columns(h.disk)}};
  // rx and tx are written together, so they share their steps.
  std::vector<std::pair<int64_t, double>> tx;
  h.rx.collect(from, &points);
  h.tx.collect(from, &tx);
  json t = json::array(), rx_v = json::array(), tx_v = json::array();
  for (size_t i = 0, j = 0; i < points.size(); ++i) {
    while (j < tx.size() && tx[j].first < points[i].first) ++j;
    t.push_back(points[i].first);
    rx_v.push_back(points[i].second);
    tx_v.push_back(j < tx.size() && tx[j].first == points[i].first ? json(tx[j].second)
                                                                   : json(nullptr));
  }
  out["net"] = json::array({std::move(t), std::move(rx_v), std::move(tx_v)});
  return out;
}

json Model::alerts_json_locked() const {
  std::vector<const json*> firing;
  for (const auto& [id, a] : firing_) firing.push_back(&a);
  auto rank = [](const json& a) {
    std::string s = a.value("severity", "");
    return s == "critical" ? 0 : s == "warning" ? 1 : 2;
  };
  std::sort(firing.begin(), firing.end(), [&](const json* a, const json* b) {
    if (rank(*a) != rank(*b)) return rank(*a) < rank(*b);
    return a->value("since", int64_t{0}) > b->value("since", int64_t{0});
  });
  json f = json::array();
  for (const json* a : firing) f.push_back(*a);
  json r = json::array();
  for (const json& a : resolved_) r.push_back(a);
  return {{"firing", std::move(f)}, {"resolved", std::move(r)}, {"version", alerts_version_}};
}

json Model::alerts_json() const {
  std::lock_guard lock(mu_);
  return alerts_json_locked();
}

json Model::http_json_locked(int64_t now_ms, int64_t since_ms) const {
  int64_t now_s = floor_div(now_ms, 1000);
  int64_t first = std::max(floor_div(std::max(since_ms, now_ms - limits_.history.count()), 1000),
                           now_s - static_cast<int64_t>(http_seconds_.size()) + 1);
  json t = json::array(), req = json::array(), c4 = json::array(), c5 = json::array();
  uint64_t min_req = 0, min_4 = 0, min_5 = 0;
  if (http_records_ > 0) {
    for (int64_t s = first; s <= now_s; ++s) {
      const HttpSecond& b =
          http_seconds_[static_cast<size_t>(s % static_cast<int64_t>(http_seconds_.size()))];
      bool here = b.second == s;
      t.push_back(s * 1000);
      req.push_back(here ? b.requests : 0);
      c4.push_back(here ? b.c4xx : 0);
      c5.push_back(here ? b.c5xx : 0);
    }
    for (int64_t s = now_s - 60; s < now_s; ++s) {
      const HttpSecond& b =
          http_seconds_[static_cast<size_t>(s % static_cast<int64_t>(http_seconds_.size()))];
      if (b.second != s) continue;
      min_req += b.requests;
      min_4 += b.c4xx;
      min_5 += b.c5xx;
    }
  }
  // Top offending keys over the top window: the minutes it covers, merged.
  std::unordered_map<std::string_view, KeyCount> ips, urls;
  KeyCount other_ips, other_urls;
  int64_t oldest_minute = floor_div(now_ms - limits_.top_window.count(), 60000);
  for (const Minute& m : minutes_) {
    if (m.minute < oldest_minute || m.minute < 0) continue;
    auto merge = [](std::unordered_map<std::string_view, KeyCount>* into,
                    const std::unordered_map<std::string, KeyCount>& from) {
      for (const auto& [k, c] : from) {
        KeyCount& d = (*into)[k];
        d.requests += c.requests;
        d.c4xx += c.c4xx;
        d.c5xx += c.c5xx;
      }
    };
    merge(&ips, m.ips);
    merge(&urls, m.urls);
    other_ips.requests += m.other_ips.requests;
    other_urls.requests += m.other_urls.requests;
  }
  auto top = [&](const std::unordered_map<std::string_view, KeyCount>& counts,
                 const KeyCount& other) {
    std::vector<std::pair<std::string_view, KeyCount>> v(counts.begin(), counts.end());
    size_t n = std::min(v.size(), limits_.top_n);
    std::partial_sort(v.begin(), v.begin() + static_cast<ptrdiff_t>(n), v.end(),
                      [](const auto& a, const auto& b) {
                        uint32_t ea = a.second.c4xx + a.second.c5xx,
                                 eb = b.second.c4xx + b.second.c5xx;
                        if (ea != eb) return ea > eb;
                        if (a.second.requests != b.second.requests)
                          return a.second.requests > b.second.requests;
                        return a.first < b.first;
                      });
    json out = json::array();
    for (size_t i = 0; i < n; ++i) {
      const KeyCount& c = v[i].second;
      out.push_back({{"key", v[i].first},
                     {"requests", c.requests},
                     {"errors", c.c4xx + c.c5xx},
                     {"c4xx", c.c4xx},
                     {"c5xx", c.c5xx},
                     {"error_pct", c.requests ? 100.0 * (c.c4xx + c.c5xx) / c.requests : 0.0}});
    }
    return json{{"top", std::move(out)},
                {"distinct", counts.size()},
                {"uncounted_requests", other.requests}};
  };
  json ip = top(ips, other_ips), url = top(urls, other_urls);
  return {{"series", json::array({std::move(t), std::move(req), std::move(c4), std::move(c5)})},
          {"last_minute",
           {{"requests", min_req},
            {"rps", static_cast<double>(min_req) / 60.0},
            {"c4xx", min_4},
            {"c5xx", min_5},
            {"error_4xx_pct",
             min_req ? 100.0 * static_cast<double>(min_4) / static_cast<double>(min_req) : 0.0},
            {"error_5xx_pct",
             min_req ? 100.0 * static_cast<double>(min_5) / static_cast<double>(min_req) : 0.0}}},
          {"top_window_s", limits_.top_window.count() / 1000},
          {"top_ips", ip["top"]},
          {"top_urls", url["top"]},
          {"distinct_ips", ip["distinct"]},
          {"distinct_urls", url["distinct"]}};
}

json Model::http_json(int64_t now_ms, int64_t since_ms) const {
  std::lock_guard lock(mu_);
  return http_json_locked(now_ms, since_ms);
}

json Model::connectors_json() const {
  std::lock_guard lock(mu_);
  return {{"state", !connect_known_ ? "unknown"
                    : connect_ok_   ? "ok"
                                    : "unreachable"},
          {"error", connect_error_},
          {"checked_at", connect_checked_},
          {"connectors", connectors_}};
}

json Model::health_json_locked(int64_t now_ms) const {
  (void)now_ms;
  return {{"kafka",
           {{"state", !kafka_known_ ? "connecting"
                      : kafka_ok_   ? "ok"
                                    : "unreachable"},
            {"error", kafka_error_},
            {"since", kafka_since_},
            {"partitions", kafka_partitions_},
            {"backfill_done", backfill_done_}}},
          {"connect",
           {{"state", !connect_known_ ? "unknown"
                      : connect_ok_   ? "ok"
                                      : "unreachable"},
            {"error", connect_error_},
            {"since", connect_since_},
            {"checked_at", connect_checked_}}},
          {"records",
           {{"metrics", metrics_records_},
            {"http", http_records_},
            {"alerts", alert_records_},
            {"bad", bad_records_},
            {"last_bad", last_bad_}}},
          {"hosts", hosts_.size()},
          {"hosts_dropped", hosts_dropped_},
          {"history_s", limits_.history.count() / 1000}};
}

json Model::health_json(int64_t now_ms) const {
  std::lock_guard lock(mu_);
  return health_json_locked(now_ms);
}

json Model::state_json(int64_t now_ms, int64_t http_since_ms) const {
  std::lock_guard lock(mu_);
  return {{"now", now_ms},
          {"hosts", hosts_json_locked(now_ms)},
          {"alerts", alerts_json_locked()},
          {"http", http_json_locked(now_ms, http_since_ms)},
          {"connectors",
           {{"state", !connect_known_ ? "unknown"
                      : connect_ok_   ? "ok"
                                      : "unreachable"},
            {"error", connect_error_},
            {"checked_at", connect_checked_},
            {"connectors", connectors_}}},
          {"health", health_json_locked(now_ms)}};
}

uint64_t Model::alerts_version() const {
  std::lock_guard lock(mu_);
  return alerts_version_;
}

uint64_t Model::wait_alerts_change(uint64_t seen, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  uint64_t w = wakeups_;
  changed_.wait_for(lock, timeout, [&] { return alerts_version_ != seen || wakeups_ != w; });
  return alerts_version_;
}

void Model::wake_all() const {
  {
    std::lock_guard lock(mu_);
    ++wakeups_;
  }
  changed_.notify_all();
}

}  // namespace sentinel::dashboard

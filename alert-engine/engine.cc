// Windows, watermarks and lifecycles of every rule group, fed one record at a time.
#include "alert-engine/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/units.h"

namespace sentinel::alerts {
namespace {

// Rules that differ at most in their thresholds keep their windows and alerts: a new
// thresholds file (or a threshold edited in alerts.yaml) applies from the next closing window.
bool same_shape(const Rule& a, const Rule& b) {
  return a.name == b.name && a.resource == b.resource && a.metric == b.metric &&
         a.match == b.match && a.group_by == b.group_by && a.window.size_ms == b.window.size_ms &&
         a.window.advance_ms == b.window.advance_ms && a.agg == b.agg && a.op == b.op &&
         a.for_windows == b.for_windows && a.keep_firing_for_ms == b.keep_firing_for_ms &&
         a.flap_max_firings == b.flap_max_firings && a.flap_window_ms == b.flap_window_ms &&
         a.severity == b.severity && a.summary == b.summary && a.min_count == b.min_count &&
         a.cross_partition == b.cross_partition && a.key_label == b.key_label;
}

bool needs_samples(Agg agg) { return agg == Agg::kP50 || agg == Agg::kP95 || agg == Agg::kP99; }

std::string format_value(double v) {
  if (!std::isfinite(v)) return "n/a";
  return fmt::format("{:.4g}", v);
}

}  // namespace

Engine::Engine(const AlertsConfig& config) : config_(config) {
  for (const auto& r : config_.rules) {
    rules_.push_back(std::make_unique<RuleState>(RuleState{r, needs_samples(r.agg), {}}));
  }
  index_rules();
}

Engine::~Engine() = default;

void Engine::index_rules() {
  by_resource_.clear();
  for (auto& rs : rules_) {
    auto it = std::find_if(by_resource_.begin(), by_resource_.end(),
                           [&](const ResourceRules& r) { return r.resource == rs->rule.resource; });
    if (it == by_resource_.end()) {
      by_resource_.push_back({rs->rule.resource, {}});
      it = by_resource_.end() - 1;
    }
    it->rules.push_back(rs.get());
  }
}

void Engine::set_config(const AlertsConfig& config, int64_t wall_now, std::vector<Alert>* out) {
  std::vector<std::unique_ptr<RuleState>> old = std::move(rules_);
  rules_.clear();
  for (const auto& r : config.rules) {
    auto same = std::find_if(old.begin(), old.end(), [&](const std::unique_ptr<RuleState>& o) {
      return o && same_shape(o->rule, r);
    });
    if (same != old.end()) {
      (*same)->rule = r;
      for (auto& [id, g] : (*same)->groups) set_group_thresholds(g.get());
      rules_.push_back(std::move(*same));
      continue;
    }
    rules_.push_back(std::make_unique<RuleState>(RuleState{r, needs_samples(r.agg), {}}));
  }
  for (auto& o : old) {
    if (!o) continue;  // kept
    bool renamed_or_removed = std::none_of(config.rules.begin(), config.rules.end(),
                                           [&](const Rule& r) { return r.name == o->rule.name; });
    for (auto& [id, g] : o->groups) {
      if (!g->life.firing()) continue;
      if (renamed_or_removed) {
        Alert a;
        a.id = id;
        a.rule = o->rule.name;
        a.firing = false;
        a.severity = o->rule.severity;
        for (const auto& l : g->labels) a.labels.push_back(l);
        a.labels.emplace_back("resource", o->rule.resource);
        a.value = std::numeric_limits<double>::quiet_NaN();
        a.threshold = o->rule.threshold;
        a.agg = agg_name(o->rule.agg);
        auto p = partitions_.find(g->partition);
        a.window_start = a.window_end = p != partitions_.end() ? p->second.watermark : wall_now;
        a.since = wall_now;
        a.ts = wall_now;
        a.summary = fmt::format("rule {} was removed from the configuration", o->rule.name);
        ++stats_.resolved;
        out->push_back(std::move(a));
      } else {
        // The changed rule's group starts over but keeps the alert open: no second firing.
        auto p = partitions_.find(g->partition);
        recovered_[id] = RecoveredAlert{id, true, g->life.since(), 0,
                                        p != partitions_.end() ? p->second.watermark : 0};
      }
    }
  }
  config_ = config;
  index_rules();
  rebuild_closing();
}

void Engine::rebuild_closing() {
  for (auto& [n, p] : partitions_) p.closing.clear();
  for (auto& rs : rules_) {
    for (auto& [id, g] : rs->groups) {
      for (const auto& w : g->windows) {
        partitions_[g->partition].closing[w.start + rs->rule.window.size_ms].push_back(g.get());
      }
    }
  }
}

void Engine::restore(const std::vector<RecoveredAlert>& alerts, int64_t wall_now) {
  recovered_.clear();
  std::string silent_prefix = config_.host_silent.name + "/host=";
  for (const auto& r : alerts) {
    if (r.id.rfind(silent_prefix, 0) == 0) {
      std::string host = r.id.substr(silent_prefix.size());
      Host& h = hosts_[host];
      h.silent_firing = r.firing;
      if (r.firing) {
        h.silent_since = r.since;
        h.silent_last_ts = r.window_start;
        h.max_ts = std::max(h.max_ts, r.window_start);
        h.last_arrival_wall = wall_now;
      }
      continue;
    }
    recovered_[r.id] = r;
  }
}

Engine::Group* Engine::find_or_create_group(RuleState* rs, const MetricRecord& record,
                                            int32_t partition, int64_t wall_now) {
  (void)wall_now;
  label_buf_.clear();
  for (const auto& name : rs->rule.group_by) {
    if (name == "host") {
      label_buf_.emplace_back(name, record.host);
      continue;
    }
    std::string_view v = record.tag(name);
    if (v.empty() && !record.has_tag(name)) return nullptr;  // not a series of this rule
    label_buf_.emplace_back(name, v);
  }
  id_buf_.clear();
  append_alert_id(&id_buf_, rs->rule.name, label_buf_);
  auto it = rs->groups.find(id_buf_);
  if (it != rs->groups.end()) return it->second.get();

  auto g = std::make_unique<Group>();
  g->rule = rs;
  g->id = id_buf_;
  for (const auto& [k, v] : label_buf_) g->labels.emplace_back(std::string(k), std::string(v));
  g->partition = partition;
  set_group_thresholds(g.get());
  auto rec = recovered_.find(g->id);
  if (rec != recovered_.end()) {
    if (rec->second.firing) g->life.restore_firing(rec->second.since, rec->second.window_end);
    g->emitted_until = rec->second.window_end;
    recovered_.erase(rec);
  }
  Group* raw = g.get();
  rs->groups.emplace(raw->id, std::move(g));
  return raw;
}

void Engine::set_group_thresholds(Group* g) const {
  const Rule& rule = g->rule->rule;
  g->threshold = rule.threshold;
  if (!rule.key_label.empty() && !rule.key_thresholds.empty()) {
    for (const auto& [k, v] : g->labels) {
      if (k != rule.key_label) continue;
      auto it = rule.key_thresholds.find(v);
      if (it != rule.key_thresholds.end()) g->threshold = it->second;
    }
  }
  // An override moves the resolve threshold with it, keeping the rule's hysteresis gap.
  g->resolve = rule.resolve ? *rule.resolve + (g->threshold - rule.threshold) : g->threshold;
  if (!std::isfinite(g->resolve)) g->resolve = g->threshold;
}

void Engine::add_to_windows(Group* g, Partition& p, int64_t ts, double value, int64_t offset,
                            bool* accepted) {
  // `p` is the partition the group's windows close with (kAllPartitions for cross-partition
  // rules), not necessarily the record's.
  const WindowSpec& spec = g->rule->rule.window;
  WindowRange range = windows_containing(ts, spec);
  for (int64_t start = range.first; start <= range.last; start += spec.advance_ms) {
    int64_t end = start + spec.size_ms;
    if (end <= p.watermark) continue;  // closed already: this record is late for it
    *accepted = true;
    auto& ws = g->windows;
    auto it = ws.end();
    while (it != ws.begin() && std::prev(it)->start >= start) --it;
    if (it != ws.end() && it->start == start) {
      it->agg.add(value, ts);
      continue;
    }
    it = ws.insert(it, OpenWindow{start, offset, Aggregate(g->rule->keep_samples)});
    it->agg.add(value, ts);
    partitions_[g->partition].closing[end].push_back(g);
  }
}

void Engine::on_record(const MetricRecord& record, int32_t partition, int64_t offset,
                       int64_t wall_now, std::vector<Alert>* out) {
  Partition& p = partitions_[partition];
  p.next_offset = std::max(p.next_offset, offset + 1);
  p.last_arrival_wall = wall_now;
  ++stats_.records;
  // Web sites are not metric hosts: host_silent watches the agents' metrics only.
  if (record.resource != kHttpResource) note_host(record, wall_now, out);
  Partition* all = nullptr;  // kAllPartitions, once a cross-partition rule took the record
  int64_t pin_end = INT64_MIN;
  int64_t p_watermark_before = p.watermark;

  const ResourceRules* selected = nullptr;
  for (const auto& r : by_resource_) {
    if (r.resource == record.resource) {
      selected = &r;
      break;
    }
  }
  if (selected) {
    bool matched = false, accepted = false;
    for (RuleState* rs : selected->rules) {
      bool ok = true;
      for (const auto& [tag, want] : rs->rule.match) {
        if (record.tag(tag) != want) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      const double* value = record.metric(rs->rule.metric);
      if (!value) continue;
      bool cross = rs->rule.cross_partition;
      Group* g = find_or_create_group(rs, record, cross ? kAllPartitions : partition, wall_now);
      if (!g) continue;
      matched = true;
      if (cross && !all) all = &partitions_[kAllPartitions];
      bool took = false;
      add_to_windows(g, cross ? *all : p, record.ts, *value, offset, &took);
      accepted |= took;
      if (cross && took) {
        const WindowSpec& spec = rs->rule.window;
        pin_end = std::max(pin_end, windows_containing(record.ts, spec).last + spec.size_ms);
      }
      if (g->windows.empty() && g->life.idle()) rs->groups.erase(g->id);  // only late data
    }
    if (matched && !accepted) ++stats_.late;
  }
  // A pin whose end is not after the last one's is covered by it (a lower offset, held longer).
  if (pin_end != INT64_MIN && (p.pins.empty() || pin_end > p.pins.back().first)) {
    p.pins.emplace_back(pin_end, offset);
  }
  if (record.ts > p.max_ts) {
    p.max_ts = record.ts;
    advance_watermark(partition, p, record.ts - config_.allowed_lateness_ms, wall_now, out);
  }
  if (all) {
    all->last_arrival_wall = wall_now;
    all->max_ts = std::max(all->max_ts, record.ts);
    bool was_lowest = !p.cross || p_watermark_before <= all->watermark;
    p.cross = true;
    // Only the partition that held the lowest watermark can move it.
    if (was_lowest && p.watermark > p_watermark_before) advance_cross_watermark(wall_now, out);
  }
}

void Engine::add_cross_partitions(const std::vector<int32_t>& partitions, int64_t wall_now) {
  for (int32_t n : partitions) {
    Partition& p = partitions_[n];
    p.cross = true;
    if (p.last_arrival_wall == 0) p.last_arrival_wall = wall_now;  // idle from now if empty
  }
}

void Engine::advance_cross_watermark(int64_t wall_now, std::vector<Alert>* out) {
  auto all = partitions_.find(kAllPartitions);
  if (all == partitions_.end()) return;
  int64_t lowest = INT64_MAX;
  for (const auto& [n, q] : partitions_) {
    if (!q.cross || n == kAllPartitions) continue;
    if (wall_now - q.last_arrival_wall >= config_.idle_timeout_ms) continue;  // quiet: not waited for
    lowest = std::min(lowest, q.watermark);
  }
  // Every partition quiet: on_tick's idle close moves the windows on by wall clock.
  if (lowest == INT64_MAX || lowest == INT64_MIN) return;
  advance_watermark(kAllPartitions, all->second, lowest, wall_now, out);
}

void Engine::on_bad_record(int32_t partition, int64_t offset) {
  Partition& p = partitions_[partition];
  p.next_offset = std::max(p.next_offset, offset + 1);
  ++stats_.bad;
}

void Engine::advance_watermark(int32_t partition, Partition& p, int64_t watermark,
                               int64_t wall_now, std::vector<Alert>* out) {
  if (watermark <= p.watermark) return;
  p.watermark = watermark;
  if (partition == kAllPartitions) {
    for (auto& [n, q] : partitions_) {
      while (!q.pins.empty() && q.pins.front().first <= watermark) q.pins.pop_front();
    }
  }
  while (!p.closing.empty() && p.closing.begin()->first <= watermark) {
    int64_t end = p.closing.begin()->first;
    std::vector<Group*> groups = std::move(p.closing.begin()->second);
    p.closing.erase(p.closing.begin());
    for (Group* g : groups) close_window(g, end, wall_now, out);
    for (Group* g : evict_) {
      auto& map = g->rule->groups;
      map.erase(g->id);
    }
    evict_.clear();
  }
}

void Engine::close_window(Group* g, int64_t end, int64_t wall_now, std::vector<Alert>* out) {
  const Rule& rule = g->rule->rule;
  while (!g->windows.empty() && g->windows.front().start + rule.window.size_ms <= end) {
    OpenWindow w = std::move(g->windows.front());
    g->windows.pop_front();
    double value = w.agg.result(rule.agg);
    int64_t wend = w.start + rule.window.size_ms;
    double threshold = g->threshold, resolve = g->resolve;
    if (w.agg.count() < rule.min_count) {
      // Too few records to judge: clear, whatever the share.
      if (std::isnan(value)) value = 0;
      threshold = resolve = std::numeric_limits<double>::infinity();
      if (rule.op == Op::kBelow) threshold = resolve = -threshold;
    }
    Transition t = g->life.step(rule, w.start, wend, value, threshold, resolve);
    if (g->life.in_streak() && g->life.streak_start() == w.start) g->streak_offset = w.first_offset;
    if (t != Transition::kNone) emit(g, t, w.start, wend, value, w.agg.count(), wall_now, out);
  }
  if (g->windows.empty() && rule.min_count > 0 && g->life.firing()) {
    // The records stopped: an empty window (below min_count, so clear) follows, and resolves
    // the alert when it closes — a client that stops hammering ends its alert.
    int64_t start = end - rule.window.size_ms + rule.window.advance_ms;
    g->windows.push_back(OpenWindow{start, INT64_MAX, Aggregate(false)});
    partitions_[g->partition].closing[start + rule.window.size_ms].push_back(g);
    return;
  }
  evict_if_done(g);
}

void Engine::evict_if_done(Group* g) {
  if (!g->windows.empty()) return;
  // No window follows: the data stopped, so no streak can continue from here.
  g->life.break_streak();
  if (g->life.idle() && std::find(evict_.begin(), evict_.end(), g) == evict_.end()) {
    evict_.push_back(g);
  }
}

void Engine::emit(Group* g, Transition t, int64_t start, int64_t end, double value,
                  int64_t count, int64_t wall_now, std::vector<Alert>* out) {
  if (end <= g->emitted_until) {
    ++stats_.suppressed;
    return;
  }
  const Rule& rule = g->rule->rule;
  Alert a;
  a.id = g->id;
  a.rule = rule.name;
  a.firing = t == Transition::kFire;
  a.severity = rule.severity;
  a.labels = g->labels;
  a.labels.emplace_back("resource", rule.resource);
  a.value = value;
  a.threshold = g->threshold;
  a.window_start = start;
  a.window_end = end;
  a.agg = agg_name(rule.agg);
  a.since = g->life.since();
  a.ts = wall_now;
  a.flapping = g->life.flapping();
  std::map<std::string, std::string> vars = {
      {"rule", rule.name},
      {"resource", rule.resource},
      {"metric", rule.metric},
      {"agg", a.agg},
      {"value", format_value(value)},
      {"threshold", format_value(g->threshold)},
      {"count", std::to_string(count)},
      {"op", rule.op == Op::kAbove ? ">" : "<"},
      // The comparison that holds for this transition: "4xx share 0.9 > 0.3" when firing,
      // "4xx share 0.02 <= 0.3" when resolved.
      {"cmp", a.firing ? (rule.op == Op::kAbove ? ">" : "<") : (rule.op == Op::kAbove ? "<=" : ">=")},
      {"window", format_duration(std::chrono::milliseconds(rule.window.size_ms))},
      {"severity", rule.severity},
      {"state", a.firing ? "firing" : "resolved"}};
  std::string labels;
  for (const auto& [k, v] : g->labels) {
    vars[k] = v;
    labels += (labels.empty() ? "" : ",") + k + "=" + v;
  }
  vars["labels"] = labels;
  a.summary = render_template(rule.summary, vars);
  if (a.firing) {
    ++stats_.fired;
  } else {
    ++stats_.resolved;
  }
  out->push_back(std::move(a));
}

Alert Engine::silent_alert(const std::string& host, const Host& h, bool firing,
                           int64_t wall_now) const {
  const HostSilentRule& rule = config_.host_silent;
  Alert a;
  a.id = rule.name + "/host=" + host;
  a.rule = rule.name;
  a.firing = firing;
  a.severity = rule.severity;
  a.labels = {{"host", host}};
  a.value = static_cast<double>((wall_now - h.last_arrival_wall) / 1000);
  a.threshold = static_cast<double>(rule.after_ms) / 1000.0;
  a.window_start = h.silent_last_ts;
  a.window_end = firing ? wall_now : h.max_ts;
  a.agg = "absent";
  a.since = firing ? h.silent_since : wall_now;
  a.ts = wall_now;
  a.summary = firing ? render_template(rule.summary, {{"host", host},
                                                      {"value", format_value(a.value)},
                                                      {"threshold", format_value(a.threshold)}})
                     : fmt::format("metrics from {} again", host);
  return a;
}

void Engine::note_host(const MetricRecord& record, int64_t wall_now, std::vector<Alert>* out) {
  host_buf_.assign(record.host);
  auto [it, inserted] = hosts_.try_emplace(host_buf_);
  Host& h = it->second;
  if (h.silent_firing && record.ts > h.silent_last_ts) {
    h.silent_firing = false;
    h.max_ts = std::max(h.max_ts, record.ts);
    if (config_.host_silent.enabled) {
      ++stats_.resolved;
      out->push_back(silent_alert(it->first, h, false, wall_now));
    }
  }
  h.last_arrival_wall = wall_now;
  h.max_ts = std::max(h.max_ts, record.ts);
}

void Engine::on_tick(int64_t wall_now, std::vector<Alert>* out) {
  advance_cross_watermark(wall_now, out);  // a partition that fell quiet is waited for no more
  for (auto& [n, p] : partitions_) {
    if (p.closing.empty() || wall_now - p.last_arrival_wall < config_.idle_timeout_ms) continue;
    int64_t wm = wall_now - config_.allowed_lateness_ms;
    if (wm <= p.watermark || p.closing.begin()->first > wm) continue;
    ++stats_.idle_closes;
    // Only as far as the last window that had to close: records that arrive later with older
    // times (an agent delivering what it buffered through an outage, a host whose clock lags)
    // still open new windows instead of being counted late against windows that never existed.
    advance_watermark(n, p, std::prev(p.closing.upper_bound(wm))->first, wall_now, out);
  }
  if (!config_.host_silent.enabled) return;
  for (auto& [host, h] : hosts_) {
    if (h.silent_firing || wall_now - h.last_arrival_wall < config_.host_silent.after_ms) continue;
    h.silent_firing = true;
    h.silent_since = wall_now;
    h.silent_last_ts = h.max_ts;
    ++stats_.fired;
    out->push_back(silent_alert(host, h, true, wall_now));
  }
}

std::map<int32_t, int64_t> Engine::commit_offsets() const {
  std::map<int32_t, int64_t> out;
  for (const auto& [n, p] : partitions_) {
    if (p.next_offset >= 0) out[n] = p.next_offset;
    if (p.next_offset >= 0 && !p.pins.empty()) out[n] = std::min(out[n], p.pins.front().second);
  }
  for (const auto& rs : rules_) {
    for (const auto& [id, g] : rs->groups) {
      auto it = out.find(g->partition);
      if (it == out.end()) continue;
      if (!g->windows.empty()) it->second = std::min(it->second, g->windows.front().first_offset);
      if (g->life.in_streak() && g->streak_offset >= 0) {
        it->second = std::min(it->second, g->streak_offset);
      }
    }
  }
  return out;
}

void Engine::drop_partitions(const std::vector<int32_t>& partitions) {
  auto dropped = [&](int32_t p) {
    return std::find(partitions.begin(), partitions.end(), p) != partitions.end();
  };
  for (auto& rs : rules_) {
    for (auto it = rs->groups.begin(); it != rs->groups.end();) {
      it = dropped(it->second->partition) ? rs->groups.erase(it) : std::next(it);
    }
  }
  // Cross-partition groups stay: other partitions still feed them.
  for (int32_t p : partitions) partitions_.erase(p);
}

int64_t Engine::watermark(int32_t partition) const {
  auto it = partitions_.find(partition);
  return it == partitions_.end() ? INT64_MIN : it->second.watermark;
}

size_t Engine::group_count() const {
  size_t n = 0;
  for (const auto& rs : rules_) n += rs->groups.size();
  return n;
}

size_t Engine::open_alerts() const {
  size_t n = 0;
  for (const auto& [id, r] : recovered_) n += r.firing;
  for (const auto& rs : rules_) {
    for (const auto& [id, g] : rs->groups) n += g->life.firing();
  }
  for (const auto& [host, h] : hosts_) n += h.silent_firing;
  return n;
}

}  // namespace sentinel::alerts

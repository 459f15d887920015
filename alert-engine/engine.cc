// Windows, watermarks and lifecycles of every rule group, fed one record at a time.
#include "alert-engine/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <random>

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
         a.placement == b.placement && a.key_label == b.key_label;
}

bool needs_samples(Agg agg) { return agg == Agg::kP50 || agg == Agg::kP95 || agg == Agg::kP99; }

std::string format_value(double v) {
  if (!std::isfinite(v)) return "n/a";
  return fmt::format("{:.4g}", v);
}

SourceKind kind_of(const Rule& r) { return r.from_http ? SourceKind::kHttp : SourceKind::kMetrics; }

int64_t wall_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Engine::Engine(const AlertsConfig& config) : config_(config), writer_(std::random_device()()) {
  writer_ = writer_ << 32 | std::random_device()();
  for (const auto& r : config_.rules) {
    rules_.push_back(
        std::make_unique<RuleState>(RuleState{r, needs_samples(r.agg), rule_shape(r), {}}));
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
      (*same)->shape = rule_shape(r);
      for (auto& [id, g] : (*same)->groups) set_group_thresholds(g.get());
      rules_.push_back(std::move(*same));
      continue;
    }
    rules_.push_back(
        std::make_unique<RuleState>(RuleState{r, needs_samples(r.agg), rule_shape(r), {}}));
  }
  for (auto& o : old) {
    if (!o) continue;  // kept
    bool renamed_or_removed = std::none_of(config.rules.begin(), config.rules.end(),
                                           [&](const Rule& r) { return r.name == o->rule.name; });
    for (auto& [id, g] : o->groups) {
      if (!g->life.firing() || g->role == Role::kStage1) continue;
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
        RecoveredAlert r{
            id, true, g->life.since(), 0, p != partitions_.end() ? p->second.watermark : 0, {}};
        for (const auto& [k, v] : g->labels) r.labels[k] = v;
        recovered_[id] = std::move(r);
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
      if (g->role == Role::kStage2 && g->windows.empty() && !g->life.idle() &&
          g->judged_until != INT64_MIN) {
        partitions_[g->partition].closing[g->judged_until + rs->rule.window.advance_ms].push_back(
            g.get());
      }
    }
  }
}

void Engine::restore(const std::vector<RecoveredAlert>& alerts, int64_t wall_now) {
  recovered_.clear();
  published_until_.clear();
  ++writer_;  // a new assignment: checkpoints written before it are a previous owner's
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
    published_until_[r.id] = r.window_end;
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
  Role role = rs->rule.placement == Placement::kRekeyed ? Role::kStage1 : Role::kLocal;
  return group_for_labels(rs, partition, partition, role);
}

Engine::Group* Engine::group_for_labels(RuleState* rs, int32_t partition, int32_t offset_partition,
                                        Role role) {
  id_buf_.clear();
  append_alert_id(&id_buf_, rs->rule.name, label_buf_);
  if (role == Role::kStage1) {
    // One group per source partition: the alert id, a separator no label holds, the slot.
    id_buf_.push_back('\x1f');
    id_buf_ += std::to_string(partition);
  }
  auto it = rs->groups.find(id_buf_);
  if (it != rs->groups.end()) return it->second.get();

  auto g = std::make_unique<Group>();
  g->rule = rs;
  g->id = id_buf_;
  for (const auto& [k, v] : label_buf_) g->labels.emplace_back(std::string(k), std::string(v));
  g->partition = partition;
  g->offset_partition = offset_partition;
  g->role = role;
  set_group_thresholds(g.get());
  auto rec = role == Role::kStage1 ? recovered_.end() : recovered_.find(g->id);
  if (rec != recovered_.end()) {
    if (rec->second.firing) g->life.restore_firing(rec->second.since, rec->second.window_end);
    g->emitted_until = rec->second.window_end;
    recovered_.erase(rec);
  }
  if (role != Role::kStage1) {
    auto published = published_until_.find(g->id);
    if (published != published_until_.end()) {
      g->emitted_until = std::max(g->emitted_until, published->second);
    }
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
    // Stage 1 after a restart: sent by the previous owner, with all its records (the commit
    // point is before them); this is a replay of part of them.
    if (g->role == Role::kStage1 && end <= p.stage1_floor) continue;
    auto& ws = g->windows;
    auto it = ws.end();
    while (it != ws.begin() && std::prev(it)->start >= start) --it;
    if (it != ws.end() && it->start == start) {
      it->agg.add(value, ts);
      continue;
    }
    it = ws.insert(it, OpenWindow{start, offset, Aggregate(g->rule->keep_samples), nullptr});
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
      bool cross = rs->rule.placement == Placement::kCrossPartitions;
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
    // Quiet, its end reached: not waited for.
    if (q.at_end && wall_now - q.last_arrival_wall >= config_.idle_timeout_ms) continue;
    lowest = std::min(lowest, q.watermark);
  }
  // Every partition quiet: on_tick's idle close moves the windows on by wall clock.
  if (lowest == INT64_MAX || lowest == INT64_MIN) return;
  advance_watermark(kAllPartitions, all->second, lowest, wall_now, out);
}

void Engine::add_partitions(const std::vector<int32_t>& slots, SourceKind kind, int64_t wall_now) {
  bool cross = false;
  for (const auto& rs : rules_) {
    cross |= kind_of(rs->rule) == kind && rs->rule.placement == Placement::kCrossPartitions;
  }
  for (int32_t n : slots) {
    Partition& p = partitions_[n];
    p.kind = kind;
    p.at_end = false;
    p.cross |= cross;
    p.last_arrival_wall = wall_now;  // idle from now if empty
  }
}

void Engine::on_partition_end(int32_t slot) {
  auto it = partitions_.find(slot);
  if (it != partitions_.end()) it->second.at_end = true;
}

namespace {

// "w=123" → {"w", 123}; "m=1;h=2" → both. Unknown or malformed parts are skipped.
std::map<std::string, int64_t> parse_metadata(std::string_view text) {
  std::map<std::string, int64_t> out;
  while (!text.empty()) {
    size_t semi = text.find(';');
    std::string_view part = text.substr(0, semi);
    text = semi == std::string_view::npos ? std::string_view() : text.substr(semi + 1);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    int64_t v = 0;
    std::string_view num = part.substr(eq + 1);
    auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
    if (ec == std::errc() && ptr == num.data() + num.size())
      out[std::string(part.substr(0, eq))] = v;
  }
  return out;
}

}  // namespace

void Engine::restore_metadata(int32_t slot, std::string_view metadata) {
  auto values = parse_metadata(metadata);
  if (auto w = values.find("w"); w != values.end()) {
    Partition& p = partitions_[slot];
    p.stage1_floor = std::max(p.stage1_floor, w->second);
    p.progress = std::max(p.progress, w->second);
  }
  for (auto [name, kind] : {std::pair{"m", SourceKind::kMetrics}, {"h", SourceKind::kHttp}}) {
    auto f = values.find(name);
    if (f == values.end()) continue;
    Partition& d = domain(slot, kind);
    d.sources->set_floor(f->second);
    d.watermark = std::max(d.watermark, f->second);
  }
}

int32_t Engine::domain_of(int32_t slot, SourceKind kind) {
  // Negative, apart from kAllPartitions: never a slot of the caller's.
  return -2 - (slot * 2 + static_cast<int32_t>(kind));
}

Engine::Partition& Engine::domain(int32_t slot, SourceKind kind) {
  Partition& d = partitions_[domain_of(slot, kind)];
  if (!d.sources) {
    d.sources = std::make_unique<SourceWatermarks>();
    d.input = slot;
    d.kind = kind;
  }
  return d;
}

Engine::RuleState* Engine::rekeyed_rule(const std::string& name, uint64_t shape) {
  for (auto& rs : rules_) {
    if (rs->rule.name != name) continue;
    if (rs->rule.placement != Placement::kRekeyed || rs->shape != shape) return nullptr;
    return rs.get();
  }
  return nullptr;
}

void Engine::on_partial(const Partial& in, int32_t slot, int64_t offset, int64_t wall_now,
                        std::vector<Alert>* out) {
  (void)out;
  Partition& r = partitions_[slot];
  r.next_offset = std::max(r.next_offset, offset + 1);
  RuleState* rs = rekeyed_rule(in.rule, in.shape);
  if (!rs || in.labels.size() != rs->rule.group_by.size()) {
    ++stats_.partials_foreign;
    return;
  }
  SourceKind kind = kind_of(rs->rule);
  Partition& d = domain(slot, kind);
  int32_t d_slot = domain_of(slot, kind);
  int64_t end = in.start + rs->rule.window.size_ms;
  label_buf_.clear();
  for (const auto& [k, v] : in.labels) label_buf_.emplace_back(k, v);
  Group* g = nullptr;
  if (end > d.watermark) g = group_for_labels(rs, d_slot, slot, Role::kStage2);
  if (!g || end <= g->judged_until) {
    ++stats_.partials_late;
    return;
  }
  auto& ws = g->windows;
  auto it = ws.end();
  while (it != ws.begin() && std::prev(it)->start >= in.start) --it;
  if (it == ws.end() || it->start != in.start) {
    it = ws.insert(it, OpenWindow{in.start, offset, Aggregate(rs->keep_samples), nullptr});
    d.closing[end].push_back(g);
  }
  if (!it->parts) it->parts = std::make_unique<Parts>();
  it->first_offset = std::min(it->first_offset, offset);
  // Replaces a partial sent before by a stage-1 owner that was restarted: never added twice.
  (*it->parts)[{in.source, in.chunk}] = Aggregate(in.agg, rs->keep_samples);
  (void)wall_now;
}

void Engine::on_mark(SourceKind kind, const SourceMark& mark, int32_t slot, int64_t offset,
                     int64_t wall_now, std::vector<Alert>* out) {
  Partition& r = partitions_[slot];
  r.next_offset = std::max(r.next_offset, offset + 1);
  Partition& d = domain(slot, kind);
  if (!d.sources->update(mark.partition, mark.partitions, mark.watermark, mark.end)) return;
  closing_at_us_ = mark.at_us;
  advance_watermark(domain_of(slot, kind), d, d.sources->combined(), wall_now, out);
  closing_at_us_ = 0;
}

void Engine::on_checkpoint(const Checkpoint& c, int32_t slot, int64_t offset) {
  Partition& r = partitions_[slot];
  r.next_offset = std::max(r.next_offset, offset + 1);
  RuleState* rs = rekeyed_rule(c.rule, c.shape);
  if (!rs || c.labels.size() != rs->rule.group_by.size()) {
    ++stats_.partials_foreign;
    return;
  }
  SourceKind kind = kind_of(rs->rule);
  label_buf_.clear();
  for (const auto& [k, v] : c.labels) label_buf_.emplace_back(k, v);
  id_buf_.clear();
  append_alert_id(&id_buf_, rs->rule.name, label_buf_);
  auto existing = rs->groups.find(id_buf_);
  if (c.writer == writer_) {
    // This engine's own checkpoint read back: now its place in the partition is known. (The
    // group may be gone since: the streak ended and it was evicted.)
    if (existing != rs->groups.end()) {
      Group* g = existing->second.get();
      if (c.seq == g->checkpoint_seq && g->life.in_streak()) g->checkpoint_offset = offset;
    }
    return;
  }
  // A previous owner's: restore it if it is newer than what this group knows.
  if (existing == rs->groups.end() && c.life.state == Lifecycle::State::kInactive) {
    return;  // nothing a new group would not start with (a streak that ended)
  }
  Group* g = group_for_labels(rs, domain_of(slot, kind), slot, Role::kStage2);
  // Checkpoints of a group come in the order they were written: by the end of the window they
  // follow, then by their number (a streak broken without a new window).
  bool newer = c.end > g->judged_until || (c.end == g->judged_until && c.seq > g->checkpoint_seq);
  if (!newer) return;
  g->checkpoint_seq = std::max(g->checkpoint_seq, c.seq);
  // system_alerts knows a transition at or after this checkpoint's window: it is newer.
  if (g->emitted_until != INT64_MIN && c.end <= g->emitted_until) return;
  g->life.restore(c.life);
  g->judged_until = c.end;
  g->checkpoint_offset = g->life.in_streak() ? offset : -1;
  ++stats_.checkpoints_restored;
  if (g->windows.empty() && !g->life.idle()) {
    // As after a judged window: the streak ends if the next window has nothing.
    domain(slot, kind).closing[c.end + rs->rule.window.advance_ms].push_back(g);
  }
}

void Engine::resume_firing(const std::function<int32_t(const Rule&, const Labels&)>& slot_of) {
  std::vector<std::string> ids;
  for (const auto& [id, r] : recovered_) {
    if (r.firing) ids.push_back(id);
  }
  for (const auto& id : ids) {
    const RecoveredAlert& r = recovered_.at(id);
    RuleState* rs = nullptr;
    for (auto& candidate : rules_) {
      const Rule& rule = candidate->rule;
      if (rule.min_count > 0 && id.size() > rule.name.size() && id[rule.name.size()] == '/' &&
          id.compare(0, rule.name.size(), rule.name) == 0) {
        rs = candidate.get();
      }
    }
    if (!rs) continue;
    const Rule& rule = rs->rule;
    Labels labels;
    for (const auto& name : rule.group_by) {
      auto l = r.labels.find(name);
      if (l == r.labels.end()) break;
      labels.emplace_back(name, l->second);
    }
    if (labels.size() != rule.group_by.size()) continue;
    int32_t slot = slot_of(rule, labels);
    if (slot < 0) continue;
    label_buf_.clear();
    for (const auto& [k, v] : labels) label_buf_.emplace_back(k, v);
    id_buf_.clear();
    append_alert_id(&id_buf_, rule.name, label_buf_);
    if (id_buf_ != id) continue;
    int32_t closes = slot;
    int64_t closed = INT64_MIN;
    Role role = Role::kLocal;
    if (rule.placement == Placement::kRekeyed) {
      Partition& d = domain(slot, kind_of(rule));
      closes = domain_of(slot, kind_of(rule));
      closed = d.watermark;
      role = Role::kStage2;
    } else if (rule.placement == Placement::kLocal) {
      closed = partitions_[slot].stage1_floor;
    } else {
      continue;  // re-keying off: its own records resolve it, as before
    }
    // group_for_labels takes (and erases) the recovered alert `r` refers to: read it first.
    const int64_t window_end = r.window_end;
    Group* g = group_for_labels(rs, closes, slot, role);
    if (!g->windows.empty()) continue;
    // The window after the last one judged: the firing window, or the last closed before the
    // commit (the key breached until then, or the alert would have resolved already).
    int64_t last = std::max(window_end, closed);
    const WindowSpec& w = rule.window;
    int64_t start = (floor_div(last - w.size_ms, w.advance_ms) + 1) * w.advance_ms;
    g->windows.push_back(OpenWindow{start, INT64_MAX, Aggregate(false), nullptr});
    partitions_[closes].closing[start + w.size_ms].push_back(g);
    if (role == Role::kStage2) g->judged_until = start + w.size_ms - w.advance_ms;
  }
}

std::vector<Partial> Engine::take_partials() { return std::exchange(partials_, {}); }

std::vector<Checkpoint> Engine::take_checkpoints() { return std::exchange(checkpoints_, {}); }

bool Engine::rekeys(SourceKind kind) const {
  for (const auto& rs : rules_) {
    if (rs->rule.placement == Placement::kRekeyed && kind_of(rs->rule) == kind) return true;
  }
  return false;
}

std::map<int32_t, int64_t> Engine::source_progress() const {
  std::map<int32_t, int64_t> out;
  bool metrics = rekeys(SourceKind::kMetrics), http = rekeys(SourceKind::kHttp);
  for (const auto& [n, p] : partitions_) {
    if (n < 0 || p.sources) continue;  // a domain, or kAllPartitions
    if ((p.kind == SourceKind::kMetrics && metrics) || (p.kind == SourceKind::kHttp && http)) {
      out[n] = std::max(p.progress, p.watermark);
    }
  }
  return out;
}

bool Engine::sources_ended(const std::vector<int32_t>& slots) const {
  for (int32_t slot : slots) {
    for (SourceKind kind : {SourceKind::kMetrics, SourceKind::kHttp}) {
      if (!rekeys(kind)) continue;
      auto d = partitions_.find(domain_of(slot, kind));
      if (d == partitions_.end() || !d->second.sources->all_ended()) return false;
    }
  }
  return true;
}

void Engine::on_bad_record(int32_t partition, int64_t offset) {
  Partition& p = partitions_[partition];
  p.next_offset = std::max(p.next_offset, offset + 1);
  ++stats_.bad;
}

void Engine::advance_watermark(int32_t partition, Partition& p, int64_t watermark, int64_t wall_now,
                               std::vector<Alert>* out) {
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
  if (g->role == Role::kStage2) return close_stage2(g, end, wall_now, out);
  const Rule& rule = g->rule->rule;
  while (!g->windows.empty() && g->windows.front().start + rule.window.size_ms <= end) {
    OpenWindow w = std::move(g->windows.front());
    g->windows.pop_front();
    if (g->role == Role::kStage1) {
      send_partials(g, w, wall_now);
    } else {
      judge_window(g, w, wall_now, out);
    }
  }
  if (g->role == Role::kLocal && g->windows.empty() && rule.min_count > 0 && g->life.firing()) {
    // The records stopped: an empty window (below min_count, so clear) follows, and resolves
    // the alert when it closes — a client that stops hammering ends its alert.
    int64_t start = end - rule.window.size_ms + rule.window.advance_ms;
    g->windows.push_back(OpenWindow{start, INT64_MAX, Aggregate(false), nullptr});
    partitions_[g->partition].closing[start + rule.window.size_ms].push_back(g);
    return;
  }
  evict_if_done(g);
}

void Engine::judge_window(Group* g, OpenWindow& w, int64_t wall_now, std::vector<Alert>* out) {
  const Rule& rule = g->rule->rule;
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

void Engine::send_partials(Group* g, OpenWindow& w, int64_t wall_now) {
  (void)wall_now;
  AggregateState all = w.agg.state();
  std::vector<double> samples = std::move(all.samples);
  all.samples.clear();
  int32_t chunks = static_cast<int32_t>(
      std::max<size_t>(1, (samples.size() + kSamplesPerChunk - 1) / kSamplesPerChunk));
  std::string_view id(g->id);
  id = id.substr(0, id.find('\x1f'));
  for (int32_t c = 0; c < chunks; ++c) {
    Partial p;
    p.id = std::string(id);
    p.source = g->partition;
    p.rule = g->rule->rule.name;
    p.shape = g->rule->shape;
    p.labels = g->labels;
    p.start = w.start;
    p.chunk = c;
    p.chunks = chunks;
    if (c == 0) p.agg = all;
    size_t from = static_cast<size_t>(c) * kSamplesPerChunk;
    size_t to = std::min(samples.size(), from + kSamplesPerChunk);
    if (from < to)
      p.agg.samples.assign(samples.begin() + static_cast<ptrdiff_t>(from),
                           samples.begin() + static_cast<ptrdiff_t>(to));
    p.at_us = wall_us();
    partials_.push_back(std::move(p));
    ++stats_.partials_sent;
  }
}

void Engine::close_stage2(Group* g, int64_t end, int64_t wall_now, std::vector<Alert>* out) {
  const Rule& rule = g->rule->rule;
  bool judged = false;
  while (!g->windows.empty() && g->windows.front().start + rule.window.size_ms <= end) {
    OpenWindow w = std::move(g->windows.front());
    g->windows.pop_front();
    int64_t wend = w.start + rule.window.size_ms;
    if (wend <= g->judged_until) continue;  // restored from a checkpoint past it
    if (w.parts) {
      // In source-partition order, whichever instance merges: the same sum to the last bit.
      for (const auto& [source, agg] : *w.parts) w.agg.merge(agg);
      stats_.partials_merged += w.parts->size();
    }
    bool was = g->life.in_streak();
    judge_window(g, w, wall_now, out);
    g->judged_until = wend;
    judged = true;
    if (was || g->life.in_streak()) checkpoint(g);
  }
  if (!g->windows.empty()) return;
  if (!judged) {
    if (end <= g->judged_until) return;  // a second entry for a window judged already
    // The window after the last one judged has closed without a partial: the data stopped.
    bool was = g->life.in_streak();
    evict_if_done(g);
    if (was && !g->life.in_streak()) checkpoint(g);
    return;
  }
  if (rule.min_count > 0 && g->life.firing()) {
    // As for a local group: an empty window follows and resolves the alert when it closes.
    int64_t start = g->judged_until - rule.window.size_ms + rule.window.advance_ms;
    g->windows.push_back(OpenWindow{start, INT64_MAX, Aggregate(false), nullptr});
    partitions_[g->partition].closing[start + rule.window.size_ms].push_back(g);
    return;
  }
  if (!g->life.idle()) {
    // Partials of the next window may still be on their way (each source sends it when its own
    // watermark passes its end): the gap is judged once the next window's end has passed.
    partitions_[g->partition].closing[g->judged_until + rule.window.advance_ms].push_back(g);
    return;
  }
  evict_if_done(g);
}

void Engine::checkpoint(Group* g) {
  Checkpoint c;
  c.id = g->id;
  c.rule = g->rule->rule.name;
  c.shape = g->rule->shape;
  c.labels = g->labels;
  c.end = g->judged_until;
  c.seq = ++g->checkpoint_seq;
  c.writer = writer_;
  c.life = g->life.snapshot();
  // Until it is read back, the commit is pinned where the checkpoint can be no earlier.
  auto p = partitions_.find(g->offset_partition);
  g->checkpoint_offset = g->life.in_streak() && p != partitions_.end()
                             ? std::max<int64_t>(p->second.next_offset, 0)
                             : -1;
  checkpoints_.push_back(std::move(c));
  ++stats_.checkpoints;
}

void Engine::evict_if_done(Group* g) {
  if (!g->windows.empty()) return;
  // No window follows: the data stopped, so no streak can continue from here.
  g->life.break_streak();
  if (g->life.idle() && std::find(evict_.begin(), evict_.end(), g) == evict_.end()) {
    evict_.push_back(g);
  }
}

void Engine::emit(Group* g, Transition t, int64_t start, int64_t end, double value, int64_t count,
                  int64_t wall_now, std::vector<Alert>* out) {
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
  if (g->role == Role::kStage2) a.closed_us = closing_at_us_;
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
      {"cmp",
       a.firing ? (rule.op == Op::kAbove ? ">" : "<") : (rule.op == Op::kAbove ? "<=" : ">=")},
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
    if (p.sources) continue;  // stage-2 windows close on their sources' watermarks only
    // Quiet for idle_timeout, and read to its end (a partition still being fetched is not quiet).
    if (!p.at_end || wall_now - p.last_arrival_wall < config_.idle_timeout_ms) continue;
    int64_t wm = wall_now - config_.allowed_lateness_ms;
    if (!p.closing.empty() && wm > p.watermark && p.closing.begin()->first <= wm) {
      ++stats_.idle_closes;
      // Only as far as the last window that had to close: records that arrive later with older
      // times (an agent delivering what it buffered through an outage, a host whose clock
      // lags) still open new windows instead of being counted late against windows that never
      // existed.
      advance_watermark(n, p, std::prev(p.closing.upper_bound(wm))->first, wall_now, out);
    }
    // Every window ending by now was closed and sent: stage 2 need not wait for this partition.
    p.progress = std::max(p.progress, wm);
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
      auto it = out.find(g->offset_partition);
      if (it == out.end()) continue;
      if (!g->windows.empty()) it->second = std::min(it->second, g->windows.front().first_offset);
      if (!g->life.in_streak()) continue;
      int64_t pin = g->role == Role::kStage2 ? g->checkpoint_offset : g->streak_offset;
      if (pin >= 0) it->second = std::min(it->second, pin);
    }
  }
  return out;
}

std::map<int32_t, std::string> Engine::commit_metadata() const {
  std::map<int32_t, std::string> out;
  for (const auto& [n, p] : partitions_) {
    if (n >= 0 && p.next_offset >= 0 && !p.sources) {
      // Every window ending here or before was closed: judged, or sent by stage 1 (and what it
      // produced acknowledged before the commit).
      int64_t closed = std::max(p.watermark, p.stage1_floor);
      if (closed != INT64_MIN) out[n] = fmt::format("w={}", closed);
    }
  }
  for (const auto& [n, d] : partitions_) {
    if (!d.sources || d.watermark == INT64_MIN) continue;
    std::string& text = out[d.input];
    if (!text.empty()) text += ';';
    text += fmt::format("{}={}", d.kind == SourceKind::kMetrics ? "m" : "h", d.watermark);
  }
  return out;
}

void Engine::drop_partitions(const std::vector<int32_t>& partitions) {
  auto dropped = [&](int32_t p) {
    return std::find(partitions.begin(), partitions.end(), p) != partitions.end();
  };
  for (auto& rs : rules_) {
    for (auto it = rs->groups.begin(); it != rs->groups.end();) {
      it = dropped(it->second->offset_partition) ? rs->groups.erase(it) : std::next(it);
    }
  }
  // Cross-partition groups stay: other partitions still feed them.
  for (int32_t p : partitions) {
    partitions_.erase(p);
    partitions_.erase(domain_of(p, SourceKind::kMetrics));
    partitions_.erase(domain_of(p, SourceKind::kHttp));
  }
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

size_t Engine::window_count() const {
  size_t n = 0;
  for (const auto& rs : rules_) {
    for (const auto& [id, g] : rs->groups) n += g->windows.size();
  }
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

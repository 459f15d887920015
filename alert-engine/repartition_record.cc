// JSON encoding of partials, watermark records and checkpoints on the repartition topic.
#include "alert-engine/repartition_record.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace sentinel::alerts {
namespace {

using Json = nlohmann::json;

uint64_t fnv1a64(std::string_view s, uint64_t h = 14695981039346656037ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

Json labels_json(const Labels& labels) {
  Json a = Json::array();
  for (const auto& [k, v] : labels) a.push_back({k, v});
  return a;
}

const char* state_name(Lifecycle::State s) {
  switch (s) {
    case Lifecycle::State::kInactive:
      return "inactive";
    case Lifecycle::State::kPending:
      return "pending";
    case Lifecycle::State::kFiring:
      return "firing";
  }
  return "?";
}

// Reads fields of one record, remembering the first that is missing or of the wrong type.
class Reader {
 public:
  explicit Reader(const Json& j) : j_(j) {}
  template <typename T>
  T get(const char* field, T fallback = T{}) {
    auto it = j_.find(field);
    if (it == j_.end()) return fail(field, "missing"), fallback;
    try {
      return it->template get<T>();
    } catch (const Json::exception&) {
      return fail(field, "wrong type"), fallback;
    }
  }
  template <typename T>
  T optional(const char* field, T fallback) {
    return j_.contains(field) ? get<T>(field, fallback) : fallback;
  }
  uint64_t hex(const char* field) {
    std::string text = get<std::string>(field);
    char* end = nullptr;
    uint64_t v = std::strtoull(text.c_str(), &end, 16);
    if (text.empty() || *end) fail(field, "expected hex digits");
    return v;
  }
  uint64_t shape() { return hex("shape"); }
  Labels labels() {
    Labels out;
    auto it = j_.find("labels");
    if (it == j_.end() || !it->is_array())
      return fail("labels", "expected [[name, value], …]"), out;
    for (const auto& l : *it) {
      if (!l.is_array() || l.size() != 2 || !l[0].is_string() || !l[1].is_string()) {
        fail("labels", "expected [[name, value], …]");
        return out;
      }
      out.emplace_back(l[0].get<std::string>(), l[1].get<std::string>());
    }
    return out;
  }
  void fail(const char* field, const char* what) {
    if (error_.empty()) error_ = fmt::format("field {}: {}", field, what);
  }
  const std::string& error() const { return error_; }

 private:
  const Json& j_;
  std::string error_;
};

}  // namespace

std::string encode_partial(const Partial& p) {
  Json j = {{"v", 1},
            {"k", "partial"},
            {"topic", p.topic},
            {"partition", p.partition},
            {"rule", p.rule},
            {"shape", fmt::format("{:016x}", p.shape)},
            {"labels", labels_json(p.labels)},
            {"start", p.start},
            {"chunk", p.chunk},
            {"chunks", p.chunks},
            {"count", p.agg.count},
            {"at", p.at_us}};
  if (p.agg.count > 0) {
    j["sum"] = p.agg.sum;
    j["min"] = p.agg.min;
    j["max"] = p.agg.max;
    j["first"] = {p.agg.first_ts, p.agg.first};
    j["last"] = {p.agg.last_ts, p.agg.last};
  }
  if (!p.agg.samples.empty()) j["samples"] = p.agg.samples;
  return j.dump();
}

std::string encode_mark(const SourceMark& m) {
  return Json({{"v", 1},
               {"k", "watermark"},
               {"topic", m.topic},
               {"partition", m.partition},
               {"partitions", m.partitions},
               {"watermark", m.watermark},
               {"end", m.end},
               {"at", m.at_us}})
      .dump();
}

std::string encode_checkpoint(const Checkpoint& c) {
  const Lifecycle::Snapshot& s = c.life;
  Json life = {{"state", state_name(s.state)},
               {"pending", s.pending},
               {"since", s.since},
               {"last_start", s.last_start},
               {"last_breach_end", s.last_breach_end},
               {"streak_start", s.streak_start},
               {"clearing", s.clearing},
               {"flapping", s.flapping},
               {"firings", s.firings}};
  return Json({{"v", 1},
               {"k", "checkpoint"},
               {"rule", c.rule},
               {"shape", fmt::format("{:016x}", c.shape)},
               {"labels", labels_json(c.labels)},
               {"end", c.end},
               {"seq", c.seq},
               {"writer", fmt::format("{:016x}", c.writer)},
               {"life", life}})
      .dump();
}

bool decode_repartition_record(std::string_view json, RepartitionRecord* out, std::string* error) {
  Json j = Json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    if (error) *error = "not a JSON object";
    return false;
  }
  Reader r(j);
  std::string kind = r.get<std::string>("k");
  if (kind == "partial") {
    out->kind = RepartitionRecord::Kind::kPartial;
    Partial& p = out->partial;
    p = Partial{};
    p.topic = r.get<std::string>("topic");
    p.partition = r.get<int32_t>("partition");
    p.rule = r.get<std::string>("rule");
    p.shape = r.shape();
    p.labels = r.labels();
    p.start = r.get<int64_t>("start");
    p.chunk = r.optional<int32_t>("chunk", 0);
    p.chunks = r.optional<int32_t>("chunks", 1);
    p.agg.count = r.get<int64_t>("count");
    if (p.agg.count > 0) {
      p.agg.sum = r.get<double>("sum");
      p.agg.min = r.get<double>("min");
      p.agg.max = r.get<double>("max");
      auto first = r.get<std::pair<int64_t, double>>("first");
      auto last = r.get<std::pair<int64_t, double>>("last");
      p.agg.first_ts = first.first;
      p.agg.first = first.second;
      p.agg.last_ts = last.first;
      p.agg.last = last.second;
    }
    p.agg.samples = r.optional<std::vector<double>>("samples", {});
    p.at_us = r.optional<int64_t>("at", 0);
    if (p.chunks < 1 || p.chunk < 0 || p.chunk >= p.chunks) r.fail("chunk", "out of range");
  } else if (kind == "watermark") {
    out->kind = RepartitionRecord::Kind::kMark;
    SourceMark& m = out->mark;
    m = SourceMark{};
    m.topic = r.get<std::string>("topic");
    m.partition = r.get<int32_t>("partition");
    m.partitions = r.get<int32_t>("partitions");
    m.watermark = r.get<int64_t>("watermark");
    m.end = r.optional<bool>("end", false);
    m.at_us = r.optional<int64_t>("at", 0);
    if (m.partition < 0 || m.partitions <= m.partition)
      r.fail("partitions", "expected more than partition");
  } else if (kind == "checkpoint") {
    out->kind = RepartitionRecord::Kind::kCheckpoint;
    Checkpoint& c = out->checkpoint;
    c = Checkpoint{};
    c.rule = r.get<std::string>("rule");
    c.shape = r.shape();
    c.labels = r.labels();
    c.end = r.get<int64_t>("end");
    c.seq = r.get<uint64_t>("seq");
    c.writer = r.hex("writer");
    auto life = j.find("life");
    if (life == j.end() || !life->is_object()) {
      r.fail("life", "expected an object");
    } else {
      Reader l(*life);
      Lifecycle::Snapshot& s = c.life;
      std::string state = l.get<std::string>("state");
      if (state == "inactive")
        s.state = Lifecycle::State::kInactive;
      else if (state == "pending")
        s.state = Lifecycle::State::kPending;
      else if (state == "firing")
        s.state = Lifecycle::State::kFiring;
      else
        l.fail("state", "expected inactive, pending or firing");
      s.pending = l.get<int>("pending");
      s.since = l.get<int64_t>("since");
      s.last_start = l.get<int64_t>("last_start");
      s.last_breach_end = l.get<int64_t>("last_breach_end");
      s.streak_start = l.get<int64_t>("streak_start");
      s.clearing = l.get<bool>("clearing");
      s.flapping = l.get<bool>("flapping");
      s.firings = l.get<std::vector<int64_t>>("firings");
      if (!l.error().empty()) r.fail("life", l.error().c_str());
    }
  } else {
    r.fail("k", "expected partial, watermark or checkpoint");
  }
  if (!r.error().empty()) {
    if (error) *error = r.error();
    return false;
  }
  return true;
}

int32_t partition_of(std::string_view alert_id, int32_t partitions) {
  uint32_t h = 2166136261u;
  for (unsigned char c : alert_id) {
    h ^= c;
    h *= 16777619u;
  }
  return partitions > 0 ? static_cast<int32_t>(h % static_cast<uint32_t>(partitions)) : 0;
}

uint64_t rule_shape(const Rule& r) {
  std::string text =
      fmt::format("{}|{}|{}|{}|{}|{}|{}|{}", r.name, r.resource, r.metric, r.window.size_ms,
                  r.window.advance_ms, agg_name(r.agg), static_cast<int>(r.placement), r.from_http);
  for (const auto& [k, v] : r.match) text += fmt::format("|m:{}={}", k, v);
  for (const auto& g : r.group_by) text += "|g:" + g;
  return fnv1a64(text);
}

}  // namespace sentinel::alerts

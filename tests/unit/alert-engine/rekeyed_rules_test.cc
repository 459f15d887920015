// Re-keyed rules through an in-memory repartition topic (docs/alerts.md, Several instances):
// engines as instances, each stage 1 for some source partitions and stage 2 for some repartition
// partitions, every record between them encoded and decoded as on Kafka. One instance and three
// give the same alerts; a window is judged only once every source partition has passed it; a
// replayed partial replaces instead of adding; a stage-1 replay after a commit sends no window
// twice from part of its records; a stage-2 restart keeps a `for` streak by its checkpoint.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "alert-engine/engine.h"
#include "alert-engine/repartition_record.h"

namespace sentinel::alerts {
namespace {

constexpr int32_t kSources = 3;  // system_metrics partitions: slots 0..2
constexpr int32_t kRepartition = 4;
constexpr int32_t kRSlot = 1000;  // repartition partition r is slot 1000 + r

AlertsConfig fleet_config(int for_windows = 2) {
  AlertsConfig c;
  c.allowed_lateness_ms = 0;
  c.idle_timeout_ms = 10000;
  c.host_silent.enabled = false;
  c.input_key = InputKey::kHost;
  Rule r;
  r.name = "cpu_fleet";
  r.resource = "cpu";
  r.metric = "usage_pct";
  r.group_by = {};  // fleet-wide: every host, every partition
  r.window = {10000, 10000};
  r.agg = Agg::kAvg;
  r.threshold = 50;
  r.resolve = 40;
  r.for_windows = for_windows;
  r.placement = Placement::kRekeyed;
  r.summary = "fleet cpu {value}";
  c.rules.push_back(r);
  Rule p95 = r;
  p95.name = "cpu_fleet_p95";
  p95.agg = Agg::kP95;
  p95.threshold = 90;
  p95.resolve = 80;
  p95.for_windows = 1;
  c.rules.push_back(p95);
  return c;
}

struct Record {
  int32_t source;
  int64_t offset;
  int64_t ts;
  std::string host;
  double value;
};

// Nine hosts over three partitions (key = host), one record a second each for `seconds`; the
// fleet is hot (the average above 50) in seconds [30, 60) and [90, 100).
std::vector<Record> fleet(int seconds) {
  std::vector<Record> out;
  std::map<int32_t, int64_t> offsets;
  for (int s = 0; s < seconds; ++s) {
    bool hot = (s >= 30 && s < 60) || (s >= 90 && s < 100);
    for (int h = 0; h < 9; ++h) {
      int32_t source = h % kSources;
      double v = hot ? 60 + h : 20 + h;
      if (h == 4 && s % 10 == 3) v = 99;  // a p95 spike now and then
      out.push_back({source, offsets[source]++, 1000000 + s * 1000, "h" + std::to_string(h), v});
    }
  }
  return out;
}

struct Published {
  std::string id;
  bool firing;
  int64_t end;
  double value;
  bool operator<(const Published& o) const {
    return std::tie(id, end, firing) < std::tie(o.id, o.end, o.firing);
  }
  bool operator==(const Published& o) const {
    return id == o.id && firing == o.firing && end == o.end && value == o.value;
  }
};

// The repartition topic in memory.
struct Bus {
  std::vector<std::vector<std::string>> partitions{kRepartition};
  void append(int32_t r, std::string value) { partitions[static_cast<size_t>(r)].push_back(value); }
};

struct Instance {
  explicit Instance(const AlertsConfig& c) : engine(c) {}
  Engine engine;
  std::set<int32_t> sources;
  std::set<int32_t> reparts;  // 0..kRepartition-1
  std::map<int32_t, int64_t> read;
  std::map<int32_t, int64_t> marked;  // source → last watermark sent
  std::vector<Alert> alerts;
};

class Pipeline {
 public:
  // `owners[i]`: the source partitions and the repartition partitions of instance i.
  Pipeline(const AlertsConfig& c,
           std::vector<std::pair<std::set<int32_t>, std::set<int32_t>>> owners)
      : config_(c) {
    for (auto& [sources, reparts] : owners) {
      auto in = std::make_unique<Instance>(c);
      in->sources = sources;
      in->reparts = reparts;
      std::vector<int32_t> slots(sources.begin(), sources.end());
      in->engine.add_partitions(slots, SourceKind::kMetrics, 0);
      instances_.push_back(std::move(in));
    }
  }

  Instance& owner_of_source(int32_t source) {
    for (auto& in : instances_) {
      if (in->sources.count(source)) return *in;
    }
    throw std::runtime_error("no owner");
  }

  void feed(const Record& r, int64_t wall = 0) {
    MetricRecord m;
    m.host = r.host;
    m.resource = "cpu";
    m.ts = r.ts;
    m.metrics.emplace_back("usage_pct", r.value);
    Instance& in = owner_of_source(r.source);
    in.engine.on_record(m, r.source, r.offset, wall, &in.alerts);
  }

  // Moves stage-1 output to the bus and the bus to stage 2 until nothing moves.
  void pump(int64_t wall = 0) {
    for (bool moved = true; moved;) {
      moved = false;
      for (auto& in : instances_) moved |= send(*in);
      for (auto& in : instances_) moved |= receive(*in, wall);
    }
  }

  // Every source partition read to its end and quiet: idle close by wall clock.
  void finish(int64_t wall) {
    for (auto& in : instances_) {
      for (int32_t s : in->sources) in->engine.on_partition_end(s);
      in->engine.on_tick(wall, &in->alerts);
    }
    pump(wall);
  }

  std::vector<Published> published() const {
    std::vector<Published> out;
    for (const auto& in : instances_) {
      for (const auto& a : in->alerts) out.push_back({a.id, a.firing, a.window_end, a.value});
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // Checkpoints written while this is set wait here (read back late) until released.
  void release_checkpoints() {
    for (auto& [r, value] : held_) bus.append(r, value);
    held_.clear();
  }

  Bus bus;
  std::vector<std::unique_ptr<Instance>> instances_;
  bool send_marks = true;
  bool hold_checkpoints = false;

 private:
  bool send(Instance& in) {
    bool moved = false;
    for (auto& p : in.engine.take_partials()) {
      p.topic = "system_metrics";
      p.partition = p.source;
      bus.append(partition_of(p.id, kRepartition), encode_partial(p));
      moved = true;
    }
    for (auto& c : in.engine.take_checkpoints()) {
      if (hold_checkpoints) {
        held_.emplace_back(partition_of(c.id, kRepartition), encode_checkpoint(c));
        continue;
      }
      bus.append(partition_of(c.id, kRepartition), encode_checkpoint(c));
      moved = true;
    }
    if (!send_marks) return moved;
    for (auto [source, wm] : in.engine.source_progress()) {
      if (!in.sources.count(source)) continue;
      auto [it, fresh] = in.marked.try_emplace(source, INT64_MIN);
      if (!fresh && it->second == wm) continue;
      it->second = wm;
      SourceMark m{source, "system_metrics", source, kSources, wm, false, 0};
      for (int32_t r = 0; r < kRepartition; ++r) bus.append(r, encode_mark(m));
      moved = true;
    }
    return moved;
  }

  bool receive(Instance& in, int64_t wall) {
    bool moved = false;
    for (int32_t r : in.reparts) {
      auto& log = bus.partitions[static_cast<size_t>(r)];
      for (int64_t& at = in.read[r]; at < static_cast<int64_t>(log.size()); ++at) {
        RepartitionRecord rec;
        std::string error;
        EXPECT_TRUE(decode_repartition_record(log[static_cast<size_t>(at)], &rec, &error)) << error;
        switch (rec.kind) {
          case RepartitionRecord::Kind::kPartial:
            rec.partial.source = rec.partial.partition;
            in.engine.on_partial(rec.partial, kRSlot + r, at, wall, &in.alerts);
            break;
          case RepartitionRecord::Kind::kMark:
            in.engine.on_mark(SourceKind::kMetrics, rec.mark, kRSlot + r, at, wall, &in.alerts);
            break;
          case RepartitionRecord::Kind::kCheckpoint:
            in.engine.on_checkpoint(rec.checkpoint, kRSlot + r, at);
            break;
        }
        moved = true;
      }
    }
    return moved;
  }

  AlertsConfig config_;
  std::vector<std::pair<int32_t, std::string>> held_;
};

std::set<int32_t> all_reparts() { return {0, 1, 2, 3}; }

std::vector<Published> run_one_instance_backlog(const std::vector<Record>& records) {
  // One instance reads a backlog one partition after another.
  Pipeline p(fleet_config(), {{{0, 1, 2}, all_reparts()}});
  for (int32_t source = 0; source < kSources; ++source) {
    for (const auto& r : records) {
      if (r.source == source) p.feed(r);
    }
    p.pump();
  }
  p.finish(3000000);
  return p.published();
}

TEST(RekeyedRules, OneInstanceAndThreeGiveTheSameAlertsToTheLastBit) {
  auto records = fleet(120);
  auto one = run_one_instance_backlog(records);
  ASSERT_FALSE(one.empty());

  // Three instances, each stage 1 for one source partition and stage 2 for some of the
  // repartition partitions, reading at different speeds (instance 2 lags far behind).
  Pipeline three(fleet_config(), {{{0}, {0, 1}}, {{1}, {2}}, {{2}, {3}}});
  std::vector<Record> lagging;
  for (const auto& r : records) {
    if (r.source == 2) {
      lagging.push_back(r);
    } else {
      three.feed(r);
      three.pump();
    }
  }
  for (const auto& r : lagging) {
    three.feed(r);
    if (r.offset % 7 == 0) three.pump();
  }
  three.pump();
  three.finish(3000000);
  EXPECT_EQ(three.published(), one);

  // And what a single engine reading every record from one partition computes (ids, states,
  // window ends; the values agree to rounding).
  AlertsConfig local = fleet_config();
  for (auto& r : local.rules) r.placement = Placement::kLocal;
  Engine e(local);
  std::vector<Alert> out;
  int64_t offset = 0;
  for (const auto& r : records) {
    MetricRecord m;
    m.host = r.host;
    m.resource = "cpu";
    m.ts = r.ts;
    m.metrics.emplace_back("usage_pct", r.value);
    e.on_record(m, 0, offset++, 0, &out);
  }
  e.on_tick(3000000, &out);
  std::vector<Published> truth;
  for (const auto& a : out) truth.push_back({a.id, a.firing, a.window_end, a.value});
  std::sort(truth.begin(), truth.end());
  ASSERT_EQ(truth.size(), one.size());
  for (size_t i = 0; i < truth.size(); ++i) {
    EXPECT_EQ(truth[i].id, one[i].id);
    EXPECT_EQ(truth[i].firing, one[i].firing);
    EXPECT_EQ(truth[i].end, one[i].end);
    EXPECT_NEAR(truth[i].value, one[i].value, 1e-9);
  }
  // The `for: 2` rule fired at the second hot window of the first spike: streaks span windows
  // whose partials reach stage 2 after the previous window was judged.
  auto fired = std::find_if(one.begin(), one.end(),
                            [](const Published& p) { return p.id == "cpu_fleet/" && p.firing; });
  ASSERT_NE(fired, one.end());
  EXPECT_EQ(fired->end, 1000000 + 50000);
}

// Live traffic: every partition passes a window's end at about the same time, so stage 2 judges
// a window before any partial of the next one is there. A `for: 2` streak still continues.
TEST(RekeyedRules, AStreakSpansWindowsWhosePartialsComeAfterThePreviousWasJudged) {
  Pipeline p(fleet_config(2), {{{0}, {0, 1}}, {{1}, {2}}, {{2}, {3}}});
  for (const auto& r : fleet(120)) {
    p.feed(r);
    p.pump();
  }
  p.finish(3000000);
  auto out = p.published();
  auto fired = std::find_if(out.begin(), out.end(),
                            [](const Published& a) { return a.id == "cpu_fleet/" && a.firing; });
  ASSERT_NE(fired, out.end());
  EXPECT_EQ(fired->end, 1000000 + 50000);
}

TEST(RekeyedRules, AWindowWaitsForEverySourcePartitionsWatermark) {
  Pipeline p(fleet_config(1), {{{0, 1, 2}, all_reparts()}});
  auto records = fleet(70);
  for (const auto& r : records) {
    if (r.source != 1) p.feed(r);
  }
  p.pump();
  EXPECT_TRUE(p.published().empty()) << "judged without partition 1";
  for (const auto& r : records) {
    if (r.source == 1) p.feed(r);
  }
  p.pump();
  EXPECT_FALSE(p.published().empty());
}

TEST(RekeyedRules, AReplayedPartialReplacesTheOneSentBefore) {
  AlertsConfig c = fleet_config(1);
  c.rules.resize(1);
  c.rules[0].agg = Agg::kCount;
  c.rules[0].op = Op::kBelow;  // fires while a window has fewer than 91 records
  c.rules[0].threshold = 91;
  c.rules[0].resolve.reset();
  Pipeline p(c, {{{0, 1, 2}, all_reparts()}});
  p.send_marks = false;  // stage 2 holds every window
  for (const auto& r : fleet(25)) p.feed(r);
  p.pump();
  // Every partial sent a second time, as a stage-1 owner restarted before its commit does.
  for (auto& log : p.bus.partitions) {
    std::vector<std::string> copy = log;
    for (auto& m : copy) log.push_back(m);
  }
  p.send_marks = true;
  p.pump();
  auto out = p.published();
  ASSERT_FALSE(out.empty());
  EXPECT_TRUE(out[0].firing);
  EXPECT_EQ(out[0].value, 90);  // 9 hosts × 10 s, not 180
}

// A restarted stage-1 owner replays its source partition from the committed offset, which lies
// inside windows it had already sent (hopping windows share records). Restoring the watermark
// committed with the offset, it does not send those windows again from part of their records:
// stage 2, still waiting for the other partitions, keeps the complete partials.
TEST(RekeyedRules, AStage1ReplayFromTheCommitPointSendsNoWindowTwice) {
  AlertsConfig c = fleet_config(1);
  c.rules.resize(1);
  c.rules[0].window = {20000, 10000};
  // Fires while a window holds fewer records than two thirds of 9 hosts × 20 s: the windows at
  // the edges of the data, and a window sent again from part of its records.
  c.rules[0].agg = Agg::kCount;
  c.rules[0].op = Op::kBelow;
  c.rules[0].threshold = 170;
  c.rules[0].resolve.reset();
  auto records = fleet(60);
  auto topology = [] {
    return std::vector<std::pair<std::set<int32_t>, std::set<int32_t>>>{{{0}, {}},
                                                                        {{1, 2}, all_reparts()}};
  };
  auto lagging_then_rest = [&](Pipeline& p) {
    for (const auto& r : records) {
      if (r.source != 0) p.feed(r);
    }
    p.pump();
    p.finish(3000000);
  };
  Pipeline clean(c, topology());
  for (const auto& r : records) {
    if (r.source == 0) clean.feed(r);
  }
  clean.pump();
  lagging_then_rest(clean);
  auto want = clean.published();
  ASSERT_FALSE(want.empty());

  Pipeline p(c, topology());
  int64_t committed = -1;
  std::string metadata;
  for (const auto& r : records) {
    if (r.source != 0) continue;
    p.feed(r);
    p.pump();
    if (r.ts == 1000000 + 25000) {  // commit here: [0 s, 20 s) was sent, [10 s, 30 s) is open
      committed = p.instances_[0]->engine.commit_offsets().at(0);
      metadata = p.instances_[0]->engine.commit_metadata().at(0);
    }
    if (r.ts == 1000000 + 45000) break;  // killed, later
  }
  ASSERT_GE(committed, 0);
  EXPECT_LT(committed, 3 * 20) << "the commit point lies inside [0 s, 20 s)'s records";
  // The next owner: restores what the commit carries, reads from the committed offset.
  auto next = std::make_unique<Instance>(c);
  next->sources = {0};
  next->engine.add_partitions({0}, SourceKind::kMetrics, 0);
  next->engine.restore_metadata(0, metadata);
  p.instances_[0] = std::move(next);
  for (const auto& r : records) {
    if (r.source == 0 && r.offset >= committed) p.feed(r);
  }
  p.pump();
  lagging_then_rest(p);
  EXPECT_EQ(p.published(), want);
  // The count of [1000 s, 1020 s): 9 hosts × 20 s, so the window at the start resolved.
  ASSERT_GE(want.size(), 2u);
  EXPECT_FALSE(want[1].firing);
  EXPECT_EQ(want[1].end, 1000000 + 20000);
  EXPECT_EQ(want[1].value, 180);
}

// Stage 2 killed in a `for: 3` streak two windows long: the instance that takes its partitions
// over reads the group's checkpoint back and fires at the third window, as without the restart.
TEST(RekeyedRules, AStage2RestartKeepsAForStreakByItsCheckpoint) {
  AlertsConfig c = fleet_config(3);
  c.rules.resize(1);
  auto records = fleet(120);
  auto run = [&](bool restart) {
    Pipeline p(c, {{{0, 1, 2}, {}}, {{}, all_reparts()}});
    std::map<int32_t, int64_t> committed;
    std::map<int32_t, std::string> metadata;
    for (const auto& r : records) {
      p.feed(r);
      p.pump();
      if (restart && r.ts == 1000000 + 52000 && r.source == 2 && committed.empty()) {
        // [30 s, 40 s) and [40 s, 50 s) were hot: pending, 2 of 3.
        Engine& e = p.instances_[1]->engine;
        for (auto [slot, off] : e.commit_offsets()) committed[slot - kRSlot] = off;
        for (auto [slot, m] : e.commit_metadata()) metadata[slot - kRSlot] = m;
        auto next = std::make_unique<Instance>(c);
        next->reparts = all_reparts();
        for (auto [r2, m] : metadata) next->engine.restore_metadata(kRSlot + r2, m);
        for (auto [r2, off] : committed) next->read[r2] = off;
        p.instances_[1] = std::move(next);
      }
    }
    p.finish(3000000);
    EXPECT_TRUE(!restart || !committed.empty());
    return p.instances_[1]->alerts;
  };
  auto clean = run(false);
  ASSERT_FALSE(clean.empty());
  EXPECT_TRUE(clean[0].firing);
  EXPECT_EQ(clean[0].window_end, 1000000 + 60000);
  auto restarted = run(true);
  ASSERT_FALSE(restarted.empty());
  EXPECT_TRUE(restarted[0].firing);
  EXPECT_EQ(restarted[0].window_end, 1000000 + 60000) << "the streak was lost in the restart";
}

// The same for a re-keyed rule: a URL that stopped receiving requests before the commit point
// resolves once every source partition passed the window after the last one judged.
TEST(RekeyedRules, AFiringUrlAlertWhoseUrlStoppedResolvesAfterARestart) {
  AlertsConfig c;
  c.allowed_lateness_ms = 0;
  c.host_silent.enabled = false;
  Rule r;
  r.name = "http_5xx_url";
  r.from_http = true;
  r.resource = kHttpResource;
  r.metric = "err5xx";
  r.group_by = {"host", "path"};
  r.window = {10000, 10000};
  r.threshold = 0.5;
  r.min_count = 20;
  r.placement = Placement::kRekeyed;
  c.rules.push_back(r);
  std::string id = "http_5xx_url/host=web-1,path=/x";
  auto run = [&](bool resume) {
    Engine e(c);
    e.restore({{id, true, 10000, 0, 10000, {{"host", "web-1"}, {"path", "/x"}}}}, 0);
    e.restore_metadata(kRSlot, "h=20000");
    if (resume) e.resume_firing([](const Rule&, const Labels&) { return kRSlot; });
    std::vector<Alert> out;
    SourceMark m{0, "http_logs", 0, 1, 40000, false, 0};
    e.on_mark(SourceKind::kHttp, m, kRSlot, 0, 0, &out);
    return out;
  };
  EXPECT_TRUE(run(false).empty());
  auto out = run(true);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, id);
  EXPECT_FALSE(out[0].firing);
  EXPECT_EQ(out[0].window_end, 30000);
}

// Stage 2 reads its own checkpoints back after the streak they describe has ended and the group
// was evicted (its partition lags behind what it writes): they are its own, not a previous
// owner's, so no group comes back to life from them — no second `resolved` later.
TEST(RekeyedRules, ItsOwnCheckpointsReadBackLateRaiseNoGroupFromTheDead) {
  Pipeline p(fleet_config(2), {{{0, 1, 2}, all_reparts()}});
  auto records = fleet(120);
  p.hold_checkpoints = true;
  for (const auto& r : records) {
    p.feed(r);
    p.pump();
    if (r.ts == 1000000 + 85000) {  // fired at 60 s, resolved at 80 s: the group is gone
      p.release_checkpoints();
      p.pump();
      p.hold_checkpoints = false;
    }
  }
  p.finish(3000000);
  std::vector<std::string> states;
  for (const auto& a : p.published()) {
    if (a.id == "cpu_fleet/") states.push_back(a.firing ? "firing" : "resolved");
  }
  // The first spike, then the second (90 s to 100 s: one hot window, `for: 2` is not met).
  EXPECT_EQ(states, (std::vector<std::string>{"firing", "resolved"}));
}

}  // namespace
}  // namespace sentinel::alerts

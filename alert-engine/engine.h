// The alert engine's pure core: records in, alerts out, times passed in as values.
//
// Each record is matched against the rules for its resource (selected once per resource, not
// per rule), assigned to the windows of its group (rule × group_by labels) and aggregated.
// Every input partition has its own event-time watermark, max(ts) − allowed lateness; windows of
// the partition close when it reaches their end, or — when the partition has received nothing
// for idle_timeout of wall clock — once wall clock − lateness passes their end, so a quiet
// partition still closes its windows. A record whose every window is already closed is counted
// as late and not merged. Closed windows drive each group's Lifecycle; firing and resolved
// transitions come out as Alerts.
//
// Restarts: restore() takes the last state per alert id read back from system_alerts. A group
// starts from it (a firing alert stays firing, no second `firing`), and transitions at windows
// ending at or before the recovered window's end are not emitted again (they are in the topic
// already) — replaying input from the committed offsets rebuilds windows and pending streaks
// without duplicating output. That holds for every group of the id made until the next
// assignment, not only the first: a replay often re-makes a group that closed and was evicted
// (a client that paused for a window before its alert). commit_offsets() says how far each
// partition may be committed: no further than the first record of any open window or of a
// pending/clearing streak.
//
// Re-keyed rules (Placement::kRekeyed, docs/alerts.md "Several instances") run in two stages.
// Stage 1, where the records are read: windows per source partition, closed on that partition's
// watermark; a closed window leaves as a Partial (take_partials()), and source_progress() says
// how far each source partition has sent everything. Stage 2, where the repartition partition
// is read: on_partial() replaces the window's partial from that source, on_mark() moves the
// source's watermark, and a window closes when the lowest watermark over all partitions of the
// source topic passes its end; then it is judged like any window. Groups in a `for` or
// `keep_firing_for` streak leave Checkpoints (take_checkpoints()) that on_checkpoint() restores
// after a restart. commit_metadata() gives what a commit must carry so that a replay neither
// resends a window already sent (stage 1) nor judges one already judged (stage 2).
//
// Partitions are "slots" numbered by the caller: input partitions of both topics and the
// repartition topic's partitions, all non-negative.
//
// Single-threaded; the caller serialises calls.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "alert-engine/alert.h"
#include "alert-engine/lifecycle.h"
#include "alert-engine/repartition_record.h"
#include "alert-engine/rules.h"
#include "alert-engine/source_watermarks.h"
#include "alert-engine/window.h"
#include "records/system_metrics.h"

namespace sentinel::alerts {

// The engine evaluates system_metrics records (and samples of http_logs in the same shape).
using records::MetricRecord;

struct EngineStats {
  uint64_t records = 0;     // records evaluated
  uint64_t late = 0;        // records whose windows had all closed (not merged)
  uint64_t bad = 0;         // records that could not be parsed
  uint64_t suppressed = 0;  // transitions already in system_alerts before a restart
  uint64_t fired = 0;
  uint64_t resolved = 0;
  uint64_t idle_closes = 0;       // times a quiet partition's windows were closed by wall clock
  uint64_t partials_sent = 0;     // stage 1
  uint64_t partials_merged = 0;   // stage 2
  uint64_t partials_late = 0;     // stage 2: for a window already judged (or a replay of one)
  uint64_t partials_foreign = 0;  // stage 2: of a rule unknown here or defined differently
  uint64_t checkpoints = 0;       // stage 2: written
  uint64_t checkpoints_restored = 0;
};

// Which input topic a slot reads: the rules its records feed.
enum class SourceKind { kMetrics = 0, kHttp = 1 };

class Engine {
 public:
  // The partition of groups of cross_partition rules: their windows close on the newest
  // watermark of all partitions that fed them.
  static constexpr int32_t kAllPartitions = -1;

  explicit Engine(const AlertsConfig& config);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // New rules (SIGHUP). Rules whose definition is unchanged keep their windows and state; the
  // open alerts of changed rules carry over as recovered state; alerts of removed rules resolve.
  void set_config(const AlertsConfig& config, int64_t wall_now, std::vector<Alert>* out);

  // Partitions that feed cross-partition rules (the HTTP topic's, on assignment): their windows
  // wait for each of them — the kAllPartitions watermark is the lowest of their watermarks,
  // leaving out those quiet for idle_timeout — so a backlog read one partition after another
  // does not close windows before the other partitions' records are in.
  void add_cross_partitions(const std::vector<int32_t>& partitions, int64_t wall_now);

  // On assignment: these input slots of `kind` are read from now on. They are not idle (for the
  // idle close and the progress reported to stage 2) before on_partition_end() said their end
  // was reached once; partitions never announced count as at their end.
  void add_partitions(const std::vector<int32_t>& slots, SourceKind kind, int64_t wall_now);
  void on_partition_end(int32_t slot);
  // Commit metadata restored on assignment (see commit_metadata()).
  void restore_metadata(int32_t slot, std::string_view metadata);

  // The last state per id from system_alerts; call before the first record of a partition.
  void restore(const std::vector<RecoveredAlert>& alerts, int64_t wall_now);
  // After restore(), add_partitions() and restore_metadata(): a firing alert of a rule with a
  // minimum count (the HTTP rules) resolves with an empty window once its key stops sending; a
  // key that sent its last records before the commit point would never send the one that
  // makes it, so its group is made now, with the empty window that follows the last window
  // judged before the commit. `slot_of(rule, labels)` says where the group lives (-1: not here).
  void resume_firing(const std::function<int32_t(const Rule&, const Labels&)>& slot_of);

  void on_record(const MetricRecord& record, int32_t partition, int64_t offset, int64_t wall_now,
                 std::vector<Alert>* out);
  // A record that could not be parsed: counted and skipped (its offset may be committed).
  void on_bad_record(int32_t partition, int64_t offset);
  // Wall-clock duties: idle close of quiet partitions, host_silent.
  void on_tick(int64_t wall_now, std::vector<Alert>* out);

  // Stage 2, records of the repartition partition `slot` at `offset`. A partial's `source` and
  // a mark's `source` are slots of the caller's numbering (the same as for records).
  void on_partial(const Partial& partial, int32_t slot, int64_t offset, int64_t wall_now,
                  std::vector<Alert>* out);
  void on_mark(SourceKind kind, const SourceMark& mark, int32_t slot, int64_t offset,
               int64_t wall_now, std::vector<Alert>* out);
  void on_checkpoint(const Checkpoint& checkpoint, int32_t slot, int64_t offset);

  // Stage 1 and 2 output since the last call (moved out).
  std::vector<Partial> take_partials();
  std::vector<Checkpoint> take_checkpoints();
  // Stage 1: for each input slot feeding re-keyed rules, the watermark up to which it has sent
  // every partial (a quiet partition at its end: wall clock − lateness, after its idle close).
  std::map<int32_t, int64_t> source_progress() const;
  // True when some rule of this kind is re-keyed.
  bool rekeys(SourceKind kind) const;
  // Stage 2 for --drain: every source partition of every topic feeding re-keyed rules reported
  // that it was read to its end, in each of these repartition slots.
  bool sources_ended(const std::vector<int32_t>& slots) const;

  // Partition → the next offset a restart must read from (only partitions seen).
  std::map<int32_t, int64_t> commit_offsets() const;
  // Partition → what its commit carries: "w=<ms>" (an input slot's stage-1 watermark) or
  // "m=<ms>;h=<ms>" (a repartition slot's combined watermarks of metrics and HTTP sources).
  std::map<int32_t, std::string> commit_metadata() const;
  // Forgets the windows and state of these partitions (revoked in a rebalance).
  void drop_partitions(const std::vector<int32_t>& partitions);

  const EngineStats& stats() const { return stats_; }
  int64_t watermark(int32_t partition) const;
  size_t group_count() const;
  size_t window_count() const;
  size_t open_alerts() const;

 private:
  // A stage-2 window's partials: (source slot, chunk) → the partial's aggregate.
  using Parts = std::map<std::pair<int32_t, int32_t>, Aggregate>;
  struct OpenWindow {
    int64_t start;
    int64_t first_offset;
    Aggregate agg;
    std::unique_ptr<Parts> parts;  // stage 2 only
  };
  enum class Role { kLocal, kStage1, kStage2 };
  struct RuleState;
  struct Group {
    RuleState* rule;
    std::string id;
    std::vector<std::pair<std::string, std::string>> labels;
    int32_t partition;         // whose watermark closes the windows (a domain for stage 2)
    int32_t offset_partition;  // whose commit the windows pin
    Role role = Role::kLocal;
    std::deque<OpenWindow> windows;  // ordered by start
    Lifecycle life;
    double threshold = 0;  // the rule's, or the override for this group's key
    double resolve = 0;
    int64_t streak_offset = -1;
    int64_t emitted_until = INT64_MIN;  // transitions up to this window end were emitted before
    // Stage 2: the end of the last window judged, checkpoints written or restored, and where the
    // newest one is (the commit pin while in a streak; -1: none needed).
    int64_t judged_until = INT64_MIN;
    uint64_t checkpoint_seq = 0;
    int64_t checkpoint_offset = -1;
  };
  struct RuleState {
    Rule rule;
    bool keep_samples;
    uint64_t shape;
    std::unordered_map<std::string, std::unique_ptr<Group>> groups;
  };
  struct ResourceRules {
    std::string resource;
    std::vector<RuleState*> rules;
  };
  struct Partition {
    int64_t max_ts = INT64_MIN;
    int64_t watermark = INT64_MIN;
    int64_t last_arrival_wall = 0;
    int64_t next_offset = -1;
    std::map<int64_t, std::vector<Group*>>
        closing;  // window end → groups with a window ending then
    // Records of this partition in windows of cross_partition rules: (end of the last window
    // the record is in, its offset), in offset order; held until kAllPartitions closes that end.
    std::deque<std::pair<int64_t, int64_t>> pins;
    bool cross = false;  // feeds cross-partition rules
    bool at_end = true;  // its end was reached once since the assignment: it may be idle
    SourceKind kind = SourceKind::kMetrics;
    // Restored from the commit (metadata "w="): every window ending here or before was closed —
    // stage-1 windows sent, others judged — before the commit point.
    int64_t stage1_floor = INT64_MIN;
    int64_t progress = INT64_MIN;               // source_progress()
    std::unique_ptr<SourceWatermarks> sources;  // a stage-2 domain: its source topic's marks
    int32_t input = -1;                         // a stage-2 domain: its repartition slot
  };
  struct Host {
    int64_t last_arrival_wall = 0;
    int64_t max_ts = INT64_MIN;
    bool silent_firing = false;
    int64_t silent_since = 0;
    int64_t silent_last_ts = 0;  // the newest record seen before it fell silent
  };

  void index_rules();
  Group* find_or_create_group(RuleState* rs, const MetricRecord& record, int32_t partition,
                              int64_t wall_now);
  // The group of rule `rs` with label_buf_ as labels, created if missing.
  Group* group_for_labels(RuleState* rs, int32_t partition, int32_t offset_partition, Role role);
  RuleState* rekeyed_rule(const std::string& name, uint64_t shape);
  static int32_t domain_of(int32_t slot, SourceKind kind);
  Partition& domain(int32_t slot, SourceKind kind);
  void add_to_windows(Group* g, Partition& p, int64_t ts, double value, int64_t offset,
                      bool* accepted);
  void send_partials(Group* g, OpenWindow& w, int64_t wall_now);
  void judge_window(Group* g, OpenWindow& w, int64_t wall_now, std::vector<Alert>* out);
  void close_stage2(Group* g, int64_t end, int64_t wall_now, std::vector<Alert>* out);
  void checkpoint(Group* g);
  void advance_watermark(int32_t partition, Partition& p, int64_t watermark, int64_t wall_now,
                         std::vector<Alert>* out);
  void close_window(Group* g, int64_t end, int64_t wall_now, std::vector<Alert>* out);
  void emit(Group* g, Transition t, int64_t start, int64_t end, double value, int64_t count,
            int64_t wall_now, std::vector<Alert>* out);
  void set_group_thresholds(Group* g) const;
  // Moves the kAllPartitions watermark to the lowest watermark of the active cross partitions.
  void advance_cross_watermark(int64_t wall_now, std::vector<Alert>* out);
  void note_host(const MetricRecord& record, int64_t wall_now, std::vector<Alert>* out);
  Alert silent_alert(const std::string& host, const Host& h, bool firing, int64_t wall_now) const;
  void evict_if_done(Group* g);
  void rebuild_closing();

  AlertsConfig config_;
  std::vector<std::unique_ptr<RuleState>> rules_;
  std::vector<ResourceRules> by_resource_;
  std::unordered_map<int32_t, Partition> partitions_;
  std::unordered_map<std::string, Host> hosts_;
  std::unordered_map<std::string, RecoveredAlert> recovered_;
  // The window end of the last transition in system_alerts per id, from restore(): unlike
  // recovered_ (taken by the first group of the id) kept until the next restore(), so a group
  // made again after an eviction does not publish a replayed transition a second time.
  std::unordered_map<std::string, int64_t> published_until_;
  std::string id_buf_, host_buf_;
  std::vector<std::pair<std::string_view, std::string_view>> label_buf_;
  std::vector<Group*> evict_;
  std::vector<Partial> partials_;
  std::vector<Checkpoint> checkpoints_;
  int64_t closing_at_us_ = 0;  // stage 2: when stage 1 sent what closes the windows now closing
  uint64_t writer_;            // checkpoints' writer: random, new at every restore() (assignment)
  EngineStats stats_;
};

}  // namespace sentinel::alerts

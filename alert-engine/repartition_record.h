// The records of the repartition topic through which re-keyed rules pass from the instance that
// reads a source partition (stage 1) to the instance that owns the alert group (stage 2); see
// docs/alerts.md, Several instances. JSON, one object a message, "k" says which kind:
//
//   partial     one window of one group from one source partition (a chunk of it for long
//               sample lists); key = alert id, in partition_of(id)
//     {"v":1,"k":"partial","topic":"http_logs","partition":3,"rule":"http_5xx_global",
//      "shape":"5f0c…","labels":[["host","web-1"]],"start":1795316100000,"chunk":0,"chunks":1,
//      "count":412,"sum":37,"min":0,"max":1,"first":[ts,value],"last":[ts,value],
//      "samples":[…],"at":<wall µs when sent>}
//   watermark   a source partition's progress; no key, written to every partition
//     {"v":1,"k":"watermark","topic":"http_logs","partition":3,"partitions":4,
//      "watermark":1795316145000,"end":false,"at":<wall µs>}
//   checkpoint  a stage-2 group's lifecycle while in a streak; key = alert id
//     {"v":1,"k":"checkpoint","rule":…,"shape":…,"labels":[…],"end":<last judged window end>,
//      "seq":<per group, increasing>,"writer":"<hex>",
//      "life":{"state":"pending","pending":2,"since":…,"last_start":…,"last_breach_end":…,
//              "streak_start":…,"clearing":false,"flapping":false,"firings":[…]}}
//
// `shape` fingerprints the rule's definition apart from its thresholds: partials and checkpoints
// of a rule defined differently elsewhere (instances with different alerts.yaml) are not merged.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alert-engine/lifecycle.h"
#include "alert-engine/rules.h"
#include "alert-engine/window.h"

namespace sentinel::alerts {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Samples per partial message: a window with more (percentile rules) is sent in chunks.
inline constexpr size_t kSamplesPerChunk = 10000;

struct Partial {
  std::string id;      // the alert id: the message key (not in the value)
  int32_t source = 0;  // the source partition, in the engine's numbering (the service maps it)
  std::string topic;   // on the wire: the source topic and partition
  int32_t partition = 0;
  std::string rule;
  uint64_t shape = 0;
  Labels labels;
  int64_t start = 0;  // window start
  int32_t chunk = 0;
  int32_t chunks = 1;
  AggregateState agg;
  int64_t at_us = 0;  // wall clock when stage 1 closed the window
};

struct SourceMark {
  int32_t source = 0;  // engine numbering, as in Partial
  std::string topic;
  int32_t partition = 0;
  int32_t partitions = 0;  // of the source topic
  int64_t watermark = INT64_MIN;
  bool end = false;  // --drain: the source partition was read to its end
  int64_t at_us = 0;
};

struct Checkpoint {
  std::string id;  // the alert id (the message key)
  std::string rule;
  uint64_t shape = 0;
  Labels labels;
  int64_t end = 0;
  uint64_t seq = 0;  // per group, increasing across owners: a newer one replaces an older one
  // Who wrote it: the engine and assignment (random per assignment). An instance reading its
  // own checkpoints back learns where they are; one written under an earlier assignment is a
  // previous owner's and is restored.
  uint64_t writer = 0;
  Lifecycle::Snapshot life;
};

struct RepartitionRecord {
  enum class Kind { kPartial, kMark, kCheckpoint } kind = Kind::kPartial;
  Partial partial;
  SourceMark mark;
  Checkpoint checkpoint;
};

std::string encode_partial(const Partial& p);
std::string encode_mark(const SourceMark& m);
std::string encode_checkpoint(const Checkpoint& c);
// False with *error naming the field ("field start: expected an integer").
bool decode_repartition_record(std::string_view json, RepartitionRecord* out, std::string* error);

// The repartition partition of an alert group: FNV-1a of the id, modulo the partition count —
// the same on every instance whatever its client's partitioner.
int32_t partition_of(std::string_view alert_id, int32_t partitions);

// The fingerprint of a rule's definition without its thresholds and texts.
uint64_t rule_shape(const Rule& rule);

}  // namespace sentinel::alerts

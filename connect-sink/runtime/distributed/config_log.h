// The state a distributed worker rebuilds from its config topic: records applied in the topic's
// order give the connectors (config and target state) and each connector's committed task
// configs, with Kafka Connect's rules (KafkaConfigBackingStore):
// - connector-<name> sets the config; its null value (tombstone) deletes the connector with its
//   task count, committed tasks and task configs waiting for a commit.
// - task-<name>-<id> waits; commit-<name> {"tasks":N} applies the waiting configs when they hold
//   every id 0..N-1 and then sets the count to N. A commit that finds an id missing (compaction
//   removed it, or a leader died mid-write) marks the connector inconsistent: it shows no tasks
//   (Connect's ClusterConfigState does the same) until a complete commit, which the leader writes
//   when it regenerates them; the waiting configs are dropped either way.
// - Task configs and commits are kept whether or not the connector's config has been read:
//   compaction can leave a connector's latest config record after its tasks' records.
// - target-state-<name> applies even before the connector exists (Connect 3.5's initial state on
//   create); a connector without one is STARTED; a tombstone removes it (STARTED while the
//   connector still exists).
// - restart requests and Connect's other keys change nothing here.
// Pure: no Kafka. The reader (storage_topics.h) feeds it records in offset order.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "connect-sink/runtime/distributed/config_records.h"

namespace sentinel::connect::distributed {

struct ConnectorView {
  Properties config;
  TargetState target_state = TargetState::kStarted;
  std::vector<Properties> tasks;  // the committed task configs, task i at [i]; none when
                                  // inconsistent
  bool inconsistent = false;      // the last commit found a task config missing
};

class ConfigLog {
 public:
  // Applies the record read at `offset` (offsets must increase).
  void apply(const ConfigRecord& record, int64_t offset);

  // Connectors that have a config, by name.
  std::map<std::string, ConnectorView> connectors() const;
  std::optional<ConnectorView> connector(const std::string& name) const;
  // The offset after the last record applied (Connect's snapshot offset); 0 before any.
  int64_t next_offset() const { return next_offset_; }

 private:
  std::map<std::string, Properties> configs_;
  std::map<std::string, TargetState> target_states_;
  std::map<std::string, std::vector<Properties>> committed_;
  std::map<std::string, std::map<int, Properties>> pending_;  // task configs awaiting a commit
  std::map<std::string, bool> inconsistent_;
  int64_t next_offset_ = 0;
};

}  // namespace sentinel::connect::distributed

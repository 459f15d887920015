// Stage 2's view of one source topic's progress, in one repartition partition: the watermark
// each source partition's owner last reported (never going back, since a new owner may start
// lower), and the combined watermark — the lowest over every partition of the topic — that
// closes the windows of the topic's re-keyed rules. A partition that has not reported holds the
// combined watermark at the floor: its owner may still send partials. The floor is the combined
// watermark restored from the last commit (offset-commit metadata), below which every window was
// judged already. Pure bookkeeping; docs/alerts.md, Several instances.
#pragma once

#include <cstdint>
#include <vector>

namespace sentinel::alerts {

class SourceWatermarks {
 public:
  // Partition `partition` of a topic with `partitions` partitions reported `watermark` (`end`:
  // it was read to its end, --drain). True when combined() moved.
  bool update(int32_t partition, int32_t partitions, int64_t watermark, bool end);
  void set_floor(int64_t floor);

  int64_t combined() const { return combined_; }
  int64_t floor() const { return floor_; }
  int32_t partitions() const { return static_cast<int32_t>(marks_.size()); }
  // Every partition reported, the last time, that it was read to its end.
  bool all_ended() const;

 private:
  void recompute();

  std::vector<int64_t> marks_;  // INT64_MIN: not reported
  std::vector<bool> ended_;
  int64_t floor_ = INT64_MIN;
  int64_t combined_ = INT64_MIN;
};

}  // namespace sentinel::alerts

// The combined watermark of a source topic's partitions, as reported to stage 2.
#include "alert-engine/source_watermarks.h"

#include <algorithm>

namespace sentinel::alerts {

bool SourceWatermarks::update(int32_t partition, int32_t partitions, int64_t watermark, bool end) {
  if (partition < 0 || partitions <= partition) return false;
  if (static_cast<size_t>(partitions) > marks_.size()) {
    marks_.resize(static_cast<size_t>(partitions), INT64_MIN);
    ended_.resize(static_cast<size_t>(partitions), false);
  }
  auto p = static_cast<size_t>(partition);
  marks_[p] = std::max(marks_[p], watermark);
  ended_[p] = end;
  int64_t before = combined_;
  recompute();
  return combined_ != before;
}

void SourceWatermarks::set_floor(int64_t floor) {
  floor_ = std::max(floor_, floor);
  recompute();
}

bool SourceWatermarks::all_ended() const {
  return !ended_.empty() && std::all_of(ended_.begin(), ended_.end(), [](bool e) { return e; });
}

void SourceWatermarks::recompute() {
  int64_t lowest = marks_.empty() ? INT64_MIN : *std::min_element(marks_.begin(), marks_.end());
  combined_ = std::max({combined_, floor_, lowest});
}

}  // namespace sentinel::alerts

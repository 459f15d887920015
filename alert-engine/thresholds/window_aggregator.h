// Per-window request counts per key of each dimension (global: host, ip: client IP, url: the
// normalised path), turned into samples of error shares when a window closes. Windows are
// epoch-aligned and tumbling, as in the alert engine. Memory stays bounded by the windows still
// open: the reader advances a watermark (its inputs' time), and every window that ends at or
// before watermark − lateness is closed; a record for a closed window is counted as late and
// dropped.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "alert-engine/thresholds_file.h"

namespace sentinel::thresholds {

struct AggregatorOptions {
  int64_t window_ms = 60'000;
  int64_t lateness_ms = 60'000;
  uint32_t min_requests[3] = {20, 10, 10};  // by alerts::Dimension: a window below is no sample
  bool per_key = false;                     // keep each key's own samples (per-key overrides)
};

struct DimensionSamples {
  std::vector<double> share5xx, share4xx;  // one pair per (key, window) sample
  std::unordered_set<std::string> keys;    // keys with at least one sample
  // With per_key: each key's samples as (5xx share, 4xx share).
  std::unordered_map<std::string, std::vector<std::pair<float, float>>> per_key;
  uint64_t below_min = 0;  // (key, window) pairs with too few requests
};

class WindowAggregator {
 public:
  explicit WindowAggregator(const AggregatorOptions& options);

  // Counts one request; `ip` or `url_key` empty: not counted in that dimension. False (counted in
  // late()) when the record's window is already closed.
  bool add(int64_t ts, std::string_view host, std::string_view ip, std::string_view url_key,
           int status);
  // Closes every window ending at or before watermark_ms − lateness.
  void advance(int64_t watermark_ms);
  void finish();  // closes every open window

  const DimensionSamples& samples(alerts::Dimension d) const {
    return samples_[static_cast<int>(d)];
  }
  DimensionSamples& samples(alerts::Dimension d) { return samples_[static_cast<int>(d)]; }
  uint64_t late() const { return late_; }
  uint64_t windows_closed() const { return windows_closed_; }
  size_t open_windows() const { return open_.size(); }
  size_t max_open_windows() const { return max_open_; }

 private:
  struct Counts {
    uint32_t requests = 0, err5xx = 0, err4xx = 0;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using KeyCounts = std::unordered_map<std::string, Counts, Hash, std::equal_to<>>;
  struct Window {
    KeyCounts keys[3];
  };

  static void count(KeyCounts* m, std::string_view key, int status);
  void close(int64_t start, Window* w);

  AggregatorOptions options_;
  std::map<int64_t, Window> open_;
  int64_t closed_before_ = INT64_MIN;  // windows starting before this are closed
  int64_t last_start_ = INT64_MIN;
  Window* last_ = nullptr;
  DimensionSamples samples_[3];
  uint64_t late_ = 0;
  uint64_t windows_closed_ = 0;
  size_t max_open_ = 0;
};

}  // namespace sentinel::thresholds

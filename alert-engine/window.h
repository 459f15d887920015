// Window arithmetic and per-window aggregation: pure functions of timestamps and values.
//
// Windows are [start, start + size) with starts at multiples of `advance` since the epoch (as in
// Kafka Streams): a tumbling window (advance == size) holds each record once, a hopping window
// holds it size/advance times. A window is closed once the watermark reaches its end.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "alert-engine/rules.h"

namespace sentinel::alerts {

inline int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// The starts of the windows that contain `ts`: first, first + advance, …, last.
struct WindowRange {
  int64_t first;
  int64_t last;
};
inline WindowRange windows_containing(int64_t ts, const WindowSpec& w) {
  int64_t last = floor_div(ts, w.advance_ms) * w.advance_ms;
  int64_t first = (floor_div(ts - w.size_ms, w.advance_ms) + 1) * w.advance_ms;
  return {first, last};
}

// What an aggregate holds, to send it to the instance that merges it (repartition_record.h).
struct AggregateState {
  int64_t count = 0;
  double sum = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  double first = 0, last = 0;
  int64_t first_ts = 0, last_ts = 0;
  std::vector<double> samples;  // percentiles only
};

// The running aggregate of one window. Keeps samples only for percentiles.
class Aggregate {
 public:
  explicit Aggregate(bool keep_samples = false) : keep_samples_(keep_samples) {}
  explicit Aggregate(AggregateState state, bool keep_samples);
  void add(double value, int64_t ts);
  // Adds the records of `other` as if they followed this aggregate's records: partials of one
  // window from several source partitions merged in partition order give what one reader of
  // those partitions, in that order, would have computed (count, sum, min, max exactly; the
  // first sample is the earliest — on a tie this one's —, the last the latest — on a tie
  // other's —; samples concatenated). An `other` with count 0 and samples is a further chunk of
  // samples of a partial already merged.
  void merge(const Aggregate& other);
  int64_t count() const { return count_; }
  size_t samples() const { return samples_.size(); }
  AggregateState state() const;
  // NaN when the aggregation has no value (rate needs two samples at different times).
  double result(Agg agg) const;

 private:
  bool keep_samples_;
  int64_t count_ = 0;
  double sum_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
  double first_ = 0, last_ = 0;
  int64_t first_ts_ = 0, last_ts_ = 0;
  mutable std::vector<double> samples_;
};

}  // namespace sentinel::alerts

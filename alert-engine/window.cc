// Aggregation of one window's values.
#include "alert-engine/window.h"

#include <algorithm>
#include <utility>

namespace sentinel::alerts {

Aggregate::Aggregate(AggregateState state, bool keep_samples)
    : keep_samples_(keep_samples),
      count_(state.count),
      sum_(state.sum),
      min_(state.min),
      max_(state.max),
      first_(state.first),
      last_(state.last),
      first_ts_(state.first_ts),
      last_ts_(state.last_ts),
      samples_(std::move(state.samples)) {}

AggregateState Aggregate::state() const {
  return {count_, sum_, min_, max_, first_, last_, first_ts_, last_ts_, samples_};
}

void Aggregate::merge(const Aggregate& other) {
  if (keep_samples_) samples_.insert(samples_.end(), other.samples_.begin(), other.samples_.end());
  if (other.count_ == 0) return;
  if (count_ == 0 || other.first_ts_ < first_ts_) {
    first_ = other.first_;
    first_ts_ = other.first_ts_;
  }
  if (count_ == 0 || other.last_ts_ >= last_ts_) {
    last_ = other.last_;
    last_ts_ = other.last_ts_;
  }
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void Aggregate::add(double value, int64_t ts) {
  if (count_ == 0 || ts < first_ts_) {
    first_ = value;
    first_ts_ = ts;
  }
  if (count_ == 0 || ts >= last_ts_) {
    last_ = value;
    last_ts_ = ts;
  }
  ++count_;
  sum_ += value;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  if (keep_samples_) samples_.push_back(value);
}

double Aggregate::result(Agg agg) const {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (count_ == 0) return agg == Agg::kCount || agg == Agg::kSum ? 0 : kNaN;
  switch (agg) {
    case Agg::kAvg:
      return sum_ / static_cast<double>(count_);
    case Agg::kMin:
      return min_;
    case Agg::kMax:
      return max_;
    case Agg::kLast:
      return last_;
    case Agg::kSum:
      return sum_;
    case Agg::kCount:
      return static_cast<double>(count_);
    case Agg::kRate:
      // Per second, from the earliest to the latest sample (for counters).
      if (last_ts_ == first_ts_) return kNaN;
      return (last_ - first_) / (static_cast<double>(last_ts_ - first_ts_) / 1000.0);
    case Agg::kP50:
    case Agg::kP95:
    case Agg::kP99: {
      if (samples_.empty()) return kNaN;
      double q = agg == Agg::kP50 ? 0.50 : agg == Agg::kP95 ? 0.95 : 0.99;
      // Nearest rank: the smallest value with at least q of the samples at or below it.
      size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(samples_.size())));
      size_t index = rank == 0 ? 0 : rank - 1;
      std::nth_element(samples_.begin(), samples_.begin() + static_cast<ptrdiff_t>(index),
                       samples_.end());
      return samples_[index];
    }
  }
  return kNaN;
}

}  // namespace sentinel::alerts

// Tumbling windows of per-key counts → samples of error shares.
#include "alert-engine/thresholds/window_aggregator.h"

namespace sentinel::thresholds {

namespace {

int64_t window_start(int64_t ts, int64_t size) {
  int64_t q = ts / size;
  if (ts % size != 0 && ts < 0) --q;
  return q * size;
}

}  // namespace

WindowAggregator::WindowAggregator(const AggregatorOptions& options) : options_(options) {}

void WindowAggregator::count(KeyCounts* m, std::string_view key, int status) {
  auto it = m->find(key);
  if (it == m->end()) it = m->emplace(std::string(key), Counts{}).first;
  Counts& c = it->second;
  ++c.requests;
  if (status >= 500 && status <= 599) {
    ++c.err5xx;
  } else if (status >= 400 && status <= 499) {
    ++c.err4xx;
  }
}

bool WindowAggregator::add(int64_t ts, std::string_view host, std::string_view ip,
                           std::string_view url_key, int status) {
  int64_t start = window_start(ts, options_.window_ms);
  if (start != last_start_ || last_ == nullptr) {
    if (start < closed_before_) {
      ++late_;
      return false;
    }
    last_ = &open_[start];
    last_start_ = start;
    if (open_.size() > max_open_) max_open_ = open_.size();
  }
  count(&last_->keys[0], host, status);
  if (!ip.empty()) count(&last_->keys[1], ip, status);
  if (!url_key.empty()) count(&last_->keys[2], url_key, status);
  return true;
}

void WindowAggregator::close(int64_t start, Window* w) {
  (void)start;
  for (int d = 0; d < 3; ++d) {
    DimensionSamples& s = samples_[d];
    for (auto& [key, c] : w->keys[d]) {
      if (c.requests < options_.min_requests[d] || c.requests == 0) {
        ++s.below_min;
        continue;
      }
      double n = c.requests;
      double s5 = c.err5xx / n, s4 = c.err4xx / n;
      s.share5xx.push_back(s5);
      s.share4xx.push_back(s4);
      if (s.keys.find(key) == s.keys.end()) s.keys.insert(key);
      if (options_.per_key) {
        s.per_key[key].emplace_back(static_cast<float>(s5), static_cast<float>(s4));
      }
    }
  }
  ++windows_closed_;
}

void WindowAggregator::advance(int64_t watermark_ms) {
  int64_t limit = watermark_ms - options_.lateness_ms;  // windows ending at or before it close
  while (!open_.empty()) {
    auto it = open_.begin();
    if (it->first + options_.window_ms > limit) break;
    close(it->first, &it->second);
    if (it->first + options_.window_ms > closed_before_) {
      closed_before_ = it->first + options_.window_ms;
    }
    if (last_ == &it->second) last_ = nullptr;
    open_.erase(it);
  }
  // Windows that never opened but lie below the limit count as closed too: a record for them is
  // late (only once the limit passes their end).
  int64_t aligned = window_start(limit, options_.window_ms);
  if (aligned > closed_before_ && (open_.empty() || open_.begin()->first >= aligned)) {
    closed_before_ = aligned;
  }
}

void WindowAggregator::finish() {
  for (auto& [start, w] : open_) close(start, &w);
  open_.clear();
  last_ = nullptr;
  closed_before_ = INT64_MAX;
}

}  // namespace sentinel::thresholds

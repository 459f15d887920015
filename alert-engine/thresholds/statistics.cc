// Summary statistics and threshold methods over per-window error shares.
#include "alert-engine/thresholds/statistics.h"

#include <algorithm>
#include <cmath>

namespace sentinel::thresholds {

double quantile_sorted(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  q = std::clamp(q, 0.0, 1.0);
  double pos = q * static_cast<double>(sorted.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  size_t hi = std::min(lo + 1, sorted.size() - 1);
  double frac = pos - static_cast<double>(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

Summary summarize(std::vector<double>* values) {
  Summary s;
  if (values->empty()) return s;
  std::sort(values->begin(), values->end());
  const std::vector<double>& v = *values;
  s.count = v.size();
  s.p50 = quantile_sorted(v, 0.5);
  s.p99 = quantile_sorted(v, 0.99);
  s.median = s.p50;
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  double sq = 0;
  for (double x : v) sq += (x - s.mean) * (x - s.mean);
  s.stddev = std::sqrt(sq / static_cast<double>(v.size()));
  std::vector<double> dev;
  dev.reserve(v.size());
  for (double x : v) dev.push_back(std::fabs(x - s.median));
  std::sort(dev.begin(), dev.end());
  s.mad = quantile_sorted(dev, 0.5);
  return s;
}

std::optional<Method> parse_method(const std::string& name) {
  if (name == "quantile") return Method::kQuantile;
  if (name == "mean-stddev") return Method::kMeanStddev;
  if (name == "median-mad") return Method::kMedianMad;
  return std::nullopt;
}

const char* method_name(Method m) {
  switch (m) {
    case Method::kQuantile:
      return "quantile";
    case Method::kMeanStddev:
      return "mean-stddev";
    case Method::kMedianMad:
      return "median-mad";
  }
  return "?";
}

double threshold_of(const std::vector<double>& sorted, const Summary& summary,
                    const MethodParams& params) {
  double value = 0;
  if (summary.count > 0) {
    switch (params.method) {
      case Method::kQuantile:
        value = quantile_sorted(sorted, params.quantile);
        break;
      case Method::kMeanStddev:
        value = summary.mean + params.k * summary.stddev;
        break;
      case Method::kMedianMad:
        value = summary.median + params.k * summary.mad;
        break;
    }
  }
  return std::min(1.0, std::max(params.floor, value));
}

}  // namespace sentinel::thresholds

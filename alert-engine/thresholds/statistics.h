// The statistics sentinel-thresholds learns from: a summary of a distribution of per-window error
// shares, and the threshold a method (quantile, mean + k·σ, median + k·MAD) derives from it, raised
// to a floor and capped at 1. Pure functions over values, so tests feed them numbers.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace sentinel::thresholds {

struct Summary {
  size_t count = 0;
  double p50 = 0, p99 = 0;
  double mean = 0, stddev = 0;  // population σ
  double median = 0, mad = 0;   // MAD: median of |x - median|, unscaled
};

// Quantile q in [0, 1] with linear interpolation between order statistics (R's type 7, numpy's
// default). `sorted` must be sorted ascending and non-empty.
double quantile_sorted(const std::vector<double>& sorted, double q);

// Sorts *values in place. An empty input gives a zero Summary.
Summary summarize(std::vector<double>* values);

enum class Method { kQuantile, kMeanStddev, kMedianMad };

struct MethodParams {
  Method method = Method::kQuantile;
  double quantile = 0.99;  // kQuantile
  double k = 3;            // kMeanStddev (default 3), kMedianMad (default 5)
  double floor = 0.05;
};

// "quantile", "mean-stddev", "median-mad"; nullopt for anything else.
std::optional<Method> parse_method(const std::string& name);
const char* method_name(Method m);

// The method's value over `summary` (for kQuantile also `sorted`, the sorted samples), then
// max(floor, value), capped at 1.0. No samples: the floor.
double threshold_of(const std::vector<double>& sorted, const Summary& summary,
                    const MethodParams& params);

}  // namespace sentinel::thresholds

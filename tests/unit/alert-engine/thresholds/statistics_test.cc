// Threshold statistics: quantile interpolation, mean + k·σ, median + k·MAD, the floor and the cap.
#include "alert-engine/thresholds/statistics.h"

#include <gtest/gtest.h>

namespace sentinel::thresholds {
namespace {

TEST(ThresholdStatistics, QuantileInterpolatesBetweenOrderStatistics) {
  std::vector<double> v = {0.0, 0.1, 0.2, 0.3, 0.4};
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 1.0), 0.4);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.5), 0.2);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.9), 0.36);  // numpy.quantile(v, 0.9)
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.99), 0.396);
  EXPECT_DOUBLE_EQ(quantile_sorted({0.7}, 0.99), 0.7);
}

TEST(ThresholdStatistics, SummaryOfKnownValues) {
  std::vector<double> v = {0.5, 0.1, 0.3, 0.2, 0.4, 0.2};  // unsorted on purpose
  Summary s = summarize(&v);
  EXPECT_EQ(s.count, 6u);
  EXPECT_DOUBLE_EQ(s.mean, 0.283333333333333333);
  EXPECT_NEAR(s.stddev, 0.13437096247164248, 1e-12);  // population σ
  EXPECT_DOUBLE_EQ(s.median, 0.25);
  // |x - 0.25|: 0.25 0.15 0.05 0.05 0.15 0.05 → median 0.1
  EXPECT_NEAR(s.mad, 0.1, 1e-12);
  EXPECT_DOUBLE_EQ(s.p50, 0.25);
  EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
}

TEST(ThresholdStatistics, EmptySummaryIsZero) {
  std::vector<double> v;
  Summary s = summarize(&v);
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.mean, 0);
}

TEST(ThresholdStatistics, EachMethodGivesItsValue) {
  std::vector<double> v = {0.1, 0.2, 0.2, 0.3, 0.4, 0.5};
  Summary s = summarize(&v);
  MethodParams q{Method::kQuantile, 0.5, 0, 0.0};
  EXPECT_DOUBLE_EQ(threshold_of(v, s, q), 0.25);
  MethodParams ms{Method::kMeanStddev, 0.99, 2, 0.0};
  EXPECT_DOUBLE_EQ(threshold_of(v, s, ms), s.mean + 2 * s.stddev);
  MethodParams mad{Method::kMedianMad, 0.99, 3, 0.0};
  EXPECT_DOUBLE_EQ(threshold_of(v, s, mad), s.median + 3 * s.mad);
}

TEST(ThresholdStatistics, FloorRaisesLowThresholdsAndOneCapsHighOnes) {
  std::vector<double> zeros(100, 0.0);
  Summary s = summarize(&zeros);
  MethodParams p;  // quantile 0.99, floor 0.05
  EXPECT_DOUBLE_EQ(threshold_of(zeros, s, p), 0.05);
  p.method = Method::kMedianMad;
  p.k = 5;
  EXPECT_DOUBLE_EQ(threshold_of(zeros, s, p), 0.05);  // MAD 0: median + k·0 → the floor
  std::vector<double> high = {0.6, 0.9, 1.0, 1.0};
  Summary h = summarize(&high);
  p.method = Method::kMeanStddev;
  p.k = 10;
  EXPECT_DOUBLE_EQ(threshold_of(high, h, p), 1.0);
  std::vector<double> none;
  EXPECT_DOUBLE_EQ(threshold_of(none, Summary{}, p), 0.05);
}

TEST(ThresholdStatistics, MethodNamesRoundTrip) {
  for (Method m : {Method::kQuantile, Method::kMeanStddev, Method::kMedianMad}) {
    EXPECT_EQ(parse_method(method_name(m)), m);
  }
  EXPECT_EQ(parse_method("p99"), std::nullopt);
}

}  // namespace
}  // namespace sentinel::thresholds

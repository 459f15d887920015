// Partial aggregates of one window from several source partitions merge exactly, for every
// aggregation the rules support, and the same way whatever order they arrive in (stage 2 of
// re-keyed rules, docs/alerts.md "Several instances").
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "alert-engine/window.h"

namespace sentinel::alerts {
namespace {

constexpr Agg kAllAggs[] = {Agg::kAvg,   Agg::kMin,  Agg::kMax, Agg::kLast, Agg::kSum,
                            Agg::kCount, Agg::kRate, Agg::kP50, Agg::kP95,  Agg::kP99};

struct Sample {
  int source;
  int64_t ts;
  double value;
};

// Three source partitions' records of one window, with ties in time across partitions.
std::vector<Sample> samples() {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> u(0, 100);
  std::vector<Sample> out;
  for (int source = 0; source < 3; ++source) {
    for (int i = 0; i < 40; ++i) out.push_back({source, 1000 + i * 250, u(rng)});
  }
  // The earliest and the latest timestamps occur in two partitions each.
  out.push_back({0, 500, 7});
  out.push_back({2, 500, 9});
  out.push_back({1, 99000, 11});
  out.push_back({2, 99000, 13});
  return out;
}

// What one reader computes reading the partitions one after another, in partition order.
Aggregate read_in_partition_order(const std::vector<Sample>& in) {
  Aggregate a(true);
  for (int source = 0; source < 3; ++source) {
    for (const auto& s : in) {
      if (s.source == source) a.add(s.value, s.ts);
    }
  }
  return a;
}

std::vector<Aggregate> partials(const std::vector<Sample>& in) {
  std::vector<Aggregate> out(3, Aggregate(true));
  for (const auto& s : in) out[static_cast<size_t>(s.source)].add(s.value, s.ts);
  return out;
}

TEST(PartialMerge, EveryAggregationOfMergedPartialsIsWhatOneReaderComputes) {
  auto in = samples();
  Aggregate whole = read_in_partition_order(in);
  Aggregate merged(true);
  for (const auto& p : partials(in)) merged.merge(p);
  EXPECT_EQ(merged.count(), whole.count());
  for (Agg agg : kAllAggs) {
    double a = merged.result(agg), b = whole.result(agg);
    if (agg == Agg::kAvg || agg == Agg::kSum) {
      EXPECT_NEAR(a, b, 1e-9 * std::abs(b)) << agg_name(agg);  // additions grouped differently
    } else {
      EXPECT_EQ(a, b) << agg_name(agg);
    }
  }
  // Ties across partitions: the first sample is the earlier partition's, the last the later's.
  EXPECT_EQ(merged.result(Agg::kLast), 13);
  EXPECT_EQ(merged.result(Agg::kRate), (13.0 - 7.0) / 98.5);
}

TEST(PartialMerge, MergingInSourceOrderGivesTheSameBitsWhateverTheArrivalOrder) {
  auto p = partials(samples());
  // Stage 2 keeps each source's partial and merges them in source order when the window closes:
  // whichever instance does it, and whatever order they came in, the doubles are identical.
  std::vector<int> order = {0, 1, 2};
  std::vector<double> first;
  do {
    std::map<int, Aggregate> held;
    for (int s : order) held.emplace(s, p[static_cast<size_t>(s)]);
    Aggregate merged(true);
    for (const auto& [s, a] : held) merged.merge(a);
    std::vector<double> results;
    for (Agg agg : kAllAggs) results.push_back(merged.result(agg));
    if (first.empty()) first = results;
    EXPECT_EQ(results, first);
  } while (std::next_permutation(order.begin(), order.end()));
}

TEST(PartialMerge, AStateRoundTripAndSampleChunksMergeLikeTheWhole) {
  auto in = samples();
  Aggregate whole = read_in_partition_order(in);
  auto p = partials(in);
  Aggregate merged(true);
  for (const auto& a : p) {
    // As sent: chunk 0 carries the scalars and the first samples, chunk 1 only samples.
    AggregateState st = a.state();
    AggregateState rest;
    rest.samples.assign(st.samples.begin() + 10, st.samples.end());
    st.samples.resize(10);
    merged.merge(Aggregate(st, true));
    merged.merge(Aggregate(rest, true));
  }
  EXPECT_EQ(merged.count(), whole.count());
  EXPECT_EQ(merged.samples(), whole.samples());
  for (Agg agg : {Agg::kMin, Agg::kMax, Agg::kLast, Agg::kCount, Agg::kRate, Agg::kP50, Agg::kP95,
                  Agg::kP99}) {
    EXPECT_EQ(merged.result(agg), whole.result(agg)) << agg_name(agg);
  }
}

TEST(PartialMerge, AnEmptyPartialChangesNothing) {
  Aggregate a(false);
  a.add(5, 100);
  a.add(7, 200);
  Aggregate b = a;
  b.merge(Aggregate(false));
  for (Agg agg : kAllAggs) {
    double x = a.result(agg), y = b.result(agg);
    if (std::isnan(x)) {
      EXPECT_TRUE(std::isnan(y)) << agg_name(agg);
    } else {
      EXPECT_EQ(x, y) << agg_name(agg);
    }
  }
}

}  // namespace
}  // namespace sentinel::alerts

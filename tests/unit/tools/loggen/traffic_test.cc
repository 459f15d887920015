// The traffic model: reproducible from a seed, rates and shares as the scenario says.
#include "tools/loggen/traffic.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/support/build_paths.h"
#include "tools/loggen/combined.h"
#include "tools/loggen/expected_alerts.h"

namespace sentinel::loggen {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int64_t kStart = 1795316156734;

Scenario demo() { return load_scenario(sentinel::test::source_dir() + "/config/loggen/demo.yaml"); }

std::string lines(const Scenario& s, uint64_t seed, int64_t start_ms, int count) {
  Traffic t(s, seed, start_ms);
  std::string out;
  for (int i = 0; i < count; ++i) append_combined_line(t.next(), &out);
  return out;
}

TEST(Traffic, SameSeedScenarioAndStartGiveByteIdenticalLines) {
  Scenario s = demo();
  std::string a = lines(s, 42, kStart, 20000);
  EXPECT_EQ(a, lines(s, 42, kStart, 20000));
  EXPECT_NE(a, lines(s, 43, kStart, 20000)) << "another seed gives other traffic";
  EXPECT_NE(a, lines(s, 42, kStart + 1000, 20000));
}

TEST(Traffic, TimeAdvancesInOrderAtTheScenarioRate) {
  Scenario s = demo();
  s.anomalies.clear();
  s.rate = 200;
  Traffic t(s, 1, kStart);
  int64_t last = 0;
  int n = 0;
  while (t.next_offset_us() < 1000LL * 1000000) {  // 1000 s of traffic time
    Request r = t.next();
    ASSERT_GE(r.offset_us, last);
    ASSERT_EQ(r.ts_ms, kStart + r.offset_us / 1000);
    last = r.offset_us;
    ++n;
  }
  EXPECT_NEAR(n / 1000.0, 200, 200 * 0.02);
}

TEST(Traffic, FewClientsSendMostRequests) {
  Scenario s = demo();
  s.anomalies.clear();
  Traffic t(s, 1, kStart);
  std::map<std::string, int> per_ip;
  for (int i = 0; i < 50000; ++i) ++per_ip[t.next().client_ip];
  EXPECT_GT(per_ip.size(), 300u) << "most of the 500 clients show up";
  int top = per_ip[t.client_ips()[0]];
  EXPECT_GT(top, 50000 / 20) << "the busiest client sends far more than 1/500 of the requests";
  EXPECT_GT(top, 10 * per_ip[t.client_ips()[250]]);
}

TEST(Traffic, TemplatedIdsAreFilled) {
  Scenario s = demo();
  Traffic t(s, 1, kStart);
  for (int i = 0; i < 5000; ++i) {
    Request r = t.next();
    ASSERT_EQ(r.path.find('{'), std::string::npos) << r.path;
  }
}

struct Counts {
  int total = 0, s4 = 0, s5 = 0;
  void add(int status) {
    ++total;
    s4 += status >= 400 && status < 500;
    s5 += status >= 500;
  }
  double share4() const { return total ? double(s4) / total : 0; }
  double share5() const { return total ? double(s5) / total : 0; }
  double errors() const { return total ? double(s4 + s5) / total : 0; }
};

// Long, separated anomaly windows at a high rate so each share rests on thousands of lines.
Scenario long_windows() {
  Scenario s = demo();
  s.rate = 400;
  s.anomalies[0].start = seconds(100);  // ip_hammer 203.0.113.66, 0.9 4xx
  s.anomalies[0].duration = seconds(100);
  s.anomalies[1].start = seconds(300);  // url_errors /api/orders/{id}, 0.6 5xx
  s.anomalies[1].duration = seconds(100);
  s.anomalies[2].start = seconds(500);  // outage, 0.85 5xx
  s.anomalies[2].duration = seconds(50);
  return s;
}

TEST(Traffic, AnomalySharesMatchTheScenarioAndTheExpectedAlerts) {
  Scenario s = long_windows();
  std::vector<ExpectedAlert> expected = expected_alerts(s);
  ASSERT_EQ(expected.size(), 3u);
  Traffic t(s, 7, kStart);
  Counts baseline, hammer, hammer_outside, url, url_other, outage;
  while (t.next_offset_us() < 600LL * 1000000) {
    Request r = t.next();
    milliseconds at(r.offset_us / 1000);
    bool is_order = r.path.rfind("/api/orders/", 0) == 0;
    if (r.client_ip == "203.0.113.66") {
      (s.anomalies[0].active(at) ? hammer : hammer_outside).add(r.status);
    } else if (s.anomalies[1].active(at)) {
      (is_order ? url : url_other).add(r.status);
    } else if (s.anomalies[2].active(at)) {
      outage.add(r.status);
    } else if (!s.anomalies[0].active(at)) {
      baseline.add(r.status);
    }
  }
  EXPECT_EQ(hammer_outside.total, 0) << "the hammering IP is not a regular client";
  EXPECT_NEAR(hammer.total / 100.0, 40, 40 * 0.05) << "lines/s of the hammer";
  EXPECT_NEAR(hammer.share4(), 0.9 * (1 - s.error_5xx), 0.02);
  EXPECT_NEAR(hammer.share4(), expected[0].status_share, 0.02);
  EXPECT_NEAR(hammer.errors(), expected[0].error_share, 0.02);

  EXPECT_GT(url.total, 3000);
  EXPECT_NEAR(url.share5(), 0.6, 0.03);
  EXPECT_NEAR(url.share5(), expected[1].status_share, 0.03);
  EXPECT_NEAR(url.errors(), expected[1].error_share, 0.03);
  EXPECT_NEAR(url_other.share5(), s.error_5xx, 0.005) << "other URLs are unaffected";

  EXPECT_NEAR(outage.share5(), 0.85, 0.02);
  EXPECT_NEAR(outage.errors(), expected[2].error_share, 0.02);

  EXPECT_GT(baseline.total, 100000);
  EXPECT_NEAR(baseline.share5(), s.error_5xx, 0.002);
  EXPECT_NEAR(baseline.share4(), s.error_4xx * (1 - s.error_5xx), 0.003);
  EXPECT_NEAR(baseline.errors(), expected[2].baseline_error_share, 0.003);
}

}  // namespace
}  // namespace sentinel::loggen

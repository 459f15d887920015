// cpu collector: percentages from /proc/stat deltas, backwards counters, hotplug, real /proc.
#include "agent/collectors/cpu.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>

#include "agent/collectors/factories.h"
#include "tests/support/process.h"

namespace sentinel::agent {
namespace {

using namespace std::chrono_literals;
using Metrics = std::map<std::string, double>;

ConfigNode options(const std::string& yaml) { return ConfigFile::parse(yaml, "agent.yaml").root(); }

const Sample* find_cpu(const std::vector<Sample>& samples, const std::string& cpu) {
  for (const auto& s : samples) {
    if (s.tags.size() == 1 && s.tags[0].first == "cpu" && s.tags[0].second == cpu) return &s;
  }
  return nullptr;
}

Metrics metrics_of(const Sample& s) { return Metrics(s.metrics.begin(), s.metrics.end()); }

class CpuTest : public ::testing::Test {
 protected:
  std::unique_ptr<Collector> make(const std::string& yaml = "{}") {
    return make_cpu_collector(options(yaml), HostPaths{dir.path(), dir.path()});
  }
  void write_stat(const std::string& cpu_lines) {
    test::write_file(dir.file("stat"), cpu_lines +
                                           "intr 1234 0 0\nctxt 5678\nbtime 1700000000\n"
                                           "procs_running 3\nprocs_blocked 1\n");
  }
  std::vector<Sample> tick(Collector& c, std::chrono::seconds at, std::string* error = nullptr) {
    std::vector<Sample> out;
    std::string e = c.collect(MonoClock::time_point(at), &out);
    if (error) {
      *error = e;
    } else {
      EXPECT_EQ(e, "");
    }
    return out;
  }

  test::TempDir dir;
};

TEST_F(CpuTest, Cpu_FirstTickEmitsNothing) {
  write_stat("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 100 0 50 800 50 0 0 0 0 0\n");
  auto c = make();
  EXPECT_TRUE(tick(*c, 1s).empty());
}

TEST_F(CpuTest, Cpu_PercentagesAreSharesOfTotalJiffiesAndIowaitIsNotBusy) {
  write_stat("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 100 0 50 800 50 0 0 0 0 0\n");
  auto c = make();
  tick(*c, 1s);
  // Δ: user 100, nice 0, system 50, idle 700, iowait 100, irq 20, softirq 20, steal 10 = 1000.
  write_stat("cpu  200 0 100 1500 150 20 20 10 0 0\ncpu0 200 0 100 1500 150 20 20 10 0 0\n");
  auto out = tick(*c, 2s);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].resource, "cpu");
  EXPECT_EQ(out[0].tags, (std::vector<std::pair<std::string, std::string>>{{"cpu", "total"}}));
  EXPECT_EQ(out[1].tags, (std::vector<std::pair<std::string, std::string>>{{"cpu", "cpu0"}}));
  const Metrics expected = {{"usage_pct", 20.0}, {"user_pct", 10.0},   {"nice_pct", 0.0},
                            {"system_pct", 5.0}, {"idle_pct", 70.0},   {"iowait_pct", 10.0},
                            {"irq_pct", 2.0},    {"softirq_pct", 2.0}, {"steal_pct", 1.0}};
  EXPECT_EQ(metrics_of(out[0]), expected);
  EXPECT_EQ(metrics_of(out[1]), expected);
  EXPECT_EQ(out[0].metrics.front().first, "usage_pct");
}

TEST_F(CpuTest, Cpu_GuestTimeIsNotCountedTwice) {
  // guest/guest_nice are already inside user/nice; adding them to the total would give 1500 below.
  write_stat("cpu  100 0 0 100 0 0 0 0 0 0\n");
  auto c = make();
  tick(*c, 1s);
  write_stat("cpu  600 0 0 600 0 0 0 0 400 100\n");
  auto out = tick(*c, 2s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(metrics_of(out[0])["usage_pct"], 50.0);
  EXPECT_EQ(metrics_of(out[0])["user_pct"], 50.0);
}

TEST_F(CpuTest, Cpu_PerCoreFalseEmitsOnlyTotal) {
  write_stat(
      "cpu  100 0 0 100 0 0 0 0 0 0\ncpu0 50 0 0 50 0 0 0 0 0 0\ncpu1 50 0 0 50 0 0 0 0 0 0\n");
  auto c = make("per_core: false");
  tick(*c, 1s);
  write_stat(
      "cpu  200 0 0 200 0 0 0 0 0 0\ncpu0 100 0 0 100 0 0 0 0 0 0\ncpu1 100 0 0 100 0 0 0 0 0 0\n");
  auto out = tick(*c, 2s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tags[0].second, "total");
}

TEST_F(CpuTest, Cpu_CounterGoingBackwardsSkipsThatCpu) {
  write_stat(
      "cpu  200 0 0 200 100 0 0 0 0 0\n"
      "cpu0 100 0 0 100 50 0 0 0 0 0\ncpu1 100 0 0 100 50 0 0 0 0 0\n");
  auto c = make();
  tick(*c, 1s);
  // cpu1's iowait drops from 50 to 40 (the kernel allows it): no sample for cpu1, no negatives.
  write_stat(
      "cpu  300 0 0 300 100 0 0 0 0 0\n"
      "cpu0 150 0 0 150 50 0 0 0 0 0\ncpu1 150 0 0 150 40 0 0 0 0 0\n");
  auto out = tick(*c, 2s);
  ASSERT_NE(find_cpu(out, "total"), nullptr);
  ASSERT_NE(find_cpu(out, "cpu0"), nullptr);
  EXPECT_EQ(find_cpu(out, "cpu1"), nullptr);
  // The backwards reading became cpu1's new baseline.
  write_stat(
      "cpu  400 0 0 400 100 0 0 0 0 0\n"
      "cpu0 200 0 0 200 50 0 0 0 0 0\ncpu1 250 0 0 150 40 0 0 0 0 0\n");
  out = tick(*c, 3s);
  const Sample* cpu1 = find_cpu(out, "cpu1");
  ASSERT_NE(cpu1, nullptr);
  EXPECT_EQ(metrics_of(*cpu1)["usage_pct"], 100.0);
}

TEST_F(CpuTest, Cpu_OfflineCpuIsDroppedAndReturnsWithFreshBaseline) {
  write_stat(
      "cpu  200 0 0 200 0 0 0 0 0 0\n"
      "cpu0 100 0 0 100 0 0 0 0 0 0\ncpu1 100 0 0 100 0 0 0 0 0 0\n");
  auto c = make();
  tick(*c, 1s);
  write_stat("cpu  300 0 0 300 0 0 0 0 0 0\ncpu0 200 0 0 200 0 0 0 0 0 0\n");  // cpu1 offline
  auto out = tick(*c, 2s);
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(find_cpu(out, "cpu1"), nullptr);
  // cpu1 back online: its first reading is only a baseline, not a delta against the old one.
  write_stat(
      "cpu  500 0 0 400 0 0 0 0 0 0\n"
      "cpu0 300 0 0 300 0 0 0 0 0 0\ncpu1 500 0 0 100 0 0 0 0 0 0\n");
  out = tick(*c, 3s);
  EXPECT_NE(find_cpu(out, "cpu0"), nullptr);
  EXPECT_EQ(find_cpu(out, "cpu1"), nullptr);
  write_stat(
      "cpu  600 0 0 500 0 0 0 0 0 0\n"
      "cpu0 350 0 0 350 0 0 0 0 0 0\ncpu1 550 0 0 150 0 0 0 0 0 0\n");
  out = tick(*c, 4s);
  const Sample* cpu1 = find_cpu(out, "cpu1");
  ASSERT_NE(cpu1, nullptr);
  EXPECT_EQ(metrics_of(*cpu1)["usage_pct"], 50.0);
}

TEST_F(CpuTest, Cpu_NoJiffiesPassedEmitsNothing) {
  write_stat("cpu  100 0 0 100 0 0 0 0 0 0\n");
  auto c = make();
  tick(*c, 1s);
  EXPECT_TRUE(tick(*c, 2s).empty());
}

TEST_F(CpuTest, Cpu_OldKernelWithFourColumnsParses) {
  std::string_view name;
  CpuTimes t;
  ASSERT_TRUE(parse_cpu_line("cpu3 10 20 30 40", &name, &t));
  EXPECT_EQ(name, "cpu3");
  EXPECT_EQ(t.total(), 100u);
  EXPECT_FALSE(parse_cpu_line("cpu 10 20 x 40", &name, &t));
  EXPECT_FALSE(parse_cpu_line("ctxt 5678", &name, &t));
}

TEST_F(CpuTest, Cpu_UnreadableStatReturnsErrorNamingPath) {
  auto c = make();
  std::string error;
  auto out = tick(*c, 1s, &error);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(error, "cannot read " + dir.file("stat") + ": No such file or directory");
}

TEST(CpuRealProc, Cpu_RealProcGivesPercentagesWithinRange) {
  auto c = make_cpu_collector(options("{}"), HostPaths{});
  std::vector<Sample> out;
  ASSERT_EQ(c->collect(MonoClock::now(), &out), "");
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(test::wait_until(
      [&] {
        out.clear();
        // A CPU whose jiffies did not move between two reads is skipped: wait for a read in
        // which at least one core moved too (under load or ASan one read can show none).
        return c->collect(MonoClock::now(), &out).empty() && find_cpu(out, "total") != nullptr &&
               out.size() >= 2;
      },
      10s));
  const Sample* total = find_cpu(out, "total");
  ASSERT_NE(total, nullptr);
  Metrics m = metrics_of(*total);
  EXPECT_GE(m["usage_pct"], 0.0);
  EXPECT_LE(m["usage_pct"], 100.0);
  double sum = m["user_pct"] + m["nice_pct"] + m["system_pct"] + m["idle_pct"] + m["iowait_pct"] +
               m["irq_pct"] + m["softirq_pct"] + m["steal_pct"];
  EXPECT_NEAR(sum, 100.0, 0.1);
  EXPECT_NEAR(m["usage_pct"], 100.0 - m["idle_pct"] - m["iowait_pct"], 0.05);
  // Per-core samples for the online CPUs (a CPU whose jiffies did not move may be skipped).
  EXPECT_GE(out.size(), 2u);
  EXPECT_LE(out.size(), static_cast<size_t>(sysconf(_SC_NPROCESSORS_ONLN)) + 1);
}

}  // namespace
}  // namespace sentinel::agent

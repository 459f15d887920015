// memory collector: /proc/meminfo gauges, the used definition and its fallback, real /proc.
#include "agent/collectors/memory.h"

#include <gtest/gtest.h>

#include <map>

#include "agent/collectors/factories.h"
#include "tests/support/process.h"

namespace sentinel::agent {
namespace {

using namespace std::chrono_literals;
using Metrics = std::map<std::string, double>;

constexpr double kKiB = 1024.0;

ConfigNode memory_no_options() { return ConfigFile::parse("{}", "agent.yaml").root(); }

Metrics memory_metrics_of(const Sample& s) { return Metrics(s.metrics.begin(), s.metrics.end()); }

const char* kMeminfo =
    "MemTotal:       16000000 kB\n"
    "MemFree:         2000000 kB\n"
    "MemAvailable:   12000000 kB\n"
    "Buffers:          500000 kB\n"
    "Cached:          8000000 kB\n"
    "SwapCached:        10000 kB\n"
    "Active:          6000000 kB\n"
    "SwapTotal:       4000000 kB\n"
    "SwapFree:        3000000 kB\n"
    "Dirty:              1234 kB\n"
    "Shmem:            300000 kB\n"
    "Slab:             700000 kB\n"
    "SReclaimable:     600000 kB\n"
    "SUnreclaim:       100000 kB\n"
    "HugePages_Total:       0\n";

class MemoryTest : public ::testing::Test {
 protected:
  std::vector<Sample> collect(std::string* error = nullptr) {
    auto c = make_memory_collector(memory_no_options(), HostPaths{dir.path(), dir.path()});
    std::vector<Sample> out;
    std::string e = c->collect(MonoClock::now(), &out);
    if (error) {
      *error = e;
    } else {
      EXPECT_EQ(e, "");
    }
    return out;
  }
  test::TempDir dir;
};

TEST_F(MemoryTest, Memory_UsedIsTotalMinusAvailable) {
  test::write_file(dir.file("meminfo"), kMeminfo);
  auto out = collect();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].resource, "memory");
  EXPECT_TRUE(out[0].tags.empty());
  const Metrics expected = {{"total_bytes", 16000000 * kKiB},
                            {"available_bytes", 12000000 * kKiB},
                            {"used_bytes", 4000000 * kKiB},
                            {"used_pct", 25.0},
                            {"free_bytes", 2000000 * kKiB},
                            {"buffers_bytes", 500000 * kKiB},
                            {"cached_bytes", 8000000 * kKiB},
                            {"shared_bytes", 300000 * kKiB},
                            {"slab_bytes", 700000 * kKiB},
                            {"sreclaimable_bytes", 600000 * kKiB},
                            {"dirty_bytes", 1234 * kKiB},
                            {"swap_total_bytes", 4000000 * kKiB},
                            {"swap_free_bytes", 3000000 * kKiB},
                            {"swap_used_bytes", 1000000 * kKiB},
                            {"swap_used_pct", 25.0}};
  EXPECT_EQ(memory_metrics_of(out[0]), expected);
  ASSERT_EQ(out[0].metrics.size(), 15u);
  EXPECT_EQ(out[0].metrics[0].first, "total_bytes");
  EXPECT_EQ(out[0].metrics[2].first, "used_bytes");
}

TEST_F(MemoryTest, Memory_WithoutMemAvailableUsedExcludesBuffersCacheAndReclaimableSlab) {
  // Kernel < 3.14: 16000000 − 2000000 − 500000 − 8000000 − 600000 = 4900000 kB.
  std::string text = kMeminfo;
  text.erase(text.find("MemAvailable:"), text.find("Buffers:") - text.find("MemAvailable:"));
  test::write_file(dir.file("meminfo"), text);
  auto out = collect();
  ASSERT_EQ(out.size(), 1u);
  Metrics m = memory_metrics_of(out[0]);
  EXPECT_EQ(m.count("available_bytes"), 0u);
  EXPECT_EQ(m["used_bytes"], 4900000 * kKiB);
  EXPECT_EQ(m["used_pct"], 30.63);
}

TEST_F(MemoryTest, Memory_NoSwapGivesZeroSwapPercent) {
  test::write_file(dir.file("meminfo"),
                   "MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 500 kB\n"
                   "SwapTotal: 0 kB\nSwapFree: 0 kB\n");
  auto out = collect();
  ASSERT_EQ(out.size(), 1u);
  Metrics m = memory_metrics_of(out[0]);
  EXPECT_EQ(m["swap_used_bytes"], 0.0);
  EXPECT_EQ(m["swap_used_pct"], 0.0);
  EXPECT_EQ(m["used_pct"], 50.0);
}

TEST_F(MemoryTest, Memory_MissingRawFieldsAreNotEmitted) {
  test::write_file(dir.file("meminfo"), "MemTotal: 1000 kB\nMemAvailable: 250 kB\n");
  auto out = collect();
  ASSERT_EQ(out.size(), 1u);
  const Metrics expected = {{"total_bytes", 1000 * kKiB},
                            {"available_bytes", 250 * kKiB},
                            {"used_bytes", 750 * kKiB},
                            {"used_pct", 75.0}};
  EXPECT_EQ(memory_metrics_of(out[0]), expected);
}

TEST_F(MemoryTest, Memory_NoMemTotalIsAnError) {
  test::write_file(dir.file("meminfo"), "garbage\n");
  std::string error;
  EXPECT_TRUE(collect(&error).empty());
  EXPECT_EQ(error, dir.file("meminfo") + ": no MemTotal line");
}

TEST_F(MemoryTest, Memory_UnreadableMeminfoReturnsErrorNamingPath) {
  std::string error;
  EXPECT_TRUE(collect(&error).empty());
  EXPECT_EQ(error, "cannot read " + dir.file("meminfo") + ": No such file or directory");
}

TEST(MemoryRealProc, Memory_RealProcIsConsistent) {
  auto c = make_memory_collector(memory_no_options(), HostPaths{});
  std::vector<Sample> out;
  ASSERT_EQ(c->collect(MonoClock::now(), &out), "");
  ASSERT_EQ(out.size(), 1u);
  Metrics m = memory_metrics_of(out[0]);
  EXPECT_GT(m["total_bytes"], 0.0);
  EXPECT_LE(m["available_bytes"], m["total_bytes"]);
  EXPECT_EQ(m["used_bytes"], m["total_bytes"] - m["available_bytes"]);
  EXPECT_GT(m["used_pct"], 0.0);
  EXPECT_LT(m["used_pct"], 100.0);
  EXPECT_LE(m["swap_free_bytes"], m["swap_total_bytes"]);
  EXPECT_GE(m["swap_used_pct"], 0.0);
  EXPECT_LE(m["swap_used_pct"], 100.0);
}

}  // namespace
}  // namespace sentinel::agent

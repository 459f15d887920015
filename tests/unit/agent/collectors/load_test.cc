// load collector: /proc/loadavg plus /proc/stat counts, errors, real /proc.
#include "agent/collectors/load.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>

#include "agent/collectors/factories.h"
#include "agent/collectors/proc_text.h"
#include "tests/support/process.h"

namespace sentinel::agent {
namespace {

using Metrics = std::map<std::string, double>;

ConfigNode load_no_options() { return ConfigFile::parse("{}", "agent.yaml").root(); }

Metrics load_metrics_of(const Sample& s) { return Metrics(s.metrics.begin(), s.metrics.end()); }

class LoadTest : public ::testing::Test {
 protected:
  std::vector<Sample> collect(std::string* error = nullptr) {
    auto c = make_load_collector(load_no_options(), HostPaths{dir.path(), dir.path()});
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

TEST_F(LoadTest, Load_AveragesRunQueueAndOnlineCpus) {
  test::write_file(dir.file("loadavg"), "3.00 2.50 1.25 7/512 12345\n");
  test::write_file(dir.file("stat"),
                   "cpu  1 2 3 4 5 6 7 8 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\ncpu1 1 2 3 4 5 6 7 8 0 0\n"
                   "cpu3 1 2 3 4 5 6 7 8 0 0\nintr 1 2 3\nctxt 99\nprocesses 1000\n"
                   "procs_running 5\nprocs_blocked 2\nsoftirq 1 2 3\n");
  auto out = collect();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].resource, "load");
  EXPECT_TRUE(out[0].tags.empty());
  // procs_running comes from /proc/stat (5), not loadavg's 7/512; cpu2 is offline: 3 CPUs.
  const std::vector<std::pair<std::string, double>> expected = {
      {"load1", 3.0},         {"load5", 2.5}, {"load15", 1.25},      {"procs_running", 5.0},
      {"procs_blocked", 2.0}, {"cpus", 3.0},  {"load1_per_cpu", 1.0}};
  EXPECT_EQ(out[0].metrics, expected);
}

TEST_F(LoadTest, Load_MalformedLoadavgIsAnErrorNamingPath) {
  test::write_file(dir.file("loadavg"), "busy\n");
  test::write_file(dir.file("stat"), "cpu0 1 2 3 4\n");
  std::string error;
  EXPECT_TRUE(collect(&error).empty());
  EXPECT_EQ(error, dir.file("loadavg") + ": expected three load averages, got \"busy\"");
}

TEST_F(LoadTest, Load_UnreadableStatReturnsErrorNamingPath) {
  test::write_file(dir.file("loadavg"), "0.10 0.20 0.30 1/100 42\n");
  std::string error;
  EXPECT_TRUE(collect(&error).empty());
  EXPECT_EQ(error, "cannot read " + dir.file("stat") + ": No such file or directory");
}

TEST_F(LoadTest, Load_SharesOneProcStatReadPerTickWithCpu) {
  test::write_file(dir.file("loadavg"), "1.00 1.00 1.00 1/100 42\n");
  test::write_file(dir.file("stat"),
                   "cpu  1 0 1 8 0 0 0 0\ncpu0 1 0 1 8 0 0 0 0\nprocs_running 3\n");
  HostPaths paths{dir.path(), dir.path()};  // one HostPaths for both, as the agent's config has
  auto cpu = make_cpu_collector(load_no_options(), paths);
  auto load = make_load_collector(load_no_options(), paths);
  auto procs_running = [&](MonoClock::time_point now) {
    std::vector<Sample> out;
    EXPECT_EQ(cpu->collect(now, &out), "");
    // Replaced between the two collectors of one tick: load must still see cpu's read.
    test::write_file(dir.file("stat"), "cpu  1 0 1 8 0 0 0 0\nprocs_running " +
                                           std::to_string(now.time_since_epoch().count()) + "\n");
    EXPECT_EQ(load->collect(now, &out), "");
    return load_metrics_of(out.back())["procs_running"];
  };
  EXPECT_EQ(procs_running(MonoClock::time_point(MonoClock::duration(5))), 3.0);
  EXPECT_EQ(paths.reads->file_reads(), 1u);
  // The next tick reads afresh: cpu sees the file written above, and so does load.
  EXPECT_EQ(procs_running(MonoClock::time_point(MonoClock::duration(7))), 5.0);
  EXPECT_EQ(paths.reads->file_reads(), 2u);
}

TEST(LoadRealProc, Load_RealProcIsPlausible) {
  auto c = make_load_collector(load_no_options(), HostPaths{});
  std::vector<Sample> out;
  ASSERT_EQ(c->collect(MonoClock::now(), &out), "");
  ASSERT_EQ(out.size(), 1u);
  Metrics m = load_metrics_of(out[0]);
  EXPECT_GE(m["load1"], 0.0);
  EXPECT_GE(m["load15"], 0.0);
  EXPECT_GE(m["procs_running"], 1.0);  // this test is running
  EXPECT_EQ(m["cpus"], static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN)));
  EXPECT_DOUBLE_EQ(m["load1_per_cpu"], m["load1"] / m["cpus"]);
}

}  // namespace
}  // namespace sentinel::agent

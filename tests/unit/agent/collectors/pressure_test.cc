// pressure collector: PSI files present, absent, partial, unreadable, malformed; real /proc.
#include "agent/collectors/pressure.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "agent/collectors/factories.h"
#include "tests/support/process.h"

namespace sentinel::agent {
namespace {

using Metrics = std::map<std::string, double>;

ConfigNode pressure_no_options() { return ConfigFile::parse("{}", "agent.yaml").root(); }

Metrics pressure_metrics_of(const Sample& s) { return Metrics(s.metrics.begin(), s.metrics.end()); }

class PressureTest : public ::testing::Test {
 protected:
  std::vector<Sample> collect(std::string* error) {
    auto c = make_pressure_collector(pressure_no_options(), HostPaths{dir.path(), dir.path()});
    std::vector<Sample> out;
    *error = c->collect(MonoClock::now(), &out);
    return out;
  }
  test::TempDir dir;
};

TEST_F(PressureTest, Pressure_OneSamplePerFileWithFullLineWhenPresent) {
  test::write_file(dir.file("pressure/cpu"),
                   "some avg10=1.50 avg60=0.75 avg300=0.25 total=123456\n"
                   "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
  test::write_file(dir.file("pressure/memory"),
                   "some avg10=2.00 avg60=1.00 avg300=0.50 total=1000\n"
                   "full avg10=1.00 avg60=0.50 avg300=0.10 total=700\n");
  test::write_file(dir.file("pressure/io"), "some avg10=9.99 avg60=0.01 avg300=0.00 total=42\n");
  std::string error;
  auto out = collect(&error);
  EXPECT_EQ(error, "");
  ASSERT_EQ(out.size(), 3u);  // no irq file: older kernel
  EXPECT_EQ(out[0].resource, "pressure");
  EXPECT_EQ(out[0].tags, (std::vector<std::pair<std::string, std::string>>{{"pressure", "cpu"}}));
  EXPECT_EQ(out[1].tags[0].second, "memory");
  EXPECT_EQ(out[2].tags[0].second, "io");
  const std::vector<std::pair<std::string, double>> memory = {
      {"some_avg10", 2.0}, {"some_avg60", 1.0}, {"some_avg300", 0.5}, {"some_total_us", 1000},
      {"full_avg10", 1.0}, {"full_avg60", 0.5}, {"full_avg300", 0.1}, {"full_total_us", 700}};
  EXPECT_EQ(out[1].metrics, memory);
  EXPECT_EQ(pressure_metrics_of(out[0])["some_total_us"], 123456.0);
  const Metrics io = {
      {"some_avg10", 9.99}, {"some_avg60", 0.01}, {"some_avg300", 0.0}, {"some_total_us", 42.0}};
  EXPECT_EQ(pressure_metrics_of(out[2]), io);  // no full line → no full_ metrics
}

TEST_F(PressureTest, Pressure_NoPsiEmitsNothingAndNoError) {
  std::string error;
  auto out = collect(&error);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(error, "");
}

TEST_F(PressureTest, Pressure_MalformedFileIsAnErrorButOthersAreReported) {
  test::write_file(dir.file("pressure/cpu"), "some avg10=x avg60=0 avg300=0 total=0\n");
  test::write_file(dir.file("pressure/io"), "some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n");
  std::string error;
  auto out = collect(&error);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tags[0].second, "io");
  EXPECT_NE(error.find(dir.file("pressure/cpu") + ": expected"), std::string::npos) << error;
}

TEST_F(PressureTest, Pressure_PresentButUnreadableFileIsAnError) {
  // A directory where a file should be gives EISDIR on read — unreadable for root too, unlike
  // chmod 000.
  std::filesystem::create_directories(dir.file("pressure/memory"));
  std::string error;
  auto out = collect(&error);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(error, "cannot read " + dir.file("pressure/memory") + ": Is a directory");
}

TEST(PressureRealProc, Pressure_RealProcIsPlausible) {
  auto c = make_pressure_collector(pressure_no_options(), HostPaths{});
  std::vector<Sample> out;
  ASSERT_EQ(c->collect(MonoClock::now(), &out), "");
  if (access("/proc/pressure", F_OK) != 0) {
    EXPECT_TRUE(out.empty());
    GTEST_SKIP() << "kernel without PSI";
  }
  ASSERT_FALSE(out.empty());
  for (const auto& s : out) {
    Metrics m = pressure_metrics_of(s);
    EXPECT_GE(m["some_avg10"], 0.0) << s.tags[0].second;
    EXPECT_LE(m["some_avg10"], 100.0) << s.tags[0].second;
    EXPECT_GE(m["some_total_us"], 0.0);
    if (m.count("full_total_us")) {
      EXPECT_LE(m["full_total_us"], m["some_total_us"]);
    }
  }
}

}  // namespace
}  // namespace sentinel::agent

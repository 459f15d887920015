// sentinel-loggen as a process: lines appended to a file as a web server would, a rename +
// SIGUSR1 reopen that loses nothing, http_logs records in a real broker read back with kcat,
// and the errors and --expected-alerts a user sees.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/build_paths.h"
#include "tests/support/kafka_env.h"
#include "tests/support/process.h"
#include "tools/loggen/combined.h"

namespace sentinel::test {
namespace {

using namespace std::chrono_literals;

const std::string kDemo = source_dir() + "/config/loggen/demo.yaml";
const std::string kStart = "2026-11-22T10:00:00Z";

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

size_t count_lines(const std::string& path) {
  std::string text = read_file(path);
  return std::count(text.begin(), text.end(), '\n');
}

bool exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

// The reference output: the same seed, scenario and start time, unpaced, on stdout.
std::string reference(const std::string& seed, const std::string& lines,
                      const std::string& rate = "50") {
  std::string out, err;
  int rc = run({bin("sentinel-loggen"), "--scenario", kDemo, "--seed", seed, "--start-time", kStart,
                "--lines", lines, "--rate", rate, "--as-fast-as-possible"},
               &out, 60s, &err);
  EXPECT_EQ(rc, 0) << err;
  return out;
}

TEST(Loggen, FileGetsEveryLineAppendedAndEqualsTheSameSeedOnStdout) {
  TempDir dir;
  std::string log = dir.file("access.log");
  write_file(log, "existing line\n");
  std::string err;
  ASSERT_EQ(run({bin("sentinel-loggen"), "--scenario", kDemo, "--seed", "5", "--start-time", kStart,
                 "--lines", "5000", "--as-fast-as-possible", "--output", log},
                nullptr, 60s, &err),
            0)
      << err;
  EXPECT_EQ(count_lines(log), 5001u);
  EXPECT_TRUE(read_file(log) == "existing line\n" + reference("5", "5000"))
      << "appended, byte-identical to the same seed's stdout";
  EXPECT_TRUE(reference("5", "5000") != reference("6", "5000"));
}

TEST(Loggen, RenameAndSigusr1ReopenLosesNoLine) {
  TempDir dir;
  std::string log = dir.file("access.log");
  // Paced in real time: 2000 lines at 400 lines/s, so the rotations happen while it writes.
  Process p({bin("sentinel-loggen"), "--scenario", kDemo, "--seed", "9", "--start-time", kStart,
             "--lines", "2000", "--rate", "400", "--output", log});
  for (int rotation = 1; rotation <= 2; ++rotation) {
    ASSERT_TRUE(wait_until([&] { return exists(log) && count_lines(log) >= 100; }, 30s)) << p.err();
    ASSERT_TRUE(p.running()) << "still writing when rotated";
    std::string rotated = log + "." + std::to_string(rotation);
    ASSERT_EQ(std::rename(log.c_str(), rotated.c_str()), 0);
    p.signal(SIGUSR1);
    ASSERT_TRUE(wait_until([&] { return exists(log); }, 30s)) << "reopened by path\n" << p.err();
  }
  ASSERT_EQ(p.wait(60s), 0) << p.err();
  std::string all = read_file(log + ".1") + read_file(log + ".2") + read_file(log);
  EXPECT_GT(count_lines(log + ".1"), 0u);
  EXPECT_GT(count_lines(log + ".2"), 0u);
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 2000);
  // Compared as a flag: a diff of 2000 lines would drown the report.
  EXPECT_TRUE(all == reference("9", "2000", "400"))
      << "no line lost, duplicated or cut across rotations";
}

TEST(Loggen, SigtermStopsAPacedRunWithWholeLines) {
  TempDir dir;
  std::string log = dir.file("access.log");
  Process p({bin("sentinel-loggen"), "--scenario", kDemo, "--rate", "100", "--output", log});
  ASSERT_TRUE(wait_until([&] { return exists(log) && count_lines(log) >= 20; }, 30s)) << p.err();
  p.signal(SIGTERM);
  ASSERT_EQ(p.wait(30s), 0) << p.err();
  std::string text = read_file(log);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
}

TEST(Loggen, KafkaRecordsAreKeyedByClientIpWithTheSchemaAndTimestamp) {
  DevKafka kafka({"http_logs:3"});
  std::string err;
  ASSERT_EQ(run({bin("sentinel-loggen"), "--scenario", kDemo, "--seed", "11", "--start-time",
                 kStart, "--lines", "800", "--as-fast-as-possible", "--kafka",
                 "--bootstrap-servers", kafka.bootstrap(), "--host", "web-7"},
                nullptr, 120s, &err),
            0)
      << err;
  std::vector<KafkaRecord> records;
  ASSERT_TRUE(wait_until(
      [&] { return (records = kcat_consume(kafka.bootstrap(), "http_logs")).size() >= 800; }, 60s));
  ASSERT_EQ(records.size(), 800u) << "each line once (idempotent producer)";

  // The records carry the same requests as the combined-format lines of the same seed.
  std::vector<std::string> expected = split_lines(reference("11", "800"));
  std::vector<std::string> rebuilt;
  for (const KafkaRecord& r : records) {
    auto j = nlohmann::json::parse(r.value);
    for (const char* field : {"v", "host", "source", "ts", "client_ip", "method", "path",
                              "protocol", "status", "bytes", "referer", "user_agent"}) {
      ASSERT_TRUE(j.contains(field)) << field << " in " << r.value;
    }
    EXPECT_EQ(j["v"], 1);
    EXPECT_EQ(j["host"], "web-7");
    EXPECT_EQ(j["source"], "sentinel-loggen");
    EXPECT_EQ(r.key, j["client_ip"]) << "keyed by client IP";
    EXPECT_EQ(r.timestamp, j["ts"].get<long long>()) << "Kafka timestamp = ts";
    loggen::Request q;
    q.ts_ms = j["ts"];
    q.client_ip = j["client_ip"];
    q.method = j["method"];
    q.path = j["path"];
    q.protocol = j["protocol"];
    q.status = j["status"];
    q.bytes = j["bytes"];
    q.referer = j["referer"];
    q.user_agent = j["user_agent"];
    std::string line;
    loggen::append_combined_line(q, &line);
    line.pop_back();
    rebuilt.push_back(line);
  }
  std::sort(expected.begin(), expected.end());
  std::sort(rebuilt.begin(), rebuilt.end());
  EXPECT_EQ(rebuilt, expected);
}

TEST(Loggen, CreateTopicsAgainstDevKafkaSaysTheMockCannotCreateTopics) {
  DevKafka kafka({"http_logs:1"});
  std::string err;
  EXPECT_EQ(run({bin("sentinel-loggen"), "--scenario", kDemo, "--lines", "10",
                 "--as-fast-as-possible", "--kafka", "--bootstrap-servers", kafka.bootstrap(),
                 "--topic", "fresh", "--create-topics"},
                nullptr, 120s, &err),
            1);
  EXPECT_NE(err.find("sentinel-devkafka --topic"), std::string::npos) << err;
}

TEST(Loggen, BadScenarioExitsTwoNamingFileLineAndKey) {
  TempDir dir;
  write_file(dir.file("bad.yaml"),
             "urls:\n  - path: /\nanomalies:\n  - type: outage\n    error_share: 0.5\n"
             "    start: soon\n    duration: 5s\n");
  std::string out, err;
  EXPECT_EQ(run({bin("sentinel-loggen"), "--scenario", dir.file("bad.yaml"), "--lines", "10"}, &out,
                30s, &err),
            2);
  EXPECT_NE(err.find("scenario error: " + dir.file("bad.yaml") +
                     ":6: anomalies[0].start: \"soon\": expected a duration like"),
            std::string::npos)
      << err;
  EXPECT_EQ(out, "");
}

TEST(Loggen, ExpectedAlertsPrintsOneJsonLinePerAnomalyWithoutTraffic) {
  std::string out, err;
  ASSERT_EQ(run({bin("sentinel-loggen"), "--scenario", kDemo, "--start-time", kStart,
                 "--expected-alerts"},
                &out, 30s, &err),
            0)
      << err;
  std::vector<std::string> lines = split_lines(out);
  ASSERT_EQ(lines.size(), 3u) << out;
  std::vector<std::string> dimensions;
  for (const auto& line : lines) {
    auto j = nlohmann::json::parse(line);
    dimensions.push_back(j["dimension"]);
    EXPECT_GE(j["start"].get<long long>(), 1795341600000LL);
    EXPECT_LE(j["end"].get<long long>(), 1795341600000LL + 60000)
        << "demo: within the first minute";
    EXPECT_GT(j["error_share"].get<double>(), j["baseline_error_share"].get<double>());
  }
  EXPECT_EQ(dimensions, (std::vector<std::string>{"ip", "url", "global"}));
}

TEST(Loggen, HelpListsEveryOption) {
  std::string out;
  ASSERT_EQ(run({bin("sentinel-loggen"), "--help"}, &out), 0);
  for (const char* option :
       {"--scenario", "--seed", "--rate", "--duration", "--lines", "--output", "--kafka",
        "--bootstrap-servers", "--topic", "--host", "--start-time", "--as-fast-as-possible",
        "--expected-alerts", "--create-topics", "SIGUSR1"}) {
    EXPECT_NE(out.find(option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace sentinel::test

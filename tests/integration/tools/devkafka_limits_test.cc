// sentinel-devkafka's limits said out loud: librdkafka's mock cluster keeps only the newest ~5 MB
// (or 100 000 message sets) of a partition. devkafka reports every trimmed partition on stderr
// with the records gone, and --help states the limits; Sentinel programs whose position was
// trimmed away while they were stopped (sentinel-alerts' committed offsets, the archive's
// position in sentinel-connect) say where they wanted to read and where they resumed.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "common/clock.h"
#include "tests/support/build_paths.h"
#include "tests/support/connect_worker.h"
#include "tests/support/kafka_env.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

// `n` records of about 1 KB each: 6 000 of them are more than the mock keeps of a partition.
std::vector<std::string> kilobyte_records(int n, const std::string& key = "") {
  std::vector<std::string> lines;
  std::string pad(1000, 'x');
  for (int i = 0; i < n; ++i) {
    lines.push_back((key.empty() ? "" : key + "\t") + "{\"seq\":" + std::to_string(i) +
                    ",\"pad\":\"" + pad + "\"}");
  }
  return lines;
}

// The first offset kcat finds in partition 0 of `topic`: the mock's log start.
long long first_offset(const std::string& bootstrap, const std::string& topic) {
  auto records = kcat_consume(bootstrap, topic);
  return records.empty() ? -1 : records.front().offset;
}

TEST(DevKafkaLimits, EveryTrimmedPartitionIsReportedWithTheRecordsGone) {
  DevKafka kafka({"big:1", "small:2"});
  kafka.allow_trims();
  ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "big", kilobyte_records(7000)));
  ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "small", kilobyte_records(100)));
  long long start = first_offset(kafka.bootstrap(), "big");
  ASSERT_GT(start, 0) << "7 MB in one partition: the mock must have dropped the oldest";
  // One report per look (once a second): a slow producer gives several. Together they count
  // every record gone, and the last one names the log start kcat sees.
  int64_t gone = 0, last_start = 0;
  auto reports = [&] {
    gone = 0;
    std::string err = kafka.process().err();
    std::regex report(
        R"(sentinel-devkafka: trimmed big\[0\]: (\d+) record\(s\) gone \(log start now (\d+)\))");
    for (std::sregex_iterator it(err.begin(), err.end(), report), end; it != end; ++it) {
      gone += std::stoll((*it)[1]);
      last_start = std::stoll((*it)[2]);
    }
    return last_start == start;
  };
  ASSERT_TRUE(wait_until(reports, 10s)) << kafka.process().err();
  EXPECT_EQ(gone, start) << kafka.process().err();
  EXPECT_NE(kafka.process().err().find("keeps only the newest ~5 MB or 100000 message sets"),
            std::string::npos);
  EXPECT_EQ(kafka.process().err().find("trimmed small["), std::string::npos)
      << "100 KB over two partitions: nothing dropped";
  EXPECT_EQ(kcat_consume(kafka.bootstrap(), "small").size(), 100u);
}

TEST(DevKafkaLimits, HelpStatesTheLimits) {
  std::string out;
  ASSERT_EQ(run({bin("sentinel-devkafka"), "--help"}, &out, 10s), 0);
  EXPECT_NE(out.find("~5 MB or 100000 message sets"), std::string::npos) << out;
  EXPECT_NE(out.find("OffsetsForTimes"), std::string::npos) << out;
  EXPECT_NE(out.find("real Kafka broker"), std::string::npos) << out;
}

std::string alerts_config(const std::string& bootstrap) {
  return "kafka: {bootstrap.servers: \"" + bootstrap +
         "\", session.timeout.ms: 3000, heartbeat.interval.ms: 300}\n"
         "time: {allowed_lateness: 1s, idle_timeout: 1s}\n"
         "commit_interval: 100ms\n"
         "rules:\n"
         "  cpu_high: {resource: cpu, metric: usage_pct, match: {cpu: total}, group_by: [host],\n"
         "             window: 5s, agg: avg, above: 90, resolve: 80, for: 2}\n"
         "host_silent: {enabled: false}\n";
}

std::vector<std::string> cpu_records(int n) {
  std::vector<std::string> lines;
  int64_t t0 = (wall_ms() - 600000) / 5000 * 5000;
  for (int i = 0; i < n; ++i) {
    lines.push_back("cpu\t" + json{{"v", 1},
                                   {"host", "synthetic-1"},
                                   {"resource", "cpu"},
                                   {"ts", t0 + i * 1000},
                                   {"tags", {{"cpu", "total"}}},
                                   {"metrics", {{"usage_pct", 10.0}}}}
                                  .dump());
  }
  return lines;
}

TEST(DevKafkaLimits, AlertsSayWhenTheirCommittedOffsetWasTrimmedAway) {
  DevKafka kafka({"system_metrics:1", "system_alerts:1"});
  kafka.allow_trims();
  TempDir dir;
  write_file(dir.file("alerts.yaml"), alerts_config(kafka.bootstrap()));
  Process::Options options;
  options.env["SENTINEL_LOG_LEVEL"] = "debug";  // commits are logged at debug level
  std::vector<std::string> argv = {bin("sentinel-alerts"), "--config", dir.file("alerts.yaml")};
  {
    Process alerts(argv, options);
    ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "system_metrics", cpu_records(40), true));
    ASSERT_TRUE(wait_until([&] { return alerts.err().find("]=40") != std::string::npos; }, 30s))
        << alerts.err();
    alerts.signal(SIGTERM);
    ASSERT_EQ(alerts.wait(20s), 0) << alerts.err();
  }
  // While it is stopped, 7 MB arrive: the mock drops the records after the committed offset.
  ASSERT_TRUE(
      kcat_produce(kafka.bootstrap(), "system_metrics", kilobyte_records(7000, "cpu"), true));
  long long start = first_offset(kafka.bootstrap(), "system_metrics");
  ASSERT_GT(start, 40);
  Process alerts(argv, options);
  std::string expected =
      "sentinel-alerts: system_metrics[0]: wanted offset 40, reading resumed at " +
      std::to_string(start) + ": " + std::to_string(start - 40) + " record(s) skipped";
  EXPECT_TRUE(wait_until([&] { return alerts.err().find(expected) != std::string::npos; }, 30s))
      << alerts.err();
  alerts.signal(SIGTERM);
  alerts.wait(20s);
}

TEST(DevKafkaLimits, TheArchiveSaysWhenItsPositionWasTrimmedAway) {
  DevKafka kafka({"system_alerts:1"});
  kafka.allow_trims();
  TempDir dir;
  std::filesystem::create_directories(dir.file("archive"));
  const std::string properties =
      "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
      "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
      "offset.flush.interval.ms=200\n"
      "consumer.session.timeout.ms=6000\nconsumer.heartbeat.interval.ms=300\n"
      "plugin.path=" +
      built(plugin_dir()) + "\narchive.root=" + dir.file("archive") + "\n";
  const ConnectWorker::Options options{.start_timeout = 15s};
  ASSERT_TRUE(
      kcat_produce(kafka.bootstrap(), "system_alerts", kilobyte_records(100, "web-1"), true));
  {
    ConnectWorker worker(dir, kafka.bootstrap(), properties, options);
    ASSERT_TRUE(worker.up());
    json config = {{"connector.class", "RotatingFileSink"},
                   {"topics", "system_alerts"},
                   {"path", "{topic}-{partition}.log"},
                   {"format", "envelope"},
                   {"flush.interval.ms", "50"}};
    auto [status, body] =
        worker.send("POST", "/connectors", json{{"name", "archive"}, {"config", config}}.dump());
    ASSERT_EQ(status, 201) << body.dump();
    ASSERT_TRUE(wait_until(
        [&] {
          std::string text = read_file(dir.file("archive/system_alerts-0.log"));
          return std::count(text.begin(), text.end(), '\n') >= 100;
        },
        30s))
        << worker.process().err();
    worker.process().signal(SIGTERM);
    ASSERT_EQ(worker.process().wait(30s), 0) << worker.process().err();
  }
  ASSERT_TRUE(
      kcat_produce(kafka.bootstrap(), "system_alerts", kilobyte_records(7000, "web-1"), true));
  long long start = first_offset(kafka.bootstrap(), "system_alerts");
  ASSERT_GT(start, 100);
  ConnectWorker worker(dir, kafka.bootstrap(), properties, options);
  std::string expected =
      "connector archive task 0: system_alerts[0]: wanted offset 100, reading "
      "resumed at " +
      std::to_string(start);
  EXPECT_TRUE(
      wait_until([&] { return worker.process().err().find(expected) != std::string::npos; }, 30s))
      << worker.process().err();
  worker.process().signal(SIGTERM);
  worker.process().wait(30s);
}

}  // namespace
}  // namespace sentinel::test

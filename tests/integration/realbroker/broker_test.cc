// The real-broker fixture itself (tests/support/real_kafka.h), and the reason it exists: the
// real broker keeps every record of a partition holding more than librdkafka's mock cluster
// (sentinel-devkafka) keeps (~5 MB or 100 000 message sets), where the mock drops the oldest.
#include <gtest/gtest.h>

#include <set>

#include "tests/support/kafka_env.h"
#include "tests/support/real_kafka.h"

namespace sentinel::test {
namespace {

// ~190-byte alert records, like those the issue lost on the mock.
std::vector<std::string> alert_lines(int n) {
  std::vector<std::string> lines;
  for (int i = 0; i < n; ++i) {
    lines.push_back("web-" + std::to_string(i % 64) + "\t{\"v\":1,\"id\":\"cpu_high/host=web-" +
                    std::to_string(i % 64) +
                    "\",\"rule\":\"cpu_high\",\"state\":\"firing\",\"severity\":\"critical\","
                    "\"value\":97.5,\"summary\":\"cpu usage_pct avg 97.5 above 90\",\"seq\":" +
                    std::to_string(i) + "}");
  }
  return lines;
}

TEST(RealBroker, CreatesTopicsWithPartitionsAndConfigThroughTheAdminApi) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  std::string topic = RealKafka::unique_name("fixture");
  std::string error;
  ASSERT_TRUE(kafka.create_topics({{topic, 4, 1, {{"retention.ms", "7200000"}}}}, &error)) << error;
  EXPECT_EQ(kafka.partition_count(topic), 4);
  auto config = kafka.topic_config(topic, &error);
  EXPECT_EQ(config["retention.ms"], "7200000") << error;
}

TEST(RealBroker, KeepsEveryRecordOfAPartitionBeyondWhatTheMockHolds) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  std::string topic = RealKafka::unique_name("alerts");
  std::string error;
  ASSERT_TRUE(kafka.create_topics({{topic, 1, 1, {}}}, &error)) << error;
  // 40 000 records of ~190 bytes: ~7.6 MB in one partition, over the mock's 5 MB.
  const int n = 40000;
  ASSERT_TRUE(kcat_produce(kafka.bootstrap(), topic, alert_lines(n), true));
  auto records = kcat_consume(kafka.bootstrap(), topic);
  ASSERT_EQ(records.size(), static_cast<size_t>(n));
  EXPECT_EQ(records.front().offset, 0);
  EXPECT_EQ(records.back().offset, n - 1);
  size_t bytes = 0;
  for (const auto& r : records) bytes += r.value.size();
  EXPECT_GT(bytes, 5u * 1024 * 1024) << "the test must hold more than the mock keeps";
}

TEST(RealBroker, ProducesWithExplicitTimestamps) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  std::string topic = RealKafka::unique_name("timed");
  std::string error;
  // Kept forever: 2023's timestamps are older than the default retention (7 days), which the
  // broker applies from 30 s after it started.
  ASSERT_TRUE(kafka.create_topics({{topic, 2, 1, {{"retention.ms", "-1"}}}}, &error)) << error;
  std::vector<TimedRecord> records;
  for (int i = 0; i < 10; ++i)
    records.push_back({"k", "v" + std::to_string(i), 1700000000000 + i, i % 2});
  ASSERT_TRUE(produce_records(kafka.bootstrap(), topic, records, &error)) << error;
  std::set<long long> seen;
  for (const auto& r : kcat_consume(kafka.bootstrap(), topic)) seen.insert(r.timestamp);
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(*seen.begin(), 1700000000000);
}

}  // namespace
}  // namespace sentinel::test

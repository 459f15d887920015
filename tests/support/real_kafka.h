// A real Apache Kafka 2.4.1 broker for tests that the mock behind sentinel-devkafka cannot serve
// (retention, CreateTopics, OffsetsForTimes, more than ~5 MB a partition, restarts).
//
// `kafka-single` from ../shared/kafka (beside the source tree; $SENTINEL_KAFKA_HOME overrides)
// runs one single-node broker per test binary: the first test that asks for it starts it on free
// loopback ports in a temporary DATA_DIR, and it stops when the binary exits (SIGTERM, then
// SIGKILL). A watchdog shell between the test and the broker stops it too when the test binary
// dies without cleaning up (its stdin pipe closes). Where the broker is not installed, every test
// that needs it skips (SENTINEL_REQUIRE_REAL_KAFKA) with a message saying where it looked.
//
// Tests of one binary share the broker: each uses topics and groups of its own (unique_name()).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/kafka.h"
#include "tests/support/process.h"

namespace sentinel::test {

// The folder holding bin/kafka-single: $SENTINEL_KAFKA_HOME, else the build's default
// (../shared/kafka beside the source tree).
std::string real_kafka_home();
// Empty when kafka-single is there; else why the real-broker tests skip.
std::string real_kafka_missing();

class RealKafka {
 public:
  // The binary's broker, started on the first call (a failed start is remembered: up() false).
  static RealKafka& instance();
  ~RealKafka();
  RealKafka(const RealKafka&) = delete;
  RealKafka& operator=(const RealKafka&) = delete;

  bool up() const { return !bootstrap_.empty(); }
  // Why the broker is not up, with the tail of its log.
  const std::string& error() const { return error_; }
  const std::string& bootstrap() const { return bootstrap_; }
  const std::string& data_dir() const { return dir_.path(); }

  // "<base>-<n>": a topic or group name no other test of this binary uses.
  static std::string unique_name(const std::string& base);

  // Creates topics through the admin API and waits until every partition has a leader.
  bool create_topics(const std::vector<kafka::TopicSpec>& topics, std::string* error);
  // Partition count of `topic` from metadata (-1 when it does not exist).
  int partition_count(const std::string& topic);
  // The topic's configuration as the broker describes it (DescribeConfigs): name → value.
  std::map<std::string, std::string> topic_config(const std::string& topic, std::string* error);
  // The last `bytes` of the broker's log, for failure messages.
  std::string log_tail(size_t bytes = 3000) const;

 private:
  RealKafka();
  void start();
  void stop();

  TempDir dir_;
  std::unique_ptr<Process> process_;
  std::string bootstrap_;
  std::string error_;
  kafka::Handle admin_;  // a producer handle for admin requests and metadata
};

// A record to produce with an explicit Kafka timestamp (CreateTime) and optional partition.
struct TimedRecord {
  std::string key;  // empty: no key
  std::string value;
  int64_t timestamp_ms = 0;  // 0: the producer's clock
  int32_t partition = -1;    // -1: librdkafka's partitioner (by key)
};

// Produces `records` to `topic` with librdkafka (acks=all, idempotent) and waits for every
// delivery; false with *error naming the first failure. Works on devkafka and the real broker.
bool produce_records(const std::string& bootstrap, const std::string& topic,
                     const std::vector<TimedRecord>& records, std::string* error);

}  // namespace sentinel::test

// In a test body or SetUp(): skips where the real broker is absent, else starts it (once per
// binary) and fails the test if it does not come up.
#define SENTINEL_REQUIRE_REAL_KAFKA()                                       \
  do {                                                                      \
    std::string sentinel_missing_ = ::sentinel::test::real_kafka_missing(); \
    if (!sentinel_missing_.empty()) GTEST_SKIP() << sentinel_missing_;      \
    ASSERT_TRUE(::sentinel::test::RealKafka::instance().up())               \
        << ::sentinel::test::RealKafka::instance().error();                 \
  } while (0)

// GET/PATCH/DELETE /connectors/{name}/offsets of a STOPPED connector on a real Kafka 2.4.1 broker
// (label realbroker), checked with Kafka's own kafka-consumer-groups tool as the independent
// client and by resuming the connector and seeing where it starts: offsets read, set, deleted
// per partition (OffsetDelete) and for the whole group (DeleteGroups), a partition the topic lacks
// refused with 400, and Connect's answer while another member holds the group.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "tests/integration/groups/groups_support.h"
#include "tests/support/real_kafka.h"

namespace sentinel::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

std::vector<std::string> lines_of(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The group's committed offsets as Kafka's own tool (kafka-consumer-groups, i.e.
// kafka.admin.ConsumerGroupCommand from the broker's jars) describes them: partition → offset;
// {-1: -1} when the group does not exist.
std::map<int, int64_t> described_by_kafka(const std::string& group, const std::string& topic) {
  std::string home = real_kafka_home(), j = "/usr/share/java/";
  std::string cp = home + "/libs/*";
  for (const char* jar :
       {"jackson-databind", "jackson-core", "jackson-annotations", "slf4j-api", "slf4j-nop",
        "lz4-java", "snappy-java", "zstd-jni", "joptsimple", "scala-library", "scala-reflect"}) {
    cp += ":" + j + jar + ".jar";
  }
  std::string out, err;
  int rc =
      run({"java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", cp,
           "kafka.admin.ConsumerGroupCommand", "--bootstrap-server",
           RealKafka::instance().bootstrap(), "--describe", "--group", group, "--timeout", "30000"},
          &out, 90s, &err);
  EXPECT_EQ(rc, 0) << out << err;
  if ((out + err).find("does not exist") != std::string::npos) return {{-1, -1}};
  // The tool exits 0 when it fails (e.g. its default 5 s timeout, under load): say so, rather
  // than read its silence as a group without offsets.
  EXPECT_EQ((out + err).find("Error:"), std::string::npos) << out << err;
  std::map<int, int64_t> offsets;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string g, t, partition, current;
    if (!(f >> g >> t >> partition >> current) || g != group || t != topic) continue;
    if (current != "-") offsets[std::stoi(partition)] = std::stoll(current);
  }
  return offsets;
}

std::string offsets_body(const std::string& topic,
                         const std::vector<std::pair<int, json>>& entries) {
  json list = json::array();
  for (const auto& [partition, offset] : entries) {
    list.push_back({{"partition", {{"kafka_topic", topic}, {"kafka_partition", partition}}},
                    {"offset", offset.is_null() ? json() : json{{"kafka_offset", offset}}}});
  }
  return json{{"offsets", list}}.dump();
}

std::string message_of(const json& body) {
  return body.is_object() ? body.value("message", "") : body.dump();
}

std::multiset<std::string> tail_of(const std::vector<std::string>& lines, size_t n) {
  return std::multiset<std::string>(
      lines.end() - static_cast<std::ptrdiff_t>(std::min(n, lines.size())), lines.end());
}

std::multiset<std::string> values(int partition, int from, int to) {
  std::multiset<std::string> out;
  for (int i = from; i < to; ++i)
    out.insert("p" + std::to_string(partition) + "-" + std::to_string(i));
  return out;
}

TEST(Offsets, StoppedConnectorOffsetsAreReadAlteredDeletedAndResetOnARealBroker) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  const std::string topic = RealKafka::unique_name("orders");
  const std::string name = RealKafka::unique_name("orders-sink");
  const std::string group = "connect-" + name;
  std::string error;
  ASSERT_TRUE(kafka.create_topics({{topic, 2, 1, {}}}, &error)) << error;
  std::vector<TimedRecord> records;
  for (int p = 0; p < 2; ++p) {
    for (int i = 0; i < 10; ++i)
      records.push_back({"", "p" + std::to_string(p) + "-" + std::to_string(i), 0, p});
  }
  ASSERT_TRUE(produce_records(kafka.bootstrap(), topic, records, &error)) << error;

  TempDir dir;
  ConnectWorker w(dir, kafka.bootstrap(),
                  "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
                  "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
                  "offset.flush.interval.ms=300\n");
  ASSERT_TRUE(w.up()) << w.process().err();
  std::string file = dir.file("orders.log");
  json config = {
      {"connector.class", "FileStreamSink"}, {"tasks.max", "1"}, {"topics", topic}, {"file", file}};
  ASSERT_EQ(w.send("POST", "/connectors", json{{"name", name}, {"config", config}}.dump()).first,
            201);
  ASSERT_TRUE(wait_until([&] { return lines_of(file).size() == 20; }, 30s)) << w.process().err();

  // Stopping commits what was written and leaves the group.
  ASSERT_EQ(w.send("PUT", "/connectors/" + name + "/stop").first, 204);
  auto [listed, body] = w.get("/connectors/" + name + "/offsets");
  ASSERT_EQ(listed, 200) << body;
  EXPECT_EQ(
      body,
      json::parse(
          R"({"offsets":[{"partition":{"kafka_topic":")" + topic +
          R"(","kafka_partition":0},"offset":{"kafka_offset":10}},{"partition":{"kafka_topic":")" +
          topic + R"(","kafka_partition":1},"offset":{"kafka_offset":10}}]})"));
  EXPECT_EQ(described_by_kafka(group, topic), (std::map<int, int64_t>{{0, 10}, {1, 10}}));

  // Another member in the group: Kafka refuses, and the answer is Connect's.
  Process intruder({"kcat", "-C", "-G", group, "-b", kafka.bootstrap(), "-X",
                    "enable.auto.commit=false", topic});
  ASSERT_TRUE(
      wait_until([&] { return intruder.err().find("assigned:") != std::string::npos; }, 30s))
      << intruder.err();
  auto [busy, busy_msg] =
      w.send("PATCH", "/connectors/" + name + "/offsets", offsets_body(topic, {{0, 5}}));
  EXPECT_EQ(busy, 500) << busy_msg;
  EXPECT_EQ(
      message_of(busy_msg).rfind("Failed to alter consumer group offsets for connector " + name +
                                     " either because its tasks haven't stopped completely yet",
                                 0),
      0u)
      << busy_msg;
  auto [busy_reset, busy_reset_msg] = w.send("DELETE", "/connectors/" + name + "/offsets");
  EXPECT_EQ(busy_reset, 500) << busy_reset_msg;
  EXPECT_EQ(message_of(busy_reset_msg)
                .rfind("Failed to reset consumer group offsets for connector " + name, 0),
            0u)
      << busy_reset_msg;
  intruder.signal(SIGTERM);
  ASSERT_TRUE(intruder.wait(20s));

  // Partition 0 to offset 3, partition 1's offset deleted (earliest on the next start).
  auto [altered, msg] = w.send("PATCH", "/connectors/" + name + "/offsets",
                               offsets_body(topic, {{0, 3}, {1, json()}}));
  EXPECT_EQ(altered, 200) << msg;
  EXPECT_EQ(msg["message"], "The offsets for this connector have been altered successfully");
  EXPECT_EQ(w.offsets(name), (std::map<int, int64_t>{{0, 3}}));
  EXPECT_EQ(described_by_kafka(group, topic), (std::map<int, int64_t>{{0, 3}}));

  // A partition the topic does not have is the client's mistake.
  auto [bad, bad_msg] =
      w.send("PATCH", "/connectors/" + name + "/offsets", offsets_body(topic, {{7, 1}}));
  EXPECT_EQ(bad, 400) << bad_msg;
  EXPECT_NE(message_of(bad_msg).find(topic + "-7"), std::string::npos) << bad_msg;

  // Resumed, it starts where PATCH said: partition 0 from 3, partition 1 from the beginning.
  ASSERT_EQ(w.send("PUT", "/connectors/" + name + "/resume").first, 202);
  ASSERT_TRUE(wait_until([&] { return lines_of(file).size() >= 37; }, 30s)) << w.process().err();
  std::multiset<std::string> expected = values(0, 3, 10);
  expected.merge(values(1, 0, 10));
  EXPECT_EQ(tail_of(lines_of(file), 17), expected);

  // DELETE deletes the group; twice does no harm; the next start reads everything again.
  ASSERT_EQ(w.send("PUT", "/connectors/" + name + "/stop").first, 204);
  auto [reset, reset_msg] = w.send("DELETE", "/connectors/" + name + "/offsets");
  EXPECT_EQ(reset, 200) << reset_msg;
  EXPECT_EQ(reset_msg["message"], "The offsets for this connector have been reset successfully");
  EXPECT_EQ(w.send("DELETE", "/connectors/" + name + "/offsets").first, 200);
  EXPECT_EQ(w.offsets(name), (std::map<int, int64_t>{}));
  EXPECT_EQ(described_by_kafka(group, topic), (std::map<int, int64_t>{{-1, -1}}));
  ASSERT_EQ(w.send("PUT", "/connectors/" + name + "/resume").first, 202);
  ASSERT_TRUE(wait_until([&] { return lines_of(file).size() >= 57; }, 30s)) << w.process().err();
  expected = values(0, 0, 10);
  expected.merge(values(1, 0, 10));
  EXPECT_EQ(tail_of(lines_of(file), 20), expected);
  EXPECT_EQ(lines_of(file).size(), 57u);
}

}  // namespace
}  // namespace sentinel::test

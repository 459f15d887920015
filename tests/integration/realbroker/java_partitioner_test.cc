// Distributed mode's storage-topic writer (KafkaLog) puts each key in the partition Kafka's own
// Java producer puts it in (its DefaultPartitioner: murmur2 of the key), so Sentinel workers and
// Connect's tooling agree where status-task-… and the other keys live. The same keys are written
// through KafkaLog to one topic and through Kafka 2.4.1's ConsoleProducer (the JVM and jars of
// the real broker) to another of as many partitions; kcat, an independent client, reads both.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "connect-sink/runtime/distributed/kafka_log.h"
#include "tests/support/process.h"
#include "tests/support/real_kafka.h"

namespace sentinel::test {
namespace {

using namespace sentinel::connect::distributed;
using namespace std::chrono_literals;

// 50 keys as Connect writes them to its status and config topics.
std::vector<std::string> connect_style_keys() {
  std::vector<std::string> keys;
  for (const std::string c : {"archive", "web-logs", "a", "audit-2026", "x"}) {
    keys.push_back("status-connector-" + c);
    keys.push_back("connector-" + c);
    keys.push_back("commit-" + c);
    keys.push_back("target-state-" + c);
    for (int t = 0; t < 6; ++t) keys.push_back("status-task-" + c + "-" + std::to_string(t));
  }
  return keys;
}

// The classpath of Kafka's own tools: the broker's jars (kafka-single's libs/) and the Debian
// jars they use.
std::string kafka_tools_classpath() {
  std::string cp;
  auto add = [&](const std::string& jar) {
    if (std::filesystem::exists(jar)) cp += (cp.empty() ? "" : ":") + jar;
  };
  for (const auto& e : std::filesystem::directory_iterator(real_kafka_home() + "/libs")) {
    if (e.path().extension() == ".jar") add(e.path().string());
  }
  for (const char* jar : {"slf4j-api", "slf4j-nop", "joptsimple", "scala-library", "scala-reflect",
                          "lz4-java", "snappy-java", "zstd-jni"}) {
    add(std::string("/usr/share/java/") + jar + ".jar");
  }
  return cp;
}

// key → partition of every record in `topic`, read with kcat; "" on success, else what failed.
std::string partitions_by_key(const std::string& bootstrap, const std::string& topic,
                              std::map<std::string, int>* where) {
  std::string out, err;
  int rc = run({"kcat", "-b", bootstrap, "-C", "-t", topic, "-e", "-q", "-f", "%k %p\\n"}, &out,
               60s, &err);
  if (rc != 0) return "kcat -C -t " + topic + " exited " + std::to_string(rc) + ": " + err;
  std::istringstream lines(out);
  std::string key;
  int partition = -1;
  while (lines >> key >> partition) (*where)[key] = partition;
  return "";
}

TEST(JavaPartitioner, KafkaLogPutsEveryKeyInThePartitionJavasProducerPutsIt) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  const std::string ours = RealKafka::unique_name("partitioner-kafkalog");
  const std::string java = RealKafka::unique_name("partitioner-java");
  std::string error;
  // 5: status.storage.partitions' default, the storage topic where the partition matters.
  ASSERT_TRUE(kafka.create_topics({{ours, 5, 1, {}}, {java, 5, 1, {}}}, &error)) << error;
  const std::vector<std::string> keys = connect_style_keys();
  ASSERT_EQ(keys.size(), 50u);

  KafkaLog log({{"bootstrap.servers", kafka.bootstrap()}}, ours, [](const LogRecord&) {});
  ASSERT_TRUE(log.open(30s, &error)) << error;
  log.start_tailing();
  std::vector<LogWrite> writes;
  for (const std::string& k : keys) writes.push_back({k, "{}"});
  ASSERT_TRUE(log.write(writes, 30s, &error)) << error;
  log.stop();

  Process::Options options;
  options.stdin_pipe = true;
  Process producer({"java", "-cp", kafka_tools_classpath(), "kafka.tools.ConsoleProducer",
                    "--broker-list", kafka.bootstrap(), "--topic", java, "--request-required-acks",
                    "all", "--property", "parse.key=true", "--property", "key.separator=|"},
                   options);
  std::string lines;
  for (const std::string& k : keys) lines += k + "|{}\n";
  producer.write_stdin(lines);
  producer.close_stdin();  // the console producer flushes and exits at the end of its input
  std::optional<int> rc = producer.wait(60s);
  ASSERT_TRUE(rc.has_value()) << "the Java console producer did not exit within 60 s";
  ASSERT_EQ(*rc, 0) << producer.err();

  std::map<std::string, int> by_kafka_log, by_java;
  ASSERT_EQ(partitions_by_key(kafka.bootstrap(), ours, &by_kafka_log), "");
  ASSERT_EQ(partitions_by_key(kafka.bootstrap(), java, &by_java), "");
  ASSERT_EQ(by_kafka_log.size(), 50u);
  ASSERT_EQ(by_java.size(), 50u) << producer.err();
  std::set<int> used;
  for (const std::string& k : keys) {
    EXPECT_EQ(by_kafka_log[k], by_java[k]) << k << ": KafkaLog's partition, then Java's";
    used.insert(by_java[k]);
  }
  // The keys spread: a partitioner that put everything in one partition would agree by chance.
  EXPECT_GE(used.size(), 4u);
}

}  // namespace
}  // namespace sentinel::test

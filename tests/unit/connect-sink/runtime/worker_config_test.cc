// Worker config: Connect's keys, warnings for unknown keys, explanations for removed ones.
#include "connect-sink/runtime/worker_config.h"

#include <gtest/gtest.h>

#include "tests/support/build_paths.h"

namespace sentinel::connect {
namespace {

WorkerConfig parse(const std::string& text) {
  return parse_worker_config(parse_properties(text, "w.properties"));
}

bool any_contains(const std::vector<std::string>& v, const std::string& s) {
  for (const auto& x : v) {
    if (x.find(s) != std::string::npos) return true;
  }
  return false;
}

TEST(WorkerConfig, ReadsConnectStandaloneKeys) {
  auto c = parse(
      "bootstrap.servers=k1:9092,k2:9092\nlisteners=http://:8084\nplugin.path=/a, /b\n"
      "offset.flush.interval.ms=10000\nkey.converter=org.apache.kafka.connect.json.JsonConverter\n"
      "key.converter.schemas.enable=false\nvalue.converter=org.apache.kafka.connect.storage."
      "StringConverter\n"
      "consumer.max.poll.records=10\nconsumer.security.protocol=SSL\noffset.storage.file.filename=/"
      "tmp/x\n");
  EXPECT_EQ(c.bootstrap_servers, "k1:9092,k2:9092");
  ASSERT_EQ(c.listeners.size(), 1u);
  EXPECT_EQ(c.listeners[0].host, "");
  EXPECT_EQ(c.listeners[0].port, 8084);
  EXPECT_EQ(c.plugin_path, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(c.offset_flush_interval_ms, 10000);
  EXPECT_EQ(c.key_converter.kind, ConverterKind::kJson);
  EXPECT_FALSE(c.key_converter.schemas_enable);
  EXPECT_EQ(c.value_converter.kind, ConverterKind::kString);
  EXPECT_EQ(c.consumer.at("security.protocol"), "SSL");
  EXPECT_TRUE(c.warnings.empty()) << c.warnings[0];
  EXPECT_TRUE(any_contains(c.notes, "offset.storage.file.filename"));
}

TEST(WorkerConfig, DefaultListenerIsLoopback8083) {
  auto c = parse("key.converter=StringConverter\nvalue.converter=StringConverter\n");
  EXPECT_EQ(c.listeners[0].host, "127.0.0.1");
  EXPECT_EQ(c.listeners[0].port, 8083);
}

TEST(WorkerConfig, UnknownKeysAreWarnedAndRemovedOnesExplained) {
  auto c = parse(
      "key.converter=StringConverter\nvalue.converter=StringConverter\nrest.port=8083\n"
      "rest.host.name=0.0.0.0\nbogus.key=1\n");
  EXPECT_TRUE(
      any_contains(c.warnings, "w.properties:3: rest.port was removed in Kafka Connect 3.0"));
  EXPECT_TRUE(any_contains(c.warnings, "use listeners="));
  EXPECT_TRUE(any_contains(c.warnings, "rest.host.name"));
  EXPECT_TRUE(any_contains(c.warnings, "w.properties:5: unknown key bogus.key"));
}

TEST(WorkerConfig, BadValuesNameFileLineAndKey) {
  try {
    parse("offset.flush.interval.ms=soon\n");
    FAIL();
  } catch (const WorkerConfigError& e) {
    EXPECT_STREQ(
        e.what(),
        "config error: w.properties:1: offset.flush.interval.ms \"soon\": expected a whole "
        "number of at least 1");
  }
  EXPECT_THROW(parse("listeners=ftp://x:1\n"), WorkerConfigError);
  EXPECT_THROW(parse("key.converter=com.example.Avro\n"), WorkerConfigError);
  EXPECT_THROW(parse("listeners=https://127.0.0.1:8443\n"), WorkerConfigError);  // no cert/key
}

// Connect's distributed files set the worker's own clients' security at the top level.
TEST(WorkerConfig, TopLevelSecurityKeysAreTheWorkersOwnClientsAndNotTheTasks) {
  auto c = parse(
      "key.converter=StringConverter\nvalue.converter=StringConverter\n"
      "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.username=worker\n"
      "sasl.password=pw\nssl.ca.location=/etc/ssl/ca.pem\nconsumer.security.protocol=SSL\n");
  EXPECT_EQ(c.client, (std::map<std::string, std::string>{{"security.protocol", "SASL_SSL"},
                                                          {"sasl.mechanism", "PLAIN"},
                                                          {"sasl.username", "worker"},
                                                          {"sasl.password", "pw"},
                                                          {"ssl.ca.location", "/etc/ssl/ca.pem"}}));
  EXPECT_EQ(c.consumer, (std::map<std::string, std::string>{{"security.protocol", "SSL"}}));
  EXPECT_TRUE(c.warnings.empty()) << c.warnings[0];
}

// A security key the worker's clients cannot apply is refused, not ignored: the worker would
// otherwise connect without it. The message names the line and librdkafka's own key, never the
// value (a JAAS line holds a password).
TEST(WorkerConfig, JavasSecurityKeysAreRefusedWithLibrdkafkasEquivalent) {
  try {
    parse(
        "security.protocol=SASL_SSL\nsasl.jaas.config=org.apache.kafka.common.security.plain."
        "PlainLoginModule required username=\"u\" password=\"hunter2\";\n");
    FAIL();
  } catch (const WorkerConfigError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("config error: w.properties:2: sasl.jaas.config: Java JAAS configuration is "
                     "not supported"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("sasl.username and sasl.password"), std::string::npos) << m;
    EXPECT_EQ(m.find("hunter2"), std::string::npos) << m;
  }
  EXPECT_THROW(parse("security.protocol=TLS\n"), WorkerConfigError);
  EXPECT_THROW(parse("ssl.truststore.location=/etc/ssl/t.jks\n"), WorkerConfigError);
}

TEST(WorkerConfig, WorkerIdIsSentinelsKeyAndMustNotBeEmpty) {
  auto c = parse(
      "key.converter=StringConverter\nvalue.converter=StringConverter\nsentinel.worker.id=web-1-"
      "a\n");
  EXPECT_EQ(c.worker_id, "web-1-a");
  EXPECT_TRUE(c.warnings.empty()) << c.warnings[0];
  EXPECT_EQ(parse("key.converter=StringConverter\n").worker_id, "") << "default: chosen at start";
  try {
    parse("sentinel.worker.id=\n");
    FAIL();
  } catch (const WorkerConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "config error: w.properties:1: sentinel.worker.id \"\": expected a name for this "
                 "worker, such as web-1-archive");
  }
}

TEST(WorkerConfig, TheProjectsOriginalFilesParseWithoutWarnings) {
  auto c = parse_worker_config(
      load_properties(sentinel::test::source_dir() + "/config/connect-standalone.properties"));
  EXPECT_TRUE(c.warnings.empty()) << c.warnings[0];
  auto prod = parse_worker_config(
      load_properties(sentinel::test::source_dir() + "/config/connect.properties"));
  EXPECT_TRUE(prod.warnings.empty()) << prod.warnings[0];
  EXPECT_EQ(prod.listeners[0].host, "127.0.0.1");
  EXPECT_EQ(prod.archive_root, "/var/lib/sentinel/archive");
}

}  // namespace
}  // namespace sentinel::connect

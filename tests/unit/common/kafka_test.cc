// librdkafka configuration pass-through.
#include "common/kafka.h"

#include <gtest/gtest.h>

#include "common/log.h"

namespace sentinel::kafka {
namespace {

TEST(Kafka, AnyLibrdkafkaPropertyPassesThrough) {
  std::string error;
  Conf conf = make_conf({{"bootstrap.servers", "h:9092"},
                         {"security.protocol", "SASL_PLAINTEXT"},
                         {"sasl.mechanisms", "SCRAM-SHA-512"},
                         {"sasl.username", "u"},
                         {"sasl.password", "p"},
                         {"compression.type", "zstd"}},
                        &error);
  ASSERT_TRUE(conf) << error;
  char value[64];
  size_t size = sizeof value;
  ASSERT_EQ(rd_kafka_conf_get(conf.get(), "compression.codec", value, &size), RD_KAFKA_CONF_OK);
  EXPECT_STREQ(value, "zstd");
}

TEST(Kafka, UnknownPropertyIsNamedInTheError) {
  std::string error;
  Conf conf = make_conf({{"bootstrap.servers", "h:9092"}, {"compresion.type", "lz4"}}, &error);
  EXPECT_FALSE(conf);
  EXPECT_NE(error.find("kafka property compresion.type"), std::string::npos) << error;
}

TEST(Kafka, DebugLinesTheDebugPropertyAskedForAreLoggedAtTheDefaultLevel) {
  // consumer.debug=cgrp in a worker's file must reach its log although the daemon logs at info.
  log::set_max_level(log::Level::kInfo);
  testing::internal::CaptureStderr();
  {
    std::string error;
    Conf conf = make_conf({{"bootstrap.servers", "127.0.0.1:1"}, {"debug", "generic"}}, &error);
    ASSERT_TRUE(conf) << error;
    Handle rk = make_handle(RD_KAFKA_PRODUCER, std::move(conf), &error);
    ASSERT_TRUE(rk) << error;
  }
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("debug: kafka rdkafka#producer-"), std::string::npos) << err;
}

TEST(Kafka, SecretsAreHiddenWhenDescribed) {
  std::string text = describe({{"sasl.password", "hunter2"},
                               {"sasl.jaas.config", "x required password=\"y\";"},
                               {"bootstrap.servers", "h:9092"}});
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
  EXPECT_EQ(text.find("password=\"y\""), std::string::npos);
  EXPECT_NE(text.find("bootstrap.servers=h:9092"), std::string::npos);
  EXPECT_NE(text.find("sasl.password=[hidden]"), std::string::npos);
}

}  // namespace
}  // namespace sentinel::kafka

// The offsets endpoints' failures as Connect answers them (Worker.alterSinkConnectorOffsets and
// resetSinkConnectorOffsets), over the fake backend: a group that still has members is Connect's
// 500 "Failed to alter/reset consumer group offsets … either because its tasks haven't stopped
// completely yet …" with Kafka's reason appended; what the broker cannot do (the dev broker) is a
// 501 naming it; a partition the topic lacks is a 400; a failed change leaves the offsets as they
// were; the backend is always asked for the connector's group, connect-<name>.
#include <gtest/gtest.h>

#include "connect-sink/runtime/herder.h"
#include "tests/support/connect_fakes.h"

namespace sentinel::connect {
namespace {

struct OffsetsFixture {
  OffsetsFixture() {
    plugins.add(testing::memory_sink_plugin());
    WorkerSettings s;
    s.validation.plugins = &plugins;
    herder = std::make_unique<Herder>(s, &backend, nullptr);
    RawConfig config = {{"connector.class", "Memory"}, {"topics", "t"}, {"name", "arch"}};
    bool created = false;
    ConnectorInfoView info;
    EXPECT_TRUE(herder->put_connector("arch", config, std::nullopt, false, &created, &info).ok());
    EXPECT_TRUE(herder->stop("arch").ok());
  }
  Outcome alter(std::optional<int64_t> offset) {
    std::string message;
    return herder->alter_offsets("arch", {{{"t", 0}, offset}}, &message);
  }
  Outcome reset() {
    std::string message;
    return herder->reset_offsets("arch", &message);
  }
  Outcome list(std::vector<PartitionOffset>* out) { return herder->offsets("arch", out); }

  PluginRegistry plugins;
  testing::FakeBackend backend;
  std::unique_ptr<Herder> herder;
};

const char* kKafkaSays = "group connect-arch: Broker: The group is not empty";

TEST(HerderOffsets, AGroupWithMembersGetsConnectsAnswerWithKafkasReason) {
  OffsetsFixture f;
  f.backend.offsets_answer = OffsetsResult::Fail(OffsetsResult::Error::kGroupActive, kKafkaSays);
  Outcome o = f.alter(42);
  EXPECT_EQ(o.status, 500);
  EXPECT_EQ(o.message,
            "Failed to alter consumer group offsets for connector arch either because its tasks "
            "haven't stopped completely yet or the connector was resumed before the request to "
            "alter its offsets could be successfully completed. If the connector is in a stopped "
            "state, this operation can be safely retried. If it doesn't eventually succeed, the "
            "Connect cluster may need to be restarted to get rid of the zombie sink tasks. "
            "(Kafka: group connect-arch: Broker: The group is not empty)");
  o = f.reset();
  EXPECT_EQ(o.status, 500);
  EXPECT_EQ(o.message.rfind("Failed to reset consumer group offsets for connector arch either "
                            "because its tasks haven't stopped completely yet or the connector was "
                            "resumed before the request to reset its offsets",
                            0),
            0u)
      << o.message;
}

TEST(HerderOffsets, WhatTheBrokerCannotDoIs501NamingTheConnector) {
  OffsetsFixture f;
  f.backend.offsets_answer = OffsetsResult::Fail(
      OffsetsResult::Error::kUnsupported, "the dev broker (sentinel-devkafka) cannot do this");
  Outcome o = f.alter(std::nullopt);
  EXPECT_EQ(o.status, 501);
  EXPECT_EQ(o.message,
            "Cannot alter the offsets of connector arch: the dev broker (sentinel-devkafka) cannot "
            "do this");
  EXPECT_EQ(f.reset().status, 501);
}

TEST(HerderOffsets, APartitionTheTopicLacksIs400) {
  OffsetsFixture f;
  f.backend.offsets_answer = OffsetsResult::Fail(OffsetsResult::Error::kInvalid,
                                                 "t-7: Broker: Unknown topic or partition");
  Outcome o = f.alter(3);
  EXPECT_EQ(o.status, 400);
  EXPECT_EQ(o.message,
            "Cannot alter the offsets of connector arch: t-7: Broker: Unknown topic or partition");
}

TEST(HerderOffsets, NoAnswerIs500SayingSoAndGetFailsTheSameWay) {
  OffsetsFixture f;
  f.backend.offsets_answer = OffsetsResult::Fail(
      OffsetsResult::Error::kFailed, "no answer from the Kafka cluster at k:9092 within 10 s");
  Outcome o = f.alter(3);
  EXPECT_EQ(o.status, 500);
  EXPECT_EQ(o.message,
            "Failed to alter consumer group offsets for connector arch: no answer from the Kafka "
            "cluster at k:9092 within 10 s");
  std::vector<PartitionOffset> out;
  o = f.list(&out);
  EXPECT_EQ(o.status, 500);
  EXPECT_EQ(o.message,
            "Failed to retrieve consumer group offsets for connector arch: no answer from the "
            "Kafka cluster at k:9092 within 10 s");
}

TEST(HerderOffsets, AFailedChangeLeavesTheOffsetsAndTheConnectorAsTheyWere) {
  OffsetsFixture f;
  ASSERT_TRUE(f.alter(42).ok());
  f.backend.offsets_answer = OffsetsResult::Fail(OffsetsResult::Error::kGroupActive, kKafkaSays);
  EXPECT_FALSE(f.alter(7).ok());
  EXPECT_FALSE(f.reset().ok());
  f.backend.offsets_answer = OffsetsResult::Ok();
  std::vector<PartitionOffset> out;
  ASSERT_TRUE(f.list(&out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].offset, 42);
  ConnectorStatusView v;
  ASSERT_TRUE(f.herder->status("arch", &v).ok());
  EXPECT_EQ(v.connector.state, ConnectorState::kStopped);
  EXPECT_EQ(f.backend.offsets.count("connect-arch"), 1u) << "the group is connect-<name>";
}

}  // namespace
}  // namespace sentinel::connect

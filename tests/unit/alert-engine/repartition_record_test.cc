// The repartition topic's records: partials, watermark records and checkpoints read back as they
// were written (doubles to the last bit), bad ones are refused naming the field, and an alert
// group's partition is the same on every instance.
#include "alert-engine/repartition_record.h"

#include <gtest/gtest.h>

namespace sentinel::alerts {
namespace {

TEST(RepartitionRecord, APartialReadsBackBitForBit) {
  Partial p;
  p.topic = "http_logs";
  p.partition = 3;
  p.rule = "http_5xx_global";
  p.shape = 0xfedcba9876543210ull;
  p.labels = {{"host", "web-1"}, {"path", "/a,b=c"}};
  p.start = 1795316100000;
  p.chunk = 1;
  p.chunks = 2;
  p.agg.count = 3;
  p.agg.sum = 0.1 + 0.2 + 1e-17;
  p.agg.min = -0.0;
  p.agg.max = 1.0 / 3.0;
  p.agg.first = 2.5;
  p.agg.first_ts = 1795316100001;
  p.agg.last = 1e300;
  p.agg.last_ts = 1795316159999;
  p.agg.samples = {0.1, 1.0 / 3.0, -7};
  p.at_us = 123;
  RepartitionRecord r;
  std::string error;
  ASSERT_TRUE(decode_repartition_record(encode_partial(p), &r, &error)) << error;
  ASSERT_EQ(r.kind, RepartitionRecord::Kind::kPartial);
  const Partial& q = r.partial;
  EXPECT_EQ(q.topic, p.topic);
  EXPECT_EQ(q.partition, 3);
  EXPECT_EQ(q.rule, p.rule);
  EXPECT_EQ(q.shape, p.shape);
  EXPECT_EQ(q.labels, p.labels);
  EXPECT_EQ(q.start, p.start);
  EXPECT_EQ(q.chunk, 1);
  EXPECT_EQ(q.chunks, 2);
  EXPECT_EQ(q.agg.count, 3);
  EXPECT_EQ(q.agg.sum, p.agg.sum);
  EXPECT_EQ(q.agg.max, p.agg.max);
  EXPECT_EQ(q.agg.first_ts, p.agg.first_ts);
  EXPECT_EQ(q.agg.last, p.agg.last);
  EXPECT_EQ(q.agg.samples, p.agg.samples);
  EXPECT_EQ(q.at_us, 123);
}

TEST(RepartitionRecord, ASampleChunkWithoutScalarsReadsBack) {
  Partial p;
  p.topic = "system_metrics";
  p.rule = "cpu_p95";
  p.labels = {};
  p.chunk = 2;
  p.chunks = 3;
  p.agg.samples = {1, 2, 3};
  RepartitionRecord r;
  std::string error;
  ASSERT_TRUE(decode_repartition_record(encode_partial(p), &r, &error)) << error;
  EXPECT_EQ(r.partial.agg.count, 0);
  EXPECT_EQ(r.partial.agg.samples.size(), 3u);
  EXPECT_TRUE(r.partial.labels.empty());
}

TEST(RepartitionRecord, WatermarksAndCheckpointsReadBack) {
  SourceMark m{0, "http_logs", 2, 4, 1795316145000, true, 9};
  RepartitionRecord r;
  std::string error;
  ASSERT_TRUE(decode_repartition_record(encode_mark(m), &r, &error)) << error;
  ASSERT_EQ(r.kind, RepartitionRecord::Kind::kMark);
  EXPECT_EQ(r.mark.topic, "http_logs");
  EXPECT_EQ(r.mark.partition, 2);
  EXPECT_EQ(r.mark.partitions, 4);
  EXPECT_EQ(r.mark.watermark, 1795316145000);
  EXPECT_TRUE(r.mark.end);

  Checkpoint c;
  c.rule = "http_5xx_url";
  c.shape = 42;
  c.labels = {{"host", "web-1"}, {"path", "/x"}};
  c.end = 60000;
  c.seq = 7;
  c.life.state = Lifecycle::State::kPending;
  c.life.pending = 2;
  c.life.last_start = 50000;
  c.life.streak_start = 40000;
  c.life.firings = {10000, 20000};
  ASSERT_TRUE(decode_repartition_record(encode_checkpoint(c), &r, &error)) << error;
  ASSERT_EQ(r.kind, RepartitionRecord::Kind::kCheckpoint);
  EXPECT_EQ(r.checkpoint.rule, c.rule);
  EXPECT_EQ(r.checkpoint.shape, 42u);
  EXPECT_EQ(r.checkpoint.labels, c.labels);
  EXPECT_EQ(r.checkpoint.end, 60000);
  EXPECT_EQ(r.checkpoint.seq, 7u);
  EXPECT_EQ(r.checkpoint.life, c.life);
}

TEST(RepartitionRecord, BadRecordsAreRefusedNamingTheField) {
  RepartitionRecord r;
  std::string error;
  EXPECT_FALSE(decode_repartition_record("not json", &r, &error));
  EXPECT_FALSE(decode_repartition_record(R"({"k":"gossip"})", &r, &error));
  EXPECT_NE(error.find("field k"), std::string::npos) << error;
  EXPECT_FALSE(decode_repartition_record(
      R"({"k":"partial","topic":"t","partition":0,"rule":"r","shape":"1","labels":[],"count":1})",
      &r, &error));
  EXPECT_NE(error.find("field start"), std::string::npos) << error;
  EXPECT_FALSE(decode_repartition_record(
      R"({"k":"watermark","topic":"t","partition":4,"partitions":4,"watermark":1})", &r, &error));
  EXPECT_NE(error.find("partitions"), std::string::npos) << error;
}

TEST(RepartitionRecord, AGroupsPartitionIsAFixedFunctionOfItsId) {
  // FNV-1a 32 of the id, modulo the partition count: the same on every instance and release.
  EXPECT_EQ(partition_of("", 12), static_cast<int32_t>(2166136261u % 12));
  EXPECT_EQ(partition_of("http_5xx_global/host=web-1", 12),
            partition_of(std::string("http_5xx_global/host=web-1"), 12));
  std::vector<int> used(12);
  for (int i = 0; i < 1200; ++i) ++used[partition_of("r/host=h" + std::to_string(i), 12)];
  for (int n : used) EXPECT_GT(n, 50);  // spread over every partition
}

TEST(RepartitionRecord, TheShapeIgnoresThresholdsButNotTheWindow) {
  Rule a;
  a.name = "cpu_fleet";
  a.resource = "cpu";
  a.metric = "usage_pct";
  Rule b = a;
  b.threshold = 99;
  b.summary = "other text";
  EXPECT_EQ(rule_shape(a), rule_shape(b));
  b.window.size_ms = 30000;
  EXPECT_NE(rule_shape(a), rule_shape(b));
}

}  // namespace
}  // namespace sentinel::alerts

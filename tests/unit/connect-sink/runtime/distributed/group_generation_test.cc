// The group generation read from librdkafka's serialized group metadata (librdkafka 2.0.2 has no
// accessor): the value written is the value read, and another serialization gives -1, not a
// wrong number.
#include <gtest/gtest.h>

#include "connect-sink/runtime/distributed/worker_group.h"

namespace sentinel::connect::distributed {
namespace {

TEST(GroupGeneration, ReadFromLibrdkafkasGroupMetadata) {
  for (int32_t generation : {0, 7, 70000, -1}) {
    rd_kafka_consumer_group_metadata_t* metadata = rd_kafka_consumer_group_metadata_new_with_genid(
        "connect-cluster", generation, "rdkafka-1234", "127.0.0.1_8083-e714dbb03368");
    EXPECT_EQ(group_generation(metadata), generation);
    rd_kafka_consumer_group_metadata_destroy(metadata);
  }
}

TEST(GroupGeneration, UnknownBeforeTheFirstJoin) {
  rd_kafka_consumer_group_metadata_t* metadata = rd_kafka_consumer_group_metadata_new("g");
  EXPECT_EQ(group_generation(metadata), -1);
  rd_kafka_consumer_group_metadata_destroy(metadata);
}

}  // namespace
}  // namespace sentinel::connect::distributed

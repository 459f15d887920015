// The offset admin (offset_admin.h) against sentinel-devkafka started as a process, and against an
// address where nothing listens: offsets committed for a new group are listed back, the requests
// the dev broker lacks are refused before they are sent (librdkafka 2.0.2 would abort the process),
// and a cluster that does not answer gives an error naming its address within the budget.
#include "connect-sink/runtime/offset_admin.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/kafka_env.h"

namespace sentinel::connect {
namespace {

using namespace std::chrono_literals;
using test::DevKafka;

kafka::Properties group_settings(const std::string& bootstrap, const std::string& group) {
  return {{"bootstrap.servers", bootstrap}, {"group.id", group}};
}

TEST(OffsetAdmin, OffsetsAlteredForANewGroupAreListedBack) {
  DevKafka kafka({"events:2"});
  ASSERT_TRUE(test::kcat_produce(kafka.bootstrap(), "events", {"a", "b", "c", "d", "e"}));
  kafka::Properties group = group_settings(kafka.bootstrap(), "connect-altered");
  OffsetsResult r = alter_group_offsets(group, {{{"events", 1}, 4}, {{"events", 0}, 1}}, 10s);
  ASSERT_TRUE(r.ok()) << r.detail;
  std::vector<PartitionOffset> out;
  r = list_group_offsets(group, {"events"}, "", 10s, &out);
  ASSERT_TRUE(r.ok()) << r.detail;
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].topic, "events");
  EXPECT_EQ(out[0].partition, 0);
  EXPECT_EQ(out[0].offset, 1);
  EXPECT_EQ(out[1].partition, 1);
  EXPECT_EQ(out[1].offset, 4);
}

TEST(OffsetAdmin, ANewGroupListsNoOffsets) {
  DevKafka kafka({"events:2"});
  std::vector<PartitionOffset> out;
  OffsetsResult r =
      list_group_offsets(group_settings(kafka.bootstrap(), "connect-new"), {}, "ev.*", 10s, &out);
  ASSERT_TRUE(r.ok()) << r.detail;
  EXPECT_TRUE(out.empty());
}

TEST(OffsetAdmin, DevBrokerIsNotAskedForWhatItLacks) {
  DevKafka kafka({"events:1"});
  kafka::Properties group = group_settings(kafka.bootstrap(), "connect-lacking");
  OffsetsResult r = alter_group_offsets(group, {{{"events", 0}, std::nullopt}}, 10s);
  EXPECT_EQ(r.error, OffsetsResult::Error::kUnsupported);
  EXPECT_NE(r.detail.find("cannot delete a committed offset (it has no OffsetDelete"),
            std::string::npos)
      << r.detail;
  EXPECT_NE(r.detail.find("cannot reset events-0"), std::string::npos) << r.detail;

  r = delete_group(group, 10s);
  EXPECT_EQ(r.error, OffsetsResult::Error::kUnsupported);
  EXPECT_NE(r.detail.find("cannot delete consumer group connect-lacking (it has no DeleteGroups)"),
            std::string::npos)
      << r.detail;
  EXPECT_TRUE(kafka.process().running());
}

TEST(OffsetAdmin, ASilentClusterGivesAnErrorNamingItsAddressWithinTheBudget) {
  // Port 9 (discard) on loopback: nothing listens there in the test environment.
  std::vector<PartitionOffset> out;
  OffsetsResult r =
      list_group_offsets(group_settings("127.0.0.1:9", "connect-silent"), {"events"}, "", 1s, &out);
  EXPECT_EQ(r.error, OffsetsResult::Error::kFailed);
  EXPECT_EQ(r.detail, "no answer from the Kafka cluster at 127.0.0.1:9 within 1 s");
}

TEST(OffsetAdmin, GroupActiveMeansTheGroupStillHasMembers) {
  EXPECT_TRUE(group_active(RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID));
  EXPECT_TRUE(group_active(RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP));
  EXPECT_TRUE(group_active(RD_KAFKA_RESP_ERR_GROUP_SUBSCRIBED_TO_TOPIC));
  EXPECT_FALSE(group_active(RD_KAFKA_RESP_ERR_NO_ERROR));
  EXPECT_FALSE(group_active(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
}

}  // namespace
}  // namespace sentinel::connect

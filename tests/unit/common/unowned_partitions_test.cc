// UnownedPartitionsWatch without a broker: only a static member assigned nothing arms the check
// (a dynamic member, or one with partitions, never asks the broker), a later assignment with
// partitions disarms it, and the partitions it reports are those of the subscription that no
// member's assignment holds. The rejoin itself is proven on the real broker
// (tests/integration/groups, Restart.ConnectWorkerKilledDuringItsFirstRebalance…).
#include <gtest/gtest.h>

#include "common/kafka.h"
#include "common/static_membership.h"

namespace sentinel::kafka {
namespace {

// A consumer that never reaches a broker (nothing listens on port 1); enough to read its conf.
Handle consumer(const std::string& instance_id) {
  Properties p = {{"bootstrap.servers", "127.0.0.1:1"}, {"group.id", "g"}};
  if (!instance_id.empty()) p["group.instance.id"] = instance_id;
  std::string error;
  Conf conf = make_conf(p, &error);
  EXPECT_TRUE(conf) << error;
  Handle h = make_handle(RD_KAFKA_CONSUMER, std::move(conf), &error);
  EXPECT_TRUE(h) << error;
  return h;
}

TEST(UnownedPartitionsWatch, OnlyAStaticMemberAssignedNothingArmsTheCheck) {
  Handle stat = consumer("web-1-archive-0");
  Handle dyn = consumer("");
  UnownedPartitionsWatch w("test");
  w.assigned(dyn.get(), 0);
  EXPECT_FALSE(w.armed()) << "a dynamic member that gets nothing is an ordinary spare member";
  w.assigned(stat.get(), 4);
  EXPECT_FALSE(w.armed());
  w.assigned(stat.get(), 0);
  EXPECT_TRUE(w.armed());
  w.assigned(stat.get(), 2);
  EXPECT_FALSE(w.armed()) << "partitions came: nothing to check";
}

TEST(UnownedPartitionsWatch, PollBeforeTheCheckIsDueAsksNothing) {
  Handle stat = consumer("web-1-archive-0");
  UnownedPartitionsWatch w("test");
  w.assigned(stat.get(), 0);
  bool asked = false;
  w.poll(
      stat.get(), "g",
      [&] {
        asked = true;
        return TopicPartitionList(rd_kafka_topic_partition_list_new(0));
      },
      nullptr);
  EXPECT_FALSE(asked);
  EXPECT_TRUE(w.armed()) << "still due a second after the assignment";
}

TEST(UnownedPartitions, ThoseOfTheSubscriptionNoMemberHolds) {
  TopicPartitionList expected(rd_kafka_topic_partition_list_new(6));
  for (int p = 0; p < 4; ++p) rd_kafka_topic_partition_list_add(expected.get(), "a", p);
  rd_kafka_topic_partition_list_add(expected.get(), "b", 0);
  std::set<std::pair<std::string, int32_t>> owned = {{"a", 0}, {"a", 2}, {"b", 0}, {"c", 9}};
  std::vector<std::pair<std::string, int32_t>> want = {{"a", 1}, {"a", 3}};
  EXPECT_EQ(unowned_partitions(expected.get(), owned), want);
  owned.insert({"a", 1});
  owned.insert({"a", 3});
  EXPECT_TRUE(unowned_partitions(expected.get(), owned).empty());
  EXPECT_TRUE(unowned_partitions(nullptr, owned).empty());
}

}  // namespace
}  // namespace sentinel::kafka

// A sink task's group.instance.id: <worker identity>-<connector>-<task>, valid for Kafka, distinct
// per task and connector, replaced by a configured group.instance.id, off when that is empty or
// the broker is the dev broker; session.timeout.ms defaults to 45 s and stays overridable.
#include "connect-sink/runtime/task_identity.h"

#include <gtest/gtest.h>

#include <set>

#include "common/static_membership.h"

namespace sentinel::connect {
namespace {

const auto kRealBroker = [] { return false; };

// Kafka's rule for a group.instance.id (Topic.validate's: [a-zA-Z0-9._-], 1..249, not . or ..).
bool valid_for_kafka(const std::string& id) {
  if (id.empty() || id.size() > 249 || id == "." || id == "..") return false;
  for (char c : id) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

kafka::Properties task_consumer(const std::string& worker, const std::string& connector, int task,
                                kafka::Properties consumer = {{"group.id", "connect-x"}}) {
  apply_task_identity(&consumer, worker, connector, task, kRealBroker);
  return consumer;
}

TEST(TaskIdentity, WorkerIdentityConnectorAndTaskMakeAnIdKafkaAccepts) {
  kafka::Properties c = task_consumer("web-1:8083", "archive", 2);
  ASSERT_TRUE(c.count("group.instance.id"));
  const std::string& id = c.at("group.instance.id");
  EXPECT_TRUE(valid_for_kafka(id)) << id;
  EXPECT_EQ(id.rfind("web-1_8083-archive-2-", 0), 0u) << id;
  EXPECT_EQ(id, task_consumer("web-1:8083", "archive", 2).at("group.instance.id"))
      << "the same task of the same worker gets the same id after a restart";
  EXPECT_EQ(c.at("session.timeout.ms"), kafka::kStaticSessionTimeoutMs);
}

// Ids must differ within a group (connect-<connector>); here they differ across groups too.
TEST(TaskIdentity, TasksConnectorsAndWorkersNeverShareAnId) {
  std::set<std::string> ids;
  int made = 0;
  for (const char* worker : {"web-1:8083", "web-1:8084", "web-2:8083"}) {
    for (const char* connector : {"archive", "archive-1", "logs archive", "été"}) {
      for (int task = 0; task < 12; ++task) {
        std::string id = task_consumer(worker, connector, task).at("group.instance.id");
        EXPECT_TRUE(valid_for_kafka(id)) << id;
        ids.insert(id);
        ++made;
      }
    }
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(made));
}

TEST(TaskIdentity, AConfiguredGroupInstanceIdReplacesTheWorkerIdentityNotTheTask) {
  kafka::Properties c = task_consumer(
      "web-1:8083", "archive", 0, {{"group.id", "connect-archive"}, {"group.instance.id", "dc1"}});
  EXPECT_EQ(c.at("group.instance.id"), "dc1-archive-0");
  c = task_consumer("web-1:8083", "archive", 1,
                    {{"group.id", "connect-archive"}, {"group.instance.id", "dc1"}});
  EXPECT_EQ(c.at("group.instance.id"), "dc1-archive-1");
}

TEST(TaskIdentity, EmptyIdentityMakesADynamicMember) {
  kafka::Properties c = task_consumer("web-1:8083", "archive", 0,
                                      {{"group.id", "connect-archive"}, {"group.instance.id", ""}});
  EXPECT_EQ(c.count("group.instance.id"), 0u);
  EXPECT_EQ(c.count("session.timeout.ms"), 0u);
  EXPECT_EQ(task_consumer("", "archive", 0).count("group.instance.id"), 0u);
}

TEST(TaskIdentity, TheDevBrokerGetsDynamicMembersAndIsAskedOnlyForStaticOnes) {
  int asked = 0;
  auto dev = [&] {
    ++asked;
    return true;
  };
  kafka::Properties c = {{"group.id", "connect-x"}};
  apply_task_identity(&c, "web-1:8083", "x", 0, dev);
  EXPECT_EQ(c.count("group.instance.id"), 0u);
  EXPECT_EQ(asked, 1);
  kafka::Properties off = {{"group.id", "connect-x"}, {"group.instance.id", ""}};
  apply_task_identity(&off, "web-1:8083", "x", 0, dev);
  EXPECT_EQ(asked, 1) << "a dynamic member needs no cluster id (asking can take seconds)";
}

TEST(TaskIdentity, AConfiguredSessionTimeoutIsKept) {
  kafka::Properties c =
      task_consumer("w", "x", 0, {{"group.id", "connect-x"}, {"session.timeout.ms", "10000"}});
  EXPECT_EQ(c.at("session.timeout.ms"), "10000");
}

}  // namespace
}  // namespace sentinel::connect

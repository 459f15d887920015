// The workers' group consumer gets the worker's client properties as they are — bootstrap.servers
// and the top-level security.protocol, sasl.* and ssl.* keys, as Connect's WorkerGroupMember uses
// the worker's top-level config (not consumer.*, which is the sink tasks') — and its own
// membership keys over them.
#include <gtest/gtest.h>

#include "common/kafka.h"
#include "connect-sink/runtime/distributed/worker_group.h"

namespace sentinel::connect::distributed {
namespace {

const kafka::Properties kSecureClient = {{"bootstrap.servers", "k1:9093,k2:9093"},
                                         {"security.protocol", "SASL_SSL"},
                                         {"sasl.mechanism", "SCRAM-SHA-512"},
                                         {"sasl.username", "connect"},
                                         {"sasl.password", "secret"},
                                         {"ssl.ca.location", "/etc/ssl/kafka-ca.pem"}};

TEST(GroupClient, TheWorkersSecurityPropertiesReachTheGroupsConsumerUnchanged) {
  kafka::Properties p =
      worker_group_consumer_properties(worker_group_settings(kSecureClient, {}, "web-1:8083"));
  for (const auto& [key, value] : kSecureClient) EXPECT_EQ(p[key], value) << key;
  // librdkafka takes them all (a consumer would be made from these).
  std::string error;
  EXPECT_TRUE(kafka::make_conf(p, &error)) << error;
}

TEST(GroupClient, TheGroupsOwnKeysWinOverTheClients) {
  kafka::Properties client = kSecureClient;
  client["group.id"] = "someone-else";
  client["enable.auto.commit"] = "true";
  client["partition.assignment.strategy"] = "range";
  DistributedSettings d;
  d.group_id = "connect-cluster";
  kafka::Properties p =
      worker_group_consumer_properties(worker_group_settings(client, d, "web-1:8083"));
  EXPECT_EQ(p["group.id"], "connect-cluster");
  EXPECT_EQ(p["enable.auto.commit"], "false");
  EXPECT_EQ(p["partition.assignment.strategy"], "roundrobin");
}

}  // namespace
}  // namespace sentinel::connect::distributed

// A distributed worker's keys (group.id, the storage topics, their replication and partitions,
// the advertised REST address): parsed into DistributedSettings with Connect's defaults, refused
// with the key and what is expected, and refused at start until distributed mode is built.
#include <gtest/gtest.h>

#include "connect-sink/runtime/worker_config.h"
#include "connect-sink/runtime/worker_preflight.h"
#include "tests/unit/connect-sink/runtime/distributed/worker_file.h"

namespace sentinel::connect {
namespace {

using testing::error_of;
using testing::kBase;
using testing::kDistributed;
using testing::parse;

bool any_contains(const std::vector<std::string>& v, const std::string& s) {
  for (const auto& x : v) {
    if (x.find(s) != std::string::npos) return true;
  }
  return false;
}

TEST(DistributedSettings, AbsentWithoutGroupIdAndTheStorageKeysAreNotedAsIgnored) {
  auto c = parse(kBase + "config.storage.topic=connect-configs\nrest.advertised.listener=http\n");
  EXPECT_FALSE(c.distributed.has_value());
  EXPECT_TRUE(c.warnings.empty()) << c.warnings[0];
  EXPECT_TRUE(any_contains(c.notes,
                           "w.properties:3: config.storage.topic is only used by a "
                           "distributed worker (group.id is not set; ignored)"));
  EXPECT_TRUE(any_contains(c.notes, "w.properties:4: rest.advertised.listener is not used"));
}

TEST(DistributedSettings, ConnectsDefaultsWhenOnlyTheRequiredKeysAreSet) {
  auto c = parse(kDistributed);
  ASSERT_TRUE(c.distributed.has_value());
  const DistributedSettings& d = *c.distributed;
  EXPECT_EQ(d.group_id, "connect-cluster");
  EXPECT_EQ(d.config_topic, "connect-configs");
  EXPECT_EQ(d.offset_topic, "connect-offsets");
  EXPECT_EQ(d.status_topic, "connect-status");
  EXPECT_EQ(d.config_replication_factor, 3);
  EXPECT_EQ(d.status_replication_factor, 3);
  EXPECT_EQ(d.offset_replication_factor, 3);
  EXPECT_EQ(d.status_partitions, 5);
  EXPECT_EQ(d.offset_partitions, 25);
  EXPECT_EQ(d.advertised_listener, "");
  EXPECT_TRUE(c.warnings.empty()) << c.warnings[0];
}

TEST(DistributedSettings, ReadsEveryDistributedKeyOfConnectsFile) {
  auto c = parse(kDistributed +
                 "config.storage.replication.factor=1\nstatus.storage.replication.factor=-1\n"
                 "offset.storage.replication.factor=2\nstatus.storage.partitions=3\n"
                 "offset.storage.partitions=-1\nrest.advertised.host.name=web-1\n"
                 "rest.advertised.port=9083\nrest.advertised.listener=HTTP\n"
                 "listeners=http://:8083\n");
  ASSERT_TRUE(c.distributed.has_value());
  const DistributedSettings& d = *c.distributed;
  EXPECT_EQ(d.config_replication_factor, 1);
  EXPECT_EQ(d.status_replication_factor, -1);
  EXPECT_EQ(d.offset_replication_factor, 2);
  EXPECT_EQ(d.status_partitions, 3);
  EXPECT_EQ(d.offset_partitions, -1);
  EXPECT_EQ(d.advertised_host, "web-1");
  EXPECT_EQ(d.advertised_port, 9083);
  EXPECT_EQ(d.advertised_listener, "http");
  EXPECT_TRUE(c.warnings.empty()) << c.warnings[0];
  EXPECT_TRUE(c.notes.empty()) << c.notes[0];
}

TEST(DistributedSettings, AMissingOrEmptyStorageTopicNamesTheKeyAndAnExample) {
  EXPECT_EQ(error_of(kBase + "group.id=g\noffset.storage.topic=o\nstatus.storage.topic=s\n"),
            "config error: w.properties: config.storage.topic is not set: a distributed worker "
            "(group.id g) needs it; expected a topic name such as connect-configs");
  EXPECT_EQ(error_of(kBase + "group.id=g\nconfig.storage.topic=c\noffset.storage.topic=\n"),
            "config error: w.properties:5: offset.storage.topic is empty: a distributed worker "
            "(group.id g) needs it; expected a topic name such as connect-offsets");
  EXPECT_EQ(error_of(kBase + "group.id=g\nconfig.storage.topic=c\noffset.storage.topic=o\n"),
            "config error: w.properties: status.storage.topic is not set: a distributed worker "
            "(group.id g) needs it; expected a topic name such as connect-status");
  EXPECT_EQ(error_of(kBase + "group.id=\n"),
            "config error: w.properties:3: group.id \"\": expected the name of the workers' group, "
            "such as connect-cluster");
}

TEST(DistributedSettings, TheThreeTopicsMustDiffer) {
  EXPECT_EQ(error_of(kBase + "group.id=g\nconfig.storage.topic=t\noffset.storage.topic=o\n"
                             "status.storage.topic=t\n"),
            "config error: w.properties:6: status.storage.topic \"t\": expected a topic of its "
            "own: config.storage.topic names it too");
}

TEST(DistributedSettings, ReplicationAndPartitionsAreMinusOneOrPositive) {
  EXPECT_EQ(error_of(kDistributed + "status.storage.partitions=0\n"),
            "config error: w.properties:7: status.storage.partitions \"0\": expected -1 (the "
            "broker's default) or a partition count from 1 to 100000");
  EXPECT_EQ(error_of(kDistributed + "config.storage.replication.factor=-2\n"),
            "config error: w.properties:7: config.storage.replication.factor \"-2\": expected -1 "
            "(the broker's default) or a replication factor from 1 to 32767");
  EXPECT_NE(error_of(kDistributed + "offset.storage.partitions=many\n").find("expected -1"),
            std::string::npos);
  EXPECT_NE(error_of(kDistributed + "offset.storage.replication.factor=40000\n").find("32767"),
            std::string::npos);
}

TEST(DistributedSettings, AdvertisedListenerMustBeTheProtocolOfAListener) {
  EXPECT_EQ(
      error_of(kDistributed + "rest.advertised.listener=ftp\n"),
      "config error: w.properties:7: rest.advertised.listener \"ftp\": expected http or https");
  EXPECT_EQ(error_of(kDistributed + "rest.advertised.listener=https\n"),
            "config error: w.properties:7: rest.advertised.listener \"https\": expected the "
            "protocol of one of the listeners");
  EXPECT_NE(error_of(kDistributed + "rest.advertised.port=70000\n").find("from 0 to 65535"),
            std::string::npos);
}

TEST(DistributedSettings, ADistributedWorkerTakesNoConnectorFilesAsConnectDistributed) {
  WorkerConfig config = parse(kDistributed);
  PluginRegistry plugins;
  ValidationContext validation;
  validation.plugins = &plugins;
  EXPECT_EQ(preflight(config, "w.properties", {}, validation, /*start=*/true).exit_code, 0);
  Preflight p = preflight(config, "w.properties", {"archive.properties"}, validation, true);
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_EQ(p.error,
            "config error: w.properties: group.id \"connect-cluster\" makes this a distributed "
            "worker, which takes its connectors through the REST API (POST /connectors), not from "
            "files: drop the connector files from the command line (archive.properties), or "
            "remove group.id to run a standalone worker");
}

}  // namespace
}  // namespace sentinel::connect

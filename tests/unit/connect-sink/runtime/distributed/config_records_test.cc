// Config- and status-topic records in Kafka Connect's format: Connect's own values decode, ours
// encode byte for byte as Connect's JsonConverter writes them, and a bad record is an error that
// says what is wrong (the caller reports and skips it), never a crash.
#include "connect-sink/runtime/distributed/config_records.h"

#include <gtest/gtest.h>

namespace sentinel::connect::distributed {
namespace {

template <typename T>
T decode_as(const std::string& key, const std::optional<std::string>& value) {
  ConfigRecord record;
  std::string error;
  EXPECT_TRUE(decode_config_record(key, value, &record, &error)) << error;
  EXPECT_TRUE(std::holds_alternative<T>(record)) << key;
  return std::holds_alternative<T>(record) ? std::get<T>(record) : T{};
}

std::string config_error(const std::string& key, const std::optional<std::string>& value) {
  ConfigRecord record;
  std::string error;
  if (decode_config_record(key, value, &record, &error)) return "(accepted)";
  return error;
}

std::string status_error(const std::string& key, const std::optional<std::string>& value) {
  StatusRecord record;
  std::string error;
  if (decode_status_record(key, value, &record, &error)) return "(accepted)";
  return error;
}

TEST(ConfigRecords, DecodesConnectsConnectorTaskAndCommitRecords) {
  auto c = decode_as<ConnectorConfigRecord>(
      "connector-local-file-sink",
      R"({"properties":{"connector.class":"FileStreamSink","tasks.max":"1","topics":"connect-test","file":"test.sink.txt","name":"local-file-sink"}})");
  EXPECT_EQ(c.connector, "local-file-sink");
  ASSERT_TRUE(c.properties.has_value());
  EXPECT_EQ(c.properties->at("topics"), "connect-test");
  EXPECT_EQ(c.properties->size(), 5u);

  auto t = decode_as<TaskConfigRecord>(
      "task-local-file-sink-0",
      R"({"properties":{"task.class":"org.apache.kafka.connect.file.FileStreamSinkTask","topics":"connect-test"}})");
  EXPECT_EQ(t.connector, "local-file-sink");  // the name's dashes stay in the name
  EXPECT_EQ(t.task, 0);
  EXPECT_EQ(t.properties.at("task.class"), "org.apache.kafka.connect.file.FileStreamSinkTask");

  auto commit = decode_as<TaskCommitRecord>("commit-local-file-sink", R"({"tasks":1})");
  EXPECT_EQ(commit.connector, "local-file-sink");
  EXPECT_EQ(commit.tasks, 1);
}

TEST(ConfigRecords, ATombstoneDeletesAConnectorAndItsTargetState) {
  auto c = decode_as<ConnectorConfigRecord>("connector-a", std::nullopt);
  EXPECT_EQ(c.connector, "a");
  EXPECT_FALSE(c.properties.has_value());
  // JsonConverter reads the JSON text null as a null value too.
  EXPECT_FALSE(decode_as<ConnectorConfigRecord>("connector-a", "null").properties.has_value());
  EXPECT_FALSE(decode_as<TargetStateRecord>("target-state-a", std::nullopt).state.has_value());
}

TEST(ConfigRecords, TargetStateReadsStateV2FirstAndFallsBackOnState) {
  // Connect 3.5's STOPPED, PAUSED, and a record of a worker before 3.5.
  EXPECT_EQ(
      decode_as<TargetStateRecord>("target-state-a", R"({"state":"PAUSED","state.v2":"STOPPED"})")
          .state,
      TargetState::kStopped);
  EXPECT_EQ(
      decode_as<TargetStateRecord>("target-state-a", R"({"state":"PAUSED","state.v2":"PAUSED"})")
          .state,
      TargetState::kPaused);
  EXPECT_EQ(decode_as<TargetStateRecord>("target-state-a", R"({"state":"STARTED"})").state,
            TargetState::kStarted);
  EXPECT_EQ(
      decode_as<TargetStateRecord>("target-state-a", R"({"state":"PAUSED","state.v2":null})").state,
      TargetState::kPaused);
}

TEST(ConfigRecords, EncodesAsConnectsJsonConverterWithoutSchemas) {
  EXPECT_EQ(connector_key("a-b"), "connector-a-b");
  EXPECT_EQ(task_key("a-b", 3), "task-a-b-3");
  EXPECT_EQ(commit_key("a-b"), "commit-a-b");
  EXPECT_EQ(target_state_key("a-b"), "target-state-a-b");
  EXPECT_EQ(encode_properties({{"name", "a"}, {"topics", "t"}}),
            R"({"properties":{"name":"a","topics":"t"}})");
  EXPECT_EQ(encode_commit(2), R"({"tasks":2})");
  EXPECT_EQ(encode_target_state(TargetState::kStopped),
            R"({"state":"PAUSED","state.v2":"STOPPED"})");
  EXPECT_EQ(encode_target_state(TargetState::kStarted),
            R"({"state":"STARTED","state.v2":"STARTED"})");
  // What we write reads back.
  auto t =
      decode_as<TargetStateRecord>("target-state-x", encode_target_state(TargetState::kPaused));
  EXPECT_EQ(t.state, TargetState::kPaused);
}

TEST(ConfigRecords, RestartRequestsAndConnectsOtherKeysAreReadAndIgnored) {
  auto r = decode_as<RestartRecord>("restart-connector-a",
                                    R"({"include-tasks":true,"only-failed":false})");
  EXPECT_EQ(r.connector, "a");
  EXPECT_TRUE(r.include_tasks);
  EXPECT_FALSE(r.only_failed);
  EXPECT_FALSE(decode_as<RestartRecord>("restart-connector-a", "{}").include_tasks);
  decode_as<IgnoredConfigRecord>(
      "session-key", R"({"key":"c2VjcmV0","algorithm":"HmacSHA256","creation-timestamp":1})");
  decode_as<IgnoredConfigRecord>("tasks-fencing-a", R"({"task-count":2})");
}

TEST(ConfigRecords, BadRecordsAreErrorsThatSayWhatIsWrong) {
  EXPECT_EQ(config_error("connector-a", "{not json"), "value of connector-a: not JSON");
  EXPECT_EQ(config_error("connector-a", "[1]"),
            "value of connector-a: expected a JSON object, got array");
  EXPECT_EQ(config_error("connector-a", R"({"props":{}})"),
            R"(value of connector-a: expected {"properties":{...}})");
  EXPECT_EQ(config_error("connector-a", R"({"properties":{"tasks.max":1}})"),
            "value of connector-a: property tasks.max must be a string, got number");
  EXPECT_EQ(config_error("task-a", R"({"properties":{}})"),
            "key task-a: expected task-<connector>-<task number>");
  EXPECT_EQ(config_error("task-a-x", R"({"properties":{}})"),
            "key task-a-x: expected task-<connector>-<task number>");
  EXPECT_EQ(config_error("task-a-0", std::nullopt),
            "value of task-a-0: null (a task config is never deleted this way)");
  EXPECT_EQ(config_error("commit-a", R"({"tasks":"2"})"),
            "value of commit-a: \"tasks\" must be a whole number from 0 to 1000000, got \"2\"");
  EXPECT_EQ(config_error("commit-a", R"({"tasks":-1})"),
            "value of commit-a: \"tasks\" must be a whole number from 0 to 1000000, got -1");
  EXPECT_EQ(config_error("target-state-a", R"({"state":"RUNNING"})"),
            "value of target-state-a: \"state\" \"RUNNING\": expected STARTED, PAUSED or STOPPED");
  EXPECT_EQ(config_error("target-state-a", R"({"state.v2":7,"state":"PAUSED"})"),
            "value of target-state-a: \"state.v2\" must be a string, got number");
  EXPECT_EQ(config_error("target-state-a", "{}"),
            R"(value of target-state-a: expected {"state":"STARTED"|"PAUSED"|"STOPPED"})");
  EXPECT_EQ(config_error("connector-", "{}"),
            "key connector-: expected connector-<connector name>");
  EXPECT_EQ(config_error("mystery", "{}"),
            "key mystery: expected connector-, task-, commit-, target-state- or "
            "restart-connector-<name>");
  EXPECT_EQ(config_error("restart-connector-a", R"({"only-failed":"yes"})"),
            "value of restart-connector-a: \"only-failed\" must be true or false, got \"yes\"");
}

TEST(StatusRecords, DecodesConnectsConnectorAndTaskStatuses) {
  StatusRecord r;
  std::string error;
  ASSERT_TRUE(decode_status_record(
      "status-connector-local-file-sink",
      R"({"state":"RUNNING","trace":null,"worker_id":"10.0.0.1:8083","generation":2})", &r, &error))
      << error;
  EXPECT_EQ(r.connector, "local-file-sink");
  EXPECT_FALSE(r.task.has_value());
  ASSERT_TRUE(r.status.has_value());
  EXPECT_EQ(r.status->state, "RUNNING");
  EXPECT_FALSE(r.status->trace.has_value());
  EXPECT_EQ(r.status->worker_id, "10.0.0.1:8083");
  EXPECT_EQ(r.status->generation, 2);

  ASSERT_TRUE(decode_status_record(
      "status-task-local-file-sink-1",
      R"({"state":"FAILED","trace":"org.apache.kafka.connect.errors.ConnectException: boom","worker_id":"w:8083","generation":5})",
      &r, &error))
      << error;
  EXPECT_EQ(r.connector, "local-file-sink");
  EXPECT_EQ(r.task, 1);
  EXPECT_EQ(r.status->trace, "org.apache.kafka.connect.errors.ConnectException: boom");

  ASSERT_TRUE(decode_status_record("status-connector-gone", std::nullopt, &r, &error));
  EXPECT_FALSE(r.status.has_value()) << "Connect writes a tombstone for DESTROYED";
  ASSERT_TRUE(decode_status_record(
      "status-topic-orders:connector-sink",
      R"({"topic":{"name":"orders","connector":"sink","task":0,"discoverTimestamp":1}})", &r,
      &error));
  EXPECT_TRUE(r.ignored);
}

TEST(StatusRecords, EncodesInConnectsFieldOrderAndRejectsBadValues) {
  EXPECT_EQ(encode_status({"RUNNING", std::nullopt, "web-1:8083", 3}),
            R"({"state":"RUNNING","trace":null,"worker_id":"web-1:8083","generation":3})");
  EXPECT_EQ(connector_status_key("a"), "status-connector-a");
  EXPECT_EQ(task_status_key("a", 2), "status-task-a-2");
  EXPECT_EQ(
      status_error("status-connector-a", R"({"state":"DANCING","worker_id":"w","generation":1})"),
      "value of status-connector-a: \"state\" must be one of UNASSIGNED, RUNNING, PAUSED, "
      "STOPPED, FAILED, RESTARTING, DESTROYED, got \"DANCING\"");
  EXPECT_EQ(status_error("status-connector-a", R"({"state":"RUNNING","generation":1})"),
            "value of status-connector-a: \"worker_id\" must be a string such as \"host:8083\"");
  EXPECT_EQ(status_error("status-task-a", "{}"),
            "key status-task-a: expected status-task-<connector>-<task number>");
  EXPECT_EQ(status_error("status-connector-a", "{oops"), "value of status-connector-a: not JSON");
  EXPECT_EQ(status_error("other", "{}"),
            "key other: expected status-connector-, status-task- or status-topic-");
}

}  // namespace
}  // namespace sentinel::connect::distributed

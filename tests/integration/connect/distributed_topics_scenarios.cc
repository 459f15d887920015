// The config- and status-topic scenarios (see distributed_topics_scenarios.h).
#include "tests/integration/connect/distributed_topics_scenarios.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <vector>

#include "connect-sink/runtime/distributed/config_topic.h"
#include "connect-sink/runtime/distributed/status_log.h"
#include "tests/support/kafka_env.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

using namespace sentinel::connect;
using namespace sentinel::connect::distributed;
using namespace std::chrono_literals;

constexpr auto kTimeout = 30s;

kafka::Properties client(TopicBroker& broker) {
  return {{"bootstrap.servers", broker.bootstrap()}};
}

// A record as kcat reads it: value nullopt for a tombstone.
struct Read {
  std::string key;
  std::optional<std::string> value;
  int partition = -1;
};

std::vector<Read> kcat_read(const std::string& bootstrap, const std::string& topic) {
  std::string out;
  int rc = run({"kcat", "-C", "-b", bootstrap, "-t", topic, "-e", "-q", "-J", "-o", "beginning"},
               &out, 60s);
  EXPECT_EQ(rc, 0) << "kcat -C " << topic;
  std::vector<Read> records;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue;
    Read r;
    if (j["key"].is_string()) r.key = j["key"];
    if (j["payload"].is_string()) r.value = j["payload"].get<std::string>();
    r.partition = j.value("partition", -1);
    records.push_back(std::move(r));
  }
  return records;
}

// "key=value" lines with kcat (-K tab; -Z: an empty value is a tombstone).
void kcat_write(TopicBroker& broker, const std::string& topic,
                const std::vector<std::string>& lines) {
  TempDir dir;
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  write_file(dir.file("records"), text);
  ASSERT_EQ(run({"kcat", "-P", "-b", broker.bootstrap(), "-t", topic, "-K", "\t", "-Z", "-l",
                 dir.file("records")}),
            0);
}

// A ConfigLog as text, to compare two readers' states and show the difference.
std::string describe(const ConfigLog& log) {
  std::string out;
  for (const auto& [name, view] : log.connectors()) {
    out += name + " " + to_string(view.target_state) + (view.inconsistent ? " inconsistent" : "");
    for (const auto& [k, v] : view.config) out += " " + k + "=" + v;
    for (size_t i = 0; i < view.tasks.size(); ++i) {
      out += "\n  task " + std::to_string(i) + ":";
      for (const auto& [k, v] : view.tasks[i]) out += " " + k + "=" + v;
    }
    out += "\n";
  }
  return out;
}

std::string describe(const StatusLog& log, const std::string& connector) {
  std::string out;
  if (auto c = log.connector(connector)) {
    out += fmt::format("{} {} {} {}\n", connector, c->state, c->worker_id, c->generation);
  }
  for (const auto& [id, s] : log.tasks(connector)) {
    out += fmt::format("{}-{} {} {} {}\n", connector, id, s.state, s.worker_id, s.generation);
  }
  return out;
}

Properties config(const std::string& name, const std::string& topics = "logs") {
  return {{"name", name}, {"connector.class", "RotatingFileSink"}, {"topics", topics}};
}

std::vector<Properties> task_set(const std::string& topics, int n) {
  std::vector<Properties> out;
  for (int i = 0; i < n; ++i) out.push_back({{"topics", topics}, {"task.id", std::to_string(i)}});
  return out;
}

// Listener calls as "kind connector" lines.
struct Heard {
  std::mutex mutex;
  std::vector<std::string> changes;
  ConfigTopic::Listener listener() {
    return [this](const ConfigChange& c) {
      static const char* const kKinds[] = {"config", "removed", "target-state", "tasks", "restart"};
      std::string line = std::string(kKinds[static_cast<int>(c.kind)]) + " " + c.connector;
      if (c.kind == ConfigChange::Kind::kRestartRequest) {
        line += c.restart.include_tasks ? " include-tasks" : "";
      }
      std::lock_guard lock(mutex);
      changes.push_back(line);
    };
  }
  std::vector<std::string> get() {
    std::lock_guard lock(mutex);
    return changes;
  }
};

}  // namespace

void write_through_one_is_seen_by_another_with_the_same_log(TopicBroker& broker) {
  std::string topic = broker.new_topic("configs", 1);
  ConfigTopic a(client(broker), topic), b(client(broker), topic);
  std::string error;
  ASSERT_TRUE(a.start(kTimeout, &error)) << error;
  ASSERT_TRUE(b.start(kTimeout, &error)) << error;
  ASSERT_TRUE(
      a.put_connector_config("archive", config("archive"), TargetState::kPaused, kTimeout, &error))
      << error;
  // A write returns once its writer has read it back.
  ASSERT_TRUE(a.snapshot().connector("archive").has_value());
  EXPECT_EQ(a.snapshot().connector("archive")->target_state, TargetState::kPaused);
  ASSERT_TRUE(a.put_task_configs("archive", task_set("logs", 2), kTimeout, &error)) << error;
  EXPECT_EQ(a.snapshot().connector("archive")->tasks.size(), 2u);
  ASSERT_TRUE(
      a.put_connector_config("second", config("second", "other"), std::nullopt, kTimeout, &error))
      << error;
  ASSERT_TRUE(a.put_target_state("archive", TargetState::kStarted, kTimeout, &error)) << error;

  ASSERT_TRUE(b.read_to_end(kTimeout, &error)) << error;
  ConfigLog seen = b.snapshot();
  EXPECT_EQ(describe(seen), describe(a.snapshot()));
  EXPECT_EQ(seen.next_offset(), a.snapshot().next_offset());
  ASSERT_EQ(seen.connectors().size(), 2u) << describe(seen);
  EXPECT_EQ(seen.connector("archive")->target_state, TargetState::kStarted);
  EXPECT_EQ(seen.connector("archive")->tasks.at(1).at("task.id"), "1");
  EXPECT_EQ(seen.connector("second")->config.at("topics"), "other");
  // And the other way round.
  ASSERT_TRUE(b.delete_connector("second", kTimeout, &error)) << error;
  ASSERT_TRUE(a.read_to_end(kTimeout, &error)) << error;
  EXPECT_FALSE(a.snapshot().connector("second").has_value());
  EXPECT_EQ(describe(a.snapshot()), describe(b.snapshot()));
}

void a_write_returns_only_after_its_writer_applied_it(TopicBroker& broker) {
  std::string topic = broker.new_topic("configs", 1);
  // The listener runs on the reading thread once the record is applied, and holds it there until
  // the write returns or 2 s pass: a write that waits for its read-back is still waiting then.
  std::mutex mutex;
  std::condition_variable changed;
  bool returned = false;
  std::optional<bool> returned_when_heard;
  ConfigTopic a(client(broker), topic, [&](const ConfigChange&) {
    std::unique_lock lock(mutex);
    changed.wait_for(lock, 2s, [&] { return returned; });
    if (!returned_when_heard) returned_when_heard = returned;
  });
  std::string error;
  ASSERT_TRUE(a.start(kTimeout, &error)) << error;
  ASSERT_TRUE(a.put_connector_config("w", config("w"), std::nullopt, kTimeout, &error)) << error;
  {
    std::lock_guard lock(mutex);
    returned = true;
    changed.notify_all();
    ASSERT_TRUE(returned_when_heard.has_value()) << "the write returned before it was read back";
    EXPECT_FALSE(*returned_when_heard) << "the write returned before it was read back";
  }
  EXPECT_TRUE(a.snapshot().connector("w").has_value());
}

void task_configs_are_invisible_until_their_commit(TopicBroker& broker) {
  std::string topic = broker.new_topic("configs", 1);
  ConfigTopic a(client(broker), topic), b(client(broker), topic);
  std::string error;
  ASSERT_TRUE(a.start(kTimeout, &error)) << error;
  ASSERT_TRUE(b.start(kTimeout, &error)) << error;
  ASSERT_TRUE(a.put_connector_config("sink", config("sink"), std::nullopt, kTimeout, &error))
      << error;
  // A leader that died after writing its task configs and before the commit.
  kcat_write(broker, topic,
             {"task-sink-0\t{\"properties\":{\"task.id\":\"0\"}}",
              "task-sink-1\t{\"properties\":{\"task.id\":\"1\"}}"});
  ASSERT_TRUE(b.read_to_end(kTimeout, &error)) << error;
  EXPECT_EQ(b.snapshot().next_offset(), 3) << "both task records were read";
  ASSERT_TRUE(b.snapshot().connector("sink").has_value());
  EXPECT_TRUE(b.snapshot().connector("sink")->tasks.empty()) << describe(b.snapshot());
  kcat_write(broker, topic, {"commit-sink\t{\"tasks\":2}"});
  ASSERT_TRUE(b.read_to_end(kTimeout, &error)) << error;
  ASSERT_EQ(b.snapshot().connector("sink")->tasks.size(), 2u) << describe(b.snapshot());
  EXPECT_EQ(b.snapshot().connector("sink")->tasks[1].at("task.id"), "1");
}

void records_kcat_wrote_in_connects_format_are_applied_and_heard(TopicBroker& broker) {
  std::string topic = broker.new_topic("configs", 1);
  // Read at the start, not heard: the listener is for changes after it.
  kcat_write(broker, topic, {"connector-before\t{\"properties\":{\"name\":\"before\"}}"});
  Heard heard;
  ConfigTopic a(client(broker), topic, heard.listener());
  std::string error;
  ASSERT_TRUE(a.start(kTimeout, &error)) << error;
  EXPECT_TRUE(a.snapshot().connector("before").has_value());
  kcat_write(
      broker, topic,
      {"connector-k\t{\"properties\":{\"name\":\"k\",\"topics\":\"logs\",\"tasks.max\":"
       "\"1\"}}",
       "target-state-k\t{\"state\":\"PAUSED\"}", "task-k-0\t{\"properties\":{\"a\":\"b\"}}",
       "commit-k\t{\"tasks\":1}",
       "restart-connector-k\t{\"include-tasks\":true,\"only-failed\":false}",
       "session-key\t{\"key\":\"abc\",\"algorithm\":\"HmacSHA256\",\"creation-timestamp\":1}",
       "connector-before\t"});
  ASSERT_TRUE(a.read_to_end(kTimeout, &error)) << error;
  ConfigLog log = a.snapshot();
  ASSERT_TRUE(log.connector("k").has_value()) << describe(log);
  EXPECT_EQ(log.connector("k")->config.at("tasks.max"), "1");
  EXPECT_EQ(log.connector("k")->target_state, TargetState::kPaused);
  ASSERT_EQ(log.connector("k")->tasks.size(), 1u);
  EXPECT_EQ(log.connector("k")->tasks[0].at("a"), "b");
  EXPECT_FALSE(log.connector("before").has_value());
  EXPECT_TRUE(a.skipped().empty());
  EXPECT_EQ(heard.get(), (std::vector<std::string>{"config k", "target-state k", "tasks k",
                                                   "restart k include-tasks", "removed before"}));
}

void a_garbage_record_is_skipped_with_its_place_and_the_reader_goes_on(TopicBroker& broker) {
  std::string topic = broker.new_topic("configs", 1);
  ConfigTopic a(client(broker), topic);
  std::string error;
  ASSERT_TRUE(a.start(kTimeout, &error)) << error;
  kcat_write(broker, topic,
             {"connector-g\tnot json", "commit-g\t{\"tasks\":\"two\"}", "hello\t{}",
              "connector-g\t{\"properties\":{\"name\":\"g\"}}"});
  ASSERT_TRUE(a.read_to_end(kTimeout, &error)) << error;
  EXPECT_EQ(a.skipped(), (std::vector<std::string>{
                             topic + "/0@0: value of connector-g: not JSON",
                             topic + "/0@1: value of commit-g: \"tasks\" must be a whole number "
                                     "from 0 to 1000000, got \"two\"",
                             topic + "/0@2: key hello: expected connector-, task-, commit-, "
                                     "target-state- or restart-connector-<name>"}));
  ASSERT_TRUE(a.snapshot().connector("g").has_value()) << "the record after them is applied";
  EXPECT_EQ(a.snapshot().next_offset(), 4);
  // A reader that starts later skips the same records.
  ConfigTopic b(client(broker), topic);
  ASSERT_TRUE(b.start(kTimeout, &error)) << error;
  EXPECT_EQ(b.skipped(), a.skipped());
  EXPECT_EQ(describe(b.snapshot()), describe(a.snapshot()));
}

void a_restarted_reader_rebuilds_the_same_state(TopicBroker& broker) {
  std::string topic = broker.new_topic("configs", 1);
  std::string error, before;
  int64_t next = 0;
  {
    ConfigTopic a(client(broker), topic);
    ASSERT_TRUE(a.start(kTimeout, &error)) << error;
    ASSERT_TRUE(
        a.put_connector_config("one", config("one"), TargetState::kStopped, kTimeout, &error))
        << error;
    ASSERT_TRUE(a.put_task_configs("one", task_set("logs", 3), kTimeout, &error)) << error;
    ASSERT_TRUE(a.put_task_configs("one", task_set("logs2", 2), kTimeout, &error)) << error;
    ASSERT_TRUE(a.put_connector_config("two", config("two"), std::nullopt, kTimeout, &error))
        << error;
    ASSERT_TRUE(a.put_task_configs("two", task_set("logs", 1), kTimeout, &error)) << error;
    ASSERT_TRUE(a.put_connector_config("gone", config("gone"), std::nullopt, kTimeout, &error))
        << error;
    ASSERT_TRUE(a.delete_connector("gone", kTimeout, &error)) << error;
    before = describe(a.snapshot());
    next = a.snapshot().next_offset();
    a.stop();
  }
  ConfigTopic again(client(broker), topic);
  ASSERT_TRUE(again.start(kTimeout, &error)) << error;
  EXPECT_EQ(describe(again.snapshot()), before);
  EXPECT_EQ(again.snapshot().next_offset(), next);
  ASSERT_EQ(again.snapshot().connectors().size(), 2u) << before;
  EXPECT_EQ(again.snapshot().connector("one")->tasks.size(), 2u);
  EXPECT_EQ(again.snapshot().connector("one")->target_state, TargetState::kStopped);
}

void deleting_a_connector_writes_connects_tombstones(TopicBroker& broker) {
  std::string topic = broker.new_topic("configs", 1);
  ConfigTopic a(client(broker), topic), b(client(broker), topic);
  std::string error;
  ASSERT_TRUE(a.start(kTimeout, &error)) << error;
  ASSERT_TRUE(b.start(kTimeout, &error)) << error;
  ASSERT_TRUE(a.put_connector_config("x", config("x"), TargetState::kPaused, kTimeout, &error))
      << error;
  ASSERT_TRUE(a.put_task_configs("x", task_set("logs", 1), kTimeout, &error)) << error;
  ASSERT_TRUE(a.delete_connector("x", kTimeout, &error)) << error;
  EXPECT_FALSE(a.snapshot().connector("x").has_value());
  ASSERT_TRUE(b.read_to_end(kTimeout, &error)) << error;
  EXPECT_TRUE(b.snapshot().connectors().empty()) << describe(b.snapshot());
  auto records = kcat_read(broker.bootstrap(), topic);
  ASSERT_EQ(records.size(), 6u);
  EXPECT_EQ(records[4].key, "connector-x");
  EXPECT_FALSE(records[4].value.has_value()) << *records[4].value;
  EXPECT_EQ(records[5].key, "target-state-x");
  EXPECT_FALSE(records[5].value.has_value()) << *records[5].value;
  // A connector created again with the name starts from nothing: no tasks, STARTED.
  ASSERT_TRUE(a.put_connector_config("x", config("x"), std::nullopt, kTimeout, &error)) << error;
  ASSERT_TRUE(b.read_to_end(kTimeout, &error)) << error;
  EXPECT_EQ(describe(b.snapshot()),
            "x STARTED connector.class=RotatingFileSink name=x topics=logs\n");
}

void kcat_reads_config_writes_with_connects_keys_and_json(TopicBroker& broker) {
  std::string topic = broker.new_topic("configs", 1);
  ConfigTopic a(client(broker), topic);
  std::string error;
  ASSERT_TRUE(a.start(kTimeout, &error)) << error;
  ASSERT_TRUE(a.put_connector_config("arc", config("arc"), TargetState::kStopped, kTimeout, &error))
      << error;
  ASSERT_TRUE(a.put_task_configs("arc", task_set("logs", 1), kTimeout, &error)) << error;
  ASSERT_TRUE(a.put_target_state("arc", TargetState::kPaused, kTimeout, &error)) << error;
  auto records = kcat_read(broker.bootstrap(), topic);
  ASSERT_EQ(records.size(), 5u);
  std::vector<std::pair<std::string, std::string>> seen;
  for (const auto& r : records) seen.emplace_back(r.key, r.value.value_or("null"));
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::string>>{
                      {"target-state-arc", R"({"state":"PAUSED","state.v2":"STOPPED"})"},
                      {"connector-arc",
                       R"({"properties":{"connector.class":"RotatingFileSink","name":"arc",)"
                       R"("topics":"logs"}})"},
                      {"task-arc-0", R"({"properties":{"task.id":"0","topics":"logs"}})"},
                      {"commit-arc", R"({"tasks":1})"},
                      {"target-state-arc", R"({"state":"PAUSED","state.v2":"PAUSED"})"}}));
}

void statuses_written_by_one_are_read_by_another_and_by_kcat(TopicBroker& broker) {
  std::string topic = broker.new_topic("status", 3);
  StatusTopic a(client(broker), topic), b(client(broker), topic);
  std::string error;
  ASSERT_TRUE(a.start(kTimeout, &error)) << error;
  ASSERT_TRUE(b.start(kTimeout, &error)) << error;
  a.put("arc", std::nullopt, {"RUNNING", std::nullopt, "w1:8083", 3});
  a.put("arc", 0, {"UNASSIGNED", std::nullopt, "w1:8083", 3});
  a.put("arc", 0, {"RUNNING", std::nullopt, "w1:8083", 3});
  a.put("arc", 1, {"FAILED", std::string("java.lang.Oops\n\tat x"), "w2:8083", 3});
  ASSERT_TRUE(a.flush(kTimeout, &error)) << error;
  ASSERT_TRUE(b.read_to_end(kTimeout, &error)) << error;
  EXPECT_EQ(describe(b.snapshot(), "arc"),
            "arc RUNNING w1:8083 3\narc-0 RUNNING w1:8083 3\narc-1 FAILED w2:8083 3\n");
  EXPECT_EQ(b.snapshot().task("arc", 1)->trace, "java.lang.Oops\n\tat x");
  EXPECT_TRUE(b.skipped().empty());

  auto records = kcat_read(broker.bootstrap(), topic);
  ASSERT_EQ(records.size(), 4u);
  std::map<std::string, std::vector<std::string>> by_key;
  std::map<std::string, std::set<int>> partitions;
  for (const auto& r : records) {
    by_key[r.key].push_back(r.value.value_or("null"));
    partitions[r.key].insert(r.partition);
  }
  EXPECT_EQ(by_key["status-connector-arc"],
            (std::vector<std::string>{
                R"({"state":"RUNNING","trace":null,"worker_id":"w1:8083","generation":3})"}));
  EXPECT_EQ(by_key["status-task-arc-0"],
            (std::vector<std::string>{
                R"({"state":"UNASSIGNED","trace":null,"worker_id":"w1:8083","generation":3})",
                R"({"state":"RUNNING","trace":null,"worker_id":"w1:8083","generation":3})"}))
      << "in the order written";
  EXPECT_EQ(by_key["status-task-arc-1"],
            (std::vector<std::string>{
                R"({"state":"FAILED","trace":"java.lang.Oops\n\tat x","worker_id":"w2:8083",)"
                R"("generation":3})"}));
  EXPECT_EQ(partitions["status-task-arc-0"].size(), 1u) << "a key keeps to one partition";
}

void an_older_generation_from_another_worker_does_not_replace_a_newer_status(TopicBroker& broker) {
  std::string topic = broker.new_topic("status", 2);
  StatusTopic w1(client(broker), topic), w2(client(broker), topic);
  std::string error;
  ASSERT_TRUE(w1.start(kTimeout, &error)) << error;
  ASSERT_TRUE(w2.start(kTimeout, &error)) << error;
  // w2 took the task over in generation 5; w1, still in generation 4, stops it late.
  w2.put("arc", 0, {"RUNNING", std::nullopt, "w2:8083", 5});
  ASSERT_TRUE(w2.flush(kTimeout, &error)) << error;
  ASSERT_TRUE(w1.read_to_end(kTimeout, &error)) << error;
  EXPECT_FALSE(w1.put_safe("arc", 0, {"UNASSIGNED", std::nullopt, "w1:8083", 4}));
  ASSERT_TRUE(w1.flush(kTimeout, &error)) << error;
  ASSERT_TRUE(w2.read_to_end(kTimeout, &error)) << error;
  EXPECT_EQ(describe(w2.snapshot(), "arc"), "arc-0 RUNNING w2:8083 5\n");
  EXPECT_EQ(kcat_read(broker.bootstrap(), topic).size(), 1u) << "nothing written";
  // The same worker, or a generation at least as new, writes.
  EXPECT_TRUE(w1.put_safe("arc", 0, {"UNASSIGNED", std::nullopt, "w1:8083", 5}));
  ASSERT_TRUE(w1.flush(kTimeout, &error)) << error;
  ASSERT_TRUE(w2.read_to_end(kTimeout, &error)) << error;
  EXPECT_EQ(describe(w2.snapshot(), "arc"), "arc-0 UNASSIGNED w1:8083 5\n");
}

void deleting_a_connector_tombstones_its_statuses(TopicBroker& broker) {
  std::string topic = broker.new_topic("status", 3);
  StatusTopic a(client(broker), topic);
  std::string error;
  ASSERT_TRUE(a.start(kTimeout, &error)) << error;
  a.put("gone", std::nullopt, {"RUNNING", std::nullopt, "w1:8083", 1});
  a.put("gone", 0, {"RUNNING", std::nullopt, "w1:8083", 1});
  a.put("gone", 1, {"RUNNING", std::nullopt, "w1:8083", 1});
  a.put("stays", std::nullopt, {"RUNNING", std::nullopt, "w1:8083", 1});
  ASSERT_TRUE(a.flush(kTimeout, &error)) << error;
  ASSERT_TRUE(a.read_to_end(kTimeout, &error)) << error;
  a.delete_connector("gone");
  ASSERT_TRUE(a.flush(kTimeout, &error)) << error;

  StatusTopic later(client(broker), topic);
  ASSERT_TRUE(later.start(kTimeout, &error)) << error;
  EXPECT_EQ(describe(later.snapshot(), "gone"), "");
  EXPECT_EQ(later.snapshot().connectors(), (std::set<std::string>{"stays"}));
  std::map<std::string, std::optional<std::string>> last;
  for (const auto& r : kcat_read(broker.bootstrap(), topic)) last[r.key] = r.value;
  for (const char* key : {"status-connector-gone", "status-task-gone-0", "status-task-gone-1"}) {
    ASSERT_TRUE(last.count(key)) << key;
    EXPECT_FALSE(last[key].has_value()) << key << " ends with a tombstone";
  }
}

}  // namespace sentinel::test

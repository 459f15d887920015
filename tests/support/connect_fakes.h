// In-process test doubles: a sink connector with a PASSWORD key and an output path, and a
// WorkerBackend whose tasks only report states and whose offsets live in a map.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

#include "connect-sink/runtime/plugins.h"
#include "connect-sink/runtime/worker_backend.h"

namespace sentinel::connect::testing {

class MemoryTask : public SinkTask {
 public:
  std::string version() const override { return "1"; }
  Status start(const Config& c) override {
    return c.count("fail.start") ? Status::Error("boom", "Boom: trace") : Status::Ok();
  }
  Status put(const std::vector<SinkRecord>&) override { return Status::Ok(); }
  void stop() override {}
};

class MemorySink : public SinkConnector {
 public:
  std::string version() const override { return "2.0"; }
  ConfigDef config_def() const override {
    ConfigKey path;
    path.name = "path";
    path.importance = Importance::kHigh;
    path.documentation = "Output file";
    path.is_output_path = true;
    ConfigKey secret;
    secret.name = "secret";
    secret.type = ConfigType::kPassword;
    secret.default_value = "";
    secret.importance = Importance::kLow;
    secret.documentation = "A password";
    secret.group = "Memory";
    secret.order_in_group = 1;
    return {path, secret};
  }
  std::vector<ConfigValue> validate(const Config& c) const override {
    if (c.count("path") && c.at("path") == "forbidden") {
      ConfigValue v;
      v.name = "path";
      v.value = c.at("path");
      v.errors = {"path may not be 'forbidden'"};
      return {v};
    }
    return {};
  }
  Status start(const Config& c) override {
    config_ = c;
    return Status::Ok();
  }
  std::vector<Config> task_configs(int max) const override {
    return std::vector<Config>(static_cast<size_t>(max), config_);
  }
  void stop() override {}
  std::unique_ptr<SinkTask> create_task() const override { return std::make_unique<MemoryTask>(); }
  bool alter_offsets(const Config&,
                     const std::map<TopicPartition, std::optional<int64_t>>&) override {
    return true;
  }

 private:
  Config config_;
};

inline PluginInfo memory_sink_plugin() {
  PluginInfo p;
  p.class_name = "com.example.MemorySinkConnector";
  p.aliases = {"Memory"};
  p.version = "2.0";
  p.path = "(test)";
  p.create = [] { return static_cast<SinkConnector*>(new MemorySink); };
  return p;
}

class FakeRunner : public TaskRunner {
 public:
  explicit FakeRunner(TaskSpec spec, bool stuck = false, std::atomic<int>* waits = nullptr)
      : spec_(std::move(spec)), paused_(spec_.start_paused), stuck_(stuck), waits_(waits) {
    Status s = spec_.task->start(spec_.task_config);
    if (!s.ok) status_ = {.view = {.state = TaskState::kFailed, .trace = s.trace}};
  }
  TaskStatus status() const override {
    std::lock_guard l(mu_);
    if (status_.view.state == TaskState::kFailed) return status_;
    return {.view = {.state = paused_ ? TaskState::kPaused : TaskState::kRunning}};
  }
  void set_paused(bool p) override {
    std::lock_guard l(mu_);
    paused_ = p;
  }
  void request_stop() override {}
  // A runner made stuck (FakeBackend::stuck) does not stop until released, like a task thread
  // inside a plugin call that never returns.
  bool wait_stopped(std::chrono::milliseconds timeout) override {
    std::unique_lock l(mu_);
    if (waits_) ++*waits_;
    return released_cv_.wait_for(l, timeout, [&] { return !stuck_; });
  }
  bool abandon(std::chrono::milliseconds waited) override {
    std::lock_guard l(mu_);
    if (!stuck_) return false;
    status_ = {.view = {.state = TaskState::kFailed,
                        .trace = "abandoned after " + std::to_string(waited.count()) +
                                 " ms in SinkTask.put()"}};
    return true;
  }
  void release() {
    std::lock_guard l(mu_);
    stuck_ = false;
    released_cv_.notify_all();
  }
  void fail(const std::string& trace) {
    std::lock_guard l(mu_);
    status_ = {.view = {.state = TaskState::kFailed, .trace = trace}};
  }
  TaskSpec spec_;

 private:
  mutable std::mutex mu_;
  bool paused_;
  bool stuck_;
  std::atomic<int>* waits_;
  std::condition_variable released_cv_;
  TaskStatus status_;
};

class FakeBackend : public WorkerBackend {
 public:
  std::unique_ptr<TaskRunner> start_task(TaskSpec spec) override {
    auto r = std::make_unique<FakeRunner>(std::move(spec), stuck, &waits);
    last = r.get();
    ++started;
    return r;
  }
  OffsetsResult list_offsets(const kafka::Properties& consumer, const std::vector<std::string>&,
                             const std::string&, std::vector<PartitionOffset>* out) override {
    std::lock_guard l(mu);
    if (!offsets_answer.ok()) return offsets_answer;
    for (const auto& [tp, off] : offsets[consumer.at("group.id")])
      out->push_back({tp.topic, tp.partition, off});
    return OffsetsResult::Ok();
  }
  OffsetsResult alter_offsets(
      const kafka::Properties& consumer,
      const std::map<TopicPartition, std::optional<int64_t>>& changes) override {
    std::lock_guard l(mu);
    if (!offsets_answer.ok()) return offsets_answer;
    for (const auto& [tp, off] : changes) {
      if (off)
        offsets[consumer.at("group.id")][tp] = *off;
      else
        offsets[consumer.at("group.id")].erase(tp);
    }
    return OffsetsResult::Ok();
  }
  OffsetsResult reset_offsets(const kafka::Properties& consumer, const std::vector<std::string>&,
                              const std::string&) override {
    std::lock_guard l(mu);
    if (!offsets_answer.ok()) return offsets_answer;
    offsets.erase(consumer.at("group.id"));
    return OffsetsResult::Ok();
  }
  std::string cluster_id() override { return "fake-cluster"; }

  std::mutex mu;
  std::map<std::string, std::map<TopicPartition, int64_t>> offsets;
  OffsetsResult offsets_answer;  // a failure every offsets call answers with, when set
  FakeRunner* last = nullptr;
  int started = 0;
  bool stuck = false;         // tasks started from now on do not stop until released
  std::atomic<int> waits{0};  // calls of wait_stopped on any runner
};

}  // namespace sentinel::connect::testing

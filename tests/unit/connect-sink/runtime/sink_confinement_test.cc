// Confinement of sink output on both sides: validation refuses topic names that would climb out
// of a directory and a user-chosen archive root; the built FileStreamSink plugin opens its file
// beneath the worker's archive.root at task start, so a link or FIFO swapped in after validation
// fails the task (naming the path) instead of writing outside or blocking.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>

#include "connect-sink/runtime/connector_config.h"
#include "connect-sink/runtime/herder.h"
#include "connect-sink/runtime/plugins.h"
#include "tests/support/build_paths.h"
#include "tests/support/connect_fakes.h"
#include "tests/support/process.h"

namespace sentinel::connect {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

ValidationResult validate(const RawConfig& config) {
  PluginRegistry plugins;
  plugins.add(testing::memory_sink_plugin());
  ValidationContext ctx;
  ctx.plugins = &plugins;
  ValidationResult r;
  int status = 0;
  std::string message;
  EXPECT_TRUE(validate_connector_config(ctx, config, &r, &status, &message)) << message;
  return r;
}

bool has(const ValidationResult& r, const std::string& e) {
  return std::find(r.errors.begin(), r.errors.end(), e) != r.errors.end();
}

TEST(SinkConfinement, TopicsNamedDotOrDotDotAreInvalidKafkaTopicNames) {
  auto r = validate({{"connector.class", "Memory"}, {"name", "x"}, {"topics", "a,..,.,b/c"}});
  EXPECT_EQ(r.error_count, 3) << invalid_config_message(r);
  EXPECT_TRUE(has(
      r,
      "Invalid value a,..,.,b/c for configuration topics: topic name '..' is illegal, it cannot be "
      "'.' or '..'"))
      << invalid_config_message(r);
  EXPECT_TRUE(has(
      r,
      "Invalid value a,..,.,b/c for configuration topics: topic name '.' is illegal, it cannot be "
      "'.' or '..'"));
  EXPECT_TRUE(has(r,
                  "Invalid value a,..,.,b/c for configuration topics: topic name 'b/c' is illegal, "
                  "it contains a "
                  "character other than ASCII alphanumerics, '.', '_' and '-'"));
  auto fine = validate(
      {{"connector.class", "Memory"}, {"name", "x"}, {"topics", "system_alerts, a.b-c_9, ..."}});
  EXPECT_EQ(fine.error_count, 0) << invalid_config_message(fine);
}

TEST(SinkConfinement, OnlyTheWorkerSetsTheArchiveRootKey) {
  auto r = validate(
      {{"connector.class", "Memory"}, {"name", "x"}, {"topics", "a"}, {kArchiveRootKey, "/"}});
  EXPECT_TRUE(
      has(r,
          "Invalid value / for configuration sentinel.archive.root: set by the worker from its "
          "archive.root, not by a connector config"))
      << invalid_config_message(r);
}

// POST /connectors/x/tasks/0/restart re-checks the paths: a directory swapped for a link since the
// connector started fails the task with the reason instead of handing the plugin a path outside.
TEST(SinkConfinement, ATaskRestartAfterADirectoryBecameALinkFailsTheTaskWithTheReason) {
  test::TempDir dir;
  std::string root = dir.file("archive"), outside = dir.file("outside");
  fs::create_directories(root + "/d");
  fs::create_directories(outside);
  PluginRegistry plugins;
  plugins.add(testing::memory_sink_plugin());
  WorkerSettings settings;
  settings.validation.plugins = &plugins;
  settings.validation.archive_root = root;
  testing::FakeBackend backend;
  Herder herder(settings, &backend, nullptr);
  bool created = false;
  ConnectorInfoView info;
  Outcome put = herder.put_connector(
      "x", {{"name", "x"}, {"connector.class", "Memory"}, {"topics", "a"}, {"path", "d/x.log"}},
      std::nullopt, false, &created, &info);
  ASSERT_TRUE(put.ok()) << put.message;
  std::string real = fs::canonical(root).string();
  ASSERT_TRUE(backend.last);
  EXPECT_EQ(backend.last->spec_.task_config["path"], real + "/d/x.log");
  EXPECT_EQ(backend.last->spec_.task_config[kArchiveRootKey], real);
  EXPECT_EQ(info.config["path"], "d/x.log") << "the stored config stays as given";

  fs::rename(root + "/d", root + "/d.old");
  fs::create_symlink(outside, root + "/d");
  ASSERT_TRUE(herder.restart_task("x", 0).ok());
  StateView state;
  ASSERT_TRUE(herder.task_status("x", 0, &state).ok());
  EXPECT_EQ(state.state, TaskState::kFailed);
  EXPECT_NE(state.trace.find("path \"" + real + "/d/x.log\""), std::string::npos) << state.trace;
  EXPECT_NE(state.trace.find("through a symbolic link"), std::string::npos) << state.trace;
}

// The built FileStreamSink, as the worker loads it.
class FileStreamSinkTask : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::string> errors;
    plugins.load({sentinel::test::plugin_dir()}, &errors);
    const PluginInfo* info = plugins.find("FileStreamSink");
    ASSERT_TRUE(info);
    connector = info->instantiate();
    fs::create_directories(root);
    fs::create_directories(outside);
  }
  // Starts a task on `file` (absolute, as the worker hands it) without blocking the test.
  Status start(const std::string& file) {
    task = connector->create_task();
    auto started = std::async(std::launch::async, [&] {
      return task->start({{"file", file}, {kArchiveRootKey, root}, {"topics", "a"}});
    });
    if (started.wait_for(10s) != std::future_status::ready) {
      ADD_FAILURE() << "the task's start blocked on " << file;
      int reader =
          ::open(file.c_str(), O_RDONLY | O_NONBLOCK);  // releases a writer stuck on a FIFO
      started.wait();
      ::close(reader);
    }
    return started.get();
  }
  PluginRegistry plugins;
  std::unique_ptr<SinkConnector> connector;
  std::unique_ptr<SinkTask> task;
  test::TempDir dir;
  std::string root = dir.file("archive");
  std::string outside = dir.file("outside");
};

TEST_F(FileStreamSinkTask, WritesBeneathTheArchiveRoot) {
  Status s = start(root + "/alerts.log");
  ASSERT_TRUE(s.ok) << s.message;
  ASSERT_TRUE(task->put({SinkRecord{"a", 0, 0, -1, std::nullopt, "hello", {}}}).ok);
  task->stop();
  EXPECT_EQ(test::read_file(root + "/alerts.log"), "hello\n");
}

TEST_F(FileStreamSinkTask, AFifoFailsTheStartNamingThePathWithoutBlocking) {
  std::string fifo = root + "/pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  Status s = start(fifo);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.message.find("'" + fifo + "'"), std::string::npos) << s.message;
  EXPECT_NE(s.message.find("FIFO"), std::string::npos) << s.message;
}

TEST_F(FileStreamSinkTask, LinksOutOfTheRootAppearingAfterValidationFailTheStart) {
  fs::create_symlink(outside + "/target.log", root + "/linkfile");  // dangling
  Status dangling = start(root + "/linkfile");
  EXPECT_FALSE(dangling.ok);
  EXPECT_NE(dangling.message.find("symbolic link"), std::string::npos) << dangling.message;
  fs::create_symlink(outside, root + "/d");  // a directory swapped for a link
  Status swapped = start(root + "/d/x.log");
  EXPECT_FALSE(swapped.ok);
  EXPECT_NE(swapped.message.find("through a symbolic link"), std::string::npos) << swapped.message;
  Status absolute = start(outside + "/x.log");
  EXPECT_FALSE(absolute.ok);
  EXPECT_NE(absolute.message.find("is outside archive.root"), std::string::npos)
      << absolute.message;
  EXPECT_TRUE(fs::is_empty(outside));
}

}  // namespace
}  // namespace sentinel::connect

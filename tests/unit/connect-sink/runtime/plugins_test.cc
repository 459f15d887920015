// Plugin loading: the built FileStreamSink loads under all its names; bad plugins get clear errors.
#include "connect-sink/runtime/plugins.h"

#include <gtest/gtest.h>

#include "tests/support/build_paths.h"
#include "tests/support/process.h"

namespace sentinel::connect {
namespace {

TEST(Plugins, FileStreamSinkLoadsUnderEveryConnectName) {
  PluginRegistry registry;
  std::vector<std::string> errors;
  registry.load({sentinel::test::plugin_dir()}, &errors);
  EXPECT_TRUE(errors.empty()) << errors[0];
  for (const char* name : {"org.apache.kafka.connect.file.FileStreamSinkConnector",
                           "FileStreamSinkConnector", "FileStreamSink"}) {
    const PluginInfo* p = registry.find(name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_EQ(p->class_name, "org.apache.kafka.connect.file.FileStreamSinkConnector");
  }
  EXPECT_EQ(registry.find("FileStream"), nullptr);
  auto connector = registry.find("FileStreamSink")->instantiate();
  ASSERT_EQ(connector->config_def().size(), 1u);
  EXPECT_EQ(connector->config_def()[0].name, "file");
  EXPECT_EQ(connector->start({{"file", "x"}}).ok, true);
  EXPECT_EQ(connector->task_configs(3).size(), 3u);
}

TEST(Plugins, WrongApiVersionIsRefusedWithRebuildAdvice) {
  PluginRegistry registry;
  std::string error;
  EXPECT_FALSE(registry.load_file(sentinel::test::bad_version_plugin(), &error));
  EXPECT_NE(error.find("built for plugin API version " +
                       std::to_string(SENTINEL_CONNECT_API_VERSION + 98) +
                       ", this worker supports " + std::to_string(SENTINEL_CONNECT_API_VERSION)),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("rebuild it"), std::string::npos);
}

TEST(Plugins, NonPluginFilesAreRefusedAndMissingDirectoriesReported) {
  test::TempDir dir;
  test::write_file(dir.file("junk.so"), "not an ELF file");
  PluginRegistry registry;
  std::vector<std::string> errors;
  registry.load({dir.path(), dir.path() + "/missing"}, &errors);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("junk.so: cannot load shared object"), std::string::npos) << errors[0];
  EXPECT_NE(errors[1].find("no such file or directory"), std::string::npos);
  std::string error;
  EXPECT_FALSE(registry.load_file("/lib/x86_64-linux-gnu/libz.so.1", &error));
  EXPECT_NE(error.find("no exported symbol sentinel_connect_plugin"), std::string::npos) << error;
}

}  // namespace
}  // namespace sentinel::connect

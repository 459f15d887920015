// The state file: round trip, atomic replacement, clear errors for a damaged file.
#include "connect-sink/runtime/state_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/process.h"

namespace sentinel::connect {
namespace {

TEST(StateStore, MissingFileIsEmptyStateAndSaveLoadRoundTrips) {
  test::TempDir dir;
  StateStore store(dir.path() + "/nested/state");
  std::map<std::string, StoredConnector> state;
  std::string error;
  ASSERT_TRUE(store.load(&state, &error)) << error;
  EXPECT_TRUE(state.empty());
  state["a"] = {{{"name", "a"}, {"connector.class", "FileStreamSink"}}, TargetState::kPaused};
  state["b"] = {{{"name", "b"}}, TargetState::kStopped};
  ASSERT_TRUE(store.save(state, &error)) << error;
  EXPECT_FALSE(std::filesystem::exists(store.path() + ".tmp"));
  std::map<std::string, StoredConnector> back;
  ASSERT_TRUE(store.load(&back, &error)) << error;
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back["a"].target_state, TargetState::kPaused);
  EXPECT_EQ(back["a"].config.at("connector.class"), "FileStreamSink");
  EXPECT_EQ(back["b"].target_state, TargetState::kStopped);
}

TEST(StateStore, DamagedFileIsReportedWithItsPath) {
  test::TempDir dir;
  StateStore store(dir.path());
  test::write_file(store.path(), "{\"connectors\": [");
  std::map<std::string, StoredConnector> state;
  std::string error;
  EXPECT_FALSE(store.load(&state, &error));
  EXPECT_NE(error.find(store.path()), std::string::npos);
  test::write_file(store.path(), R"({"version":1,"connectors":{"a":{"config":{"x":1}}}})");
  EXPECT_FALSE(store.load(&state, &error));
  EXPECT_NE(error.find("config value x is not a string"), std::string::npos) << error;
}

}  // namespace
}  // namespace sentinel::connect

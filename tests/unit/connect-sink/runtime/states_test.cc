// Connector, task and target states: Connect's names both ways, and nothing else parses.
#include "connect-sink/runtime/states.h"

#include <gtest/gtest.h>

#include <string>

namespace sentinel::connect {
namespace {

TEST(States, ConnectorAndTaskStatesHaveConnectsNamesBothWays) {
  const std::pair<ConnectorState, std::string> names[] = {
      {ConnectorState::kUnassigned, "UNASSIGNED"}, {ConnectorState::kRunning, "RUNNING"},
      {ConnectorState::kPaused, "PAUSED"},         {ConnectorState::kStopped, "STOPPED"},
      {ConnectorState::kFailed, "FAILED"},         {ConnectorState::kRestarting, "RESTARTING"}};
  for (const auto& [state, name] : names) {
    EXPECT_EQ(to_string(state), name);
    EXPECT_EQ(parse_connector_state(name), state) << name;
  }
}

TEST(States, TargetStatesHaveConnectsNamesBothWays) {
  EXPECT_EQ(std::string(to_string(TargetState::kStarted)), "STARTED");
  EXPECT_EQ(std::string(to_string(TargetState::kPaused)), "PAUSED");
  EXPECT_EQ(std::string(to_string(TargetState::kStopped)), "STOPPED");
  EXPECT_EQ(parse_target_state("STARTED"), TargetState::kStarted);
  EXPECT_EQ(parse_target_state("PAUSED"), TargetState::kPaused);
  EXPECT_EQ(parse_target_state("STOPPED"), TargetState::kStopped);
}

TEST(States, OnlyTheExactNamesParse) {
  EXPECT_EQ(parse_target_state("RUNNING"), std::nullopt) << "a state, not a target";
  EXPECT_EQ(parse_target_state("paused"), std::nullopt);
  EXPECT_EQ(parse_target_state(""), std::nullopt);
  EXPECT_EQ(parse_connector_state("STARTED"), std::nullopt) << "a target, not a state";
  EXPECT_EQ(parse_connector_state("Running"), std::nullopt);
}

TEST(States, ARunningConnectorShowsItsTarget) {
  EXPECT_EQ(running_state(TargetState::kStarted), ConnectorState::kRunning);
  EXPECT_EQ(running_state(TargetState::kPaused), ConnectorState::kPaused);
  EXPECT_EQ(running_state(TargetState::kStopped), ConnectorState::kStopped);
}

}  // namespace
}  // namespace sentinel::connect

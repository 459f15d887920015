// Connector, task and target states: their names, both ways.
#include "connect-sink/runtime/states.h"

namespace sentinel::connect {

const char* to_string(ConnectorState state) {
  switch (state) {
    case ConnectorState::kUnassigned:
      return "UNASSIGNED";
    case ConnectorState::kRunning:
      return "RUNNING";
    case ConnectorState::kPaused:
      return "PAUSED";
    case ConnectorState::kStopped:
      return "STOPPED";
    case ConnectorState::kFailed:
      return "FAILED";
    case ConnectorState::kRestarting:
      return "RESTARTING";
  }
  return "UNASSIGNED";
}

const char* to_string(TargetState target) {
  switch (target) {
    case TargetState::kStarted:
      return "STARTED";
    case TargetState::kPaused:
      return "PAUSED";
    case TargetState::kStopped:
      return "STOPPED";
  }
  return "STARTED";
}

std::optional<ConnectorState> parse_connector_state(std::string_view text) {
  for (ConnectorState s :
       {ConnectorState::kUnassigned, ConnectorState::kRunning, ConnectorState::kPaused,
        ConnectorState::kStopped, ConnectorState::kFailed, ConnectorState::kRestarting}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

std::optional<TargetState> parse_target_state(std::string_view text) {
  for (TargetState t : {TargetState::kStarted, TargetState::kPaused, TargetState::kStopped}) {
    if (text == to_string(t)) return t;
  }
  return std::nullopt;
}

ConnectorState running_state(TargetState target) {
  switch (target) {
    case TargetState::kStarted:
      return ConnectorState::kRunning;
    case TargetState::kPaused:
      return ConnectorState::kPaused;
    case TargetState::kStopped:
      return ConnectorState::kStopped;
  }
  return ConnectorState::kRunning;
}

}  // namespace sentinel::connect

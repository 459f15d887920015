// The states of connectors and tasks, and a connector's target state, as Kafka Connect names them
// (AbstractStatus.State and TargetState). Inside the worker they are these enums; they become text
// only at the edges: the REST API's JSON and metrics (rest-api/resources, Herder::metrics_text),
// the state file (state_store) and log lines.
#pragma once

#include <optional>
#include <string_view>

namespace sentinel::connect {

// What a connector or a task is doing now. Connect has one enum for both; STOPPED is a connector's
// only (a stopped connector has no tasks), RESTARTING appears only in a restart's answer.
enum class ConnectorState { kUnassigned, kRunning, kPaused, kStopped, kFailed, kRestarting };
using TaskState = ConnectorState;

// What a connector should be doing: the user's choice (initial_state, pause, resume, stop), saved.
enum class TargetState { kStarted, kPaused, kStopped };

// "UNASSIGNED", "RUNNING", "PAUSED", "STOPPED", "FAILED", "RESTARTING".
const char* to_string(ConnectorState state);
// "STARTED", "PAUSED", "STOPPED".
const char* to_string(TargetState target);

// The exact upper-case names above; nullopt for anything else.
std::optional<ConnectorState> parse_connector_state(std::string_view text);
std::optional<TargetState> parse_target_state(std::string_view text);

// The state a connector or task with this target shows while it runs: RUNNING or PAUSED
// (STOPPED for a stopped one).
ConnectorState running_state(TargetState target);

}  // namespace sentinel::connect

// A connector's or a task's state as the worker shows it (Connect's AbstractState): the herder's
// status calls answer with it, the REST API turns it into JSON, metrics and logs read its state.
// What only the runtime needs beside it stays out (TaskStatus, worker_backend.h).
#pragma once

#include <string>

#include "connect-sink/runtime/states.h"

namespace sentinel::connect {

// Every member has a default initializer, so that a designated initializer may name only some
// (GCC warns of the others under -Wextra otherwise).
struct StateView {
  ConnectorState state = ConnectorState::kUnassigned;
  std::string trace{};      // only for FAILED
  std::string worker_id{};  // the worker that runs it ("host:port"); the herder fills it in
};

}  // namespace sentinel::connect

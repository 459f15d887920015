// A sink task consumer's static group membership (KIP-345): its group.instance.id is
// <identity>-<connector>-<task>, where the identity is the worker's (sentinel.worker.id, default
// <host name>:<REST port>) unless consumer.group.instance.id or
// consumer.override.group.instance.id names another; an empty identity, or the dev broker (which
// ignores static membership), makes the task a dynamic member. The connector and task are always
// part of the id, so two tasks never share one.
#pragma once

#include <functional>
#include <string>

#include "common/kafka.h"

namespace sentinel::connect {

// Sets (or, for a dynamic member, removes) group.instance.id in `consumer`, the task's complete
// consumer settings, and session.timeout.ms to kafka::kStaticSessionTimeoutMs unless it is set.
// `dev_broker` is asked only when the task would be a static member.
void apply_task_identity(kafka::Properties* consumer, const std::string& worker_identity,
                         const std::string& connector, int task,
                         const std::function<bool()>& dev_broker);

}  // namespace sentinel::connect

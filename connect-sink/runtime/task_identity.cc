// A sink task consumer's group.instance.id from the worker's identity (see task_identity.h).
#include "connect-sink/runtime/task_identity.h"

#include <fmt/format.h>

#include "common/static_membership.h"

namespace sentinel::connect {

void apply_task_identity(kafka::Properties* consumer, const std::string& worker_identity,
                         const std::string& connector, int task,
                         const std::function<bool()>& dev_broker) {
  std::string identity = worker_identity;
  if (auto it = consumer->find("group.instance.id"); it != consumer->end()) identity = it->second;
  // The dev broker ignores static membership, and keeps a static member that left until its
  // session times out (45 s of waiting for the next member): dynamic members there.
  if (!identity.empty() && dev_broker()) identity.clear();
  if (identity.empty()) {
    consumer->erase("group.instance.id");
    return;
  }
  (*consumer)["group.instance.id"] =
      kafka::group_instance_id(fmt::format("{}-{}-{}", identity, connector, task));
  consumer->emplace("session.timeout.ms", kafka::kStaticSessionTimeoutMs);
}

}  // namespace sentinel::connect

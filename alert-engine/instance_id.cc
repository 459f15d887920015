// The alert engine's static membership identity.
#include "alert-engine/instance_id.h"

#include "common/static_membership.h"

namespace sentinel::alerts {

std::string group_instance_id(const AlertsConfig& config, bool drain) {
  if (drain) return "";
  std::string id = config.instance_id.empty() ? kafka::host_name() : config.instance_id;
  if (auto it = config.kafka.find("group.instance.id"); it != config.kafka.end()) id = it->second;
  return id.empty() ? "" : kafka::group_instance_id(id);
}

}  // namespace sentinel::alerts

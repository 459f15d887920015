// Which group.instance.id sentinel-alerts joins its group with (static membership, KIP-345: an
// instance restarted within session.timeout.ms gets its partitions back without a rebalance).
#pragma once

#include <string>

#include "alert-engine/rules.h"

namespace sentinel::alerts {

// kafka: group.instance.id when set (empty turns static membership off), else input.instance_id,
// else the host name; made acceptable to Kafka (common/static_membership.h). "" when off, and in
// drain mode (a batch run has nothing to come back to).
std::string group_instance_id(const AlertsConfig& config, bool drain);

}  // namespace sentinel::alerts

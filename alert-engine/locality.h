// Which rules are partition-local: all records of one of their groups (rule × group_by labels)
// land in one input partition, because the message key is a function of the group's labels.
//
//   system_metrics keyed by resource       every rule (a rule reads one resource)
//   system_metrics keyed by host           rules grouped by host
//   system_metrics keyed by host/resource  rules grouped by host (the resource is the rule's)
//   system_metrics keyed otherwise         none
//   http_logs (keyed by client IP)         rules grouped by client_ip (http_*_ip)
//
// The other rules are re-keyed through the repartition topic (docs/alerts.md, Several
// instances), or, with re-keying off, evaluated over all partitions of one instance.
#pragma once

#include <string_view>

#include "alert-engine/rules.h"

namespace sentinel::alerts {

bool partition_local(const Rule& rule, InputKey key);

// Sets every rule's placement from config->input_key and config->repartition.enabled.
void place_rules(AlertsConfig* config);

// "resource", "host", "host_resource", "other"; parse_input_key() is its inverse.
const char* input_key_name(InputKey key);
bool parse_input_key(std::string_view text, InputKey* out);

}  // namespace sentinel::alerts

// Partition-locality of rules from the input's message key.
#include "alert-engine/locality.h"

#include <algorithm>

namespace sentinel::alerts {
namespace {

bool groups_by(const Rule& rule, std::string_view label) {
  return std::find(rule.group_by.begin(), rule.group_by.end(), label) != rule.group_by.end();
}

}  // namespace

bool partition_local(const Rule& rule, InputKey key) {
  if (rule.from_http) return groups_by(rule, "client_ip");  // http_logs: key = client IP
  switch (key) {
    case InputKey::kResource:
      return true;
    case InputKey::kHost:
    case InputKey::kHostResource:
      return groups_by(rule, "host");
    case InputKey::kOther:
      return false;
  }
  return false;
}

void place_rules(AlertsConfig* config) {
  for (Rule& r : config->rules) {
    if (partition_local(r, config->input_key)) {
      r.placement = Placement::kLocal;
    } else {
      r.placement = config->repartition.enabled ? Placement::kRekeyed : Placement::kCrossPartitions;
    }
  }
}

const char* input_key_name(InputKey key) {
  switch (key) {
    case InputKey::kResource:
      return "resource";
    case InputKey::kHost:
      return "host";
    case InputKey::kHostResource:
      return "host_resource";
    case InputKey::kOther:
      return "other";
  }
  return "?";
}

bool parse_input_key(std::string_view text, InputKey* out) {
  for (InputKey k :
       {InputKey::kResource, InputKey::kHost, InputKey::kHostResource, InputKey::kOther}) {
    if (text == input_key_name(k)) {
      *out = k;
      return true;
    }
  }
  return false;
}

}  // namespace sentinel::alerts

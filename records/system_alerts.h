// The system_alerts record (docs/architecture.md): one JSON object per alert transition,
//
//   {"v":1,"id":"cpu_high/host=web-1","rule":"cpu_high","state":"firing","severity":"critical",
//    "labels":{"host":"web-1","resource":"cpu"},"value":97.3,"threshold":90.0,
//    "window":{"start":…,"end":…,"agg":"avg"},"since":…,"ts":…,"summary":"…"}
//
// keyed by the alert id. `since` is when the alert entered its state (the end of the window that
// fired or resolved it); `flapping: true` is added while flap damping holds the alert firing.
// Written by the alert engine; read back by it (recovery) and by the dashboard.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sentinel::records {

// --- encoding -----------------------------------------------------------------------------------

struct AlertRecord {
  std::string id;
  std::string rule;
  bool firing = true;  // false: resolved
  std::string severity;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
  double threshold = 0;
  int64_t window_start = 0;
  int64_t window_end = 0;
  std::string agg;
  int64_t since = 0;
  int64_t ts = 0;
  std::string summary;
  bool flapping = false;
};

// "cpu_high/host=web-1" or "disk_full/host=web-1,mount=/": rule and labels in group_by order.
void append_alert_id(std::string* out, std::string_view rule,
                     const std::vector<std::pair<std::string_view, std::string_view>>& labels);

std::string encode_alert(const AlertRecord& alert);

// --- decoding -----------------------------------------------------------------------------------

// What readers need of an alert record: the state per id, its window and labels.
struct RecoveredAlert {
  std::string id;
  bool firing = false;
  int64_t since = 0;
  int64_t window_start = 0;
  int64_t window_end = 0;
  std::map<std::string, std::string> labels;  // as published ("resource" included)
};
// nullopt with *error naming the field for a record that is not an alert (no string id, a state
// other than "firing" or "resolved"). Other fields are optional.
std::optional<RecoveredAlert> decode_alert(std::string_view json, std::string* error);
// The same for a record already parsed (the dashboard keeps the JSON to show it).
std::optional<RecoveredAlert> decode_alert_object(const nlohmann::json& record, std::string* error);

}  // namespace sentinel::records

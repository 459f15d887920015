// The system_alerts record (docs/architecture.md): encoding for output and decoding for recovery.
//
//   {"v":1,"id":"cpu_high/host=web-1","rule":"cpu_high","state":"firing","severity":"critical",
//    "labels":{"host":"web-1","resource":"cpu"},"value":97.3,"threshold":90.0,
//    "window":{"start":…,"end":…,"agg":"avg"},"since":…,"ts":…,"summary":"…"}
//
// `since` is when the alert entered its state (the end of the window that fired or resolved it);
// `flapping: true` is added while flap damping holds the alert firing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sentinel::alerts {

struct Alert {
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
  // Not encoded: wall clock (µs) when the window's close began — for a re-keyed rule when
  // stage 1 sent what closed it; 0: now. For the close → acknowledgement latency.
  int64_t closed_us = 0;
};

// "cpu_high/host=web-1" or "disk_full/host=web-1,mount=/": rule and labels in group_by order.
void append_alert_id(std::string* out, std::string_view rule,
                     const std::vector<std::pair<std::string_view, std::string_view>>& labels);

std::string encode_alert(const Alert& alert);

// What recovery needs of an alert record: the last state per id.
struct RecoveredAlert {
  std::string id;
  bool firing = false;
  int64_t since = 0;
  int64_t window_start = 0;
  int64_t window_end = 0;
  std::map<std::string, std::string> labels;  // as published ("resource" included)
};
// nullopt with *error for a record that is not an alert.
std::optional<RecoveredAlert> decode_alert(std::string_view json, std::string* error);

// Replaces {name} with vars[name]; unknown names are left as written.
std::string render_template(std::string_view text, const std::map<std::string, std::string>& vars);

// Shortest text that reads back as the same double, "97.3"; "null" for NaN or infinity.
std::string format_number(double value);

}  // namespace sentinel::alerts

// The alert engine's alerts: the system_alerts record (records/system_alerts.h) with the engine's
// bookkeeping, and the text of their summaries.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "records/system_alerts.h"

namespace sentinel::alerts {

// The engine speaks of its alerts in the record's terms.
using records::append_alert_id;
using records::decode_alert;
using records::encode_alert;
using records::RecoveredAlert;

struct Alert : records::AlertRecord {
  // Not encoded: wall clock (µs) when the window's close began — for a re-keyed rule when
  // stage 1 sent what closed it; 0: now. For the close → acknowledgement latency.
  int64_t closed_us = 0;
};

// Replaces {name} with vars[name]; unknown names are left as written.
std::string render_template(std::string_view text, const std::map<std::string, std::string>& vars);

// Shortest text that reads back as the same double, "97.3"; "null" for NaN or infinity.
std::string format_number(double value);

}  // namespace sentinel::alerts

// Per-interface traffic rates from /proc/net/dev (pure parsing exposed for tests).
#pragma once

#include <cstdint>
#include <string_view>

#include "agent/collectors/collector.h"

namespace sentinel::agent {

struct NetCounters {
  uint64_t rx_bytes = 0, rx_packets = 0, rx_errors = 0, rx_drops = 0;
  uint64_t tx_bytes = 0, tx_packets = 0, tx_errors = 0, tx_drops = 0;
};

// Parses one interface line "  eth0: 123 4 0 0 0 0 0 0 567 8 0 0 0 0 0 0" (the two header lines
// and malformed lines give false). The name may be glued to the first number ("eth0:123").
bool parse_net_dev_line(std::string_view line, std::string_view* name, NetCounters* out);

}  // namespace sentinel::agent

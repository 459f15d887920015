// Load averages from /proc/loadavg with run-queue and online-CPU counts from /proc/stat (pure
// parsing exposed for tests).
#pragma once

#include <cstdint>
#include <string_view>

#include "agent/collectors/collector.h"

namespace sentinel::agent {

struct LoadAvg {
  double load1 = 0, load5 = 0, load15 = 0;
};
// Parses "0.50 0.40 0.30 1/234 5678"; false when the three averages are not numbers.
bool parse_loadavg(std::string_view text, LoadAvg* out);

struct ProcStatCounts {
  bool has_running = false, has_blocked = false;
  uint64_t procs_running = 0, procs_blocked = 0;
  uint64_t cpus = 0;  // cpuN lines: the online CPUs
};
ProcStatCounts parse_proc_stat_counts(std::string_view text);

}  // namespace sentinel::agent

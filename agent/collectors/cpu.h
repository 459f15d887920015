// CPU time percentages from the cpu/cpuN lines of /proc/stat (pure parsing exposed for tests).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "agent/collectors/collector.h"

namespace sentinel::agent {

// One cpu line in USER_HZ ticks. guest/guest_nice are left out: the kernel already counts them
// inside user/nice.
struct CpuTimes {
  uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  uint64_t total() const { return user + nice + system + idle + iowait + irq + softirq + steal; }
};

// Parses one /proc/stat line starting with "cpu". *name gets "cpu" (the aggregate) or "cpuN".
// Returns false for other lines or malformed ones (fewer than 4 numbers).
bool parse_cpu_line(std::string_view line, std::string_view* name, CpuTimes* times);

struct CpuPercents {
  double usage = 0, user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
         steal = 0;
};

// Percentages of Δtotal between two readings of one CPU; nullopt when any counter went backwards
// (iowait can; so can hotplug) or when no time passed (Δtotal == 0). usage counts iowait as idle.
std::optional<CpuPercents> cpu_percents(const CpuTimes& prev, const CpuTimes& cur);

std::unique_ptr<Collector> make_cpu_collector(const HostPaths& paths, bool per_core);

}  // namespace sentinel::agent

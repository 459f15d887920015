// Memory and swap gauges from /proc/meminfo (pure parsing exposed for tests).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/collectors/collector.h"

namespace sentinel::agent {

// The /proc/meminfo fields the collector uses, in bytes; absent lines stay nullopt.
struct MemInfo {
  std::optional<uint64_t> total, free, available, buffers, cached, shmem, slab, sreclaimable, dirty,
      swap_total, swap_free;
};

MemInfo parse_meminfo(std::string_view text);

// The metrics of one memory sample, in output order; a raw field that is absent is not emitted.
std::vector<std::pair<std::string, double>> memory_metrics(const MemInfo& m);

}  // namespace sentinel::agent

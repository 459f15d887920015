// Time as the programs see it: wall-clock milliseconds for record timestamps, a monotonic clock
// for scheduling. Pure logic takes times as arguments; only the edges call these.
#pragma once

#include <chrono>
#include <cstdint>

namespace sentinel {

inline int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

using MonoClock = std::chrono::steady_clock;

}  // namespace sentinel

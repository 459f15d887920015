// Block-device I/O rates from /proc/diskstats (pure parsing exposed for tests).
#pragma once

#include <cstdint>
#include <string_view>

#include "agent/collectors/collector.h"

namespace sentinel::agent {

// The diskstats columns the collector uses. Sectors are 512 bytes whatever the device's own
// sector size (the kernel's block layer unit).
struct DiskStats {
  uint64_t reads = 0, read_sectors = 0, read_ms = 0;
  uint64_t writes = 0, write_sectors = 0, write_ms = 0;
  uint64_t in_progress = 0, io_ms = 0;
};

// Parses one /proc/diskstats line: "major minor name" then 11 (kernel < 4.18), 15 (+discard) or
// 17 (+flush, 5.5+) numbers; shorter lines (old 2.6 partition lines) give false.
bool parse_diskstats_line(std::string_view line, std::string_view* name, DiskStats* out);

}  // namespace sentinel::agent

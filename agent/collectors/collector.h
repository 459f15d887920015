// The one interface every host-metrics collector implements (cpu, memory, disk, diskio, network,
// load, pressure). A collector reads text under a configurable procfs/sysfs root, so tests feed it
// fixture trees; it keeps whatever previous counters it needs to turn counters into rates.
//
// Contract: collect() appends this tick's samples and returns an empty string, or returns an error
// message naming the file and what was wrong (the agent logs it once, and again only when the
// message changes). A collector never throws from collect() and never blocks longer than its own
// configured timeout. One collector failing never stops the others.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/config.h"

namespace sentinel::agent {

struct Sample {
  std::string resource;                                   // "cpu", "memory", "disk", …
  std::vector<std::pair<std::string, std::string>> tags;  // e.g. {"cpu","total"}; in output order
  std::vector<std::pair<std::string, double>> metrics;  // e.g. {"usage_pct",12.5}; in output order
};

class TickReads;  // proc_text.h
std::shared_ptr<TickReads> make_tick_reads();

// Where collectors read from. Tests point these at fixture trees. The collectors built from one
// HostPaths (or its copies) share `reads`, so a file two of them parse is read once per tick.
struct HostPaths {
  std::string proc = "/proc";
  std::string sys = "/sys";
  std::shared_ptr<TickReads> reads = make_tick_reads();
};

class Collector {
 public:
  virtual ~Collector() = default;
  virtual const char* name() const = 0;
  // `now` is the tick's monotonic time, for rates over wall time (network, diskio).
  virtual std::string collect(MonoClock::time_point now, std::vector<Sample>* out) = 0;
};

// Builds a collector from its section of the config (`collectors.<name>`); throws ConfigError.
using CollectorFactory = std::unique_ptr<Collector> (*)(const ConfigNode& options,
                                                        const HostPaths& paths);

struct CollectorEntry {
  const char* name;
  CollectorFactory make;
};

// Every collector the agent knows, in output order (collectors/registry.cc: one line each).
const std::vector<CollectorEntry>& collector_registry();

}  // namespace sentinel::agent

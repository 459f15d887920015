// Factories of the built-in collectors, one per file in agent/collectors/.
#pragma once

#include "agent/collectors/collector.h"

namespace sentinel::agent {

std::unique_ptr<Collector> make_cpu_collector(const ConfigNode& options, const HostPaths& paths);
std::unique_ptr<Collector> make_memory_collector(const ConfigNode& options, const HostPaths& paths);
std::unique_ptr<Collector> make_disk_collector(const ConfigNode& options, const HostPaths& paths);
std::unique_ptr<Collector> make_diskio_collector(const ConfigNode& options, const HostPaths& paths);
std::unique_ptr<Collector> make_network_collector(const ConfigNode& options,
                                                  const HostPaths& paths);
std::unique_ptr<Collector> make_load_collector(const ConfigNode& options, const HostPaths& paths);
std::unique_ptr<Collector> make_pressure_collector(const ConfigNode& options,
                                                   const HostPaths& paths);

}  // namespace sentinel::agent

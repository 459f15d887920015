// The table of collectors: adding a collector is one new file and one line here.
#include "agent/collectors/collector.h"
#include "agent/collectors/factories.h"

namespace sentinel::agent {

const std::vector<CollectorEntry>& collector_registry() {
  static const std::vector<CollectorEntry> registry = {
      {"cpu", make_cpu_collector},           {"memory", make_memory_collector},
      {"disk", make_disk_collector},         {"diskio", make_diskio_collector},
      {"network", make_network_collector},   {"load", make_load_collector},
      {"pressure", make_pressure_collector},
  };
  return registry;
}

}  // namespace sentinel::agent

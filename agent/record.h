// A collector's Sample as a system_metrics record (records/system_metrics.h holds the encoding).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/collectors/collector.h"
#include "records/system_metrics.h"

namespace sentinel::agent {

using records::KeyMode;

inline void append_record(std::string* out, std::string_view host, int64_t ts_ms,
                          const Sample& sample) {
  records::append_system_metrics(out, host, sample.resource, ts_ms, sample.tags, sample.metrics);
}

inline std::string record_key(KeyMode mode, std::string_view host, const Sample& sample) {
  return records::system_metrics_key(mode, host, sample.resource);
}

}  // namespace sentinel::agent

// memory collector: RAM and swap gauges from /proc/meminfo (kB there, bytes here).
//
// Options (collectors.memory): none.
//
// used_bytes = MemTotal − MemAvailable, the definition Telegraf/gopsutil moved to in 2025: page
// cache and reclaimable slab the kernel can hand back count as available, not used. Kernels
// before 3.14 have no MemAvailable; there used_bytes falls back to
// MemTotal − MemFree − Buffers − Cached − SReclaimable (collectd's definition) and
// available_bytes is not emitted.
#include "agent/collectors/memory.h"

#include "agent/collectors/factories.h"
#include "agent/collectors/proc_text.h"

namespace sentinel::agent {

MemInfo parse_meminfo(std::string_view text) {
  static constexpr std::pair<std::string_view, std::optional<uint64_t> MemInfo::*> kFields[] = {
      {"MemTotal:", &MemInfo::total},
      {"MemFree:", &MemInfo::free},
      {"MemAvailable:", &MemInfo::available},
      {"Buffers:", &MemInfo::buffers},
      {"Cached:", &MemInfo::cached},
      {"Shmem:", &MemInfo::shmem},
      {"Slab:", &MemInfo::slab},
      {"SReclaimable:", &MemInfo::sreclaimable},
      {"Dirty:", &MemInfo::dirty},
      {"SwapTotal:", &MemInfo::swap_total},
      {"SwapFree:", &MemInfo::swap_free},
  };
  MemInfo m;
  std::string_view line;
  std::string_view f[3];
  while (next_line(&text, &line)) {
    // Only the key first: most of the ~55 lines are not wanted, and their padding is the cost.
    if (split_fields(line, f, 1) < 1) continue;
    for (const auto& [key, member] : kFields) {
      if (f[0] != key) continue;
      size_t n = split_fields(line, f, 3);
      if (n < 2) break;
      uint64_t v;
      if (!parse_u64(f[1], &v)) break;
      // Values are in kB whenever a unit is given (the kernel always writes "kB").
      m.*member = (n == 3 && f[2] == "kB") ? v * 1024 : v;
      break;
    }
  }
  return m;
}

std::vector<std::pair<std::string, double>> memory_metrics(const MemInfo& m) {
  std::vector<std::pair<std::string, double>> out;
  out.reserve(15);
  auto put = [&out](const char* name, const std::optional<uint64_t>& v) {
    if (v) out.emplace_back(name, static_cast<double>(*v));
  };
  put("total_bytes", m.total);
  put("available_bytes", m.available);
  std::optional<uint64_t> used;
  if (m.total && m.available) {
    used = *m.total > *m.available ? *m.total - *m.available : 0;
  } else if (m.total && m.free) {
    uint64_t reclaimable =
        *m.free + m.buffers.value_or(0) + m.cached.value_or(0) + m.sreclaimable.value_or(0);
    used = *m.total > reclaimable ? *m.total - reclaimable : 0;
  }
  if (used) {
    put("used_bytes", used);
    if (*m.total > 0) {
      out.emplace_back("used_pct",
                       round2(100.0 * static_cast<double>(*used) / static_cast<double>(*m.total)));
    }
  }
  put("free_bytes", m.free);
  put("buffers_bytes", m.buffers);
  put("cached_bytes", m.cached);
  put("shared_bytes", m.shmem);
  put("slab_bytes", m.slab);
  put("sreclaimable_bytes", m.sreclaimable);
  put("dirty_bytes", m.dirty);
  put("swap_total_bytes", m.swap_total);
  put("swap_free_bytes", m.swap_free);
  if (m.swap_total && m.swap_free) {
    uint64_t swap_used = *m.swap_total > *m.swap_free ? *m.swap_total - *m.swap_free : 0;
    put("swap_used_bytes", swap_used);
    double pct = *m.swap_total == 0
                     ? 0.0
                     : 100.0 * static_cast<double>(swap_used) / static_cast<double>(*m.swap_total);
    out.emplace_back("swap_used_pct", round2(pct));
  }
  return out;
}

namespace {

class MemoryCollector : public Collector {
 public:
  explicit MemoryCollector(const HostPaths& paths) : meminfo_path_(paths.proc + "/meminfo") {}

  const char* name() const override { return "memory"; }

  std::string collect(MonoClock::time_point, std::vector<Sample>* out) override {
    std::string_view text;
    std::string error;
    if (!reader_.read(meminfo_path_, &text, &error)) return error;
    MemInfo m = parse_meminfo(text);
    if (!m.total) return meminfo_path_ + ": no MemTotal line";
    Sample& s = out->emplace_back();
    s.resource = "memory";
    s.metrics = memory_metrics(m);
    return {};
  }

 private:
  std::string meminfo_path_;
  FileReader reader_;
};

}  // namespace

std::unique_ptr<Collector> make_memory_collector(const ConfigNode&, const HostPaths& paths) {
  return std::make_unique<MemoryCollector>(paths);
}

}  // namespace sentinel::agent

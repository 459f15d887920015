// cpu collector: percentages of each CPU's time split over one tick, from /proc/stat deltas.
//
// Options (collectors.cpu):
//   per_core  bool, default true — also one sample per online CPU ({"cpu":"cpuN"}) besides
//             the {"cpu":"total"} sample.
//
// Every percentage divides by Δtotal jiffies (user+nice+system+idle+iowait+irq+softirq+steal),
// never by wall time, so timer jitter cannot skew it. usage_pct = 100·(Δtotal−Δidle−Δiowait)/
// Δtotal: iowait counts as NOT busy (a CPU waiting on disk could run other work; Metricbeat does
// the same, Telegraf's usage_active does not). iowait_pct is reported on its own.
// A counter going backwards (iowait may; hotplug does) resets that CPU's baseline and skips it for
// the tick; an offline CPU is dropped and starts with a fresh baseline when it returns.
#include "agent/collectors/cpu.h"

#include "agent/collectors/factories.h"
#include "agent/collectors/proc_text.h"

namespace sentinel::agent {

bool parse_cpu_line(std::string_view line, std::string_view* name, CpuTimes* times) {
  if (line.substr(0, 3) != "cpu") return false;
  std::string_view f[9];
  size_t n = split_fields(line, f, 9);
  if (n < 5) return false;
  if (f[0].size() > 3) {
    for (char c : f[0].substr(3)) {
      if (c < '0' || c > '9') return false;
    }
  }
  uint64_t v[8] = {};
  for (size_t i = 1; i < n; ++i) {
    if (!parse_u64(f[i], &v[i - 1])) return false;
  }
  *name = f[0];
  *times = CpuTimes{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
  return true;
}

std::optional<CpuPercents> cpu_percents(const CpuTimes& prev, const CpuTimes& cur) {
  if (cur.user < prev.user || cur.nice < prev.nice || cur.system < prev.system ||
      cur.idle < prev.idle || cur.iowait < prev.iowait || cur.irq < prev.irq ||
      cur.softirq < prev.softirq || cur.steal < prev.steal) {
    return std::nullopt;
  }
  uint64_t dtotal = cur.total() - prev.total();
  if (dtotal == 0) return std::nullopt;
  const double scale = 100.0 / static_cast<double>(dtotal);
  auto pct = [scale](uint64_t a, uint64_t b) { return round2(static_cast<double>(a - b) * scale); };
  CpuPercents p;
  uint64_t didle = (cur.idle - prev.idle) + (cur.iowait - prev.iowait);
  p.usage = round2(static_cast<double>(dtotal - didle) * scale);
  p.user = pct(cur.user, prev.user);
  p.nice = pct(cur.nice, prev.nice);
  p.system = pct(cur.system, prev.system);
  p.idle = pct(cur.idle, prev.idle);
  p.iowait = pct(cur.iowait, prev.iowait);
  p.irq = pct(cur.irq, prev.irq);
  p.softirq = pct(cur.softirq, prev.softirq);
  p.steal = pct(cur.steal, prev.steal);
  return p;
}

namespace {

class CpuCollector : public Collector {
 public:
  CpuCollector(const HostPaths& paths, bool per_core)
      : stat_path_(paths.proc + "/stat"),
        per_core_(per_core),
        reads_(paths.reads ? paths.reads : make_tick_reads()) {}

  const char* name() const override { return "cpu"; }

  std::string collect(MonoClock::time_point now, std::vector<Sample>* out) override {
    std::string_view text;
    std::string error;
    if (!reads_->read(stat_path_, now, this, &text, &error)) return error;
    states_.begin_tick();
    std::string_view line, cpu;
    CpuTimes times;
    bool any = false;
    while (next_line(&text, &line)) {
      if (!parse_cpu_line(line, &cpu, &times)) {
        if (any) break;  // the cpu lines come first and together
        continue;
      }
      any = true;
      bool total = cpu.size() == 3;
      if (!total && !per_core_) continue;
      auto& entry = states_.touch(cpu);
      if (!entry.fresh) {
        if (auto p = cpu_percents(entry.state, times)) emit(total ? "total" : cpu, *p, out);
      }
      entry.state = times;  // a backwards counter lands here too: the new baseline
    }
    states_.drop_unseen();
    if (!any) return stat_path_ + ": no cpu lines";
    return {};
  }

 private:
  static void emit(std::string_view cpu, const CpuPercents& p, std::vector<Sample>* out) {
    Sample& s = out->emplace_back();
    s.resource = "cpu";
    s.tags.emplace_back("cpu", std::string(cpu));
    s.metrics = {{"usage_pct", p.usage},   {"user_pct", p.user},       {"nice_pct", p.nice},
                 {"system_pct", p.system}, {"idle_pct", p.idle},       {"iowait_pct", p.iowait},
                 {"irq_pct", p.irq},       {"softirq_pct", p.softirq}, {"steal_pct", p.steal}};
  }

  std::string stat_path_;
  bool per_core_;
  std::shared_ptr<TickReads> reads_;  // /proc/stat is shared with the load collector
  StateTable<CpuTimes> states_;
};

}  // namespace

std::unique_ptr<Collector> make_cpu_collector(const HostPaths& paths, bool per_core) {
  return std::make_unique<CpuCollector>(paths, per_core);
}

std::unique_ptr<Collector> make_cpu_collector(const ConfigNode& options, const HostPaths& paths) {
  return make_cpu_collector(paths, options.get_bool("per_core", true));
}

}  // namespace sentinel::agent

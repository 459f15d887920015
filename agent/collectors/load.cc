// load collector: 1/5/15-minute load averages, runnable and blocked task counts, online CPUs.
//
// Options (collectors.load): none.
//
// procs_running/procs_blocked come from /proc/stat (instantaneous counts), not from loadavg's
// "1/234" field; cpus counts the cpuN lines of /proc/stat, i.e. CPUs online now, so
// load1_per_cpu follows hotplug.
#include "agent/collectors/load.h"

#include "agent/collectors/factories.h"
#include "agent/collectors/proc_text.h"

namespace sentinel::agent {

bool parse_loadavg(std::string_view text, LoadAvg* out) {
  std::string_view f[3];
  if (split_fields(text.substr(0, text.find('\n')), f, 3) < 3) return false;
  return parse_double(f[0], &out->load1) && parse_double(f[1], &out->load5) &&
         parse_double(f[2], &out->load15);
}

ProcStatCounts parse_proc_stat_counts(std::string_view text) {
  ProcStatCounts c;
  std::string_view line;
  std::string_view f[2];
  while (next_line(&text, &line)) {
    if (line.size() > 3 && line.substr(0, 3) == "cpu" && line[3] >= '0' && line[3] <= '9') {
      ++c.cpus;
    } else if (line.substr(0, 6) == "procs_") {
      if (split_fields(line, f, 2) < 2) continue;
      if (f[0] == "procs_running") c.has_running = parse_u64(f[1], &c.procs_running);
      if (f[0] == "procs_blocked") c.has_blocked = parse_u64(f[1], &c.procs_blocked);
    }
  }
  return c;
}

namespace {

class LoadCollector : public Collector {
 public:
  explicit LoadCollector(const HostPaths& paths)
      : loadavg_path_(paths.proc + "/loadavg"),
        stat_path_(paths.proc + "/stat"),
        reads_(paths.reads ? paths.reads : make_tick_reads()) {}

  const char* name() const override { return "load"; }

  std::string collect(MonoClock::time_point now, std::vector<Sample>* out) override {
    std::string_view text;
    std::string error;
    if (!reader_.read(loadavg_path_, &text, &error)) return error;
    LoadAvg load;
    if (!parse_loadavg(text, &load)) {
      return loadavg_path_ + ": expected three load averages, got \"" +
             std::string(text.substr(0, text.find('\n'))) + "\"";
    }
    if (!reads_->read(stat_path_, now, this, &text, &error)) return error;
    ProcStatCounts counts = parse_proc_stat_counts(text);

    Sample& s = out->emplace_back();
    s.resource = "load";
    s.metrics.reserve(7);
    s.metrics.emplace_back("load1", load.load1);
    s.metrics.emplace_back("load5", load.load5);
    s.metrics.emplace_back("load15", load.load15);
    if (counts.has_running) {
      s.metrics.emplace_back("procs_running", static_cast<double>(counts.procs_running));
    }
    if (counts.has_blocked) {
      s.metrics.emplace_back("procs_blocked", static_cast<double>(counts.procs_blocked));
    }
    if (counts.cpus > 0) {
      s.metrics.emplace_back("cpus", static_cast<double>(counts.cpus));
      s.metrics.emplace_back("load1_per_cpu", load.load1 / static_cast<double>(counts.cpus));
    }
    return {};
  }

 private:
  std::string loadavg_path_, stat_path_;
  FileReader reader_;
  std::shared_ptr<TickReads> reads_;  // /proc/stat is shared with the cpu collector
};

}  // namespace

std::unique_ptr<Collector> make_load_collector(const ConfigNode&, const HostPaths& paths) {
  return std::make_unique<LoadCollector>(paths);
}

}  // namespace sentinel::agent

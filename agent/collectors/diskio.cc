// diskio collector: per-device I/O rates, utilisation and latency from /proc/diskstats.
//
// Options (collectors.diskio):
//   exclude_devices  list of regexes, default ["^(ram|zram|loop|fd|sr)\d+$"]; replaces the default.
//   include_devices  list of regexes, default []; when non-empty only matching devices.
//   partitions       bool, default false — also report partitions (sda1, nvme0n1p2, …).
//
// A device is a partition when <sys>/class/block/<name>/partition exists; without a
// <sys>/class/block directory (containers, old kernels) node_exporter's name regex decides.
// Rates use Δt of the tick's monotonic time; util_pct = Δio_ms / Δt_ms · 100 capped at 100;
// await_ms = Δ(read_ms + write_ms) / Δ(reads + writes), 0 without I/O. io_in_progress is a gauge
// and is emitted from the first tick on. A counter going backwards (32-bit wrap, device
// replaced) resets that device's baseline and skips its rates for the tick. Filter and partition
// decisions are made once per device name and kept while the device exists.
#include "agent/collectors/diskio.h"

#include <unistd.h>

#include <algorithm>

#include "agent/collectors/factories.h"
#include "agent/collectors/proc_text.h"

namespace sentinel::agent {

bool parse_diskstats_line(std::string_view line, std::string_view* name, DiskStats* out) {
  std::string_view f[14];
  if (split_fields(line, f, 14) < 14) return false;
  uint64_t v[11];
  for (size_t i = 0; i < 11; ++i) {
    if (!parse_u64(f[i + 3], &v[i])) return false;
  }
  *name = f[2];
  // Columns: reads, reads merged, sectors read, ms reading, writes, writes merged, sectors
  // written, ms writing, in progress, ms doing I/O, weighted ms.
  *out = DiskStats{v[0], v[2], v[3], v[4], v[6], v[7], v[8], v[9]};
  return true;
}

namespace {

constexpr double kSectorBytes = 512.0;

class DiskIoCollector : public Collector {
 public:
  DiskIoCollector(const ConfigNode& options, const HostPaths& paths)
      : diskstats_path_(paths.proc + "/diskstats"),
        class_block_(paths.sys + "/class/block"),
        filter_(options, "include_devices", "exclude_devices", {R"(^(ram|zram|loop|fd|sr)\d+$)"}),
        partitions_(options.get_bool("partitions", false)),
        partition_name_({R"(^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p|mmcblk\d+p)\d+$)"}) {}

  const char* name() const override { return "diskio"; }

  std::string collect(MonoClock::time_point now, std::vector<Sample>* out) override {
    std::string_view text;
    std::string error;
    if (!reader_.read(diskstats_path_, &text, &error)) return error;
    states_.begin_tick();
    std::string_view line, dev;
    DiskStats cur;
    bool sysfs_checked = false, have_sysfs = false;
    while (next_line(&text, &line)) {
      if (!parse_diskstats_line(line, &dev, &cur)) continue;
      auto& entry = states_.touch(dev);
      State& st = entry.state;
      if (entry.fresh) {
        if (!sysfs_checked) {
          have_sysfs = ::access(class_block_.c_str(), F_OK) == 0;
          sysfs_checked = true;
        }
        st.wanted = wanted(std::string(dev), have_sysfs);
      }
      if (!st.wanted) continue;
      Sample& s = out->emplace_back();
      s.resource = "diskio";
      s.tags.emplace_back("device", std::string(dev));
      const bool time_passed = !st.has_baseline || now > st.at;
      if (st.has_baseline && time_passed && !went_backwards(st.stats, cur)) {
        rates(st.stats, cur, now - st.at, &s);
      }
      s.metrics.emplace_back("io_in_progress", static_cast<double>(cur.in_progress));
      if (!time_passed) continue;  // same instant twice: keep the older baseline
      st.stats = cur;
      st.at = now;
      st.has_baseline = true;
    }
    states_.drop_unseen();
    return {};
  }

 private:
  struct State {
    bool wanted = false;
    bool has_baseline = false;
    DiskStats stats;
    MonoClock::time_point at;
  };

  static bool went_backwards(const DiskStats& p, const DiskStats& c) {
    return c.reads < p.reads || c.read_sectors < p.read_sectors || c.read_ms < p.read_ms ||
           c.writes < p.writes || c.write_sectors < p.write_sectors || c.write_ms < p.write_ms ||
           c.io_ms < p.io_ms;
  }

  bool wanted(const std::string& dev, bool have_sysfs) const {
    if (!filter_.accepts(dev)) return false;
    if (partitions_) return true;
    if (!have_sysfs) return !partition_name_.any_match(dev);
    std::string sys_name = dev;  // sysfs spells "cciss/c0d0" as "cciss!c0d0"
    std::replace(sys_name.begin(), sys_name.end(), '/', '!');
    return ::access((class_block_ + "/" + sys_name + "/partition").c_str(), F_OK) != 0;
  }

  static void rates(const DiskStats& p, const DiskStats& c, MonoClock::duration dt, Sample* s) {
    const double seconds = std::chrono::duration<double>(dt).count();
    auto per_s = [seconds](uint64_t a, uint64_t b) {
      return round2(static_cast<double>(b - a) / seconds);
    };
    uint64_t ios = (c.reads - p.reads) + (c.writes - p.writes);
    uint64_t io_wait_ms = (c.read_ms - p.read_ms) + (c.write_ms - p.write_ms);
    double util = static_cast<double>(c.io_ms - p.io_ms) / (seconds * 1000.0) * 100.0;
    double await = ios == 0 ? 0.0 : static_cast<double>(io_wait_ms) / static_cast<double>(ios);
    s->metrics.reserve(7);
    s->metrics.emplace_back("reads_per_s", per_s(p.reads, c.reads));
    s->metrics.emplace_back("writes_per_s", per_s(p.writes, c.writes));
    s->metrics.emplace_back(
        "read_bytes_per_s",
        round2(static_cast<double>(c.read_sectors - p.read_sectors) * kSectorBytes / seconds));
    s->metrics.emplace_back(
        "write_bytes_per_s",
        round2(static_cast<double>(c.write_sectors - p.write_sectors) * kSectorBytes / seconds));
    s->metrics.emplace_back("util_pct", round2(std::min(util, 100.0)));
    s->metrics.emplace_back("await_ms", round2(await));
  }

  std::string diskstats_path_;
  std::string class_block_;
  NameFilter filter_;
  bool partitions_;
  RegexList partition_name_;  // node_exporter's, for hosts without sysfs
  FileReader reader_;
  StateTable<State> states_;
};

}  // namespace

std::unique_ptr<Collector> make_diskio_collector(const ConfigNode& options,
                                                 const HostPaths& paths) {
  return std::make_unique<DiskIoCollector>(options, paths);
}

}  // namespace sentinel::agent

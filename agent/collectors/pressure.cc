// pressure collector: PSI stall averages and totals, one sample per /proc/pressure file.
//
// Options (collectors.pressure): none.
//
// PSI is optional (CONFIG_PSI, kernel ≥ 4.20; irq only with CONFIG_IRQ_TIME_ACCOUNTING): a
// missing /proc/pressure directory or file is not an error and simply emits nothing for it. A
// file that exists but cannot be read (e.g. EOPNOTSUPP when booted with psi=0) or parsed is.
#include "agent/collectors/pressure.h"

#include <cerrno>

#include "agent/collectors/factories.h"
#include "agent/collectors/proc_text.h"

namespace sentinel::agent {

namespace {

bool parse_psi_line(std::string_view line, PsiLine* out) {
  std::string_view f[5];
  if (split_fields(line, f, 5) < 5) return false;
  static constexpr std::string_view kKeys[] = {"avg10=", "avg60=", "avg300=", "total="};
  double* avgs[] = {&out->avg10, &out->avg60, &out->avg300};
  for (size_t i = 0; i < 4; ++i) {
    std::string_view field = f[i + 1];
    if (field.substr(0, kKeys[i].size()) != kKeys[i]) return false;
    field.remove_prefix(kKeys[i].size());
    bool ok = i < 3 ? parse_double(field, avgs[i]) : parse_u64(field, &out->total_us);
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool parse_psi(std::string_view text, PsiFile* out) {
  *out = PsiFile{};
  std::string_view line;
  while (next_line(&text, &line)) {
    if (line.substr(0, 5) == "some ") {
      if (!parse_psi_line(line, &out->some)) return false;
      out->has_some = true;
    } else if (line.substr(0, 5) == "full ") {
      if (!parse_psi_line(line, &out->full)) return false;
      out->has_full = true;
    }
  }
  return out->has_some;
}

namespace {

class PressureCollector : public Collector {
 public:
  explicit PressureCollector(const HostPaths& paths) {
    for (size_t i = 0; i < 4; ++i) paths_[i] = paths.proc + "/pressure/" + kResources[i];
  }

  const char* name() const override { return "pressure"; }

  std::string collect(MonoClock::time_point, std::vector<Sample>* out) override {
    std::string errors;
    std::string_view text;
    std::string error;
    for (size_t i = 0; i < 4; ++i) {
      int err_no = 0;
      if (!reader_.read(paths_[i], &text, &error, &err_no)) {
        if (err_no == ENOENT) continue;  // no PSI, or no such resource on this kernel
        append(&errors, error);
        continue;
      }
      PsiFile psi;
      if (!parse_psi(text, &psi)) {
        append(&errors, paths_[i] + ": expected \"some avg10=.. avg60=.. avg300=.. total=..\"");
        continue;
      }
      Sample& s = out->emplace_back();
      s.resource = "pressure";
      s.tags.emplace_back("pressure", kResources[i]);
      s.metrics.reserve(8);
      put(&s, "some_", psi.some);
      if (psi.has_full) put(&s, "full_", psi.full);
    }
    return errors;
  }

 private:
  static constexpr const char* kResources[] = {"cpu", "memory", "io", "irq"};

  static void append(std::string* errors, const std::string& error) {
    if (!errors->empty()) *errors += "; ";
    *errors += error;
  }
  static void put(Sample* s, const std::string& prefix, const PsiLine& l) {
    s->metrics.emplace_back(prefix + "avg10", l.avg10);
    s->metrics.emplace_back(prefix + "avg60", l.avg60);
    s->metrics.emplace_back(prefix + "avg300", l.avg300);
    s->metrics.emplace_back(prefix + "total_us", static_cast<double>(l.total_us));
  }

  std::string paths_[4];
  FileReader reader_;
};

}  // namespace

std::unique_ptr<Collector> make_pressure_collector(const ConfigNode&, const HostPaths& paths) {
  return std::make_unique<PressureCollector>(paths);
}

}  // namespace sentinel::agent

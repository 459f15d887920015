// network collector: per-interface byte, packet, error and drop rates from /proc/net/dev.
//
// Options (collectors.network):
//   exclude_interfaces  list of regexes, default ["^lo$"]; replaces the default when given.
//   include_interfaces  list of regexes, default []; when non-empty only matching interfaces.
//
// Rates are Δcounter / Δt of the tick's monotonic time. The first tick and an interface's first
// appearance emit nothing (no baseline). A counter that goes backwards (driver reset, interface
// re-created) resets that interface's baseline and emits nothing for it this tick.
#include "agent/collectors/network.h"

#include "agent/collectors/factories.h"
#include "agent/collectors/proc_text.h"

namespace sentinel::agent {

bool parse_net_dev_line(std::string_view line, std::string_view* name, NetCounters* out) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view f[1];
  if (split_fields(line.substr(0, colon), f, 1) != 1) return false;
  *name = f[0];
  std::string_view v[16];
  if (split_fields(line.substr(colon + 1), v, 16) < 16) return false;
  uint64_t* targets[] = {&out->rx_bytes, &out->rx_packets, &out->rx_errors, &out->rx_drops,
                         &out->tx_bytes, &out->tx_packets, &out->tx_errors, &out->tx_drops};
  static constexpr size_t kColumns[] = {0, 1, 2, 3, 8, 9, 10, 11};
  for (size_t i = 0; i < 8; ++i) {
    if (!parse_u64(v[kColumns[i]], targets[i])) return false;
  }
  return true;
}

namespace {

class NetworkCollector : public Collector {
 public:
  NetworkCollector(const ConfigNode& options, const HostPaths& paths)
      : dev_path_(paths.proc + "/net/dev"),
        filter_(options, "include_interfaces", "exclude_interfaces", {"^lo$"}) {}

  const char* name() const override { return "network"; }

  std::string collect(MonoClock::time_point now, std::vector<Sample>* out) override {
    std::string_view text;
    std::string error;
    if (!reader_.read(dev_path_, &text, &error)) return error;
    states_.begin_tick();
    std::string_view line, ifname;
    NetCounters cur;
    while (next_line(&text, &line)) {
      if (!parse_net_dev_line(line, &ifname, &cur)) continue;
      auto& entry = states_.touch(ifname);
      State& st = entry.state;
      if (entry.fresh) {
        st.wanted = filter_.accepts(std::string(ifname));
        st.has_baseline = false;
      }
      if (!st.wanted) continue;
      if (st.has_baseline) {
        if (now <= st.at) continue;  // same instant twice: keep the older baseline
        if (!went_backwards(st.counters, cur)) {
          emit(ifname, st.counters, cur, std::chrono::duration<double>(now - st.at).count(), out);
        }
      }
      st.counters = cur;
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
    NetCounters counters;
    MonoClock::time_point at;
  };

  static bool went_backwards(const NetCounters& p, const NetCounters& c) {
    return c.rx_bytes < p.rx_bytes || c.rx_packets < p.rx_packets || c.rx_errors < p.rx_errors ||
           c.rx_drops < p.rx_drops || c.tx_bytes < p.tx_bytes || c.tx_packets < p.tx_packets ||
           c.tx_errors < p.tx_errors || c.tx_drops < p.tx_drops;
  }

  static void emit(std::string_view ifname, const NetCounters& p, const NetCounters& c,
                   double seconds, std::vector<Sample>* out) {
    auto rate = [seconds](uint64_t a, uint64_t b) {
      return round2(static_cast<double>(b - a) / seconds);
    };
    Sample& s = out->emplace_back();
    s.resource = "network";
    s.tags.emplace_back("interface", std::string(ifname));
    s.metrics = {{"rx_bytes_per_s", rate(p.rx_bytes, c.rx_bytes)},
                 {"tx_bytes_per_s", rate(p.tx_bytes, c.tx_bytes)},
                 {"rx_packets_per_s", rate(p.rx_packets, c.rx_packets)},
                 {"tx_packets_per_s", rate(p.tx_packets, c.tx_packets)},
                 {"rx_errors_per_s", rate(p.rx_errors, c.rx_errors)},
                 {"tx_errors_per_s", rate(p.tx_errors, c.tx_errors)},
                 {"rx_drops_per_s", rate(p.rx_drops, c.rx_drops)},
                 {"tx_drops_per_s", rate(p.tx_drops, c.tx_drops)}};
  }

  std::string dev_path_;
  NameFilter filter_;
  FileReader reader_;
  StateTable<State> states_;
};

}  // namespace

std::unique_ptr<Collector> make_network_collector(const ConfigNode& options,
                                                  const HostPaths& paths) {
  return std::make_unique<NetworkCollector>(options, paths);
}

}  // namespace sentinel::agent

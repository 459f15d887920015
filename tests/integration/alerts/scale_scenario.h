// The scenario of the several-instances tests (docs/alerts.md, Several instances), on
// sentinel-devkafka or the real broker: sentinel-loggen's demo HTTP scenario (site, URL and
// client IP error rates) plus host metrics keyed by host with two rules grouped without host (a
// fleet-wide CPU average, disk use by mount), so every kind of rule is there — partition-local
// (http_*_ip) and re-keyed (site, URL, fleet, mount). Each run gets topics and a group of its
// own; the same records go into every run, so runs with one instance and with several can be
// compared alert for alert.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/real_kafka.h"

namespace sentinel::test {

struct ScaleRun {
  std::string metrics, http, alerts, repartition, group;
  TempDir dir;
};

// One published alert as the comparison sees it.
struct ScaleAlert {
  std::string id, state;
  int64_t start = 0, end = 0;
  bool operator<(const ScaleAlert& o) const {
    return std::tie(id, end, state, start) < std::tie(o.id, o.end, o.state, o.start);
  }
  bool operator==(const ScaleAlert& o) const {
    return id == o.id && state == o.state && start == o.start && end == o.end;
  }
};

class ScaleScenario {
 public:
  // `create_topic(name, partitions)` makes a topic on the broker; `name_base` prefixes the names.
  ScaleScenario(std::string bootstrap,
                std::function<bool(const std::string&, int, std::string*)> create_topic);

  // Generates the records (sentinel-loggen into a staging topic, metrics in memory) once.
  void prepare();
  std::unique_ptr<ScaleRun> new_run(const std::string& name);
  // Produces every record of the scenario, in event-time slices of 2 s; `between(i)` runs after
  // slice i (to start and stop instances while records flow). Slices go out with `pause` between.
  void produce(const ScaleRun& run, const std::function<void(int)>& between = {},
               std::chrono::milliseconds pause = std::chrono::milliseconds(0));
  int slices() const;

  // Starts sentinel-alerts for `run` as `instance`, with `extra` arguments (--drain).
  std::unique_ptr<Process> start(const ScaleRun& run, const std::string& instance,
                                 const std::vector<std::string>& extra = {});
  // Every alert in the run's alerts topic, sorted, read with kcat.
  std::vector<ScaleAlert> published(const ScaleRun& run) const;
  // Waits until the demo's expected alerts and the metric alerts have all fired and resolved
  // and the topic has not changed over three reads a second apart; the alerts then.
  std::vector<ScaleAlert> wait_settled(const ScaleRun& run, std::chrono::seconds timeout,
                                       std::string* why) const;
  // The ids that must be there: the demo's three anomalies, the fleet's CPU, /var's disk.
  std::vector<std::string> expected_ids() const;
  // Each id alternates firing, resolved, … and ends resolved; "" or what is wrong.
  static std::string check_alternating(const std::vector<ScaleAlert>& alerts);

  int64_t t0() const { return t0_; }

 private:
  std::string bootstrap_;
  std::function<bool(const std::string&, int, std::string*)> create_topic_;
  int64_t t0_ = 0;
  std::string staging_;
  std::vector<TimedRecord> http_, metrics_;  // sorted by timestamp
  std::vector<std::string> expected_;
  int runs_ = 0;
};

// What a failed comparison prints: the alerts of one run, one a line.
std::string describe(const std::vector<ScaleAlert>& alerts);
inline void PrintTo(const ScaleAlert& a, std::ostream* os) {
  *os << a.id << " " << a.state << " [" << a.start << ", " << a.end << ")";
}

}  // namespace sentinel::test

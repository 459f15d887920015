// The several-instances scenario: records, runs, instances and the alerts they publish.
#include "tests/integration/alerts/scale_scenario.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "common/clock.h"
#include "tests/support/build_paths.h"
#include "tests/support/kafka_env.h"

namespace sentinel::test {
namespace {

using namespace std::chrono_literals;

const std::string kScaleDemo = source_dir() + "/config/loggen/demo.yaml";
constexpr int kHosts = 12;
constexpr int kSeconds = 130;
constexpr int kSliceSeconds = 2;

// As in http_alerts_test.cc: the demo's anomalies stand out, its baseline does not.
const char* kScaleThresholds = R"({
  "global": {"5xx": 0.2, "4xx": 0.5},
  "ip":     {"5xx": 0.3, "4xx": 0.3},
  "url":    {"5xx": 0.5, "4xx": 0.5}
})";

std::string config_text(const std::string& bootstrap, const ScaleRun& run,
                        const std::string& instance) {
  return fmt::format(
      "kafka: {{bootstrap.servers: \"{}\", session.timeout.ms: 6000, heartbeat.interval.ms: 500}}\n"
      "input: {{topic: {}, group: {}, key: host, instance_id: {}}}\n"
      "output: {{topic: {}}}\n"
      "repartition: {{topic: {}, partitions: 6}}\n"
      "time: {{allowed_lateness: 1s, idle_timeout: 5s}}\n"
      "commit_interval: 200ms\n"
      "host_silent: {{enabled: false}}\n"
      "rules:\n"
      "  cpu_fleet:\n"
      "    resource: cpu\n"
      "    metric: usage_pct\n"
      "    match: {{cpu: total}}\n"
      "    group_by: []\n"
      "    window: 10s\n"
      "    agg: avg\n"
      "    above: 60\n"
      "    resolve: 50\n"
      "    for: 2\n"
      "  disk_by_mount:\n"
      "    resource: disk\n"
      "    metric: used_pct\n"
      "    group_by: [mount]\n"
      "    window: 10s\n"
      "    agg: avg\n"
      "    above: 90\n"
      "    resolve: 85\n"
      "http:\n"
      "  topic: {}\n"
      "  thresholds: thresholds.json\n"
      "  window: 10s\n"
      "  min_requests: {{global: 50, ip: 20, url: 20}}\n",
      bootstrap, run.metrics, run.group, instance, run.alerts, run.repartition, run.http);
}

std::string id_of(const nlohmann::json& expected) {
  std::string cls = expected["status_class"], dim = expected["dimension"], key = expected["key"];
  if (dim == "ip") return "http_" + cls + "_ip/client_ip=" + key;
  if (dim == "url") return "http_" + cls + "_url/host=web-1,path=" + key;
  return "http_" + cls + "_global/host=" + key;
}

}  // namespace

std::string describe(const std::vector<ScaleAlert>& alerts) {
  std::string out;
  for (const auto& a : alerts) {
    out += fmt::format("  {} {} [{}, {})\n", a.id, a.state, a.start, a.end);
  }
  return out;
}

ScaleScenario::ScaleScenario(std::string bootstrap,
                             std::function<bool(const std::string&, int, std::string*)> create)
    : bootstrap_(std::move(bootstrap)), create_topic_(std::move(create)) {
  t0_ = (wall_ms() - 1200000) / 10000 * 10000;  // 20 minutes ago, on a window boundary
}

void ScaleScenario::prepare() {
  std::string error;
  staging_ = RealKafka::unique_name("http_demo");
  ASSERT_TRUE(create_topic_(staging_, 4, &error)) << error;
  std::string err;
  ASSERT_EQ(run({bin("sentinel-loggen"), "--scenario", kScaleDemo, "--kafka", "--bootstrap-servers",
                 bootstrap_, "--topic", staging_, "--start-time", std::to_string(t0_),
                 "--as-fast-as-possible", "--seed", "7"},
                nullptr, 120s, &err),
            0)
      << err;
  for (const auto& r : kcat_consume(bootstrap_, staging_)) {
    http_.push_back({r.key, r.value, r.timestamp, r.partition});
  }
  ASSERT_GT(http_.size(), 4000u);
  std::stable_sort(http_.begin(), http_.end(), [](const TimedRecord& a, const TimedRecord& b) {
    return a.timestamp_ms < b.timestamp_ms;
  });
  for (int s = 0; s < kSeconds; ++s) {
    int64_t ts = t0_ + int64_t{s} * 1000;
    for (int h = 0; h < kHosts; ++h) {
      std::string host = "host-" + std::to_string(h);
      double cpu = (s >= 40 && s < 70) ? 85 + h : 20 + h;
      nlohmann::json j = {{"v", 1},
                          {"host", host},
                          {"resource", "cpu"},
                          {"ts", ts},
                          {"tags", {{"cpu", "total"}}},
                          {"metrics", {{"usage_pct", cpu}}}};
      metrics_.push_back({host, j.dump(), ts, -1});
      if (s % 5 != 0) continue;
      for (const char* mount : {"/", "/var"}) {
        double used = std::string(mount) == "/var" && s >= 80 && s < 110 ? 95 : 60;
        nlohmann::json d = {{"v", 1},
                            {"host", host},
                            {"resource", "disk"},
                            {"ts", ts},
                            {"tags", {{"mount", mount}, {"device", "sda"}}},
                            {"metrics", {{"used_pct", used}}}};
        metrics_.push_back({host, d.dump(), ts, -1});
      }
    }
  }
  std::string text;
  ASSERT_EQ(run({bin("sentinel-loggen"), "--scenario", kScaleDemo, "--expected-alerts",
                 "--start-time", std::to_string(t0_)},
                &text),
            0);
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) expected_.push_back(id_of(nlohmann::json::parse(line)));
  }
  ASSERT_EQ(expected_.size(), 3u) << text;
  expected_.push_back("cpu_fleet/");
  expected_.push_back("disk_by_mount/mount=/var");
}

std::unique_ptr<ScaleRun> ScaleScenario::new_run(const std::string& name) {
  auto r = std::make_unique<ScaleRun>();
  std::string base = fmt::format("{}-{}", name, ++runs_);
  r->metrics = RealKafka::unique_name("system_metrics-" + base);
  r->http = RealKafka::unique_name("http_logs-" + base);
  r->alerts = RealKafka::unique_name("system_alerts-" + base);
  r->repartition = RealKafka::unique_name("repartition-" + base);
  r->group = RealKafka::unique_name("alert-group-" + base);
  std::string error;
  for (auto [topic, n] : {std::pair{&r->metrics, 3}, {&r->http, 4}, {&r->alerts, 3}}) {
    EXPECT_TRUE(create_topic_(*topic, n, &error)) << error;
  }
  write_file(r->dir.file("thresholds.json"), kScaleThresholds);
  return r;
}

int ScaleScenario::slices() const { return kSeconds / kSliceSeconds; }

void ScaleScenario::produce(const ScaleRun& run, const std::function<void(int)>& between,
                            std::chrono::milliseconds pause) {
  size_t h = 0, m = 0;
  for (int i = 0; i < slices(); ++i) {
    int64_t until = t0_ + int64_t{i + 1} * kSliceSeconds * 1000;
    std::vector<TimedRecord> hs, ms;
    for (; h < http_.size() && http_[h].timestamp_ms < until; ++h) hs.push_back(http_[h]);
    for (; m < metrics_.size() && metrics_[m].timestamp_ms < until; ++m) ms.push_back(metrics_[m]);
    std::string error;
    if (!hs.empty()) {
      ASSERT_TRUE(produce_records(bootstrap_, run.http, hs, &error)) << error;
    }
    if (!ms.empty()) {
      ASSERT_TRUE(produce_records(bootstrap_, run.metrics, ms, &error)) << error;
    }
    if (between) between(i);
    if (pause.count() > 0) std::this_thread::sleep_for(pause);
  }
  std::vector<TimedRecord> rest(http_.begin() + static_cast<ptrdiff_t>(h), http_.end());
  std::string error;
  if (!rest.empty()) {
    ASSERT_TRUE(produce_records(bootstrap_, run.http, rest, &error)) << error;
  }
}

std::unique_ptr<Process> ScaleScenario::start(const ScaleRun& run, const std::string& instance,
                                              const std::vector<std::string>& extra) {
  std::string path = run.dir.file("alerts-" + instance + ".yaml");
  write_file(path, config_text(bootstrap_, run, instance));
  Process::Options options;
  options.env["SENTINEL_LOG_LEVEL"] = "info";
  std::vector<std::string> args{bin("sentinel-alerts"), "--config", path};
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<Process>(args, options);
}

std::vector<ScaleAlert> ScaleScenario::published(const ScaleRun& run) const {
  std::vector<ScaleAlert> out;
  for (const auto& r : kcat_consume(bootstrap_, run.alerts)) {
    auto j = nlohmann::json::parse(r.value, nullptr, false);
    if (j.is_discarded()) continue;
    out.push_back({j.value("id", ""), j.value("state", ""), j["window"].value("start", int64_t{0}),
                   j["window"].value("end", int64_t{0})});
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> ScaleScenario::expected_ids() const { return expected_; }

std::vector<ScaleAlert> ScaleScenario::wait_settled(const ScaleRun& run,
                                                    std::chrono::seconds timeout,
                                                    std::string* why) const {
  std::vector<std::vector<ScaleAlert>> reads;
  bool ok = wait_until(
      [&] {
        reads.push_back(published(run));
        const auto& now = reads.back();
        std::map<std::string, std::string> last;
        for (const auto& a : now) last[a.id] = a.state;  // sorted by end: the last state
        for (const auto& id : expected_) {
          if (last[id] != "resolved") return false;
        }
        size_t n = reads.size();
        return n >= 3 && reads[n - 1] == reads[n - 2] && reads[n - 2] == reads[n - 3];
      },
      timeout, 1000ms);
  if (!ok && why) {
    *why = "not settled; published:\n" + (reads.empty() ? "" : describe(reads.back()));
  }
  return reads.empty() ? std::vector<ScaleAlert>{} : reads.back();
}

std::string ScaleScenario::check_alternating(const std::vector<ScaleAlert>& alerts) {
  std::map<std::string, std::vector<std::string>> states;
  for (const auto& a : alerts) states[a.id].push_back(a.state);  // sorted by window end
  std::string out;
  for (const auto& [id, s] : states) {
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] != (i % 2 ? "resolved" : "firing")) {
        out += fmt::format("{}: state {} is {} (a duplicate or a lost transition)\n", id, i, s[i]);
        break;
      }
    }
    if (s.size() % 2) out += fmt::format("{}: ends firing\n", id);
  }
  return out;
}

}  // namespace sentinel::test

// sentinel-agent as a process, publishing to sentinel-devkafka over TCP; kcat reads back what it
// wrote. Covers: every resource arrives with the right key and fields; key modes; a broker outage
// (buffered records arrive after recovery; drops only beyond the bound); SIGTERM, SIGHUP, the
// systemd notify protocol; --check-config, --once, unreadable /proc files.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "tests/support/kafka_env.h"
#include "tests/support/notify_listener.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

std::string agent_config(const std::string& extra, const std::string& interval = "1s",
                         const std::string& collectors = "") {
  return "host: test-host\n"
         "interval: " +
         interval +
         "\n"
         "kafka:\n  bootstrap.servers: set-by-flag:9092\n" +
         extra + (collectors.empty() ? "" : "collectors:\n" + collectors);
}

struct Agent {
  Agent(const std::string& config_path, const std::string& bootstrap,
        const Process::Options& options = {}, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {bin("sentinel-agent"), "--config", config_path};
    if (!bootstrap.empty()) {
      argv.push_back("--bootstrap-servers");
      argv.push_back(bootstrap);
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    process = std::make_unique<Process>(argv, options);
  }
  std::unique_ptr<Process> process;
};

std::vector<json> records_of(const std::vector<KafkaRecord>& raw) {
  std::vector<json> out;
  for (const auto& r : raw) out.push_back(json::parse(r.value));
  return out;
}

std::set<std::string> expected_resources() {
  std::set<std::string> r = {"cpu", "memory", "disk", "load"};
  std::ifstream net("/proc/net/dev");
  std::string line;
  while (std::getline(net, line)) {
    if (line.find(':') != std::string::npos && line.find("lo:") == std::string::npos)
      r.insert("network");
  }
  std::ifstream disks("/proc/diskstats");
  if (std::regex_search(std::string(std::istreambuf_iterator<char>(disks), {}),
                        std::regex(R"(\s(sd[a-z]+|vd[a-z]+|nvme\d+n\d+|xvd[a-z]+)\s)"))) {
    r.insert("diskio");
  }
  if (std::filesystem::exists("/proc/pressure/cpu")) r.insert("pressure");
  return r;
}

TEST(Agent, EveryResourceArrivesWithItsKeyAndTheRecordFields) {
  DevKafka kafka({"system_metrics:3"});
  TempDir dir;
  write_file(dir.file("agent.yaml"), agent_config(""));
  Agent agent(dir.file("agent.yaml"), kafka.bootstrap());
  std::set<std::string> want = expected_resources();
  std::vector<KafkaRecord> raw;
  bool all = wait_until(
      [&] {
        raw = kcat_consume(kafka.bootstrap(), "system_metrics");
        std::set<std::string> seen;
        for (const auto& r : raw) seen.insert(r.key);
        return std::includes(seen.begin(), seen.end(), want.begin(), want.end());
      },
      30s, 500ms);
  ASSERT_TRUE(all) << "agent stderr:\n" << agent.process->err();
  for (const auto& r : raw) {
    json j = json::parse(r.value);
    EXPECT_EQ(j["v"], 1);
    EXPECT_EQ(j["host"], "test-host");
    EXPECT_EQ(r.key, j["resource"]) << r.value;  // key = resource type by default
    EXPECT_EQ(r.timestamp, j["ts"].get<long long>()) << "the Kafka timestamp equals ts";
    EXPECT_TRUE(j["tags"].is_object());
    ASSERT_TRUE(j["metrics"].is_object());
    if (j["resource"] == "cpu" && j["tags"]["cpu"] == "total") {
      for (const char* m : {"usage_pct", "user_pct", "system_pct", "iowait_pct", "steal_pct"}) {
        ASSERT_TRUE(j["metrics"].contains(m)) << m << " missing: " << r.value;
        double v = j["metrics"][m];
        EXPECT_GE(v, 0.0);
        EXPECT_LE(v, 100.0);
      }
    }
    if (j["resource"] == "memory") {
      auto& m = j["metrics"];
      EXPECT_EQ(m["used_bytes"].get<double>(),
                m["total_bytes"].get<double>() - m["available_bytes"].get<double>());
    }
    if (j["resource"] == "disk") {
      EXPECT_TRUE(j["tags"].contains("mount"));
      EXPECT_TRUE(j["metrics"].contains("used_pct"));
    }
  }
}

TEST(Agent, HostResourceKeyModeIsSelectable) {
  DevKafka kafka({"system_metrics:3"});
  TempDir dir;
  write_file(dir.file("agent.yaml"),
             agent_config("key: host_resource\n", "1s",
                          "  cpu: {enabled: false}\n  disk: {enabled: false}\n"));
  Agent agent(dir.file("agent.yaml"), kafka.bootstrap());
  std::vector<KafkaRecord> raw;
  ASSERT_TRUE(wait_until(
      [&] {
        raw = kcat_consume(kafka.bootstrap(), "system_metrics");
        return !raw.empty();
      },
      30s, 300ms))
      << agent.process->err();
  for (const auto& r : raw) {
    json j = json::parse(r.value);
    EXPECT_EQ(r.key, "test-host/" + j["resource"].get<std::string>());
    EXPECT_NE(j["resource"], "cpu");  // disabled collectors publish nothing
  }
}

// Only the load collector: one record a tick, so gaps are easy to see.
const char* kLoadOnly =
    "  cpu: {enabled: false}\n  memory: {enabled: false}\n  disk: {enabled: false}\n"
    "  diskio: {enabled: false}\n  network: {enabled: false}\n  pressure: {enabled: false}\n";

std::vector<long long> load_timestamps(const std::string& bootstrap) {
  std::vector<long long> ts;
  for (const auto& j : records_of(kcat_consume(bootstrap, "system_metrics"))) {
    if (j["resource"] == "load") ts.push_back(j["ts"]);
  }
  std::sort(ts.begin(), ts.end());
  return ts;
}

TEST(Agent, BrokerOutageBuffersRecordsAndDeliversThemAfterRecovery) {
  DevKafka kafka({"system_metrics:1"});
  TempDir dir;
  write_file(dir.file("agent.yaml"), agent_config("", "200ms", kLoadOnly));
  Agent agent(dir.file("agent.yaml"), kafka.bootstrap());
  ASSERT_TRUE(
      wait_until([&] { return load_timestamps(kafka.bootstrap()).size() >= 3; }, 30s, 200ms))
      << agent.process->err();

  ASSERT_TRUE(kafka.control("down all"));
  auto down_at = std::chrono::system_clock::now();
  std::this_thread::sleep_for(3s);  // the outage itself: ~15 ticks the agent must hold
  ASSERT_TRUE(kafka.control("up all"));
  long long outage_start =
      std::chrono::duration_cast<std::chrono::milliseconds>(down_at.time_since_epoch()).count();
  long long outage_end = outage_start + 3000;

  // Every tick of the outage arrives after recovery: no gap longer than a few intervals.
  std::vector<long long> ts;
  ASSERT_TRUE(wait_until(
      [&] {
        ts = load_timestamps(kafka.bootstrap());
        return !ts.empty() && ts.back() > outage_end + 1000;
      },
      60s, 500ms))
      << agent.process->err();
  int during = 0;
  for (size_t i = 1; i < ts.size(); ++i) {
    EXPECT_LT(ts[i] - ts[i - 1], 2500) << "gap in delivered records at " << ts[i - 1];
    if (ts[i] > outage_start + 200 && ts[i] < outage_end - 200) ++during;
  }
  EXPECT_GE(during, 10) << "records collected during the outage must be delivered after it";

  agent.process->signal(SIGTERM);
  ASSERT_EQ(agent.process->wait(20s), 0);
  EXPECT_NE(agent.process->err().find(", 0 dropped"), std::string::npos)
      << "nothing may be dropped below the bound:\n"
      << agent.process->err();
}

TEST(Agent, BeyondTheBoundTheOldestRecordsAreDroppedAndCounted) {
  DevKafka kafka({"system_metrics:1"});
  TempDir dir;
  // 64 KB bound; each tick adds a few hundred bytes per collector — padded host name makes
  // every record ~1.1 KB so the bound is passed within a few seconds.
  std::string host(900, 'h');
  write_file(dir.file("agent.yaml"), "host: " + host +
                                         "\ninterval: 100ms\nbuffer: {max_bytes: 64KB}\n"
                                         "kafka:\n  bootstrap.servers: x:1\ncollectors:\n" +
                                         kLoadOnly);
  Agent agent(dir.file("agent.yaml"), kafka.bootstrap());
  ASSERT_TRUE(
      wait_until([&] { return load_timestamps(kafka.bootstrap()).size() >= 2; }, 30s, 200ms))
      << agent.process->err();
  ASSERT_TRUE(kafka.control("down all"));
  auto down_at = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  // 64 KB / ~1.1 KB per tick ≈ 58 ticks ≈ 6 s; wait until the agent says it is dropping.
  ASSERT_TRUE(wait_until(
      [&] { return agent.process->err().find("dropping the oldest records") != std::string::npos; },
      60s, 200ms))
      << agent.process->err();
  std::this_thread::sleep_for(2s);
  ASSERT_TRUE(kafka.control("up all"));
  auto up_at = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  std::vector<long long> ts;
  ASSERT_TRUE(wait_until(
      [&] {
        ts = load_timestamps(kafka.bootstrap());
        return !ts.empty() && ts.back() > up_at + 500;
      },
      60s, 500ms))
      << agent.process->err();
  agent.process->signal(SIGTERM);
  ASSERT_EQ(agent.process->wait(20s), 0);
  ts = load_timestamps(kafka.bootstrap());  // with what the shutdown flush delivered

  // The newest records were kept: the second before delivery resumed is complete. Delivery
  // resumes when librdkafka reconnects, which can be up to reconnect.backoff.max.ms (10 s) after
  // the broker is back, so the moment is taken from the agent's own log line, not from "up".
  std::smatch resumed;
  std::string log = agent.process->err();
  ASSERT_TRUE(std::regex_search(
      log, resumed,
      std::regex(
          R"((\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{3})Z notice: kafka: delivering again)")))
      << log;
  std::tm tm{};
  tm.tm_year = std::stoi(resumed[1]) - 1900;
  tm.tm_mon = std::stoi(resumed[2]) - 1;
  tm.tm_mday = std::stoi(resumed[3]);
  tm.tm_hour = std::stoi(resumed[4]);
  tm.tm_min = std::stoi(resumed[5]);
  tm.tm_sec = std::stoi(resumed[6]);
  long long resumed_at = static_cast<long long>(timegm(&tm)) * 1000 + std::stoi(resumed[7]);
  ASSERT_GE(resumed_at, up_at - 1000) << log;
  int last_second = 0;
  std::string around;
  for (long long t : ts) {
    last_second += (t > resumed_at - 1000 && t < resumed_at - 100);
    if (t > down_at - 1000) around += std::to_string(t - resumed_at) + " ";
  }
  EXPECT_GE(last_second, 6) << "the newest buffered records must survive; load ts relative to "
                               "the resumed delivery (ms): "
                            << around << "\nagent:\n"
                            << log;
  // Some outage records were dropped: a gap after the outage started.
  long long biggest_gap = 0;
  for (size_t i = 1; i < ts.size(); ++i) {
    if (ts[i - 1] >= down_at - 200) biggest_gap = std::max(biggest_gap, ts[i] - ts[i - 1]);
  }
  EXPECT_GT(biggest_gap, 1000) << "the oldest outage records should have been dropped";
  std::smatch m;
  std::string err = agent.process->err();
  ASSERT_TRUE(std::regex_search(err, m, std::regex(R"(stopped: (\d+) delivered, (\d+) dropped)")))
      << err;
  EXPECT_GT(std::stoll(m[2]), 0);
}

// The agent test's view of the shared listener: message texts, and a substring search.
class AgentNotify {
 public:
  explicit AgentNotify(const std::string& path) : listener_(path) {}
  std::vector<std::string> poll() {
    std::vector<std::string> out;
    for (const auto& m : listener_.poll()) out.push_back(m.text);
    return out;
  }
  bool saw(const std::string& needle) {
    for (const auto& m : poll()) {
      if (m.find(needle) != std::string::npos) return true;
    }
    return false;
  }

 private:
  NotifyListener listener_;
};

TEST(Agent, SpeaksSystemdNotifyAndReloadsOnSighupKeepingOldConfigWhenNewIsBad) {
  DevKafka kafka({"system_metrics:1"});
  TempDir dir;
  AgentNotify notify(dir.file("notify"));
  write_file(dir.file("agent.yaml"), agent_config("", "200ms", kLoadOnly));
  Process::Options options;
  options.env = {{"NOTIFY_SOCKET", dir.file("notify")}, {"WATCHDOG_USEC", "400000"}};
  Agent agent(dir.file("agent.yaml"), kafka.bootstrap(), options);
  ASSERT_TRUE(wait_until([&] { return notify.saw("READY=1"); }, 20s)) << agent.process->err();
  ASSERT_TRUE(wait_until([&] { return notify.saw("STATUS=publishing to system_metrics"); }, 20s));
  ASSERT_TRUE(wait_until(
      [&] {
        int pings = 0;
        for (const auto& m : notify.poll()) pings += m == "WATCHDOG=1";
        return pings >= 3;
      },
      20s))
      << "WATCHDOG=1 at half of WATCHDOG_USEC";

  // A bad config: reported, and the old one keeps running.
  write_file(dir.file("agent.yaml"), agent_config("", "soon", kLoadOnly));
  agent.process->signal(SIGHUP);
  ASSERT_TRUE(wait_until(
      [&] {
        return agent.process->err().find("reload failed, keeping the running configuration") !=
               std::string::npos;
      },
      20s))
      << agent.process->err();
  EXPECT_NE(agent.process->err().find("interval: \"soon\""), std::string::npos);
  // The listener reads the socket on its own thread: the datagram may be seconds behind the log.
  EXPECT_TRUE(wait_until([&] { return notify.saw("RELOADING=1"); }, 10s));
  EXPECT_TRUE(agent.process->running());

  // A good one: the new host name appears in new records.
  std::string good = agent_config("", "200ms", kLoadOnly);
  good.replace(good.find("test-host"), 9, "renamed-host");
  write_file(dir.file("agent.yaml"), good);
  agent.process->signal(SIGHUP);
  ASSERT_TRUE(wait_until(
      [&] {
        for (const auto& j : records_of(kcat_consume(kafka.bootstrap(), "system_metrics"))) {
          if (j["host"] == "renamed-host") return true;
        }
        return false;
      },
      30s, 300ms))
      << agent.process->err();

  agent.process->signal(SIGTERM);
  EXPECT_EQ(agent.process->wait(20s), 0) << agent.process->err();
  EXPECT_TRUE(wait_until([&] { return notify.saw("STOPPING=1"); }, 10s));
}

TEST(Agent, UnreachableBrokerAtStartKeepsTheAgentRunningAndSaysSoInStatus) {
  TempDir dir;
  AgentNotify notify(dir.file("notify"));
  write_file(dir.file("agent.yaml"), agent_config("", "200ms", kLoadOnly));
  Process::Options options;
  options.env = {{"NOTIFY_SOCKET", dir.file("notify")}};
  // Port 1 on loopback: nothing listens there.
  Agent agent(dir.file("agent.yaml"), "127.0.0.1:1", options);
  ASSERT_TRUE(wait_until([&] { return notify.saw("STATUS=broker unreachable"); }, 30s))
      << agent.process->err();
  EXPECT_TRUE(agent.process->running());
  agent.process->signal(SIGTERM);
  EXPECT_EQ(agent.process->wait(30s), 0) << "SIGTERM exits 0 after the shutdown timeout";
}

TEST(Agent, CheckConfigPrintsTheErrorWithLocationAndExitsNonZero) {
  TempDir dir;
  write_file(dir.file("agent.yaml"),
             "interval: 10s\nkey: hostname\nkafka: {bootstrap.servers: h:1}\n");
  std::string out, err;
  int rc = run({bin("sentinel-agent"), "--config", dir.file("agent.yaml"), "--check-config"}, &out,
               20s, &err);
  EXPECT_NE(rc, 0);
  EXPECT_NE(err.find(":2: key: \"hostname\": expected one of resource, host, host_resource"),
            std::string::npos)
      << err;

  write_file(dir.file("agent.yaml"),
             "interval: 10s\nintervall: 5s\nkafka: {bootstrap.servers: h:1, bogus.prop: 1}\n");
  rc = run({bin("sentinel-agent"), "--config", dir.file("agent.yaml"), "--check-config"}, &out, 20s,
           &err);
  EXPECT_NE(rc, 0);
  EXPECT_NE(err.find("kafka property bogus.prop"), std::string::npos) << err;

  write_file(dir.file("agent.yaml"),
             "interval: 10s\nintervall: 5s\nkafka: {bootstrap.servers: h:1}\n");
  rc = run({bin("sentinel-agent"), "--config", dir.file("agent.yaml"), "--check-config"}, &out, 20s,
           &err);
  EXPECT_EQ(rc, 0) << err;
  EXPECT_NE(err.find(":2: unknown key intervall"), std::string::npos)
      << "unknown keys are warned: " << err;
}

TEST(Agent, CreateTopicsAgainstTheMockClusterFailsWithAClearExplanation) {
  DevKafka kafka({});
  TempDir dir;
  write_file(dir.file("agent.yaml"), agent_config(""));
  std::string out, err;
  int rc = run({bin("sentinel-agent"), "--config", dir.file("agent.yaml"), "--bootstrap-servers",
                kafka.bootstrap(), "--create-topics"},
               &out, 60s, &err);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(err.find("create topics system_metrics"), std::string::npos) << err;
  EXPECT_NE(err.find("pre-create them with sentinel-devkafka --topic"), std::string::npos) << err;
}

TEST(Agent, UnderJournaldLogLinesCarrySyslogPriorityPrefixes) {
  TempDir dir;
  write_file(dir.file("agent.yaml"),
             "interval: 1s\nintervall: 2s\nkafka: {bootstrap.servers: h:1}\n");
  Process::Options options;
  options.env = {{"JOURNAL_STREAM", "8:12345"}};
  Process p({bin("sentinel-agent"), "--config", dir.file("agent.yaml"), "--check-config"}, options);
  ASSERT_EQ(p.wait(20s), 0);
  std::string err = p.err();
  EXPECT_EQ(err.rfind("<4>config: ", 0), 0u) << "a warning starts with <4>: " << err;
  EXPECT_NE(err.find("agent.yaml:2: unknown key intervall"), std::string::npos) << err;
}

TEST(Agent, OncePrintsOneSampleAsJsonLinesWithoutKafka) {
  TempDir dir;
  write_file(dir.file("agent.yaml"), "interval: 1s\n");  // no kafka section at all
  std::string out, err;
  ASSERT_EQ(
      run({bin("sentinel-agent"), "--config", dir.file("agent.yaml"), "--once"}, &out, 30s, &err),
      0)
      << err;
  std::set<std::string> seen;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) seen.insert(json::parse(line)["resource"].get<std::string>());
  for (const auto& r : expected_resources())
    EXPECT_TRUE(seen.count(r)) << r << " missing in:\n" << out;
}

TEST(Agent, UnreadableProcFileMakesThatCollectorReportOnceWhileOthersGoOn) {
  TempDir dir;
  // A procfs tree with loadavg and stat but no meminfo.
  write_file(dir.file("proc/loadavg"), "0.50 0.40 0.30 2/300 12345\n");
  write_file(dir.file("proc/stat"), read_file("/proc/stat"));
  write_file(
      dir.file("agent.yaml"),
      "interval: 1s\npaths: {proc: " + dir.file("proc") +
          "}\ncollectors:\n"
          "  disk: {enabled: false}\n  diskio: {enabled: false}\n  network: {enabled: false}\n"
          "  pressure: {enabled: false}\n");
  std::string out, err;
  ASSERT_EQ(
      run({bin("sentinel-agent"), "--config", dir.file("agent.yaml"), "--once"}, &out, 30s, &err),
      0);
  EXPECT_NE(out.find("\"resource\":\"load\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"load1\":0.5"), std::string::npos) << out;
  EXPECT_EQ(out.find("\"resource\":\"memory\""), std::string::npos);
  size_t first = err.find("collector memory:");
  ASSERT_NE(first, std::string::npos) << err;
  EXPECT_NE(err.find("meminfo", first), std::string::npos) << "the error names the file: " << err;
  EXPECT_EQ(err.find("collector memory:", first + 1), std::string::npos)
      << "reported once, not every round:\n"
      << err;
}

}  // namespace
}  // namespace sentinel::test

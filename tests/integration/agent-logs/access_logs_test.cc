// sentinel-agent following access logs into http_logs on sentinel-devkafka; kcat reads back what
// it wrote. Every line carries a sequence number (in its path), so the tests check each line
// arrived exactly once: across rotation by rename and by copytruncate, a restart with a rotation
// while the agent was stopped, a broker outage with reading paused, and invalid lines. After a
// SIGKILL nothing is lost (lines acknowledged after the last checkpoint may come twice: counted);
// access logs switched on by a SIGHUP reload; --check-config names the sources.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/support/kafka_env.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string line_for(int seq) {
  return "10.0." + std::to_string(seq / 256 % 256) + "." + std::to_string(seq % 256) +
         " - - [22/Nov/2026:10:15:32 +0000] \"GET /item/" + std::to_string(seq) +
         "?q=1 HTTP/1.1\" " + (seq % 10 == 0 ? "503" : "200") + " " + std::to_string(seq) +
         " \"-\" \"loadgen \\\"v2\\\"\"\n";
}

void append_lines(const std::string& path, int from, int to) {
  std::ofstream out(path, std::ios::app);
  for (int i = from; i < to; ++i) out << line_for(i);
}

struct LogsAgent {
  LogsAgent(const TempDir& dir, const std::string& bootstrap, const std::string& extra = "") {
    fs::create_directories(dir.file("state"));
    write_file(dir.file("agent.yaml"),
               "host: web-test\ninterval: 10s\nkafka:\n  bootstrap.servers: set-by-flag:9092\n"
               "collectors:\n  disk: {enabled: false}\n"
               "logs:\n  read_from: beginning\n  state_dir: " +
                   dir.file("state") +
                   "\n"
                   "  poll_interval: 50ms\n  rotate_wait: 1s\n  checkpoint_interval: 100ms\n" +
                   extra + "  files:\n    web:\n      paths: [" + dir.file("logs") +
                   "/access.log]\n      format: combined\n");
    process = std::make_unique<Process>(std::vector<std::string>{bin("sentinel-agent"), "--config",
                                                                 dir.file("agent.yaml"),
                                                                 "--bootstrap-servers", bootstrap});
  }
  std::unique_ptr<Process> process;
};

// How often each sequence number arrived in http_logs, with every record's fields checked.
std::map<int, int> arrivals(const std::string& bootstrap, std::vector<std::string>* problems) {
  std::map<int, int> seen;
  for (const auto& r : kcat_consume(bootstrap, "http_logs")) {
    json j = json::parse(r.value, nullptr, false);
    if (j.is_discarded()) {
      problems->push_back("not JSON: " + r.value);
      continue;
    }
    std::string path = j.value("path", "");
    if (path.rfind("/item/", 0) != 0) {
      problems->push_back("unexpected path: " + r.value);
      continue;
    }
    int seq = std::stoi(path.substr(6));
    seen[seq]++;
    if (r.key != j["client_ip"] || j["host"] != "web-test" || j["method"] != "GET" ||
        j["protocol"] != "HTTP/1.1" || j["status"] != (seq % 10 == 0 ? 503 : 200) ||
        j["bytes"] != seq || j["user_agent"] != "loadgen \"v2\"" || j["ts"] != 1795342532000LL ||
        r.timestamp != 1795342532000LL || j["v"] != 1) {
      problems->push_back("fields differ: key " + r.key + " " + r.value);
    }
  }
  return seen;
}

size_t total(const std::map<int, int>& seen) {
  size_t n = 0;
  for (const auto& [seq, count] : seen) n += static_cast<size_t>(count);
  return n;
}

void expect_exactly_once(const std::string& bootstrap, int n) {
  std::vector<std::string> problems;
  auto seen = arrivals(bootstrap, &problems);
  for (size_t i = 0; i < problems.size() && i < 5; ++i) ADD_FAILURE() << problems[i];
  int missing = 0, twice = 0;
  std::string ranges;  // "a-b" runs of lines that did not arrive exactly once
  int run_start = -1;
  for (int i = 0; i <= n; ++i) {
    auto it = seen.find(i);
    bool bad = i < n && (it == seen.end() || it->second != 1);
    if (bad && run_start < 0) run_start = i;
    if (!bad && run_start >= 0) {
      ranges += " " + std::to_string(run_start) + "-" + std::to_string(i - 1);
      run_start = -1;
    }
    if (i == n) break;
    if (it == seen.end()) {
      if (++missing <= 5) ADD_FAILURE() << "line " << i << " never arrived";
    } else if (it->second != 1) {
      if (++twice <= 5) ADD_FAILURE() << "line " << i << " arrived " << it->second << " times";
    }
  }
  if (!ranges.empty()) ADD_FAILURE() << "lines not arrived exactly once:" << ranges;
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(twice, 0);
  EXPECT_EQ(seen.size(), static_cast<size_t>(n)) << "lines that were never written arrived";
}

bool arrived(const std::string& bootstrap, size_t n, std::chrono::milliseconds deadline = 30s) {
  return wait_until(
      [&] {
        std::vector<std::string> problems;
        return total(arrivals(bootstrap, &problems)) >= n;
      },
      deadline, 200ms);
}

TEST(AccessLogs, RotationByRenameAndByCopytruncateLosesAndDuplicatesNothing) {
  DevKafka kafka({"http_logs:3", "http_logs_invalid:1", "system_metrics:1"});
  TempDir dir;
  fs::create_directories(dir.file("logs"));
  std::string log = dir.file("logs") + "/access.log";
  append_lines(log, 0, 1000);
  LogsAgent agent(dir, kafka.bootstrap());
  ASSERT_TRUE(arrived(kafka.bootstrap(), 1000)) << agent.process->err();
  // logrotate's default: rename, and the web server keeps writing to the old file until it
  // reopens its logs; then a new file at the same name.
  fs::rename(log, log + ".1");
  append_lines(log + ".1", 1000, 1050);
  append_lines(log, 1050, 2000);
  ASSERT_TRUE(arrived(kafka.bootstrap(), 2000)) << agent.process->err();
  // copytruncate: the file is copied away and truncated in place; the writer goes on appending.
  // (The glob must not match the copies, or their lines are read again as a new file's.)
  fs::copy_file(log, log + ".2");
  fs::resize_file(log, 0);
  append_lines(log, 2000, 2100);
  ASSERT_TRUE(arrived(kafka.bootstrap(), 2100)) << agent.process->err();
  append_lines(log, 2100, 3000);
  ASSERT_TRUE(arrived(kafka.bootstrap(), 3000)) << agent.process->err();
  EXPECT_NE(agent.process->err().find("was truncated in place (copytruncate)"), std::string::npos);
  EXPECT_NE(agent.process->err().find("was rotated; reading the old file to its end"),
            std::string::npos);
  std::this_thread::sleep_for(1s);  // time for a duplicate to show, if there were one
  expect_exactly_once(kafka.bootstrap(), 3000);
}

TEST(AccessLogs, RestartResumesFromTheCheckpointAcrossARotationWhileStopped) {
  DevKafka kafka({"http_logs:3", "http_logs_invalid:1", "system_metrics:1"});
  TempDir dir;
  fs::create_directories(dir.file("logs"));
  std::string log = dir.file("logs") + "/access.log";
  append_lines(log, 0, 500);
  {
    LogsAgent agent(dir, kafka.bootstrap());
    ASSERT_TRUE(arrived(kafka.bootstrap(), 500)) << agent.process->err();
    agent.process->signal(SIGTERM);
    ASSERT_EQ(agent.process->wait(10s), 0) << agent.process->err();
  }
  std::string checkpoint = read_file(dir.file("state") + "/logs.checkpoint");
  EXPECT_NE(checkpoint.find("sentinel-agent-checkpoint 1\n"), std::string::npos) << checkpoint;
  EXPECT_NE(checkpoint.find(" " + std::to_string(fs::file_size(log)) + " "), std::string::npos)
      << "the checkpoint records the whole file: " << checkpoint;
  // While the agent is stopped: more lines, a rotation to a name the glob does not match (the
  // agent finds it by its inode next to the old name), more lines in the new file.
  append_lines(log, 500, 800);
  fs::rename(log, dir.file("logs") + "/old-access.log");
  append_lines(log, 800, 1000);
  LogsAgent agent(dir, kafka.bootstrap());
  ASSERT_TRUE(arrived(kafka.bootstrap(), 1000)) << agent.process->err();
  EXPECT_NE(agent.process->err().find("old-access.log from offset"), std::string::npos)
      << agent.process->err();
  std::this_thread::sleep_for(1s);
  expect_exactly_once(kafka.bootstrap(), 1000);
}

TEST(AccessLogs, BrokerOutagePausesReadingAndLosesNothing) {
  DevKafka kafka({"http_logs:3", "http_logs_invalid:1", "system_metrics:1"});
  TempDir dir;
  fs::create_directories(dir.file("logs"));
  std::string log = dir.file("logs") + "/access.log";
  append_lines(log, 0, 200);
  LogsAgent agent(dir, kafka.bootstrap(), "  max_inflight_bytes: 64KB\n");
  ASSERT_TRUE(arrived(kafka.bootstrap(), 200)) << agent.process->err();
  ASSERT_TRUE(kafka.control("down all"));
  append_lines(log, 200, 5000);  // ~450 KB: far more than may be in flight
  ASSERT_TRUE(wait_until(
      [&] {
        return agent.process->err().find("reading paused until it catches up") != std::string::npos;
      },
      10s))
      << agent.process->err();
  std::this_thread::sleep_for(2s);  // an outage of some length, not a wait for a condition
  ASSERT_TRUE(kafka.control("up all"));
  ASSERT_TRUE(arrived(kafka.bootstrap(), 5000, 60s)) << agent.process->err();
  EXPECT_NE(agent.process->err().find("Kafka caught up; reading again"), std::string::npos);
  std::this_thread::sleep_for(1s);
  expect_exactly_once(kafka.bootstrap(), 5000);
}

TEST(AccessLogs, SigkillLosesNoLineAndARestartGoesOn) {
  DevKafka kafka({"http_logs:3", "http_logs_invalid:1", "system_metrics:1"});
  TempDir dir;
  fs::create_directories(dir.file("logs"));
  std::string log = dir.file("logs") + "/access.log";
  append_lines(log, 0, 3000);
  {
    LogsAgent agent(dir, kafka.bootstrap());
    ASSERT_TRUE(arrived(kafka.bootstrap(), 1, 20s)) << agent.process->err();
    append_lines(log, 3000, 6000);
    agent.process->signal(SIGKILL);
    agent.process->wait(10s);
  }
  append_lines(log, 6000, 7000);
  LogsAgent agent(dir, kafka.bootstrap());
  ASSERT_TRUE(wait_until(
      [&] {
        std::vector<std::string> problems;
        return arrivals(kafka.bootstrap(), &problems).size() >= 7000;
      },
      60s, 200ms))
      << agent.process->err();
  std::vector<std::string> problems;
  auto seen = arrivals(kafka.bootstrap(), &problems);
  EXPECT_TRUE(problems.empty()) << problems.front();
  for (int i = 0; i < 7000; ++i) ASSERT_TRUE(seen.count(i)) << "line " << i << " lost";
  std::cout << "lines published twice after SIGKILL (acknowledged after the last checkpoint): "
            << total(seen) - seen.size() << std::endl;
}

TEST(AccessLogs, ReloadSwitchesAccessLogsOnAndCheckConfigNamesThem) {
  DevKafka kafka({"http_logs:3", "http_logs_invalid:1", "system_metrics:1"});
  TempDir dir;
  fs::create_directories(dir.file("logs"));
  fs::create_directories(dir.file("state"));
  std::string log = dir.file("logs") + "/access.log";
  append_lines(log, 0, 100);
  std::string base =
      "host: web-test\ninterval: 10s\nkafka:\n  bootstrap.servers: set-by-flag:9092\n"
      "collectors:\n  disk: {enabled: false}\n";
  write_file(dir.file("agent.yaml"), base);
  Process agent({bin("sentinel-agent"), "--config", dir.file("agent.yaml"), "--bootstrap-servers",
                 kafka.bootstrap()});
  ASSERT_TRUE(
      wait_until([&] { return agent.err().find("sentinel-agent ") != std::string::npos; }, 10s));
  std::string with_logs =
      base + "logs:\n  read_from: beginning\n  state_dir: " + dir.file("state") +
      "\n  files:\n    web:\n      paths: [" + log + "]\n      format: combined\n";
  write_file(dir.file("agent.yaml"), with_logs);
  std::string out;
  ASSERT_EQ(run({bin("sentinel-agent"), "--config", dir.file("agent.yaml"), "--bootstrap-servers",
                 "x:1", "--check-config"},
                &out),
            0);
  EXPECT_NE(out.find("access logs: 1 source(s) to http_logs"), std::string::npos) << out;
  agent.signal(SIGHUP);
  ASSERT_TRUE(arrived(kafka.bootstrap(), 100)) << agent.err();
  append_lines(log, 100, 200);
  ASSERT_TRUE(arrived(kafka.bootstrap(), 200)) << agent.err();
  std::this_thread::sleep_for(1s);
  expect_exactly_once(kafka.bootstrap(), 200);
}

TEST(AccessLogs, InvalidLinesArePublishedRawAndCountedAndNeverStopTheAgent) {
  DevKafka kafka({"http_logs:3", "http_logs_invalid:1", "system_metrics:1"});
  TempDir dir;
  fs::create_directories(dir.file("logs"));
  std::string log = dir.file("logs") + "/access.log";
  append_lines(log, 0, 10);
  {
    std::ofstream out(log, std::ios::app);
    out << "this is not an access log line\n"
        << "10.0.0.1 - - [22/Nov/2026:10:15:32 +0000] \"GET / HTTP/1.1\" 2x0 5 \"-\" \"-\"\n"
        << std::string(70000, 'x') << "\n";
  }
  append_lines(log, 10, 20);
  {
    std::ofstream out(log, std::ios::app);
    out << "10.0.0.9 - - [22/Nov/2026:10:15:32 +0000] \"-\" 400 0 \"-\" \"-\"\n";
  }
  LogsAgent agent(dir, kafka.bootstrap());
  ASSERT_TRUE(wait_until(
      [&] { return kcat_consume(kafka.bootstrap(), "http_logs_invalid").size() >= 3; }, 30s))
      << agent.process->err();
  ASSERT_TRUE(
      wait_until([&] { return kcat_consume(kafka.bootstrap(), "http_logs").size() >= 21; }, 30s))
      << agent.process->err();
  auto invalid = kcat_consume(kafka.bootstrap(), "http_logs_invalid");
  ASSERT_EQ(invalid.size(), 3u);
  EXPECT_EQ(invalid[0].value, "this is not an access log line");
  EXPECT_EQ(invalid[0].key, log);
  EXPECT_EQ(invalid[2].value.size(), 65536u) << "an over-long line is cut at 64 KiB";
  EXPECT_NE(agent.process->err().find("line does not parse (at column"), std::string::npos)
      << agent.process->err();
  bool dash_seen = false;
  for (const auto& r : kcat_consume(kafka.bootstrap(), "http_logs")) {
    json j = json::parse(r.value);
    if (j["client_ip"] == "10.0.0.9") dash_seen = j["method"] == "" && j["status"] == 400;
  }
  EXPECT_TRUE(dash_seen) << "a \"-\" request line is a valid line";
  EXPECT_TRUE(agent.process->running());
}

}  // namespace
}  // namespace sentinel::test

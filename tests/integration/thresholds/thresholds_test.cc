// sentinel-thresholds as a process: thresholds learned from a generated baseline history in a
// real broker sit above the baseline's error shares and below the anomalies loggen's scenario
// produces; --from/--to leave other records out; archive files (plain, .gz, envelope) are read;
// a failed write leaves the old file intact; bad flags and unreachable inputs exit non-zero
// with a message.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "alert-engine/thresholds_file.h"
#include "tests/support/kafka_env.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

using namespace std::chrono_literals;
using alerts::Dimension;
using alerts::StatusClass;

// 2026-11-22T00:00:00Z: the history lies in the past of the test's clock.
constexpr int64_t kT0 = 1795305600000;
const std::string kT0Text = "2026-11-22T00:00:00Z";

// The demo site without anomalies: the baseline the thresholds are learned from.
const std::string kBaseline = R"(host: web-1
rate: 20
clients:
  count: 200
  skew: 1.1
urls:
  - path: /
    weight: 10
  - path: /products/{id}
    weight: 20
    ids: 5000
  - path: /api/orders/{id}
    weight: 8
    ids: 100000
  - path: /static/app.js
    weight: 15
errors:
  4xx: 0.02
  5xx: 0.005
)";

// The same site with the scenario's anomalies.
const std::string kAnomalies = kBaseline + R"(anomalies:
  - type: ip_hammer
    ip: 203.0.113.66
    rate: 40
    error_share: 0.9
    start: 60s
    duration: 120s
  - type: url_errors
    path: /api/orders/{id}
    error_share: 0.6
    start: 60s
    duration: 120s
  - type: outage
    error_share: 0.85
    start: 240s
    duration: 120s
)";

// Every request 5xx for the whole run.
const std::string kAllErrors = R"(host: web-1
rate: 20
clients:
  count: 50
urls:
  - path: /
errors:
  4xx: 0.0
  5xx: 0.0
anomalies:
  - type: outage
    error_share: 1.0
    start: 0s
    duration: 24h
)";

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

void loggen_to_kafka(const std::string& bootstrap, const std::string& scenario, int64_t start_ms,
                     int lines, const std::string& seed = "7") {
  std::string err;
  ASSERT_EQ(run({bin("sentinel-loggen"), "--scenario", scenario, "--seed", seed, "--start-time",
                 std::to_string(start_ms), "--lines", std::to_string(lines),
                 "--as-fast-as-possible", "--kafka", "--bootstrap-servers", bootstrap},
                nullptr, 120s, &err),
            0)
      << err;
}

struct Outcome {
  int rc = -1;
  std::string out, err;
};

Outcome thresholds(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 120s) {
  Outcome r;
  std::vector<std::string> argv = {bin("sentinel-thresholds")};
  argv.insert(argv.end(), args.begin(), args.end());
  r.rc = run(argv, &r.out, timeout, &r.err);
  return r;
}

double share(const alerts::Thresholds& t, Dimension d, StatusClass c) {
  auto v = t.of(d).shares.get(c);
  EXPECT_TRUE(v.has_value()) << alerts::dimension_name(d) << " " << alerts::status_class_name(c);
  return v.value_or(-1);
}

TEST(SentinelThresholds, LearnedFromBaselineHistoryLieBetweenBaselineAndScenarioAnomalies) {
  TempDir dir;
  write_file(dir.file("baseline.yaml"), kBaseline);
  write_file(dir.file("anomalies.yaml"), kAnomalies);
  DevKafka kafka({"http_logs:3"});
  // 20 minutes of baseline traffic at 20 lines/s (devkafka keeps ~5 MB per partition: more
  // would be dropped from the busiest partition, keyed by client IP).
  loggen_to_kafka(kafka.bootstrap(), dir.file("baseline.yaml"), kT0, 24000);
  Outcome r = thresholds({"--bootstrap-servers", kafka.bootstrap(), "--from", kT0Text, "--to",
                          "2026-11-22T01:00:00Z", "--output", dir.file("thresholds.json")});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("threshold"), std::string::npos) << r.out;  // the summary table
  alerts::Thresholds t = alerts::load_thresholds(dir.file("thresholds.json"));
  auto meta = nlohmann::json::parse(read_file(dir.file("thresholds.json")))["_meta"];
  EXPECT_EQ(meta["generated_by"], "sentinel-thresholds");
  EXPECT_EQ(meta["records"], 24000) << meta.dump();
  EXPECT_EQ(meta["invalid_lines"], 0);
  EXPECT_EQ(meta["method"], "quantile");
  EXPECT_GE(meta["samples"]["global"]["samples"].get<int>(), 20);

  // Above the baseline's shares (scenario errors: 4xx 0.02, 5xx 0.005) …
  for (Dimension d : {Dimension::kGlobal, Dimension::kIp, Dimension::kUrl}) {
    EXPECT_GT(share(t, d, StatusClass::k5xx), 0.005) << alerts::dimension_name(d);
    EXPECT_GT(share(t, d, StatusClass::k4xx), 0.02) << alerts::dimension_name(d);
  }
  // … and below what the anomalies produce, as loggen itself states them.
  std::string expected, err;
  ASSERT_EQ(run({bin("sentinel-loggen"), "--scenario", dir.file("anomalies.yaml"), "--start-time",
                 kT0Text, "--expected-alerts"},
                &expected, 60s, &err),
            0)
      << err;
  int checked = 0;
  for (const auto& line : split_lines(expected)) {
    auto a = nlohmann::json::parse(line);
    std::string dim = a["dimension"];
    Dimension d = dim == "global" ? Dimension::kGlobal
                  : dim == "ip"   ? Dimension::kIp
                                  : Dimension::kUrl;
    StatusClass c = a["status_class"] == "5xx" ? StatusClass::k5xx : StatusClass::k4xx;
    double anomaly = a["status_share"];
    std::string key = a["key"];
    auto learned = t.lookup(d, c, key);
    ASSERT_TRUE(learned.has_value()) << line;
    EXPECT_LT(*learned, anomaly) << line;
    EXPECT_GT(*learned, a["baseline_error_share"].get<double>() / 2) << line;
    ++checked;
  }
  EXPECT_EQ(checked, 3) << expected;
}

TEST(SentinelThresholds, RecordsOutsideFromAndToAreNotCounted) {
  TempDir dir;
  write_file(dir.file("baseline.yaml"), kBaseline);
  write_file(dir.file("errors.yaml"), kAllErrors);
  DevKafka kafka({"http_logs:3"});
  // An hour before --from: every request failed.
  loggen_to_kafka(kafka.bootstrap(), dir.file("errors.yaml"), kT0 - 3600'000, 3000);
  // The range: 10 minutes of baseline.
  loggen_to_kafka(kafka.bootstrap(), dir.file("baseline.yaml"), kT0, 12000);
  // After --to, produced by another client (Kafka timestamp: now): failures again.
  std::vector<std::string> late;
  for (int i = 0; i < 200; ++i) {
    late.push_back("{\"v\":1,\"host\":\"web-1\",\"ts\":" + std::to_string(kT0 + 7200'000 + i) +
                   ",\"client_ip\":\"198.51.100.9\",\"path\":\"/\",\"status\":503}");
  }
  late.push_back("not a record");
  ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "http_logs", late));

  Outcome r = thresholds({"--bootstrap-servers", kafka.bootstrap(), "--from", kT0Text, "--to",
                          "2026-11-22T01:00:00Z", "--output", dir.file("t.json")});
  ASSERT_EQ(r.rc, 0) << r.err;
  auto meta = nlohmann::json::parse(read_file(dir.file("t.json")))["_meta"];
  EXPECT_EQ(meta["records"], 12000) << meta.dump();
  alerts::Thresholds t = alerts::load_thresholds(dir.file("t.json"));
  EXPECT_LT(share(t, Dimension::kGlobal, StatusClass::k5xx), 0.2);
  EXPECT_LT(share(t, Dimension::kIp, StatusClass::k5xx), 0.5);

  // Without --to: up to the end of the topic at start, so the later records count too.
  Outcome open_ended = thresholds({"--bootstrap-servers", kafka.bootstrap(), "--from", kT0Text,
                                   "--output", dir.file("open.json")});
  ASSERT_EQ(open_ended.rc, 0) << open_ended.err;
  auto open_meta = nlohmann::json::parse(read_file(dir.file("open.json")))["_meta"];
  EXPECT_EQ(open_meta["records"], 12000 + 200) << open_meta.dump();
  EXPECT_FALSE(open_meta["range"].contains("to"));
  // From before the failing history: everything counts, and the 5xx share shows up.
  Outcome all = thresholds({"--bootstrap-servers", kafka.bootstrap(), "--from",
                            std::to_string(kT0 - 3600'000), "--output", dir.file("all.json")});
  ASSERT_EQ(all.rc, 0) << all.err;
  auto all_meta = nlohmann::json::parse(read_file(dir.file("all.json")))["_meta"];
  EXPECT_EQ(all_meta["records"], 3000 + 12000 + 200) << all_meta.dump();
  EXPECT_EQ(all_meta["invalid_lines"], 1);
  EXPECT_NE(all.err.find("not JSON"), std::string::npos) << all.err;
  alerts::Thresholds ta = alerts::load_thresholds(dir.file("all.json"));
  EXPECT_GT(share(ta, Dimension::kGlobal, StatusClass::k5xx), 0.9);
}

// An http_logs record with the given time and status.
std::string rec(int64_t ts, int status, int n) {
  return "{\"v\":1,\"host\":\"shop\",\"ts\":" + std::to_string(ts) + ",\"client_ip\":\"10.0.0." +
         std::to_string(n % 50) + "\",\"path\":\"/api/orders/" + std::to_string(n) +
         "?x=1\",\"status\":" + std::to_string(status) + "}";
}

std::string envelope(const std::string& value) {
  std::string escaped;
  for (char c : value) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return "{\"topic\":\"http_logs\",\"partition\":1,\"offset\":7,\"timestamp\":1,\"key\":null,"
         "\"value\":\"" +
         escaped + "\",\"headers\":[]}";
}

TEST(SentinelThresholds, ArchiveFilesPlainGzipAndEnvelopeAreRead) {
  TempDir dir;
  ASSERT_EQ(::mkdir(dir.file("archive").c_str(), 0755), 0);
  // 30 windows of 100 requests; window i has i 5xx responses: shares 0.00 … 0.29.
  std::string plain, gz, env;
  for (int w = 0; w < 30; ++w) {
    for (int i = 0; i < 100; ++i) {
      std::string line = rec(kT0 + w * 60'000 + i * 100, i < w ? 500 : 200, i) + "\n";
      if (w < 10) {
        plain += line;
      } else if (w < 20) {
        gz += line;
      } else {
        env += envelope(line.substr(0, line.size() - 1)) + "\n";
      }
    }
  }
  plain += "garbage line\n";
  write_file(dir.file("archive/http_logs-0.log"), plain);
  gzFile f = gzopen(dir.file("archive/http_logs-1.log.gz").c_str(), "wb");
  ASSERT_NE(f, nullptr);
  gzwrite(f, gz.data(), static_cast<unsigned>(gz.size()));
  gzclose(f);
  write_file(dir.file("archive/http_logs-2.log"), env);
  write_file(dir.file("archive/.http_logs-3.log.gz.partial"), "not finished");

  Outcome r = thresholds(
      {"--archive", dir.file("archive"), "--floor", "0.01", "--output", dir.file("t.json")});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.err.find(dir.file("archive/http_logs-0.log") + ":1001: not JSON"), std::string::npos)
      << r.err;
  auto meta = nlohmann::json::parse(read_file(dir.file("t.json")))["_meta"];
  EXPECT_EQ(meta["records"], 3000);
  EXPECT_EQ(meta["lines_read"], 3001);
  EXPECT_EQ(meta["invalid_lines"], 1);
  alerts::Thresholds t = alerts::load_thresholds(dir.file("t.json"));
  // The 0.99 quantile of 0.00 … 0.29 (linear interpolation): 0.2871.
  EXPECT_DOUBLE_EQ(share(t, Dimension::kGlobal, StatusClass::k5xx), 0.2871);
  EXPECT_DOUBLE_EQ(share(t, Dimension::kGlobal, StatusClass::k4xx), 0.01);  // the floor
  // One URL key: /api/orders/{id}, query dropped.
  EXPECT_EQ(meta["samples"]["url"]["keys"], 1);

  // mean-stddev and median-mad from the same files.
  Outcome ms = thresholds({"--archive", dir.file("archive"), "--method", "median-mad", "--k", "1",
                           "--floor", "0", "--output", dir.file("m.json")});
  ASSERT_EQ(ms.rc, 0) << ms.err;
  // median 0.145, MAD 0.075 → 0.22.
  EXPECT_DOUBLE_EQ(
      share(alerts::load_thresholds(dir.file("m.json")), Dimension::kGlobal, StatusClass::k5xx),
      0.22);
}

TEST(SentinelThresholds, KeysAboveTheirDimensionGetOverrides) {
  TempDir dir;
  // 100 quiet clients and one (10.9.9.9) whose requests are half 4xx, every window.
  std::string text;
  for (int w = 0; w < 30; ++w) {
    for (int c = 0; c <= 100; ++c) {
      std::string ip = c == 100 ? "10.9.9.9" : "10.1.0." + std::to_string(c);
      for (int i = 0; i < 10; ++i) {
        int status = c == 100 && i % 2 == 0 ? 404 : 200;
        text += "{\"host\":\"shop\",\"ts\":" + std::to_string(kT0 + w * 60'000 + c * 100 + i) +
                ",\"client_ip\":\"" + ip +
                "\",\"path\":\"/\",\"status\":" + std::to_string(status) + "}\n";
      }
    }
  }
  write_file(dir.file("h.log"), text);
  Outcome r = thresholds({"--archive", dir.file("h.log"), "--per-key-min-windows", "20", "--output",
                          dir.file("t.json")});
  ASSERT_EQ(r.rc, 0) << r.err;
  alerts::Thresholds t = alerts::load_thresholds(dir.file("t.json"));
  EXPECT_DOUBLE_EQ(share(t, Dimension::kIp, StatusClass::k4xx), 0.05);  // the floor
  ASSERT_EQ(t.ip.keys.size(), 1u);
  EXPECT_EQ(t.ip.keys.begin()->first, "10.9.9.9");
  EXPECT_EQ(t.ip.keys.begin()->second.err4xx, 0.5);
  EXPECT_EQ(t.ip.keys.begin()->second.err5xx, std::nullopt);  // not above the dimension's
  EXPECT_EQ(t.lookup(Dimension::kIp, StatusClass::k4xx, "10.9.9.9"), 0.5);
  EXPECT_EQ(t.lookup(Dimension::kIp, StatusClass::k4xx, "10.1.0.1"), 0.05);

  // Off by default.
  Outcome plain = thresholds({"--archive", dir.file("h.log"), "--output", dir.file("p.json")});
  ASSERT_EQ(plain.rc, 0) << plain.err;
  EXPECT_TRUE(alerts::load_thresholds(dir.file("p.json")).ip.keys.empty());
}

TEST(SentinelThresholds, FailedWriteLeavesTheOldFileIntact) {
  TempDir dir;
  write_file(dir.file("h.log"), rec(kT0, 500, 1) + "\n" + rec(kT0 + 1, 200, 2) + "\n");
  const std::string old = "{\"global\": 0.1, \"ip\": 0.3, \"url\": 0.5}\n";
  write_file(dir.file("thresholds.json"), old);
  // The file size limit makes the write fail (EFBIG), as a full disk would, root included.
  // Its output goes through a pipe (not limited) to the test's capture file.
  std::string out;
  int rc = run({"/bin/sh", "-c",
                "{ (trap '' XFSZ; ulimit -f 0; exec \"$0\" --archive \"$1\" --min-requests 1 "
                "--output \"$2\") 2>&1; echo \"exit=$?\"; } | cat",
                bin("sentinel-thresholds"), dir.file("h.log"), dir.file("thresholds.json")},
               &out, 60s);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(out.find("exit=1"), std::string::npos) << out;
  EXPECT_NE(out.find(dir.file("thresholds.json") + ": write "), std::string::npos) << out;
  EXPECT_NE(out.find("File too large"), std::string::npos) << out;
  EXPECT_EQ(read_file(dir.file("thresholds.json")), old);
  std::string listing;
  run({"/bin/ls", "-A", dir.path()}, &listing);
  EXPECT_EQ(listing, "h.log\nthresholds.json\n");
}

TEST(SentinelThresholds, UnwritableDirectoryLeavesTheOldFileIntact) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes into a read-only directory";
  TempDir dir;
  ASSERT_EQ(::mkdir(dir.file("etc").c_str(), 0755), 0);
  write_file(dir.file("h.log"), rec(kT0, 500, 1) + "\n");
  write_file(dir.file("etc/thresholds.json"), "{\"global\": 0.1}");
  ASSERT_EQ(::chmod(dir.file("etc").c_str(), 0555), 0);
  Outcome r = thresholds({"--archive", dir.file("h.log"), "--min-requests", "1", "--output",
                          dir.file("etc/thresholds.json")});
  ::chmod(dir.file("etc").c_str(), 0755);
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(dir.file("etc/thresholds.json")), "{\"global\": 0.1}");
}

TEST(SentinelThresholds, BadFlagsExitNonZeroWithAMessage) {
  TempDir dir;
  write_file(dir.file("h.log"), rec(kT0, 200, 1) + "\n");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<Case> cases = {
      {{"--archive", dir.file("h.log"), "--dry-run", "--method", "p99"}, "--method \"p99\""},
      {{"--archive", dir.file("h.log"), "--dry-run", "--window", "5x"}, "--window \"5x\""},
      {{"--archive", dir.file("h.log"), "--dry-run", "--from", "yesterday"}, "\"yesterday\""},
      {{"--archive", dir.file("h.log"), "--dry-run", "--from", "2026-11-22T01:00:00Z", "--to",
        "2026-11-22T00:00:00Z"},
       "--to must be after --from"},
      {{"--archive", dir.file("h.log")}, "--output FILE, or --dry-run"},
      {{"--dry-run"}, "no input"},
      {{"--bootstrap-servers", "127.0.0.1:1", "--dry-run"}, "--from is required"},
      {{"--bootstrap-servers", "127.0.0.1:1", "--from", "-1h", "--kafka", "nonsense", "--dry-run"},
       "expected prop=value"},
      {{"--bootstrap-servers", "127.0.0.1:1", "--from", "-1h", "--kafka", "no.such.prop=1",
        "--dry-run"},
       "no.such.prop"},
      {{"--archive", dir.file("h.log"), "--bootstrap-servers", "x:1", "--dry-run"},
       "do not combine"},
      {{"--archive", dir.file("h.log"), "--dry-run", "--quantile", "2"}, "--quantile"},
      {{"--archive", dir.file("h.log"), "--dry-run", "--url-rule", "(x=y"}, "--url-rule"},
  };
  for (const auto& c : cases) {
    Outcome r = thresholds(c.args, 30s);
    EXPECT_NE(r.rc, 0) << c.message;
    EXPECT_NE((r.err + r.out).find(c.message), std::string::npos)
        << "expected \"" << c.message << "\" in: " << r.err << r.out;
  }
}

TEST(SentinelThresholds, UnreachableBrokerMissingFileAndEmptyRangeAreErrors) {
  TempDir dir;
  Outcome down = thresholds(
      {"--bootstrap-servers", "127.0.0.1:1", "--from", "-1h", "--timeout", "2s", "--dry-run"});
  EXPECT_EQ(down.rc, 1);
  EXPECT_NE(down.err.find("Kafka at 127.0.0.1:1"), std::string::npos) << down.err;

  Outcome missing = thresholds({"--archive", dir.file("nope.log.gz"), "--dry-run"});
  EXPECT_EQ(missing.rc, 1);
  EXPECT_NE(missing.err.find(dir.file("nope.log.gz")), std::string::npos) << missing.err;

  write_file(dir.file("h.log"), rec(kT0, 200, 1) + "\n");
  Outcome empty =
      thresholds({"--archive", dir.file("h.log"), "--from", "2026-11-23T00:00:00Z", "--dry-run"});
  EXPECT_EQ(empty.rc, 1);
  EXPECT_NE(empty.err.find("no http_logs records in range"), std::string::npos) << empty.err;
  EXPECT_NE(empty.err.find("1 outside the range"), std::string::npos) << empty.err;
}

}  // namespace
}  // namespace sentinel::test

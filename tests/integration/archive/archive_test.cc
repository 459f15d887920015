// RotatingFileSink end to end: sentinel-connect as a process against sentinel-devkafka over TCP,
// kcat producing and reading back. Covers: exactly-once across SIGKILLs at random moments while
// archiving with two tasks (short loop by default, 200 000 records × 20 kills under `soak`); a
// full disk (write-fault injection with LD_PRELOAD: short writes, then ENOSPC) failing the task
// with a clear trace, committing nothing beyond what is durable, resuming after space is freed;
// a real `tail -F` seeing every line across rotations; the archive's position winning over a
// consumer group offset moved behind or ahead; bad configurations refused by /config/validate.
#include <gtest/gtest.h>
#include <signal.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "common/kafka.h"
#include "tests/support/build_paths.h"
#include "tests/support/connect_worker.h"
#include "tests/support/kafka_env.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The soak build gets its own test name: CTest labels are set per test name, so a shared name
// would put the short loop under `soak` too and out of the default run.
#ifdef ARCHIVE_SOAK
constexpr int kCrashRecords = 200000;
constexpr int kCrashKills = 20;
#define CRASH_LOOP_TEST Soak200kRecords20KillsLeaveEveryOffsetExactlyOnceAndEveryLineWhole
#else
constexpr int kCrashRecords = 8000;
constexpr int kCrashKills = 2;
#define CRASH_LOOP_TEST CrashLoopLeavesEveryOffsetExactlyOnceAndEveryLineWhole
#endif

// ---------------------------------------------------------------------------------------------
// Reading the archive back: every file (plain, .gz, .zst), lines as they are on disk.

std::string decompress_zstd(const std::string& packed) {
  std::string out;
  ZSTD_DStream* ds = ZSTD_createDStream();
  ZSTD_inBuffer in{packed.data(), packed.size(), 0};
  std::vector<char> buf(ZSTD_DStreamOutSize());
  while (in.pos < in.size) {
    ZSTD_outBuffer o{buf.data(), buf.size(), 0};
    if (ZSTD_isError(ZSTD_decompressStream(ds, &o, &in))) break;
    out.append(buf.data(), o.pos);
  }
  ZSTD_freeDStream(ds);
  return out;
}

std::string read_archive_file(const fs::path& p) {
  if (p.extension() == ".gz") {
    std::string out;
    gzFile f = gzopen(p.c_str(), "rb");
    char buf[65536];
    int n;
    while (f && (n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    if (f) gzclose(f);
    return out;
  }
  if (p.extension() == ".zst") return decompress_zstd(read_file(p.string()));
  return read_file(p.string());
}

struct ArchiveFile {
  std::string path;
  std::string text;
};

// Every archive file under `root` (the state directory and hidden partial files left out).
std::vector<ArchiveFile> archive_files(const std::string& root) {
  std::vector<ArchiveFile> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->is_directory() && name == ".sentinel-archive") {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || name[0] == '.') continue;
    out.push_back({it->path().string(), read_archive_file(it->path())});
  }
  std::sort(out.begin(), out.end(),
            [](const ArchiveFile& a, const ArchiveFile& b) { return a.path < b.path; });
  return out;
}

size_t count_lines(const std::string& root) {
  size_t n = 0;
  for (const auto& f : archive_files(root))
    n += static_cast<size_t>(std::count(f.text.begin(), f.text.end(), '\n'));
  return n;
}

// What an envelope archive holds, checked line by line: whole JSON lines, one partition a file.
struct Holdings {
  std::map<std::pair<int, int64_t>, int> count;  // (partition, offset) → times archived
  std::map<std::pair<int, int64_t>, std::string> value;
  std::vector<std::string> problems;
};

Holdings read_envelopes(const std::string& root) {
  Holdings h;
  for (const auto& f : archive_files(root)) {
    if (!f.text.empty() && f.text.back() != '\n')
      h.problems.push_back(f.path + ": last line has no newline");
    std::istringstream in(f.text);
    std::string line;
    std::set<int> partitions;
    int64_t previous = -1;
    while (std::getline(in, line)) {
      json j = json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.contains("offset") || !j.contains("partition")) {
        h.problems.push_back(f.path + ": not a whole envelope line: " + line.substr(0, 120));
        continue;
      }
      int p = j["partition"];
      int64_t o = j["offset"];
      partitions.insert(p);
      if (o <= previous)
        h.problems.push_back(f.path + ": offset " + std::to_string(o) + " after " +
                             std::to_string(previous));
      previous = o;
      h.count[{p, o}]++;
      h.value[{p, o}] = j["value"].is_string() ? j["value"].get<std::string>() : "null";
    }
    if (partitions.size() > 1)
      h.problems.push_back(f.path + ": holds several partitions (two writers?)");
  }
  return h;
}

// ---------------------------------------------------------------------------------------------
// The worker as a process (tests/support/connect_worker.h), driven over REST.

// A worker archiving under `archive_root`, with `env` added to its environment.
ConnectWorker start_worker(const TempDir& dir, const std::string& bootstrap,
                           const std::string& archive_root,
                           std::map<std::string, std::string> env = {}) {
  return ConnectWorker(dir, bootstrap,
                       "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
                       "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
                       "offset.flush.interval.ms=500\n"
                       "consumer.session.timeout.ms=6000\nconsumer.heartbeat.interval.ms=300\n"
                       "plugin.path=" +
                           built(plugin_dir()) +
                           "\n"
                           "archive.root=" +
                           archive_root + "\n",
                       {.env = std::move(env)});
}

std::string connector(const std::string& name, json config) {
  config["connector.class"] = "RotatingFileSink";
  return json{{"name", name}, {"config", config}}.dump();
}

// `n` alert-like records keyed over 64 hosts, the value carrying its sequence number.
std::vector<std::string> alerts(int from, int to) {
  std::vector<std::string> v;
  for (int i = from; i < to; ++i) {
    v.push_back("web-" + std::to_string(i % 64) + "\t{\"v\":1,\"id\":\"cpu_high/host=web-" +
                std::to_string(i % 64) + "\",\"state\":\"firing\",\"seq\":" + std::to_string(i) +
                "}");
  }
  return v;
}

// The archive against the topic as kcat reads it: every record exactly once, with its value.
void expect_exactly_once(const std::string& bootstrap, const std::string& topic,
                         const std::string& root) {
  std::vector<KafkaRecord> in_kafka = kcat_consume(bootstrap, topic);
  Holdings h = read_envelopes(root);
  for (size_t i = 0; i < h.problems.size() && i < 10; ++i) ADD_FAILURE() << h.problems[i];
  size_t missing = 0, wrong = 0;
  for (const auto& r : in_kafka) {
    auto key = std::make_pair(r.partition, static_cast<int64_t>(r.offset));
    auto it = h.count.find(key);
    if (it == h.count.end()) {
      if (++missing <= 5)
        ADD_FAILURE() << "missing partition " << r.partition << " offset " << r.offset;
      continue;
    }
    if (it->second != 1)
      ADD_FAILURE() << "partition " << r.partition << " offset " << r.offset << " archived "
                    << it->second << " times";
    if (h.value[key] != r.value && ++wrong <= 5)
      ADD_FAILURE() << "value differs at " << r.partition << "/" << r.offset;
  }
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(h.count.size(), in_kafka.size()) << "the archive holds records the topic does not";
}

std::map<int, int64_t> recorded_next(const std::string& state_dir) {
  std::map<int, int64_t> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(state_dir, ec)) {
    if (e.path().extension() != ".state") continue;
    std::istringstream in(read_file(e.path().string()));
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream f(line);
      std::string word, topic;
      int p;
      int64_t first, last, next;
      if (f >> word >> topic >> p >> first >> last >> next && word == "partition") out[p] = next;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

TEST(ArchiveSink, CRASH_LOOP_TEST) {
  DevKafka kafka({"system_alerts:8"});
  TempDir dir;
  std::string root = dir.file("archive");
  fs::create_directories(root);
  std::string config = connector("archive", {{"topics", "system_alerts"},
                                             {"tasks.max", "2"},
                                             {"path", "{topic}/{partition}/alerts.log"},
                                             {"format", "envelope"},
                                             {"rotate.max.bytes", "65536"},
                                             {"compression", "gzip"},
                                             {"flush.max.records", "500"},
                                             {"flush.interval.ms", "50"}});
  // Records keep arriving while the worker is killed and restarted, spread so that production
  // lasts until the last kill; so every kill lands while the sink is archiving: in a write, an
  // fsync, a state update, a rename or a compression.
  std::atomic<int> produced{0};
  std::atomic<int> kills{0};
  std::atomic<bool> stop_producing{false};
  std::thread producer([&] {
    while (produced < kCrashRecords && !stop_producing) {
      // About 30 chunks per kill cycle, always keeping some back until the last kill.
      int left = kCrashRecords - produced;
      int chunks_left = std::max(0, kCrashKills - kills) * 30;
      int to = chunks_left == 0
                   ? kCrashRecords
                   : produced + std::min(left - 1, std::max(20, left / (chunks_left + 30)));
      if (to <= produced) {
        std::this_thread::sleep_for(100ms);
        continue;
      }
      if (!kcat_produce(kafka.bootstrap(), "system_alerts", alerts(produced, to), true)) break;
      produced = to;
      if (chunks_left > 0) std::this_thread::sleep_for(100ms);
    }
  });
  struct JoinOnExit {
    std::thread& thread;
    std::atomic<bool>& stop;
    ~JoinOnExit() {
      stop = true;  // only matters when an assertion left the test early
      if (thread.joinable()) thread.join();
    }
  } join_on_exit{producer, stop_producing};
  unsigned seed = std::random_device{}();
  std::cout << "random seed " << seed << std::endl;
  std::mt19937 rng(seed);
  int mid_archive_kills = 0;
  for (bool created = false; kills < kCrashKills; ++kills) {
    ConnectWorker w = start_worker(dir, kafka.bootstrap(), root);
    if (!created) {
      auto [s, body] = w.send("POST", "/connectors", config);
      ASSERT_EQ(s, 201) << body;
      created = true;
    }
    auto archived = [&] {
      int64_t sum = 0;
      for (const auto& [p, next] : recorded_next(root + "/.sentinel-archive")) sum += next;
      return sum;
    };
    int64_t before = archived();
    if (!wait_until([&] { return archived() > before; }, 60s, 20ms)) break;
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 1000)(rng)));
    w.process().signal(SIGKILL);
    w.process().wait(10s);
    size_t lines = count_lines(root);
    if (lines < static_cast<size_t>(kCrashRecords)) ++mid_archive_kills;
    std::cout << "kill " << kills.load() + 1 << ": " << lines << " lines on disk, " << produced
              << " produced" << std::endl;
  }
  stop_producing = kills < kCrashKills;  // a failed assertion above: do not wait for the rest
  producer.join();
  ASSERT_EQ(produced, kCrashRecords);
  EXPECT_GE(mid_archive_kills, kCrashKills - 1)
      << "the archive finished before the worker could be killed often";
  ConnectWorker w = start_worker(dir, kafka.bootstrap(), root);
  ASSERT_TRUE(wait_until([&] { return count_lines(root) >= static_cast<size_t>(kCrashRecords); },
                         180s, 200ms))
      << count_lines(root) << " of " << kCrashRecords << " after " << kills << " kills\n"
      << w.process().err();
  // Compression finishes what the kills interrupted: no plain rotated file, no partial file.
  EXPECT_TRUE(wait_until(
      [&] {
        for (const auto& e : fs::recursive_directory_iterator(root)) {
          std::string n = e.path().filename().string();
          if (n.ends_with(".partial")) return false;
          if (std::regex_match(n, std::regex(R"(alerts\.log\.\d{8}-\d{6}\..*)")) &&
              !n.ends_with(".gz"))
            return false;
        }
        return true;
      },
      30s));
  expect_exactly_once(kafka.bootstrap(), "system_alerts", root);
  EXPECT_EQ(count_lines(root), static_cast<size_t>(kCrashRecords));
}

#ifndef ARCHIVE_SOAK

// Commits `offsets` (partition → offset) of `topic` for `group` as a member of it: joins,
// waits for the assignment, commits, leaves.
bool commit_as_member(const std::string& bootstrap, const std::string& group,
                      const std::string& topic, const std::map<int, int64_t>& offsets) {
  std::string error;
  kafka::Conf conf =
      kafka::make_conf({{"bootstrap.servers", bootstrap},
                        {"group.id", group},
                        {"enable.auto.commit", "false"},
                        {"session.timeout.ms",
                         "6000"}},  // as the worker's: the dev broker may hold a member that left
                       &error);
  kafka::Handle c = conf ? kafka::make_handle(RD_KAFKA_CONSUMER, std::move(conf), &error) : nullptr;
  if (!c) {
    ADD_FAILURE() << error;
    return false;
  }
  rd_kafka_poll_set_consumer(c.get());
  kafka::TopicPartitionList subscription(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(subscription.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(c.get(), subscription.get());
  bool assigned = wait_until(
      [&] {
        if (rd_kafka_message_t* m = rd_kafka_consumer_poll(c.get(), 100))
          rd_kafka_message_destroy(m);
        rd_kafka_topic_partition_list_t* a = nullptr;
        bool all = rd_kafka_assignment(c.get(), &a) == RD_KAFKA_RESP_ERR_NO_ERROR && a &&
                   a->cnt == static_cast<int>(offsets.size());
        if (a) rd_kafka_topic_partition_list_destroy(a);
        return all;
      },
      30s, 1ms);
  kafka::TopicPartitionList list(
      rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& [p, off] : offsets)
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = off;
  rd_kafka_resp_err_t err =
      assigned ? rd_kafka_commit(c.get(), list.get(), 0) : RD_KAFKA_RESP_ERR__TIMED_OUT;
  rd_kafka_consumer_close(c.get());
  EXPECT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
  return err == RD_KAFKA_RESP_ERR_NO_ERROR;
}

TEST(ArchiveSink, FullDiskFailsTheTaskCommitsOnlyDurableDataAndResumesWhenSpaceIsFreed) {
  // Technique: LD_PRELOAD write-fault injection (enospc_inject.c) — short writes, then ENOSPC —
  // on the archive directory only, switched on and off with a trigger file. Needs no root and no
  // mount. The connector restarts failed tasks itself (sentinel.task.restart.*), so this also
  // shows the automatic retry resuming once space is freed.
  DevKafka kafka({"system_alerts:2"});
  TempDir dir;
  std::string root = dir.file("archive");
  fs::create_directories(root);
  std::string trigger = dir.file("disk-full");
  ConnectWorker w = start_worker(dir, kafka.bootstrap(), root,
                                 {{"LD_PRELOAD", built(enospc_injector())},
                                  {"SENTINEL_ENOSPC_TRIGGER", trigger},
                                  {"SENTINEL_ENOSPC_PREFIX", fs::canonical(root).string() + "/"},
                                  {"ASAN_OPTIONS", "verify_asan_link_order=0:detect_leaks=0"}});
  ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "system_alerts", alerts(0, 2000), true));
  auto [s, body] = w.send("POST", "/connectors",
                          connector("archive", {{"topics", "system_alerts"},
                                                {"path", "{topic}-{partition}.log"},
                                                {"format", "envelope"},
                                                {"flush.max.records", "100"},
                                                {"compression", "none"},
                                                {"sentinel.task.restart.max.attempts", "-1"},
                                                {"sentinel.task.restart.backoff.ms", "1000"}}));
  ASSERT_EQ(s, 201) << body;
  ASSERT_TRUE(wait_until([&] { return count_lines(root) >= 2000; }, 30s));
  write_file(trigger, "");  // the disk fills up
  ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "system_alerts", alerts(2000, 4000), true));
  json failed;
  ASSERT_TRUE(wait_until(
      [&] {
        failed = w.task("archive");
        return failed["state"] == "FAILED";
      },
      30s, 20ms))
      << w.task("archive");
  std::string trace = failed["trace"];
  EXPECT_NE(trace.find("No space left on device"), std::string::npos) << trace;
  // The first write to meet the full disk is the archive file's or, when a flush had just
  // finished, the archive state's temporary file: either way the trace names it.
  bool names_archive_file = trace.find("write(\"" + fs::canonical(root).string() +
                                       "/system_alerts-") != std::string::npos;
  bool names_state_file =
      std::regex_search(trace, std::regex(R"(write [^ ]*\.sentinel-archive/[^ ]*\.tmp: )"));
  EXPECT_TRUE(names_archive_file || names_state_file) << trace;
  // Nothing beyond what is durable and recorded in the archive is committed.
  std::map<int, int64_t> durable = recorded_next(root + "/.sentinel-archive");
  std::map<int, int64_t> committed = w.offsets("archive");
  EXPECT_FALSE(committed.empty());
  for (const auto& [p, off] : committed)
    EXPECT_LE(off, durable[p]) << "partition " << p << " committed past the archive";
  // Space is freed: the next automatic restart resumes from the archive, repairing torn tails.
  fs::remove(trigger);
  ASSERT_TRUE(wait_until([&] { return count_lines(root) >= 4000; }, 60s)) << count_lines(root);
  ASSERT_TRUE(wait_until([&] { return w.task("archive")["state"] == "RUNNING"; }, 10s));
  expect_exactly_once(kafka.bootstrap(), "system_alerts", root);
}

TEST(ArchiveSink, TailFollowSeesEveryLineAcrossRotations) {
  DevKafka kafka({"system_alerts:1"});
  TempDir dir;
  std::string root = dir.file("archive");
  fs::create_directories(root);
  std::string active = root + "/alerts.log";
  Process tail({"tail", "-F", "-n", "+1", "-s", "0.1", active});
  ConnectWorker w = start_worker(dir, kafka.bootstrap(), root);
  auto [s, body] = w.send("POST", "/connectors",
                          connector("archive", {{"topics", "system_alerts"},
                                                {"file", "alerts.log"},
                                                {"rotate.max.bytes", "4000"},
                                                {"compression", "gzip"},
                                                {"flush.interval.ms", "100"}}));
  ASSERT_EQ(s, 201) << body;
  std::vector<std::string> expected;
  for (int round = 0; round < 8; ++round) {
    std::vector<std::string> batch = alerts(round * 40, round * 40 + 40);
    ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "system_alerts", batch, true));
    for (const auto& b : batch) expected.push_back(b.substr(b.find('\t') + 1));
    ASSERT_TRUE(wait_until(
        [&] {
          std::string out = tail.out();
          return static_cast<size_t>(std::count(out.begin(), out.end(), '\n')) >= expected.size();
        },
        20s))
        << "round " << round << ": tail saw\n"
        << tail.out();
  }
  std::vector<std::string> seen;
  std::istringstream in(tail.out());
  for (std::string line; std::getline(in, line);) seen.push_back(line);
  EXPECT_EQ(seen, expected);
  size_t rotated = 0;
  for (const auto& e : fs::directory_iterator(root))
    rotated += e.path().filename().string().rfind("alerts.log.", 0) == 0;
  EXPECT_GE(rotated, 4u) << "the lines crossed fewer rotations than intended";
}

TEST(ArchiveSink, TheArchivePositionWinsOverAGroupOffsetMovedBehindOrAhead) {
  DevKafka kafka({"system_alerts:2"});
  TempDir dir;
  std::string root = dir.file("archive");
  fs::create_directories(root);
  ConnectWorker w = start_worker(dir, kafka.bootstrap(), root);
  ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "system_alerts", alerts(0, 200), true));
  ASSERT_EQ(w.send("POST", "/connectors",
                   connector("archive", {{"topics", "system_alerts"},
                                         {"path", "{topic}-{partition}.log"},
                                         {"format", "envelope"}}))
                .first,
            201);
  std::map<int, int64_t> archived;
  ASSERT_TRUE(wait_until(
      [&] {
        archived = recorded_next(root + "/.sentinel-archive");
        return archived.size() == 2 && archived[0] + archived[1] == 200;  // durable and recorded
      },
      20s));
  // Partition 0's group offset goes back to 0 (a replay would duplicate), partition 1's 20
  // beyond what the archive holds (records that would be skipped). The dev broker refuses
  // PATCH /offsets (offset commits from outside a group that had members), so the test commits
  // them as a member of the group, as a stray consumer would.
  ASSERT_EQ(w.send("PUT", "/connectors/archive/stop").first, 204);
  ASSERT_TRUE(commit_as_member(kafka.bootstrap(), "connect-archive", "system_alerts",
                               {{0, 0}, {1, archived[1] + 20}}));
  EXPECT_EQ(w.offsets("archive")[0], 0);
  ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "system_alerts", alerts(200, 400), true));
  ASSERT_EQ(w.send("PUT", "/connectors/archive/resume").first, 202);
  ASSERT_TRUE(wait_until([&] { return count_lines(root) >= 400; }, 20s)) << count_lines(root);
  ASSERT_TRUE(wait_until(
      [&] { return w.offsets("archive") == recorded_next(root + "/.sentinel-archive"); }, 10s))
      << "the group follows the archive";
  expect_exactly_once(kafka.bootstrap(), "system_alerts", root);
}

TEST(ArchiveSink, BrokerOutagesAndAKillDuringOneLoseAndDuplicateNothing) {
  // The broker goes down while records are being archived and comes back; then it goes down
  // again and the worker is SIGKILLed during the outage, so the group's committed offsets stay
  // behind what the archive holds. The restarted worker must resume from the archive.
  DevKafka kafka({"system_alerts:4"});
  TempDir dir;
  std::string root = dir.file("archive");
  fs::create_directories(root);
  auto archived = [&] {
    int64_t sum = 0;
    for (const auto& [p, next] : recorded_next(root + "/.sentinel-archive")) sum += next;
    return sum;
  };
  {
    ConnectWorker w = start_worker(dir, kafka.bootstrap(), root);
    ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "system_alerts", alerts(0, 3000), true));
    ASSERT_EQ(w.send("POST", "/connectors",
                     connector("archive", {{"topics", "system_alerts"},
                                           {"path", "{topic}-{partition}.log"},
                                           {"format", "envelope"},
                                           {"rotate.max.bytes", "20000"},
                                           {"flush.max.records", "100"}}))
                  .first,
              201);
    ASSERT_TRUE(wait_until([&] { return archived() > 0; }, 20s));
    ASSERT_TRUE(kafka.control("down all"));
    std::this_thread::sleep_for(2s);  // an outage of some length, not a wait for a condition
    ASSERT_TRUE(kafka.control("up all"));
    ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "system_alerts", alerts(3000, 4000), true));
    ASSERT_TRUE(wait_until([&] { return archived() == 4000; }, 60s)) << archived();
    EXPECT_EQ(w.task("archive")["state"], "RUNNING");
    ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "system_alerts", alerts(4000, 6000), true));
    ASSERT_TRUE(wait_until([&] { return archived() > 4000; }, 20s));
    ASSERT_TRUE(kafka.control("down all"));
    w.process().signal(SIGKILL);
    w.process().wait(10s);
    ASSERT_TRUE(kafka.control("up all"));
  }
  ConnectWorker w = start_worker(dir, kafka.bootstrap(), root);
  ASSERT_TRUE(wait_until([&] { return archived() == 6000; }, 60s)) << archived();
  expect_exactly_once(kafka.bootstrap(), "system_alerts", root);
}

TEST(ArchiveSink, ValidateRefusesBadConfigurationsNamingKeyAndReason) {
  DevKafka kafka({"system_alerts:1"});
  TempDir dir;
  std::string root = dir.file("archive");
  fs::create_directories(root);
  ConnectWorker w = start_worker(dir, kafka.bootstrap(), root);
  json bad = {{"connector.class", "RotatingFileSink"},
              {"name", "x"},
              {"topics", "a,b"},
              {"tasks.max", "2"},
              {"path", "../{topic}.log"},
              {"format", "xml"},
              {"compression", "lz4"},
              {"rotate.max.bytes", "0"},
              {"flush.interval.ms", "soon"}};
  auto [s, body] = w.send("PUT", "/connector-plugins/RotatingFileSink/config/validate", bad.dump());
  ASSERT_EQ(s, 200) << body;
  std::map<std::string, std::string> errors;
  for (const auto& c : body["configs"]) {
    std::string all;
    for (const auto& e : c["value"]["errors"]) all += e.get<std::string>() + " | ";
    if (!all.empty()) errors[c["value"]["name"]] = all;
  }
  EXPECT_NE(errors["path"].find("'..'"), std::string::npos) << errors["path"];
  EXPECT_NE(errors["path"].find("must contain {partition} and {topic}"), std::string::npos)
      << errors["path"];
  EXPECT_NE(errors["format"].find("expected value or envelope"), std::string::npos);
  EXPECT_NE(errors["compression"].find("expected none, gzip or zstd"), std::string::npos);
  EXPECT_NE(errors["rotate.max.bytes"].find("at least 1 (or -1 to disable)"), std::string::npos)
      << errors["rotate.max.bytes"];
  EXPECT_FALSE(errors["flush.interval.ms"].empty());
  // The example shipped in config/connectors validates cleanly.
  json example = json::object();
  std::istringstream props(
      read_file(source_dir() + "/config/connectors/alerts-archive.properties"));
  for (std::string line; std::getline(props, line);) {
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    example[line.substr(0, eq)] = line.substr(eq + 1);
  }
  auto [es, eb] =
      w.send("PUT", "/connector-plugins/RotatingFileSink/config/validate", example.dump());
  EXPECT_EQ(es, 200);
  EXPECT_EQ(eb["error_count"], 0) << eb.dump(1);
  // Creating it is refused with 400 and the worker stays up.
  auto [c, msg] = w.send("POST", "/connectors", json{{"name", "x"}, {"config", bad}}.dump());
  EXPECT_EQ(c, 400) << msg;
  EXPECT_EQ(w.get("/connectors").first, 200);
}

// ---------------------------------------------------------------------------------------------
// Confinement at every open (#18): what validation cannot see — a directory a template renders
// into that is a link out, a directory swapped for a link before a task restart, a topic named
// ".." — fails the task with the path named, and nothing lands outside archive.root.

// The task's state and trace once it is FAILED (or whatever it is at the deadline).
json failed_task(ConnectWorker& w, const std::string& name) {
  json t;
  wait_until(
      [&] {
        t = w.task(name);
        return t.is_object() && t.value("state", "") == "FAILED";
      },
      20s);
  return t;
}

// The {topic} and %Y forms, with openat2 and with the component walk of kernels before 5.6.
TEST(ArchiveSink, ConfinementALinkedTopicOrDateDirectoryFailsTheTaskAndWritesNothingOutside) {
  DevKafka kafka({"system_alerts:1"});
  ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "system_alerts", alerts(0, 20), true));
  for (bool walk : {false, true}) {
    SCOPED_TRACE(walk ? "component walk" : "openat2");
    TempDir dir;
    std::string root = dir.file("archive"), outside = dir.file("outside");
    fs::create_directories(root + "/y");
    fs::create_directories(root + "/d");
    fs::create_directories(outside);
    fs::create_symlink(outside, root + "/y/system_alerts");
    std::time_t t = std::time(nullptr);
    std::tm local{};
    localtime_r(&t, &local);
    for (int year : {local.tm_year + 1900, local.tm_year + 1901}) {  // and across a New Year
      fs::create_symlink(outside, root + "/d/" + std::to_string(year));
    }
    std::map<std::string, std::string> env;
    if (walk) env["SENTINEL_TEST_CONFINED_FS_WALK"] = "1";
    ConnectWorker w = start_worker(dir, kafka.bootstrap(), root, env);
    auto [s1, b1] = w.send("POST", "/connectors",
                           connector("by-topic", {{"topics", "system_alerts"},
                                                  {"path", "y/{topic}/a-{partition}.log"}}));
    ASSERT_EQ(s1, 201) << b1;
    auto [s2, b2] = w.send("POST", "/connectors",
                           connector("by-date", {{"topics", "system_alerts"},
                                                 {"path", "d/%Y/{topic}-{partition}.log"}}));
    ASSERT_EQ(s2, 201) << b2;
    json topic_task = failed_task(w, "by-topic");
    EXPECT_EQ(topic_task["state"], "FAILED") << topic_task;
    EXPECT_NE(topic_task.value("trace", "").find(root + "/y/system_alerts"), std::string::npos)
        << topic_task;
    EXPECT_NE(topic_task.value("trace", "").find("symbolic link"), std::string::npos) << topic_task;
    json date_task = failed_task(w, "by-date");
    EXPECT_EQ(date_task["state"], "FAILED") << date_task;
    EXPECT_NE(
        date_task.value("trace", "").find(root + "/d/" + std::to_string(local.tm_year + 1900)),
        std::string::npos)
        << date_task;
    EXPECT_TRUE(fs::is_empty(outside)) << fs::directory_iterator(outside)->path();
  }
}

TEST(ArchiveSink, ConfinementADirectorySwappedForALinkBeforeATaskRestartFailsTheTask) {
  DevKafka kafka({"system_alerts:1"});
  TempDir dir;
  std::string root = dir.file("archive"), outside = dir.file("outside");
  fs::create_directories(root);
  fs::create_directories(outside);
  ConnectWorker w = start_worker(dir, kafka.bootstrap(), root);
  ASSERT_EQ(w.send("POST", "/connectors",
                   connector("archive", {{"topics", "system_alerts"},
                                         {"path", "d/{topic}-{partition}.log"},
                                         {"flush.interval.ms", "100"}}))
                .first,
            201);
  ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "system_alerts", alerts(0, 10), true));
  ASSERT_TRUE(wait_until([&] { return count_lines(root) == 10; }, 20s)) << count_lines(root);
  // While the task runs, d/ is replaced by a link to a directory outside the root.
  fs::rename(root + "/d", root + "/d.old");
  fs::create_symlink(outside, root + "/d");
  auto [rs, rb] = w.send("POST", "/connectors/archive/tasks/0/restart");
  ASSERT_EQ(rs, 204) << rb;
  ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "system_alerts", alerts(10, 20), true));
  json task = failed_task(w, "archive");
  EXPECT_EQ(task["state"], "FAILED") << task;
  EXPECT_NE(task.value("trace", "").find(root + "/d"), std::string::npos) << task;
  EXPECT_NE(task.value("trace", "").find("symbolic link"), std::string::npos) << task;
  EXPECT_TRUE(fs::is_empty(outside));
}

TEST(ArchiveSink, ConfinementATopicNamedDotDotIsRefusedAtValidationAndNeverClimbsAboveTheRoot) {
  DevKafka kafka({"..:1"});
  TempDir dir;
  std::string root = dir.file("a/b/archive");
  fs::create_directories(root);
  ConnectWorker w = start_worker(dir, kafka.bootstrap(), root);
  // Listed in `topics`, validation names it (on topics, and on path where {topic} renders it).
  json listed = {{"connector.class", "RotatingFileSink"},
                 {"name", "x"},
                 {"topics", ".."},
                 {"path", "{topic}/{topic}/x.log"}};
  auto [vs, infos] =
      w.send("PUT", "/connector-plugins/RotatingFileSink/config/validate", listed.dump());
  ASSERT_EQ(vs, 200) << infos;
  std::string all;
  for (const auto& c : infos["configs"]) {
    for (const auto& e : c["value"]["errors"])
      all += c["value"]["name"].get<std::string>() + ": " + e.get<std::string>() + "\n";
  }
  EXPECT_GE(infos["error_count"].get<int>(), 2) << all;
  EXPECT_NE(
      all.find("topics: Invalid value .. for configuration topics: topic name '..' is illegal"),
      std::string::npos)
      << all;
  EXPECT_NE(all.find("path: Invalid value {topic}/{topic}/x.log for configuration path: "),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("has the path component \"..\""), std::string::npos) << all;
  // Matched by topics.regex, nothing can check it before records arrive: the task refuses it.
  ASSERT_TRUE(kcat_produce(kafka.bootstrap(), "..", {"first", "second"}));
  auto [s, body] =
      w.send("POST", "/connectors",
             connector("dots", {{"topics.regex", "\\.\\."}, {"path", "{topic}/{topic}/x.log"}}));
  ASSERT_EQ(s, 201) << body;
  json task = failed_task(w, "dots");
  EXPECT_EQ(task["state"], "FAILED") << task;
  EXPECT_NE(task.value("trace", "").find("has the path component \"..\""), std::string::npos)
      << task;
  EXPECT_FALSE(fs::exists(dir.file("a/x.log"))) << "written two levels above the root";
}

#endif

}  // namespace
}  // namespace sentinel::test

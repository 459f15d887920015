// The rotating archive sink in sentinel-connect on the real broker: the SIGKILL loop of
// tests/integration/archive with records flowing, over more data than the mock behind
// sentinel-devkafka keeps of a partition (~5 MB): 24 000 records of ~520 bytes in two
// partitions, two tasks, the worker killed five times at random moments while archiving. In the
// end every (partition, offset) of the topic is archived exactly once, with its value, and every
// archive line is whole.
#include <gtest/gtest.h>
#include <signal.h>
#include <zlib.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/support/build_paths.h"
#include "tests/support/connect_worker.h"
#include "tests/support/kafka_env.h"
#include "tests/support/process.h"
#include "tests/support/real_kafka.h"

namespace sentinel::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr int kRecords = 24000;
constexpr int kKills = 5;
const std::string kPad(400, 'p');

std::string read_archive_file(const fs::path& p) {
  if (p.extension() != ".gz") return read_file(p.string());
  std::string out;
  gzFile f = gzopen(p.c_str(), "rb");
  char buf[65536];
  int n;
  while (f && (n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  if (f) gzclose(f);
  return out;
}

// (partition, offset) → times archived and the value; whole-line problems.
struct Holdings {
  std::map<std::pair<int, int64_t>, int> count;
  std::map<std::pair<int, int64_t>, std::string> value;
  std::vector<std::string> problems;
  size_t lines = 0;
};

Holdings read_archive(const std::string& root) {
  Holdings h;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->is_directory() && name == ".sentinel-archive") {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || name[0] == '.') continue;
    std::string text = read_archive_file(it->path());
    if (!text.empty() && text.back() != '\n') h.problems.push_back(name + ": last line unfinished");
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      ++h.lines;
      json j = json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.contains("offset")) {
        h.problems.push_back(name + ": not a whole envelope: " + line.substr(0, 100));
        continue;
      }
      auto key = std::make_pair(j["partition"].get<int>(), j["offset"].get<int64_t>());
      h.count[key]++;
      h.value[key] = j["value"].is_string() ? j["value"].get<std::string>() : "null";
    }
  }
  return h;
}

int64_t archived(const std::string& state_dir) {
  int64_t sum = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(state_dir, ec)) {
    if (e.path().extension() != ".state") continue;
    std::istringstream in(read_file(e.path().string()));
    for (std::string line; std::getline(in, line);) {
      std::istringstream f(line);
      std::string word, topic;
      int p;
      int64_t first, last, next;
      if (f >> word >> topic >> p >> first >> last >> next && word == "partition") sum += next;
    }
  }
  return sum;
}

std::vector<std::string> lines(int from, int to) {
  std::vector<std::string> v;
  for (int i = from; i < to; ++i) {
    v.push_back("web-" + std::to_string(i % 64) + "\t{\"v\":1,\"id\":\"cpu_high/host=web-" +
                std::to_string(i % 64) + "\",\"state\":\"firing\",\"seq\":" + std::to_string(i) +
                ",\"note\":\"" + kPad + "\"}");
  }
  return v;
}

// A worker archiving under `root` (tests/support/connect_worker.h).
ConnectWorker start_worker(const TempDir& dir, const std::string& bootstrap,
                           const std::string& root) {
  return ConnectWorker(dir, bootstrap,
                       "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
                       "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
                       "offset.flush.interval.ms=500\n"
                       "consumer.session.timeout.ms=6000\nconsumer.heartbeat.interval.ms=300\n"
                       "plugin.path=" +
                           built(plugin_dir()) + "\narchive.root=" + root + "\n",
                       {.start_timeout = 15s});
}

TEST(ArchiveOnRealBroker, CrashLoopWithRecordsFlowingBeyondTheMockArchivesEveryOffsetExactlyOnce) {
  SENTINEL_REQUIRE_REAL_KAFKA();
  RealKafka& kafka = RealKafka::instance();
  std::string topic = RealKafka::unique_name("system_alerts");
  std::string error;
  ASSERT_TRUE(kafka.create_topics({{topic, 2, 1, {}}}, &error)) << error;
  TempDir dir;
  std::string root = dir.file("archive");
  fs::create_directories(root);
  json config = {{"connector.class", "RotatingFileSink"},
                 {"topics", topic},
                 {"tasks.max", "2"},
                 {"path", "{topic}/{partition}/alerts.log"},
                 {"format", "envelope"},
                 {"rotate.max.bytes", "1048576"},
                 {"compression", "gzip"},
                 {"flush.max.records", "500"},
                 {"flush.interval.ms", "50"}};
  // A first third before the worker starts; the rest keeps arriving while the worker is killed
  // and restarted, paced so that production lasts until the last kill (as in
  // tests/integration/archive): every kill lands while the sink is archiving.
  ASSERT_TRUE(kcat_produce(kafka.bootstrap(), topic, lines(0, kRecords / 3), true));
  std::atomic<int> produced{kRecords / 3};
  std::atomic<int> kills{0};
  std::atomic<bool> stop_producing{false};
  std::thread producer([&] {
    while (produced < kRecords && !stop_producing) {
      int left = kRecords - produced;
      int chunks_left = std::max(0, kKills - kills) * 30;
      int to = chunks_left == 0
                   ? kRecords
                   : produced + std::min(left - 1, std::max(20, left / (chunks_left + 30)));
      if (to <= produced) {
        std::this_thread::sleep_for(100ms);
        continue;
      }
      if (!kcat_produce(kafka.bootstrap(), topic, lines(produced, to), true)) break;
      produced = to;
      if (chunks_left > 0) std::this_thread::sleep_for(100ms);
    }
  });
  struct JoinOnExit {
    std::thread& thread;
    std::atomic<bool>& stop;
    ~JoinOnExit() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
  } join_on_exit{producer, stop_producing};
  unsigned seed = std::random_device{}();
  std::cout << "random seed " << seed << std::endl;
  std::mt19937 rng(seed);
  int mid_archive_kills = 0;
  for (; kills < kKills; ++kills) {
    ConnectWorker w = start_worker(dir, kafka.bootstrap(), root);
    ASSERT_TRUE(w.up()) << w.process().err();
    if (kills == 0) {
      auto [status, answer] =
          w.send("POST", "/connectors", json{{"name", "archive"}, {"config", config}}.dump());
      ASSERT_EQ(status, 201) << answer;
    }
    int64_t before = archived(root + "/.sentinel-archive");
    ASSERT_TRUE(
        wait_until([&] { return archived(root + "/.sentinel-archive") > before; }, 60s, 20ms))
        << w.process().err();
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 1000)(rng)));
    w.process().signal(SIGKILL);
    w.process().wait(10s);
    int64_t now_archived = archived(root + "/.sentinel-archive");
    if (now_archived < kRecords) ++mid_archive_kills;
    std::cout << "kill " << kills + 1 << ": " << now_archived << " archived of " << produced
              << " produced" << std::endl;
  }
  producer.join();
  EXPECT_GE(mid_archive_kills, kKills - 1)
      << "the archive finished before the worker could be killed often";
  ASSERT_EQ(produced, kRecords);
  ConnectWorker w = start_worker(dir, kafka.bootstrap(), root);
  ASSERT_TRUE(
      wait_until([&] { return archived(root + "/.sentinel-archive") >= kRecords; }, 180s, 200ms))
      << archived(root + "/.sentinel-archive") << " of " << kRecords << "\n"
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
  std::vector<KafkaRecord> in_kafka = kcat_consume(kafka.bootstrap(), topic);
  ASSERT_EQ(in_kafka.size(), static_cast<size_t>(kRecords));
  std::map<int, size_t> bytes;
  for (const auto& r : in_kafka) bytes[r.partition] += r.value.size() + r.key.size();
  for (const auto& [p, b] : bytes) {
    EXPECT_GT(b, 5u * 1024 * 1024) << "partition " << p << " must hold more than the mock keeps";
  }
  Holdings h = read_archive(root);
  for (size_t i = 0; i < h.problems.size() && i < 10; ++i) ADD_FAILURE() << h.problems[i];
  size_t missing = 0, twice = 0, wrong = 0;
  for (const auto& r : in_kafka) {
    auto key = std::make_pair(r.partition, static_cast<int64_t>(r.offset));
    auto it = h.count.find(key);
    if (it == h.count.end()) {
      if (++missing <= 5)
        ADD_FAILURE() << "missing partition " << r.partition << " offset " << r.offset;
      continue;
    }
    if (it->second != 1 && ++twice <= 5) {
      ADD_FAILURE() << "partition " << r.partition << " offset " << r.offset << " archived "
                    << it->second << " times";
    }
    if (h.value[key] != r.value && ++wrong <= 5)
      ADD_FAILURE() << "value differs at " << r.partition << "/" << r.offset;
  }
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(twice, 0u);
  EXPECT_EQ(h.count.size(), in_kafka.size()) << "the archive holds records the topic does not";
  EXPECT_EQ(h.lines, in_kafka.size());
}

}  // namespace
}  // namespace sentinel::test

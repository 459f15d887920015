// The access-log shipper (log_shipper.h) in one process: librdkafka's own mock cluster
// (rdkafka_mock.h) stands in for the broker, so the shipper runs unchanged, and the test drives
// its clock through poll(now). Proves the checkpoint (only acknowledged lines, right offset and
// hash, the history skipped at a first start), restarts (resume, a file changed or rotated while
// stopped), rotation by rename (old file first, closed after rotate_wait) and by copytruncate,
// invalid lines, reading paused while Kafka is down with nothing lost, and create()'s errors.
#include "agent/logs/log_shipper.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka_mock.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/process.h"

namespace sentinel::agent {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct Record {
  std::string key, value;
};

// A broker inside the test process: librdkafka's mock cluster, reached over loopback TCP.
class MockKafka {
 public:
  MockKafka() {
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof errstr);
    owner_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!owner_) throw std::runtime_error(errstr);
    cluster_ = rd_kafka_mock_cluster_new(owner_, 1);
    if (!cluster_) throw std::runtime_error("rd_kafka_mock_cluster_new failed");
    bootstrap = rd_kafka_mock_cluster_bootstraps(cluster_);
    for (const char* t : {"http_logs", "http_logs_invalid"})
      rd_kafka_mock_topic_create(cluster_, t, 1, 1);
  }
  ~MockKafka() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(owner_);
  }
  void set_down(bool down) {
    if (down) {
      rd_kafka_mock_broker_set_down(cluster_, 1);
    } else {
      rd_kafka_mock_broker_set_up(cluster_, 1);
    }
  }
  // Every record of partition 0 of `topic`, in order: as many as its high watermark says.
  std::vector<Record> records(const std::string& topic) {
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "group.id", "log-shipper-test", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof errstr);
    rd_kafka_t* c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    std::vector<Record> out;
    int64_t low = 0, high = 0;
    rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(c, topic.c_str(), 0, &low, &high, 30000);
    EXPECT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
    rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, topic.c_str(), 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(c, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (static_cast<int64_t>(out.size()) < high - low &&
           std::chrono::steady_clock::now() < deadline) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(c, 100);
      if (!m) continue;
      if (!m->err) {
        out.push_back({std::string(static_cast<const char*>(m->key), m->key_len),
                       std::string(static_cast<const char*>(m->payload), m->len)});
      }
      rd_kafka_message_destroy(m);
    }
    EXPECT_EQ(static_cast<int64_t>(out.size()), high - low)
        << topic << ": not every record could be read";
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    return out;
  }

  std::string bootstrap;

 private:
  rd_kafka_t* owner_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

// A combined-format line whose path is /item/<seq>, from client 10.0.0.<seq % 256>.
std::string line_for(int seq) {
  return "10.0.0." + std::to_string(seq % 256) + " - - [22/Nov/2026:10:15:32 +0000] \"GET /item/" +
         std::to_string(seq) + " HTTP/1.1\" 200 " + std::to_string(seq) + " \"-\" \"curl/8\"\n";
}

void append_to(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

void append_lines(const std::string& path, int from, int to) {
  std::string text;
  for (int i = from; i < to; ++i) text += line_for(i);
  append_to(path, text);
}

// The sequence numbers of http_logs records, in order, with key and value checked.
std::vector<int> shipped(MockKafka& kafka) {
  std::vector<int> out;
  for (const Record& r : kafka.records("http_logs")) {
    auto j = nlohmann::json::parse(r.value, nullptr, false);
    if (j.is_discarded() || !j.contains("path")) {
      ADD_FAILURE() << "not an http_logs record: " << r.value;
      continue;
    }
    std::string path = j["path"];
    int seq = std::stoi(path.substr(6));
    EXPECT_EQ(r.key, "10.0.0." + std::to_string(seq % 256)) << "keyed by client IP";
    EXPECT_EQ(j["client_ip"], r.key);
    EXPECT_EQ(j["host"], "web-test");
    out.push_back(seq);
  }
  return out;
}

std::vector<int> seqs(int from, int to) {
  std::vector<int> out;
  for (int i = from; i < to; ++i) out.push_back(i);
  return out;
}

class Shipper : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir.file("logs"));
    fs::create_directories(dir.file("state"));
    std::string error;
    auto format = AccessLogFormat::compile("combined", &error);
    ASSERT_TRUE(format) << error;
    config.sources.push_back({"web", {dir.file("logs") + "/access.log"}, *format});
    config.state_dir = dir.file("state");
    config.rotate_wait = 5s;
    config.checkpoint_interval = 1s;
  }
  std::unique_ptr<LogShipper> start() {
    std::string error;
    auto s = LogShipper::create(
        config, {{"bootstrap.servers", kafka.bootstrap}, {"log_level", "0"}}, "web-test", &error);
    EXPECT_TRUE(s) << error;
    now = MonoClock::now();
    return s;
  }
  // One turn of the agent's loop, 2 s later on the shipper's clock (past the 1 s rescan).
  void tick(LogShipper& s) {
    now += 2s;
    s.poll(now);
  }
  void ship(LogShipper& s) {
    tick(s);
    ASSERT_TRUE(s.flush(60s)) << "every line acknowledged";
  }
  std::vector<FileCheckpoint> checkpoint() {
    std::string error;
    auto c = load_checkpoints(dir.file("state/logs.checkpoint"), &error);
    EXPECT_TRUE(c) << (error.empty() ? "no checkpoint file" : error);
    return c.value_or(std::vector<FileCheckpoint>{});
  }
  // The checkpoint entry a file at `path` should have once everything up to `offset` is acked.
  void expect_checkpointed(const FileCheckpoint& c, const std::string& path, int64_t offset) {
    EXPECT_EQ(c.path, path);
    EXPECT_EQ(c.offset, offset);
    FileId id = file_id_of(path);
    EXPECT_EQ(c.dev, id.dev);
    EXPECT_EQ(c.ino, id.ino);
    int fd = ::open(path.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    EXPECT_EQ(c.hash, hash_before(fd, offset).value_or(1));
    ::close(fd);
  }

  test::TempDir dir;
  MockKafka kafka;
  LogsConfig config;
  std::string log = dir.file("logs/access.log");
  MonoClock::time_point now;
};

TEST_F(Shipper, FirstStartSkipsTheHistoryAndShipsWhatFollows) {
  append_lines(log, 0, 2);
  auto s = start();
  append_lines(log, 2, 5);
  ship(*s);
  EXPECT_EQ(shipped(kafka), seqs(2, 5));
  EXPECT_EQ(s->stats().lines, 3u);
  EXPECT_EQ(s->stats().published, 3u);
  EXPECT_EQ(s->stats().inflight_bytes, 0u);
  EXPECT_EQ(s->stats().files, 1u);
  auto c = checkpoint();
  ASSERT_EQ(c.size(), 1u);
  expect_checkpointed(c[0], log, static_cast<int64_t>(fs::file_size(log)));
}

TEST_F(Shipper, ReadFromBeginningShipsTheHistoryToo) {
  config.read_from_beginning = true;
  append_lines(log, 0, 2);
  auto s = start();
  ship(*s);
  EXPECT_EQ(shipped(kafka), seqs(0, 2));
}

TEST_F(Shipper, TheCheckpointHoldsOnlyAcknowledgedLines) {
  append_to(log, "");
  auto s = start();
  ship(*s);
  int64_t before = static_cast<int64_t>(fs::file_size(log));
  kafka.set_down(true);
  append_lines(log, 0, 3);
  tick(*s);
  EXPECT_EQ(s->stats().lines, 3u) << "read";
  EXPECT_FALSE(s->flush(0ms)) << "Kafka is down: nothing acknowledged";  // writes the checkpoint
  EXPECT_EQ(s->stats().published, 0u);
  auto c = checkpoint();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].offset, before) << "lines not acknowledged are not in the checkpoint";
  kafka.set_down(false);
  ASSERT_TRUE(s->flush(60s));
  c = checkpoint();
  ASSERT_EQ(c.size(), 1u);
  expect_checkpointed(c[0], log, static_cast<int64_t>(fs::file_size(log)));
}

TEST_F(Shipper, ARestartResumesAfterTheLastCheckpointedLine) {
  config.read_from_beginning = true;
  append_lines(log, 0, 2);
  auto s = start();
  ship(*s);
  s.reset();
  append_lines(log, 2, 4);
  s = start();
  ship(*s);
  EXPECT_EQ(shipped(kafka), seqs(0, 4)) << "each line once";
}

TEST_F(Shipper, AFileRewrittenWhileStoppedIsReadFromTheStart) {
  config.read_from_beginning = true;
  append_lines(log, 0, 2);
  auto s = start();
  ship(*s);
  s.reset();
  auto ino = file_id_of(log);
  std::ofstream(log, std::ios::trunc)
      << line_for(10) << line_for(11) << line_for(12);  // same inode
  ASSERT_EQ(file_id_of(log), ino);
  s = start();
  ship(*s);
  EXPECT_EQ(shipped(kafka), (std::vector<int>{0, 1, 10, 11, 12}));
}

TEST_F(Shipper, AFileRotatedWhileStoppedIsFinishedFirst) {
  config.read_from_beginning = true;
  append_lines(log, 0, 1);
  auto s = start();
  ship(*s);
  s.reset();
  fs::rename(log, log + ".1");
  append_lines(log + ".1", 1, 3);
  append_lines(log, 3, 4);
  s = start();
  ship(*s);
  EXPECT_EQ(shipped(kafka), seqs(0, 4));
}

TEST_F(Shipper, ARenamedFileIsReadToItsEndBeforeTheNewOneAndClosedAfterRotateWait) {
  config.read_from_beginning = true;
  append_lines(log, 0, 1);
  auto s = start();
  ship(*s);
  // logrotate's default: rename; the server writes a last line to its old descriptor, then
  // reopens the path.
  int writer = ::open(log.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(writer, 0);
  fs::rename(log, log + ".1");
  std::string late = line_for(1);
  ASSERT_EQ(::write(writer, late.data(), late.size()), static_cast<ssize_t>(late.size()));
  ::close(writer);
  append_lines(log, 2, 4);
  ship(*s);
  EXPECT_EQ(shipped(kafka), seqs(0, 4)) << "the old file's lines come first";
  EXPECT_EQ(s->stats().files, 2u) << "the old file is kept open for late writes";

  append_lines(log + ".1", 4, 5);  // a write within rotate_wait still counts
  ship(*s);                        // the old file grew at this tick
  EXPECT_EQ(s->stats().files, 2u);
  tick(*s);  // 2 s later
  tick(*s);  // 4 s later
  EXPECT_EQ(s->stats().files, 2u) << "kept until rotate_wait (5 s) passes without growth";
  tick(*s);  // 6 s later: past rotate_wait
  EXPECT_EQ(s->stats().files, 1u);
  ASSERT_TRUE(s->flush(60s));
  EXPECT_EQ(shipped(kafka), (std::vector<int>{0, 1, 2, 3, 4}));
  auto c = checkpoint();
  ASSERT_EQ(c.size(), 1u) << "the rotated file is forgotten once done";
  expect_checkpointed(c[0], log, static_cast<int64_t>(fs::file_size(log)));
}

TEST_F(Shipper, ATruncatedFileIsReadAgainFromZero) {
  config.read_from_beginning = true;
  append_lines(log, 0, 3);
  auto s = start();
  ship(*s);
  fs::resize_file(log, 0);  // copytruncate
  append_lines(log, 3, 4);
  ship(*s);
  EXPECT_EQ(shipped(kafka), seqs(0, 4));
  auto c = checkpoint();
  ASSERT_EQ(c.size(), 1u);
  expect_checkpointed(c[0], log, static_cast<int64_t>(fs::file_size(log)));
}

TEST_F(Shipper, InvalidLinesArePublishedRawKeyedByTheFile) {
  config.read_from_beginning = true;
  append_to(log, line_for(0) + "not an access log line\n" + line_for(1));
  auto s = start();
  ship(*s);
  EXPECT_EQ(shipped(kafka), seqs(0, 2));
  auto invalid = kafka.records("http_logs_invalid");
  ASSERT_EQ(invalid.size(), 1u);
  EXPECT_EQ(invalid[0].key, log);
  EXPECT_EQ(invalid[0].value, "not an access log line");
  EXPECT_EQ(s->stats().invalid, 1u);
  EXPECT_EQ(s->stats().lines, 3u);
}

TEST_F(Shipper, DroppedInvalidLinesStillMoveTheCheckpoint) {
  config.read_from_beginning = true;
  config.publish_invalid = false;
  append_to(log, line_for(0) + "garbage\n");
  auto s = start();
  ship(*s);
  EXPECT_EQ(shipped(kafka), seqs(0, 1));
  EXPECT_TRUE(kafka.records("http_logs_invalid").empty());
  auto c = checkpoint();
  ASSERT_EQ(c.size(), 1u);
  expect_checkpointed(c[0], log, static_cast<int64_t>(fs::file_size(log)));
}

TEST_F(Shipper, ReadingPausesWhileKafkaIsDownAndNothingIsLost) {
  config.max_inflight_bytes = 2000;
  append_to(log, "");
  auto s = start();
  ship(*s);
  kafka.set_down(true);
  append_lines(log, 0, 100);  // ~10 kB: five times the bound
  tick(*s);
  EXPECT_TRUE(s->stats().paused);
  EXPECT_LT(s->stats().lines, 100u) << "reading stopped at the bound";
  EXPECT_GE(s->stats().inflight_bytes, config.max_inflight_bytes);
  EXPECT_EQ(s->change_fd(), -1) << "no point waking up for file changes while paused";
  kafka.set_down(false);
  ASSERT_TRUE(test::wait_until(
      [&] {
        tick(*s);
        return s->flush(100ms) && s->stats().lines == 100;
      },
      120s, 1ms));
  EXPECT_FALSE(s->stats().paused);
  EXPECT_EQ(shipped(kafka), seqs(0, 100));
}

TEST_F(Shipper, CreateRefusesAStateDirThatIsNotADirectory) {
  config.state_dir = dir.file("missing");
  std::string error;
  EXPECT_FALSE(
      LogShipper::create(config, {{"bootstrap.servers", kafka.bootstrap}}, "web-test", &error));
  EXPECT_EQ(error, "logs.state_dir " + dir.file("missing") +
                       ": not a directory (the checkpoint of the access logs is kept there)");
}

TEST_F(Shipper, CreateRefusesACorruptCheckpointNamingIt) {
  test::write_file(dir.file("state/logs.checkpoint"), "sentinel-agent-checkpoint 1\n1 2 torn\n");
  std::string error;
  EXPECT_FALSE(
      LogShipper::create(config, {{"bootstrap.servers", kafka.bootstrap}}, "web-test", &error));
  EXPECT_EQ(
      error,
      "access-log checkpoint " + dir.file("state/logs.checkpoint") +
          ": line 2: expected <dev> <inode> <offset> <hash> <path> (move it away to start over)");
}

TEST_F(Shipper, CreateRefusesAnUnknownProducerProperty) {
  std::string error;
  EXPECT_FALSE(LogShipper::create(config, {{"no.such.property", "1"}}, "web-test", &error));
  EXPECT_EQ(error.rfind("kafka property no.such.property: ", 0), 0u) << error;
}

}  // namespace
}  // namespace sentinel::agent

// Access logs into Kafka: follows the files matching each source's globs, parses every line
// (AccessLogFormat) into an http_logs record keyed by client IP, and publishes it through its own
// idempotent producer. No line is dropped: when Kafka is slow or down, reading pauses once
// `max_inflight_bytes` are unacknowledged. The checkpoint (checkpoint.h) advances only over lines
// Kafka acknowledged, in file order, and is replaced at most every `checkpoint_interval` and on
// flush — so a restart resumes exactly after the last acknowledged line it recorded, and a
// SIGKILL can at most publish again the lines acknowledged after the last replacement.
//
// Rotation: a file renamed away (rename + create, as logrotate does by default) is read to its
// end through the descriptor already open, and closed `rotate_wait` after it last grew; the new
// file at the path is read from its start. A file truncated in place (copytruncate) is read again
// from 0. A file rotated while the agent was stopped is found by its inode next to its old path
// and finished first. Lines that do not parse are counted and published raw to `invalid_topic`
// (or dropped, as configured); they never stop the agent.
//
// Single-threaded: call everything from the agent's main loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/logs/access_log_format.h"
#include "agent/logs/checkpoint.h"
#include "agent/logs/file_tail.h"
#include "common/clock.h"
#include "common/kafka.h"

namespace sentinel::agent {

struct LogSource {
  std::string name;                // the key under logs.files
  std::vector<std::string> paths;  // globs
  AccessLogFormat format;
};

struct LogsConfig {
  std::vector<LogSource> sources;
  std::string topic = "http_logs";
  std::string invalid_topic = "http_logs_invalid";
  bool publish_invalid = true;       // invalid: publish | drop
  bool read_from_beginning = false;  // for files already there at the very first start
  std::string state_dir = "/var/lib/sentinel/agent";
  std::chrono::milliseconds poll_interval{250};
  std::chrono::milliseconds rotate_wait{5000};
  std::chrono::milliseconds checkpoint_interval{1000};
  uint64_t max_inflight_bytes = 4 * 1024 * 1024;
  bool enabled() const { return !sources.empty(); }
  bool operator==(const LogsConfig& o) const;
};

struct LogStats {
  uint64_t lines = 0;      // read
  uint64_t published = 0;  // acknowledged by Kafka
  uint64_t invalid = 0;    // did not parse (published raw or dropped)
  uint64_t failed = 0;     // Kafka refused permanently (logged with file and offset)
  uint64_t files = 0;      // being followed
  uint64_t inflight_bytes = 0;
  bool paused = false;  // reading waits for Kafka
};

class LogShipper {
 public:
  // Loads the checkpoint and opens the files. nullptr with *error (the producer configuration or
  // an unreadable checkpoint file).
  static std::unique_ptr<LogShipper> create(LogsConfig config, const kafka::Properties& producer,
                                            std::string host, std::string* error);
  ~LogShipper();

  // Scans for files (every second), reads what is new, serves delivery reports and replaces the
  // checkpoint when due. Cheap when nothing changed.
  void poll(MonoClock::time_point now);
  // Readable when the producer has reports to serve.
  int event_fd() const { return event_pipe_[0]; }
  // Readable when a followed file was written to (inotify), so new lines go out at once instead
  // of at the next poll_interval; -1 when inotify is unavailable (polling only). Not worth
  // waiting on while reading is paused for Kafka (event_fd wakes the loop then).
  int change_fd() const { return stats_.paused ? -1 : inotify_fd_; }
  // Delivers what was read and writes the checkpoint; true when everything was acknowledged.
  bool flush(std::chrono::milliseconds timeout);
  const LogStats& stats() const { return stats_; }
  const LogsConfig& config() const { return config_; }

 private:
  struct Watched {
    const LogSource* source = nullptr;
    std::string path;
    std::unique_ptr<FileTail> tail;
    bool rotated = false;  // no longer at `path`: read to its end, then closed
    bool closed = false;
    MonoClock::time_point last_growth;
    int64_t acked = 0;    // offset after the last line acknowledged (in order)
    uint64_t queued = 0;  // its entries in inflight_ (a file is forgotten only at 0)
    int wd = -1;          // its inotify watch (IN_MODIFY), -1 without one
  };
  struct TopicDeleter {
    void operator()(rd_kafka_topic_t* t) const { rd_kafka_topic_destroy(t); }
  };
  struct InFlight {
    FileId file;
    int64_t end_offset;
    size_t bytes;
    bool done;
  };

  LogShipper() = default;
  void scan(MonoClock::time_point now, bool first);
  void open_file(const LogSource& source, const std::string& path, int64_t offset, bool rotated,
                 MonoClock::time_point now);
  void read_files(MonoClock::time_point now);
  void handle_line(Watched& w, std::string_view line, int64_t end_offset, bool cut);
  void produce(rd_kafka_topic_t* topic, std::string_view key, std::string_view value, int64_t ts_ms,
               Watched& w, int64_t end_offset);
  void track(Watched& w, int64_t end_offset, size_t bytes, bool done);
  void settle();
  bool save_checkpoint();
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque);

  LogsConfig config_;
  std::string host_;
  std::string checkpoint_path_;
  std::vector<FileCheckpoint>
      restored_;  // from the checkpoint file, until matched at the first scan
  kafka::Handle rk_;
  // The topic and invalid_topic, held from the start: librdkafka looks them up before the first
  // line is read (it otherwise learns of a topic at its first record and fetches the metadata
  // up to a second later), and producing through a handle skips a lookup by name (under
  // librdkafka's write lock) for every record.
  std::unique_ptr<rd_kafka_topic_t, TopicDeleter> topic_, invalid_topic_;
  int event_pipe_[2] = {-1, -1};
  int inotify_fd_ = -1;
  std::map<FileId, Watched> files_;
  std::deque<InFlight> inflight_;
  uint64_t first_seq_ = 0;  // sequence number of inflight_.front()
  bool checkpoint_dirty_ = false;
  MonoClock::time_point next_scan_{}, next_checkpoint_{};
  LogStats stats_;
  AccessLogEntry entry_;
  std::string value_;
  std::chrono::steady_clock::time_point last_error_log_{};
};

}  // namespace sentinel::agent

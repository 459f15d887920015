// Access logs into Kafka: file discovery, rotation, reading, publishing, checkpoints.
#include "agent/logs/log_shipper.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <fnmatch.h>
#include <glob.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "agent/logs/http_record.h"
#include "common/log.h"
#include "common/units.h"

namespace sentinel::agent {
namespace {

std::vector<std::string> expand(const std::vector<std::string>& patterns) {
  std::set<std::string> out;
  for (const auto& p : patterns) {
    glob_t g{};
    if (::glob(p.c_str(), GLOB_NOSORT, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) {
        struct stat st;
        if (::stat(g.gl_pathv[i], &st) == 0 && S_ISREG(st.st_mode)) out.insert(g.gl_pathv[i]);
      }
    }
    ::globfree(&g);
  }
  return {out.begin(), out.end()};
}

// A file next to `old_path` with the identity `id`: where a rotation moved it.
std::string find_by_id(const std::string& old_path, FileId id) {
  size_t slash = old_path.rfind('/');
  std::string dir =
      slash == std::string::npos ? "." : old_path.substr(0, std::max<size_t>(slash, 1));
  DIR* d = ::opendir(dir.c_str());
  if (!d) return "";
  std::string found;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.' && (e->d_name[1] == 0 || (e->d_name[1] == '.' && e->d_name[2] == 0)))
      continue;
    std::string p = dir + "/" + e->d_name;
    if (file_id_of(p) == id) {
      found = p;
      break;
    }
  }
  ::closedir(d);
  return found;
}

}  // namespace

bool LogsConfig::operator==(const LogsConfig& o) const {
  if (sources.size() != o.sources.size()) return false;
  for (size_t i = 0; i < sources.size(); ++i) {
    if (sources[i].name != o.sources[i].name || sources[i].paths != o.sources[i].paths ||
        sources[i].format.spec() != o.sources[i].format.spec()) {
      return false;
    }
  }
  return topic == o.topic && invalid_topic == o.invalid_topic &&
         publish_invalid == o.publish_invalid && read_from_beginning == o.read_from_beginning &&
         state_dir == o.state_dir && poll_interval == o.poll_interval &&
         rotate_wait == o.rotate_wait && checkpoint_interval == o.checkpoint_interval &&
         max_inflight_bytes == o.max_inflight_bytes;
}

std::unique_ptr<LogShipper> LogShipper::create(LogsConfig config, const kafka::Properties& producer,
                                               std::string host, std::string* error) {
  std::unique_ptr<LogShipper> s(new LogShipper);
  s->config_ = std::move(config);
  s->host_ = std::move(host);
  s->checkpoint_path_ = s->config_.state_dir + "/logs.checkpoint";
  struct stat st;
  if (::stat(s->config_.state_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    *error = fmt::format(
        "logs.state_dir {}: not a directory (the checkpoint of the access logs is kept there)",
        s->config_.state_dir);
    return nullptr;
  }
  std::string why;
  auto restored = load_checkpoints(s->checkpoint_path_, &why);
  if (!restored && !why.empty()) {
    *error = fmt::format("access-log checkpoint {} (move it away to start over)", why);
    return nullptr;
  }
  bool first_start = !restored;
  if (restored) s->restored_ = std::move(*restored);

  kafka::Properties props = producer;
  // Lines are never dropped: reading pauses at max_inflight_bytes, so librdkafka's queue only has
  // to hold that much (with room for record overhead).
  props["queue.buffering.max.kbytes"] =
      std::to_string(std::max<uint64_t>(s->config_.max_inflight_bytes / 1024 * 4, 1024));
  props["message.timeout.ms"] = "0";
  props["enable.idempotence"] = "true";
  kafka::Conf conf = kafka::make_conf(props, error);
  if (!conf) return nullptr;
  rd_kafka_conf_set_opaque(conf.get(), s.get());
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &LogShipper::on_delivery);
  s->rk_ = kafka::make_handle(RD_KAFKA_PRODUCER, std::move(conf), error);
  if (!s->rk_) return nullptr;
  s->topic_.reset(rd_kafka_topic_new(s->rk_.get(), s->config_.topic.c_str(), nullptr));
  s->invalid_topic_.reset(
      rd_kafka_topic_new(s->rk_.get(), s->config_.invalid_topic.c_str(), nullptr));
  if (!s->topic_ || !s->invalid_topic_) {
    *error = fmt::format("logs.topic {} / logs.invalid_topic {}: {}", s->config_.topic,
                         s->config_.invalid_topic, rd_kafka_err2str(rd_kafka_last_error()));
    return nullptr;
  }
  if (pipe2(s->event_pipe_, O_NONBLOCK | O_CLOEXEC) != 0) {
    *error = "pipe: cannot create the event pipe";
    return nullptr;
  }
  rd_kafka_queue_t* q = rd_kafka_queue_get_main(s->rk_.get());
  rd_kafka_queue_io_event_enable(q, s->event_pipe_[1], "1", 1);
  rd_kafka_queue_destroy(q);
  s->inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (s->inotify_fd_ < 0) {
    log::warning("access logs: inotify unavailable ({}): new lines are noticed every {}",
                 std::strerror(errno), format_duration(s->config_.poll_interval));
  }

  auto now = MonoClock::now();
  s->scan(now, first_start);
  s->next_scan_ = now + std::chrono::seconds(1);
  return s;
}

LogShipper::~LogShipper() {
  if (rk_) {
    rd_kafka_queue_t* q = rd_kafka_queue_get_main(rk_.get());
    rd_kafka_queue_io_event_enable(q, -1, nullptr, 0);
    rd_kafka_queue_destroy(q);
    rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(rk_.get(), 0);
  }
  topic_.reset();
  invalid_topic_.reset();
  rk_.reset();
  for (int fd : event_pipe_) {
    if (fd >= 0) ::close(fd);
  }
  if (inotify_fd_ >= 0) ::close(inotify_fd_);  // removes every watch
}

void LogShipper::open_file(const LogSource& source, const std::string& path, int64_t offset,
                           bool rotated, MonoClock::time_point now) {
  std::string error;
  auto tail = FileTail::open(path, offset, &error);
  if (!tail) {
    log::error("access log {}: {}", source.name, error);
    return;
  }
  FileId id = tail->id();
  Watched w;
  w.source = &source;
  w.path = path;
  w.acked = tail->offset();
  w.rotated = rotated;
  w.last_growth = now;
  w.tail = std::move(tail);
  // The watch is on the inode: it follows the file through a rename (rotation).
  if (inotify_fd_ >= 0) w.wd = inotify_add_watch(inotify_fd_, path.c_str(), IN_MODIFY);
  log::info("access log {}: following {} from offset {}{}", source.name, path, w.acked,
            rotated ? " (rotated while the agent was stopped: finishing it first)" : "");
  files_[id] = std::move(w);
  checkpoint_dirty_ = true;
}

void LogShipper::scan(MonoClock::time_point now, bool first) {
  std::map<std::string, FileId> at_path;  // every path the globs match now
  for (const LogSource& source : config_.sources) {
    for (const std::string& path : expand(source.paths)) {
      FileId id = file_id_of(path);
      if (id == FileId{}) continue;
      at_path[path] = id;
      if (files_.count(id)) continue;
      int64_t offset = 0;
      bool known = false;
      for (auto it = restored_.begin(); it != restored_.end(); ++it) {
        if (it->dev != id.dev || it->ino != id.ino) continue;
        known = true;
        offset = it->offset;
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        auto h = fd >= 0 ? hash_before(fd, offset) : std::nullopt;
        if (fd >= 0) ::close(fd);
        if (!h || *h != it->hash) {
          log::warning(
              "access log {}: {} changed while the agent was stopped (truncated or replaced): "
              "reading it "
              "from the start",
              source.name, path);
          offset = 0;
        }
        restored_.erase(it);
        break;
      }
      if (!known && first && !config_.read_from_beginning) {
        struct stat st;
        offset = ::stat(path.c_str(), &st) == 0
                     ? st.st_size
                     : 0;  // the history before the first start is skipped
      }
      open_file(source, path, offset, false, now);
    }
  }
  // Checkpointed files no glob matches any more: rotated away while the agent was stopped.
  if (!restored_.empty()) {
    for (const FileCheckpoint& c : restored_) {
      FileId id{c.dev, c.ino};
      if (files_.count(id)) continue;
      std::string moved = find_by_id(c.path, id);
      const LogSource* source = nullptr;
      for (const LogSource& s : config_.sources) {
        for (const auto& p : s.paths) {
          if (::fnmatch(p.c_str(), c.path.c_str(), FNM_PATHNAME) == 0) source = &s;
        }
      }
      if (moved.empty() || !source) {
        log::warning(
            "access log: {} (checkpointed at offset {}) is gone; its unread lines cannot be "
            "recovered",
            c.path, c.offset);
        continue;
      }
      int fd = ::open(moved.c_str(), O_RDONLY | O_CLOEXEC);
      auto h = fd >= 0 ? hash_before(fd, c.offset) : std::nullopt;
      if (fd >= 0) ::close(fd);
      open_file(*source, moved, h && *h == c.hash ? c.offset : 0, true, now);
    }
    restored_.clear();
  }
  // A followed file no longer at its path (renamed, or replaced by a new file) is being rotated.
  for (auto& [id, w] : files_) {
    if (w.rotated) continue;
    auto it = at_path.find(w.path);
    if (it == at_path.end() || it->second != id) {
      w.rotated = true;
      w.last_growth = now;
      log::info("access log {}: {} was rotated; reading the old file to its end", w.source->name,
                w.path);
    }
  }
  stats_.files = files_.size();
}

void LogShipper::poll(MonoClock::time_point now) {
  char drain[64];
  while (::read(event_pipe_[0], drain, sizeof drain) > 0) {
  }
  if (inotify_fd_ >= 0) {
    alignas(struct inotify_event) char events[4096];
    while (::read(inotify_fd_, events, sizeof events) > 0) {
    }
  }
  rd_kafka_poll(rk_.get(), 0);
  settle();
  if (now >= next_scan_) {
    scan(now, false);
    next_scan_ = now + std::chrono::seconds(1);
  }
  read_files(now);
  if (checkpoint_dirty_ && now >= next_checkpoint_) {
    save_checkpoint();
    next_checkpoint_ = now + config_.checkpoint_interval;
  }
}

void LogShipper::read_files(MonoClock::time_point now) {
  // Rotated files first: their lines come before the new file's.
  for (int pass = 0; pass < 2; ++pass) {
    for (auto& entry : files_) {
      auto& w = entry.second;  // not a structured binding: clang 14 cannot capture those in lambdas
      if (w.closed || w.rotated != (pass == 0)) continue;
      for (;;) {
        bool paused = stats_.inflight_bytes >= config_.max_inflight_bytes;
        if (paused != stats_.paused) {
          stats_.paused = paused;
          if (paused) {
            log::notice(
                "access logs: {} bytes wait for Kafka's acknowledgement; reading paused until it "
                "catches up",
                stats_.inflight_bytes);
          } else {
            log::notice("access logs: Kafka caught up; reading again");
          }
        }
        if (paused) return;
        size_t budget = config_.max_inflight_bytes - stats_.inflight_bytes;
        auto r = w.tail->read(
            std::min<size_t>(budget, 1 << 20),
            [&](std::string_view line, int64_t end, bool cut) { handle_line(w, line, end, cut); });
        if (r.truncated) {
          log::warning(
              "access log {}: {} was truncated in place (copytruncate); reading it from the start",
              w.source->name, w.path);
          w.acked = 0;
          checkpoint_dirty_ = true;
        }
        if (!r.error.empty()) {
          auto t = std::chrono::steady_clock::now();
          if (t - last_error_log_ > std::chrono::seconds(10)) {
            log::error("access log {}: {}", w.source->name, r.error);
            last_error_log_ = t;
          }
          break;
        }
        if (r.bytes > 0) w.last_growth = now;
        if (r.eof) break;
      }
      if (w.rotated && now - w.last_growth >= config_.rotate_wait) {
        w.tail->finish_partial(
            [&](std::string_view line, int64_t end, bool cut) { handle_line(w, line, end, cut); });
        w.closed = true;
        log::info("access log {}: done with the rotated {}", w.source->name, w.path);
      }
    }
  }
  settle();
}

void LogShipper::handle_line(Watched& w, std::string_view line, int64_t end_offset, bool cut) {
  ++stats_.lines;
  AccessLogEntry& entry = entry_;  // reused: its strings keep their capacity from line to line
  std::string why;
  if (!cut && w.source->format.parse(line, &entry, &why)) {
    int64_t ts = entry.ts_ms >= 0 ? entry.ts_ms : wall_ms();  // a format without a time: read time
    value_.clear();
    append_http_record(&value_, host_, w.path, ts, entry);
    produce(topic_.get(), entry.client_ip, value_, ts, w, end_offset);
    return;
  }
  if (cut) why = fmt::format("longer than {} bytes", FileTail::kMaxLineBytes);
  if (stats_.invalid++ % 1000 == 0) {
    log::warning("access log {}: {} offset {}: line does not parse ({}); {} so far, {}",
                 w.source->name, w.path, end_offset - static_cast<int64_t>(line.size()) - 1, why,
                 stats_.invalid,
                 config_.publish_invalid ? "published raw to " + config_.invalid_topic : "dropped");
  }
  if (config_.publish_invalid) {
    produce(invalid_topic_.get(), w.path, line, wall_ms(), w, end_offset);
  } else {
    track(w, end_offset, 0, true);  // keeps the checkpoint in file order
  }
}

void LogShipper::produce(rd_kafka_topic_t* topic, std::string_view key, std::string_view value,
                         int64_t ts_ms, Watched& w, int64_t end_offset) {
  uint64_t seq = first_seq_ + inflight_.size();
  size_t bytes = key.size() + value.size();
  for (;;) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_.get(), RD_KAFKA_V_RKT(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_TIMESTAMP(ts_ms), RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(seq)),
        RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {  // librdkafka's message count bound: wait for acks
      rd_kafka_poll(rk_.get(), 100);
      continue;
    }
    if (err) {
      ++stats_.failed;
      log::error("access log {}: {} offset {}: kafka refused the record: {}", w.source->name,
                 w.path, end_offset, rd_kafka_err2str(err));
      track(w, end_offset, 0, true);
      return;
    }
    break;
  }
  track(w, end_offset, bytes, false);
  stats_.inflight_bytes += bytes;
}

void LogShipper::track(Watched& w, int64_t end_offset, size_t bytes, bool done) {
  inflight_.push_back({w.tail->id(), end_offset, bytes, done});
  ++w.queued;
}

void LogShipper::on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<LogShipper*>(opaque);
  uint64_t seq = reinterpret_cast<uint64_t>(msg->_private);
  if (seq < self->first_seq_ || seq - self->first_seq_ >= self->inflight_.size()) return;
  InFlight& f = self->inflight_[seq - self->first_seq_];
  if (f.done) return;
  f.done = true;
  self->stats_.inflight_bytes -= std::min<uint64_t>(f.bytes, self->stats_.inflight_bytes);
  auto it = self->files_.find(f.file);
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++self->stats_.published;
    return;
  }
  // With message.timeout.ms=0 only permanent errors get here (record too large, no authorization).
  ++self->stats_.failed;
  log::error("access log: kafka refused a record of {} (up to offset {}): {}",
             it != self->files_.end() ? it->second.path : "a closed file", f.end_offset,
             rd_kafka_err2str(msg->err));
}

// Moves each file's acknowledged offset over the lines acknowledged in order; forgets rotated
// files that are done.
void LogShipper::settle() {
  while (!inflight_.empty() && inflight_.front().done) {
    const InFlight& f = inflight_.front();
    auto it = files_.find(f.file);
    if (it != files_.end()) {
      it->second.acked = f.end_offset;
      --it->second.queued;
      checkpoint_dirty_ = true;
    }
    inflight_.pop_front();
    ++first_seq_;
  }
  for (auto it = files_.begin(); it != files_.end();) {
    if (it->second.closed && it->second.queued == 0) {
      if (it->second.wd >= 0) inotify_rm_watch(inotify_fd_, it->second.wd);
      it = files_.erase(it);
      checkpoint_dirty_ = true;
      continue;
    }
    ++it;
  }
  stats_.files = files_.size();
}

bool LogShipper::save_checkpoint() {
  std::vector<FileCheckpoint> out;
  for (const auto& [id, w] : files_) {
    auto h = hash_before(w.tail->fd(), w.acked);
    out.push_back({id.dev, id.ino, w.acked, h.value_or(0), w.path});
  }
  std::string error;
  if (!save_checkpoints(checkpoint_path_, out, &error)) {
    auto t = std::chrono::steady_clock::now();
    if (t - last_error_log_ > std::chrono::seconds(10)) {
      log::error("access-log checkpoint: {} (retrying; a restart would publish lines again)",
                 error);
      last_error_log_ = t;
    }
    return false;
  }
  checkpoint_dirty_ = false;
  return true;
}

bool LogShipper::flush(std::chrono::milliseconds timeout) {
  auto deadline = MonoClock::now() + timeout;
  for (;;) {
    rd_kafka_poll(rk_.get(), 0);
    settle();
    if (inflight_.empty()) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - MonoClock::now());
    if (left.count() <= 0) break;
    rd_kafka_poll(rk_.get(), static_cast<int>(std::min<int64_t>(left.count(), 100)));
  }
  bool all = inflight_.empty();
  save_checkpoint();
  return all;
}

}  // namespace sentinel::agent

// RotatingFileSink task: records → archive streams, durability cadence, resume positions.
#include "rotating_sink_task.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "compress.h"

namespace sentinel::archive {

using connect::Config;
using connect::OffsetMap;
using connect::SinkRecord;
using connect::Status;
using connect::TopicPartition;

namespace {
constexpr const char* kVersion = "1.0.0";
constexpr int64_t kRetentionRecheckMs = 60000;

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void warn(const std::string& text) {
  std::fprintf(stderr, "RotatingFileSink: warning: %s\n", text.c_str());
}
}  // namespace

RotatingFileSinkTask::RotatingFileSinkTask(std::function<int64_t()> now_ms)
    : now_ms_(now_ms ? std::move(now_ms) : std::function<int64_t()>(system_now_ms)) {}

RotatingFileSinkTask::~RotatingFileSinkTask() { stop(); }

std::string RotatingFileSinkTask::version() const { return kVersion; }

Status RotatingFileSinkTask::fail(const std::string& what, const std::string& cause) {
  std::string message = "RotatingFileSink " + what + ": " + cause;
  failed_ = Status::Error(
      message, "ConnectException: " + message +
                   "\nNothing past the last durable, recorded line is committed; after the cause "
                   "is fixed a restart of the task resumes from the archive.");
  return *failed_;
}

Status RotatingFileSinkTask::start(const Config& config) {
  std::string error;
  auto s = parse_sink_settings(config, &error);
  if (!s)
    return Status::Error("RotatingFileSink configuration: " + error, "ConnectException: " + error);
  settings_ = std::move(*s);
  auto root = config.find(connect::kArchiveRootKey);
  if (root == config.end()) {
    root_ = confined::Root::unconfined();
  } else if (!(root_ = confined::Root::open(root->second, &error))) {
    return fail("could not open the worker's archive.root", error);
  }
  janitor_ = std::make_unique<Janitor>(now_ms_);
  next_retention_ms_ = now_ms_() + kRetentionRecheckMs;
  return Status::Ok();
}

MaintenanceSpec RotatingFileSinkTask::maintenance(const Stream& s) const {
  MaintenanceSpec m;
  m.key = s.files->key();
  m.scan_root = settings_.path.scan_root(s.topic, s.partition);
  m.path_regex = settings_.path.path_regex(s.topic, s.partition);
  m.ext = codec_extension(settings_.compression);
  m.retention = settings_.retention;
  m.root = root_;
  return m;
}

RotatingFileSinkTask::Stream* RotatingFileSinkTask::stream_for(const PartitionKey& tp,
                                                               Status* status) {
  auto r = route_.find(tp);
  if (r != route_.end()) return &streams_.at(r->second);
  std::string error;
  auto rendered = settings_.path.stream_key(tp.first, tp.second, &error);
  if (!rendered) {
    *status =
        fail("could not open the archive for " + tp.first + "-" + std::to_string(tp.second), error);
    return nullptr;
  }
  std::string key = *rendered;
  auto it = streams_.find(key);
  if (it == streams_.end()) {
    StreamOptions options;
    options.rotation = settings_.rotation;
    options.now_ms = now_ms_;
    options.warn = warn;
    options.root = root_;
    auto files = ArchiveStream::open(settings_.path, tp.first, tp.second, options, &error);
    if (!files) {
      *status = fail("could not open the archive for " + tp.first + "-" + std::to_string(tp.second),
                     error);
      return nullptr;
    }
    Stream s;
    s.files = std::move(files);
    s.topic = tp.first;
    s.partition = tp.second;
    it = streams_.emplace(key, std::move(s)).first;
    collect_rotated(it->second);
    janitor_->schedule(maintenance(it->second));  // leftovers of an earlier run
  }
  it->second.assigned.insert(tp);
  route_[tp] = key;
  return &it->second;
}

void RotatingFileSinkTask::collect_rotated(Stream& s) {
  if (!s.files->take_rotated().empty()) janitor_->schedule(maintenance(s));
}

Status RotatingFileSinkTask::open(const std::vector<TopicPartition>& partitions) {
  if (failed_) return *failed_;
  OffsetMap resume;
  for (const auto& tp : partitions) {
    Status st;
    Stream* s = stream_for({tp.topic, tp.partition}, &st);
    if (!s) return st;
    // The archive says where it stands, whatever the consumer group committed.
    int64_t next = s->files->durable_next_offset({tp.topic, tp.partition});
    if (next >= 0) resume[tp] = next;
  }
  if (context_ && !resume.empty()) context_->offset(resume);
  return Status::Ok();
}

Status RotatingFileSinkTask::close(const std::vector<TopicPartition>& partitions) {
  if (failed_) return *failed_;
  Status result = flush_all();
  for (const auto& tp : partitions) {
    auto r = route_.find({tp.topic, tp.partition});
    if (r == route_.end()) continue;
    auto it = streams_.find(r->second);
    route_.erase(r);
    if (it == streams_.end()) continue;
    it->second.assigned.erase({tp.topic, tp.partition});
    if (it->second.assigned.empty()) {
      // Another task may own this partition next: stop touching its files first.
      janitor_->forget(it->first);
      it->second.files->close();
      streams_.erase(it);
    }
  }
  return result;
}

Status RotatingFileSinkTask::flush_all() {
  for (auto& [key, s] : streams_) {
    std::string error;
    if (!s.files->flush(&error)) return fail("could not make the archive durable", error);
  }
  pending_records_ = 0;
  first_pending_ms_ = -1;
  return Status::Ok();
}

// Group commit without stopping: each stream's lines so far are made durable on the syncer's
// thread while the next ones are written.
Status RotatingFileSinkTask::flush_all_async(bool* deferred_out) {
  bool deferred = false;
  for (auto& [key, s] : streams_) {
    std::string error;
    if (!s.files->flush_async(syncer_, &deferred, &error))
      return fail("could not make the archive durable", error);
  }
  if (!deferred) {  // else a stream was still syncing: the next put() asks again
    pending_records_ = 0;
    first_pending_ms_ = -1;
  }
  *deferred_out = deferred;
  return Status::Ok();
}

Status RotatingFileSinkTask::put(const std::vector<SinkRecord>& records) {
  if (failed_) return *failed_;
  std::string error = janitor_->take_error();
  if (!error.empty()) return fail("could not compress or prune rotated files", error);
  int64_t now = now_ms_();
  for (auto& [key, s] : streams_) {
    if (!s.files->tick(&error)) return fail("could not rotate " + s.files->active_path(), error);
    collect_rotated(s);
  }
  std::vector<Stream*> touched;
  int64_t appended = 0;
  PartitionKey tp;
  Stream* s = nullptr;
  for (const SinkRecord& r : records) {
    if (!s || r.partition != tp.second ||
        r.topic != tp.first) {  // batches come in runs per partition
      tp = {r.topic, r.partition};
      Status st;
      s = stream_for(tp, &st);
      if (!s) return st;
    }
    int64_t next = s->files->next_offset(tp);
    if (next >= 0 && r.offset < next) {
      ++duplicates_skipped_;  // already archived (a rebalance overlap, a seek not yet applied)
      continue;
    }
    line_.clear();
    format_record(settings_.format, r, &line_);
    if (!s->files->append(tp, r.offset, line_, &error)) {
      return fail("could not write to " + s->files->active_path(), error);
    }
    if (std::find(touched.begin(), touched.end(), s) == touched.end()) touched.push_back(s);
    ++appended;
  }
  for (Stream* s : touched) {
    if (!s->files->write_pending(&error))
      return fail("could not write to " + s->files->active_path(), error);
    collect_rotated(*s);
  }
  if (appended > 0) {
    pending_records_ += appended;
    if (first_pending_ms_ < 0) first_pending_ms_ = now;
  }
  // Group commit: under load lines are made durable every flush.max.records or
  // flush.interval.ms; once the topic goes quiet (an empty batch: a poll brought nothing) at once.
  bool due = pending_records_ >= settings_.flush_max_records ||
             (first_pending_ms_ >= 0 && now - first_pending_ms_ >= settings_.flush_interval_ms) ||
             (records.empty() && pending_records_ > 0);
  if (due) {
    bool deferred = false;
    Status st = flush_all_async(&deferred);
    if (!st.ok) return st;
    if (context_ && !deferred) context_->request_commit();
  }
  if (now >= next_retention_ms_ && settings_.retention.max_age_ms >= 0) {
    for (auto& [key, s] : streams_) janitor_->schedule(maintenance(s));
    next_retention_ms_ = now + kRetentionRecheckMs;
  }
  return Status::Ok();
}

Status RotatingFileSinkTask::pre_commit(const OffsetMap& current, OffsetMap* committable) {
  if (failed_) return *failed_;
  // Connect's flush-before-commit: everything put so far is made durable now (waiting for a
  // background sync first). This runs every offset.flush.interval.ms, on revocation and on stop;
  // the cadence flushes in put() do not wait.
  Status st = flush_all();
  if (!st.ok) return st;
  for (const auto& [tp, off] : current) {
    auto r = route_.find({tp.topic, tp.partition});
    if (r == route_.end()) continue;
    int64_t next = streams_.at(r->second).files->durable_next_offset({tp.topic, tp.partition});
    if (next >= 0) (*committable)[tp] = next;
  }
  return Status::Ok();
}

void RotatingFileSinkTask::stop() {
  if (!failed_ && !streams_.empty()) {
    Status st = flush_all();
    if (!st.ok) warn(st.message);
  }
  janitor_.reset();  // abandons a running compression; the next start picks it up again
  streams_.clear();
  route_.clear();
}

}  // namespace sentinel::archive

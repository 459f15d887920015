// One archive stream: the active file of one rendered path (one partition, or several when the
// path names no {partition}) with its state file and lock. Owns the exactly-once bookkeeping:
//
//   append  → whole lines go to the active file (O_APPEND, one write() per batch);
//   flush   → fdatasync, then the state file records the new length and next offsets (the
//             commit point); flush_async does the same on a Syncer's thread while lines go on
//             being appended (at most one sync per stream at a time; every other operation
//             waits for it first);
//   rotate  → flush, record the target name in the state ("rotating"), rename, create the next
//             active file at once, fsync the directory, clear "rotating";
//   open    → take the lock, finish or forget a half-done rotation, cut the active file back to
//             the recorded length (a torn or unrecorded tail), and report where each partition
//             resumes.
//
// A stream is used by one thread. Every failing call leaves the stream unusable (`broken`): the
// task fails and a new one recovers from the files. Every filesystem call goes through the
// options' confined root (common/confined_fs.h), so no link or rendered ".." leads outside it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "archive_state.h"
#include "common/confined_fs.h"
#include "path_template.h"
#include "rotation.h"
#include "syncer.h"

namespace sentinel::archive {

struct StreamOptions {
  RotationPolicy rotation;
  std::function<int64_t()> now_ms;  // wall clock, ms since the epoch (tests pass their own)
  std::function<void(const std::string&)> warn;  // operator-visible warnings
  int64_t lock_wait_ms = 10000;  // how long another holder of the stream's lock is waited for
  // Every file and directory of the stream is reached beneath this root (null: unconfined).
  std::shared_ptr<const confined::Root> root;
};

class ArchiveStream {
 public:
  // Opens (and repairs) the stream of `key` (PathTemplate::stream_key) rendered with
  // topic/partition. nullptr with *error naming the file and call.
  static std::unique_ptr<ArchiveStream> open(const PathTemplate& tmpl, const std::string& topic,
                                             int32_t partition, StreamOptions options,
                                             std::string* error);
  ~ArchiveStream();

  const std::string& key() const { return key_; }
  const std::string& active_path() const { return mem_.active_path; }
  const std::string& state_path() const { return state_path_; }
  // Next offset to archive for the partition (everything below is in the archive or in this
  // stream's unflushed buffer); -1 when the archive holds none of it.
  int64_t next_offset(const PartitionKey& tp) const;
  // Same, counting only what is durable and recorded.
  int64_t durable_next_offset(const PartitionKey& tp) const;
  bool dirty() const {
    return mem_.length + static_cast<int64_t>(buffer_.size()) != durable_.length ||
           mem_.partitions != durable_.partitions;
  }

  // Rotates first when the policy says so, then buffers `line` (which ends with '\n').
  bool append(const PartitionKey& tp, int64_t offset, const std::string& line, std::string* error);
  // Writes the buffered lines to the active file (not durable yet).
  bool write_pending(std::string* error);
  // Time-driven work: rotation by interval or at midnight, and a new active path when the
  // rendered date changed.
  bool tick(std::string* error);
  // Makes everything appended durable and records it.
  bool flush(std::string* error);
  // Writes the buffered lines and starts making them durable on `syncer`'s thread; returns at
  // once. While a sync of this stream runs, only writes and sets *deferred (call again later).
  bool flush_async(Syncer& syncer, bool* deferred, std::string* error);
  // Takes the result of a finished background sync (durable_next_offset moves on); false with
  // *error when it failed. Does not wait.
  bool poll_sync(std::string* error);
  // Waits for a running background sync, then poll_sync.
  bool wait_sync(std::string* error);
  // Rotated files (plain) since the last call, for compression and retention.
  std::vector<std::string> take_rotated();
  // Closes without flushing (after a failure, or once flushed).
  void close();

 private:
  ArchiveStream() = default;
  bool recover(std::string* error);
  bool open_active(const std::string& path, bool exclusive, std::string* error);
  bool rotate(const std::string& next_path, std::string* error);
  bool desired_path(std::string* path, std::string* error) const;
  bool fail(const std::string& message, std::string* error);

  PathTemplate tmpl_;
  std::string topic_;
  int32_t partition_ = 0;
  StreamOptions options_;
  std::string key_, state_dir_, state_path_, lock_path_;
  int lock_fd_ = -1, state_dir_fd_ = -1, fd_ = -1;
  StreamState mem_;      // what has been appended (length = bytes written, without buffer_)
  StreamState durable_;  // what the state file says
  std::string buffer_;
  std::vector<std::string> rotated_;
  bool broken_ = false;
  int64_t opened_size_ = 0;
  // Background sync (flush_async): guarded by sync_mu_.
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  bool sync_running_ = false;
  bool sync_ready_ = false;  // sync_state_ is durable and recorded, not taken yet
  StreamState sync_state_;
  std::string sync_error_;
  StreamState submitted_;  // the last state handed to a sync (or made durable)
};

}  // namespace sentinel::archive

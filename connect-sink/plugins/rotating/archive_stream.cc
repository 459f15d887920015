// Archive streams: append, flush, rotate and recover one active file with its state file.
#include "archive_stream.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <thread>

#include "common/errno_text.h"

namespace sentinel::archive {
namespace {

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string sanitize(const std::string& key) {
  std::string out;
  for (char c : key) out += c == '/' ? '#' : c;
  return out;
}

}  // namespace

std::unique_ptr<ArchiveStream> ArchiveStream::open(const PathTemplate& tmpl,
                                                   const std::string& topic, int32_t partition,
                                                   StreamOptions options, std::string* error) {
  std::unique_ptr<ArchiveStream> s(new ArchiveStream);
  s->tmpl_ = tmpl;
  s->topic_ = topic;
  s->partition_ = partition;
  s->options_ = std::move(options);
  if (!s->options_.root) s->options_.root = confined::Root::unconfined();
  const confined::Root& root = *s->options_.root;
  auto key = tmpl.stream_key(topic, partition, error);
  if (!key) return nullptr;
  s->key_ = *key;
  s->state_dir_ = tmpl.state_root() + "/.sentinel-archive";
  std::string rel = s->key_;
  std::string state_root = tmpl.state_root();
  if (rel.rfind(state_root + "/", 0) == 0) rel = rel.substr(state_root.size() + 1);
  s->state_path_ = s->state_dir_ + "/" + sanitize(rel) + ".state";
  s->lock_path_ = s->state_dir_ + "/" + sanitize(rel) + ".lock";
  if (!root.make_dirs(s->state_dir_, error)) return nullptr;
  // The state directory is opened once; its state and lock files are reached by name under it.
  s->state_dir_fd_ = root.open_dir(s->state_dir_, error);
  if (s->state_dir_fd_ < 0) return nullptr;
  // Two writers never share a file: the lock is held for as long as the stream is open. A
  // rebalance may hand the partition over while the previous owner is still closing it.
  s->lock_fd_ = confined::open_regular_at(s->state_dir_fd_, sanitize(rel) + ".lock",
                                          O_RDWR | O_CREAT, 0644, error, s->lock_path_);
  if (s->lock_fd_ < 0) return nullptr;
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(s->options_.lock_wait_ms);
  while (::flock(s->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      *error = "flock(\"" + s->lock_path_ + "\"): " + errno_text(errno);
      return nullptr;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      *error = "another writer holds the archive stream " + s->key_ + " (lock " + s->lock_path_ +
               " busy for " + std::to_string(s->options_.lock_wait_ms) +
               " ms): two tasks or workers write the same files; give each partition its own file "
               "with {topic} "
               "and {partition} in `path`";
      return nullptr;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!s->recover(error)) return nullptr;
  return s;
}

ArchiveStream::~ArchiveStream() { close(); }

void ArchiveStream::close() {
  {
    std::unique_lock<std::mutex> lock(sync_mu_);
    sync_cv_.wait(lock, [&] { return !sync_running_; });
  }
  if (fd_ >= 0) ::close(fd_);
  if (state_dir_fd_ >= 0) ::close(state_dir_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
  fd_ = state_dir_fd_ = lock_fd_ = -1;
}

bool ArchiveStream::fail(const std::string& message, std::string* error) {
  broken_ = true;
  *error = message;
  return false;
}

bool ArchiveStream::desired_path(std::string* path, std::string* error) const {
  std::time_t t = static_cast<std::time_t>(options_.now_ms() / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  auto rendered = tmpl_.render(topic_, partition_, tm, error);
  if (!rendered) return false;
  *path = std::move(*rendered);
  return true;
}

bool ArchiveStream::open_active(const std::string& path, bool exclusive, std::string* error) {
  const confined::Root& root = *options_.root;
  if (!root.make_dirs(dir_of(path), error)) return fail(*error, error);
  fd_ = root.open_file(path, O_WRONLY | O_CREAT | O_APPEND | (exclusive ? O_EXCL : 0), 0644, error);
  if (fd_ < 0) {
    if (errno == EEXIST) *error += " (something else created it right after the rotation)";
    return fail(*error, error);
  }
  struct stat st;
  if (::fstat(fd_, &st) != 0) return fail("fstat(\"" + path + "\"): " + errno_text(errno), error);
  opened_size_ = st.st_size;
  return true;
}

bool ArchiveStream::recover(std::string* error) {
  const confined::Root& root = *options_.root;
  std::string why;
  auto loaded = load_state(state_dir_fd_, state_path_, &why);
  if (!loaded && !why.empty()) {
    return fail("cannot read the archive state " + why +
                    " (move it away to start the stream afresh from the consumer group's offsets)",
                error);
  }
  StreamState st;
  if (loaded) {
    st = *loaded;
  } else {
    if (!desired_path(&st.active_path, error)) return fail(*error, error);
  }
  bool changed = !loaded;
  if (!st.rotating.empty()) {
    const std::string& r = st.rotating;
    bool renamed = root.exists(r) || root.exists(r + ".gz") || root.exists(r + ".zst");
    struct stat as;
    bool active_has_data = root.stat(st.active_path, &as, &why) && as.st_size > 0;
    if (renamed || !active_has_data) {
      if (root.exists(r)) {
        struct stat rs;
        if (root.stat(r, &rs, &why) && rs.st_size > st.length &&
            !root.truncate(r, st.length, error)) {
          return fail(*error, error);
        }
        rotated_.push_back(r);
      }
      // The rotation was done up to the rename: the active file is new (absent or empty).
      st.length = 0;
      st.first_record_ms = -1;
      for (auto& [tp, p] : st.partitions) p.first = p.last = -1;
    }
    st.rotating.clear();
    changed = true;
  }
  // Cut the active file back to what the state records: a torn last line, or lines whose offsets
  // were never recorded (they come again from Kafka).
  struct stat as;
  if (root.stat(st.active_path, &as, &why)) {
    if (!S_ISREG(as.st_mode)) {
      return fail(
          "the active archive file \"" + st.active_path + "\" is " +
              (S_ISLNK(as.st_mode) ? "a symbolic link (the archive never writes through a link)"
                                   : "not a regular file"),
          error);
    }
    if (!loaded) {
      st.length = as.st_size;  // a file from before this sink: kept as it is, appended to
    } else if (as.st_size > st.length) {
      if (!root.truncate(st.active_path, st.length, error)) return fail(*error, error);
      changed = true;
    } else if (as.st_size < st.length) {
      if (options_.warn) {
        options_.warn("archive file " + st.active_path + " is shorter (" +
                      std::to_string(as.st_size) + " bytes) than its state records (" +
                      std::to_string(st.length) +
                      "): it was changed outside the sink; appending after what is left");
      }
      st.length = as.st_size;
      changed = true;
    }
  } else if (errno != ENOENT) {
    return fail(why, error);  // a link out of archive.root, a path outside it, …
  } else if (st.length > 0) {
    if (options_.warn) {
      options_.warn("archive file " + st.active_path + " is gone (its state records " +
                    std::to_string(st.length) +
                    " bytes): it was removed outside the sink; starting a new one");
    }
    st.length = 0;
    st.first_record_ms = -1;
    for (auto& [tp, p] : st.partitions) p.first = p.last = -1;
    changed = true;
  }
  if (!open_active(st.active_path, false, error)) return false;
  if (::fdatasync(fd_) != 0)
    return fail("fdatasync(\"" + st.active_path + "\"): " + errno_text(errno), error);
  if (!root.fsync_dir(dir_of(st.active_path), error)) return fail(*error, error);
  if (changed && !save_state(state_dir_fd_, state_path_, st, error)) return fail(*error, error);
  mem_ = durable_ = submitted_ = st;
  return true;
}

int64_t ArchiveStream::next_offset(const PartitionKey& tp) const {
  auto it = mem_.partitions.find(tp);
  return it == mem_.partitions.end() ? -1 : it->second.next;
}

int64_t ArchiveStream::durable_next_offset(const PartitionKey& tp) const {
  auto it = durable_.partitions.find(tp);
  return it == durable_.partitions.end() ? -1 : it->second.next;
}

bool ArchiveStream::append(const PartitionKey& tp, int64_t offset, const std::string& line,
                           std::string* error) {
  if (broken_) return fail("archive stream " + key_ + " failed earlier", error);
  int64_t now = options_.now_ms();
  ActiveFile file{mem_.length + static_cast<int64_t>(buffer_.size()), mem_.first_record_ms};
  if (should_rotate(options_.rotation, file, now, static_cast<int64_t>(line.size()),
                    &local_day_number)) {
    std::string next;
    if (!desired_path(&next, error)) return fail(*error, error);
    if (!rotate(next, error)) return false;
  }
  buffer_ += line;
  PartitionState& p = mem_.partitions[tp];
  if (p.first < 0) p.first = offset;
  p.last = offset;
  p.next = offset + 1;
  if (mem_.first_record_ms < 0) mem_.first_record_ms = now;
  if (buffer_.size() >= (1u << 20)) return write_pending(error);
  return true;
}

bool ArchiveStream::write_pending(std::string* error) {
  if (broken_) return fail("archive stream " + key_ + " failed earlier", error);
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return fail("write(\"" + mem_.active_path + "\", " + std::to_string(buffer_.size() - done) +
                      " bytes): " + errno_text(errno),
                  error);
    }
    done += static_cast<size_t>(n);
  }
  mem_.length += static_cast<int64_t>(buffer_.size());
  buffer_.clear();
  return true;
}

bool ArchiveStream::poll_sync(std::string* error) {
  std::lock_guard<std::mutex> lock(sync_mu_);
  if (!sync_error_.empty()) {
    broken_ = true;  // a failed fdatasync is never retried: recover from the recorded state
    *error = sync_error_;
    return false;
  }
  if (sync_ready_) {
    durable_ = sync_state_;
    sync_ready_ = false;
  }
  return true;
}

bool ArchiveStream::wait_sync(std::string* error) {
  {
    std::unique_lock<std::mutex> lock(sync_mu_);
    sync_cv_.wait(lock, [&] { return !sync_running_; });
  }
  return poll_sync(error);
}

bool ArchiveStream::flush_async(Syncer& syncer, bool* deferred, std::string* error) {
  if (!poll_sync(error)) return false;
  if (!write_pending(error)) return false;
  if (mem_.length == submitted_.length && mem_.partitions == submitted_.partitions) return true;
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    if (sync_running_) {
      *deferred = true;
      return true;
    }
    sync_running_ = true;
  }
  submitted_ = mem_;
  syncer.submit([this, snapshot = mem_] {
    // fd_ and the state file are touched by no one else while sync_running_ (every other
    // operation waits for it), so this runs unlocked.
    std::string err;
    bool ok = true;
    if (::fdatasync(fd_) != 0) {
      err = "fdatasync(\"" + snapshot.active_path + "\"): " + errno_text(errno);
      ok = false;
    } else {
      ok = save_state(state_dir_fd_, state_path_, snapshot, &err);
    }
    std::lock_guard<std::mutex> lock(sync_mu_);
    sync_running_ = false;
    if (ok) {
      sync_state_ = snapshot;
      sync_ready_ = true;
    } else {
      sync_error_ = err;
    }
    sync_cv_.notify_all();
  });
  return true;
}

bool ArchiveStream::flush(std::string* error) {
  if (!wait_sync(error)) return fail(*error, error);
  if (!write_pending(error)) return false;
  if (!dirty()) return true;
  if (::fdatasync(fd_) != 0) {
    // After a failed writeback the kernel may drop the pages and report success next time
    // (fsyncgate): never retry, fail and recover from the recorded state.
    return fail("fdatasync(\"" + mem_.active_path + "\"): " + errno_text(errno), error);
  }
  if (!save_state(state_dir_fd_, state_path_, mem_, error)) return fail(*error, error);
  durable_ = submitted_ = mem_;
  return true;
}

bool ArchiveStream::tick(std::string* error) {
  if (broken_) return fail("archive stream " + key_ + " failed earlier", error);
  std::string desired;
  if (!desired_path(&desired, error)) return fail(*error, error);
  if (desired != mem_.active_path) return rotate(desired, error);
  ActiveFile file{mem_.length + static_cast<int64_t>(buffer_.size()), mem_.first_record_ms};
  if (should_rotate(options_.rotation, file, options_.now_ms(), 0, &local_day_number))
    return rotate(desired, error);
  return true;
}

bool ArchiveStream::rotate(const std::string& next_path, std::string* error) {
  if (!flush(error)) return false;
  const std::string old_path = mem_.active_path;
  if (mem_.length == 0) {
    // Nothing to keep: an empty active file whose rendered name changed is simply replaced.
    if (next_path == old_path) return true;
    ::close(fd_);
    fd_ = -1;
    mem_.active_path = next_path;
    mem_.first_record_ms = -1;
    if (!open_active(next_path, false, error)) return false;
    mem_.length = opened_size_;  // a file already there (clock set back) is appended to, not cut
    if (!options_.root->fsync_dir(dir_of(next_path), error)) return fail(*error, error);
    if (!save_state(state_dir_fd_, state_path_, mem_, error)) return fail(*error, error);
    std::string ignored;
    options_.root->unlink(old_path, &ignored);
    durable_ = submitted_ = mem_;
    return true;
  }
  std::vector<OffsetRange> ranges;
  for (const auto& [tp, p] : mem_.partitions) {
    if (p.first >= 0) ranges.push_back({tp.first, tp.second, p.first, p.last});
  }
  int64_t now = options_.now_ms();
  std::string target = rotated_name(old_path, now, ranges);
  const confined::Root& root = *options_.root;
  for (int i = 1;
       root.exists(target) || root.exists(target + ".gz") || root.exists(target + ".zst"); ++i) {
    target = rotated_name(old_path, now, ranges) + "-" + std::to_string(i);
  }
  // 1. Record the intent: a crash from here on finishes the rotation on recovery.
  mem_.rotating = target;
  if (!save_state(state_dir_fd_, state_path_, mem_, error)) return fail(*error, error);
  // 2. Rename, and create the next active file at once (tail -F finds it by name).
  if (!root.rename(old_path, target, error)) return fail(*error, error);
  ::close(fd_);
  fd_ = -1;
  if (!open_active(next_path, next_path == old_path, error)) return false;
  if (!root.fsync_dir(dir_of(old_path), error)) return fail(*error, error);
  if (dir_of(next_path) != dir_of(old_path) && !root.fsync_dir(dir_of(next_path), error))
    return fail(*error, error);
  // 3. Done: the state describes the new, empty active file.
  mem_.rotating.clear();
  mem_.active_path = next_path;
  mem_.length = opened_size_;
  mem_.first_record_ms = -1;
  for (auto& [tp, p] : mem_.partitions) p.first = p.last = -1;
  if (!save_state(state_dir_fd_, state_path_, mem_, error)) return fail(*error, error);
  durable_ = submitted_ = mem_;
  rotated_.push_back(target);
  return true;
}

std::vector<std::string> ArchiveStream::take_rotated() {
  std::vector<std::string> out;
  out.swap(rotated_);
  return out;
}

}  // namespace sentinel::archive

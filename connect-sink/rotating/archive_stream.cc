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

namespace sentinel::archive {
namespace {

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool fsync_dir(const std::string& dir, std::string* error) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    *error = "fsync(directory \"" + dir + "\"): " + errno_text(errno);
    if (fd >= 0) ::close(fd);
    return false;
  }
  ::close(fd);
  return true;
}

std::string sanitize(const std::string& key) {
  std::string out;
  for (char c : key) out += c == '/' ? '#' : c;
  return out;
}

}  // namespace

bool make_dirs(const std::string& dir, std::string* error) {
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return true;
    *error = "\"" + dir + "\" exists and is not a directory";
    return false;
  }
  std::string parent = dir_of(dir);
  if (parent != dir && !make_dirs(parent, error)) return false;
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    *error = "mkdir(\"" + dir + "\"): " + errno_text(errno);
    return false;
  }
  return fsync_dir(parent, error);
}

std::unique_ptr<ArchiveStream> ArchiveStream::open(const PathTemplate& tmpl, const std::string& topic,
                                                   int32_t partition, StreamOptions options, std::string* error) {
  std::unique_ptr<ArchiveStream> s(new ArchiveStream);
  s->tmpl_ = tmpl;
  s->topic_ = topic;
  s->partition_ = partition;
  s->options_ = std::move(options);
  s->key_ = tmpl.stream_key(topic, partition);
  s->state_dir_ = tmpl.state_root() + "/.sentinel-archive";
  std::string rel = s->key_;
  std::string root = tmpl.state_root();
  if (rel.rfind(root + "/", 0) == 0) rel = rel.substr(root.size() + 1);
  s->state_path_ = s->state_dir_ + "/" + sanitize(rel) + ".state";
  s->lock_path_ = s->state_dir_ + "/" + sanitize(rel) + ".lock";
  if (!make_dirs(s->state_dir_, error)) return nullptr;
  s->state_dir_fd_ = ::open(s->state_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s->state_dir_fd_ < 0) {
    *error = "open(\"" + s->state_dir_ + "\"): " + errno_text(errno);
    return nullptr;
  }
  // Two writers never share a file: the lock is held for as long as the stream is open. A
  // rebalance may hand the partition over while the previous owner is still closing it.
  s->lock_fd_ = ::open(s->lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (s->lock_fd_ < 0) {
    *error = "open(\"" + s->lock_path_ + "\"): " + errno_text(errno);
    return nullptr;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(s->options_.lock_wait_ms);
  while (::flock(s->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      *error = "flock(\"" + s->lock_path_ + "\"): " + errno_text(errno);
      return nullptr;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      *error = "another writer holds the archive stream " + s->key_ + " (lock " + s->lock_path_ + " busy for " +
               std::to_string(s->options_.lock_wait_ms) +
               " ms): two tasks or workers write the same files; give each partition its own file with {topic} "
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

std::string ArchiveStream::desired_path() const {
  std::time_t t = static_cast<std::time_t>(options_.now_ms() / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  return tmpl_.render(topic_, partition_, tm);
}

bool ArchiveStream::open_active(const std::string& path, bool exclusive, std::string* error) {
  if (!make_dirs(dir_of(path), error)) return fail(*error, error);
  int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | (exclusive ? O_EXCL : 0);
  fd_ = ::open(path.c_str(), flags, 0644);
  if (fd_ < 0) {
    int err = errno;
    std::string why = err == EEXIST ? " (something else created it right after the rotation)"
                      : err == ELOOP ? " (it is a symbolic link; the archive does not follow links)"
                                     : "";
    return fail("open(\"" + path + "\"): " + errno_text(err) + why, error);
  }
  struct stat st;
  if (::fstat(fd_, &st) != 0) return fail("fstat(\"" + path + "\"): " + errno_text(errno), error);
  opened_size_ = st.st_size;
  return true;
}

bool ArchiveStream::recover(std::string* error) {
  std::string why;
  auto loaded = load_state(state_path_, &why);
  if (!loaded && !why.empty()) {
    return fail("cannot read the archive state " + why +
                    " (move it away to start the stream afresh from the consumer group's offsets)",
                error);
  }
  StreamState st;
  if (loaded) {
    st = *loaded;
  } else {
    st.active_path = desired_path();
  }
  bool changed = !loaded;
  if (!st.rotating.empty()) {
    const std::string& r = st.rotating;
    bool renamed = exists(r) || exists(r + ".gz") || exists(r + ".zst");
    struct stat as;
    bool active_has_data = ::stat(st.active_path.c_str(), &as) == 0 && as.st_size > 0;
    if (renamed || !active_has_data) {
      if (exists(r)) {
        struct stat rs;
        if (::stat(r.c_str(), &rs) == 0 && rs.st_size > st.length && ::truncate(r.c_str(), st.length) != 0) {
          return fail("truncate(\"" + r + "\"): " + errno_text(errno), error);
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
  if (::lstat(st.active_path.c_str(), &as) == 0) {
    if (!S_ISREG(as.st_mode)) {
      return fail("the active archive file \"" + st.active_path + "\" is not a regular file", error);
    }
    if (!loaded) {
      st.length = as.st_size;  // a file from before this sink: kept as it is, appended to
    } else if (as.st_size > st.length) {
      if (::truncate(st.active_path.c_str(), st.length) != 0) {
        return fail("truncate(\"" + st.active_path + "\", " + std::to_string(st.length) + "): " + errno_text(errno),
                    error);
      }
      changed = true;
    } else if (as.st_size < st.length) {
      if (options_.warn) {
        options_.warn("archive file " + st.active_path + " is shorter (" + std::to_string(as.st_size) +
                      " bytes) than its state records (" + std::to_string(st.length) +
                      "): it was changed outside the sink; appending after what is left");
      }
      st.length = as.st_size;
      changed = true;
    }
  } else if (st.length > 0) {
    if (options_.warn) {
      options_.warn("archive file " + st.active_path + " is gone (its state records " + std::to_string(st.length) +
                    " bytes): it was removed outside the sink; starting a new one");
    }
    st.length = 0;
    st.first_record_ms = -1;
    for (auto& [tp, p] : st.partitions) p.first = p.last = -1;
    changed = true;
  }
  if (!open_active(st.active_path, false, error)) return false;
  if (::fdatasync(fd_) != 0) return fail("fdatasync(\"" + st.active_path + "\"): " + errno_text(errno), error);
  if (!fsync_dir(dir_of(st.active_path), error)) return fail(*error, error);
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

bool ArchiveStream::append(const PartitionKey& tp, int64_t offset, const std::string& line, std::string* error) {
  if (broken_) return fail("archive stream " + key_ + " failed earlier", error);
  int64_t now = options_.now_ms();
  ActiveFile file{mem_.length + static_cast<int64_t>(buffer_.size()), mem_.first_record_ms};
  if (should_rotate(options_.rotation, file, now, static_cast<int64_t>(line.size()), &local_day_number)) {
    if (!rotate(desired_path(), error)) return false;
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
  std::string desired = desired_path();
  if (desired != mem_.active_path) return rotate(desired, error);
  ActiveFile file{mem_.length + static_cast<int64_t>(buffer_.size()), mem_.first_record_ms};
  if (should_rotate(options_.rotation, file, options_.now_ms(), 0, &local_day_number)) return rotate(desired, error);
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
    if (!fsync_dir(dir_of(next_path), error)) return fail(*error, error);
    if (!save_state(state_dir_fd_, state_path_, mem_, error)) return fail(*error, error);
    ::unlink(old_path.c_str());
    durable_ = submitted_ = mem_;
    return true;
  }
  std::vector<OffsetRange> ranges;
  for (const auto& [tp, p] : mem_.partitions) {
    if (p.first >= 0) ranges.push_back({tp.first, tp.second, p.first, p.last});
  }
  int64_t now = options_.now_ms();
  std::string target = rotated_name(old_path, now, ranges);
  for (int i = 1; exists(target) || exists(target + ".gz") || exists(target + ".zst"); ++i) {
    target = rotated_name(old_path, now, ranges) + "-" + std::to_string(i);
  }
  // 1. Record the intent: a crash from here on finishes the rotation on recovery.
  mem_.rotating = target;
  if (!save_state(state_dir_fd_, state_path_, mem_, error)) return fail(*error, error);
  // 2. Rename, and create the next active file at once (tail -F finds it by name).
  if (::rename(old_path.c_str(), target.c_str()) != 0) {
    return fail("rename(\"" + old_path + "\", \"" + target + "\"): " + errno_text(errno), error);
  }
  ::close(fd_);
  fd_ = -1;
  if (!open_active(next_path, next_path == old_path, error)) return false;
  if (!fsync_dir(dir_of(old_path), error)) return fail(*error, error);
  if (dir_of(next_path) != dir_of(old_path) && !fsync_dir(dir_of(next_path), error)) return fail(*error, error);
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

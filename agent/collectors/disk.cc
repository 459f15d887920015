// disk collector: space and inodes of each mounted filesystem (statvfs), one sample per mount.
//
// Options (collectors.disk):
//   exclude_fstypes  list of filesystem types, default: pseudo and read-only image filesystems
//                    (kDefaultExcludedFstypes below); a given list replaces the default.
//   exclude_mounts   list of regexes over the mount point, default kDefaultExcludedMounts;
//                    a given list replaces the default.
//   include_mounts   list of regexes, default []; when non-empty only matching mount points.
//   timeout          duration, default 2s: how long one tick waits for all statvfs calls.
//
// Mounts come from <proc>/self/mounts; duplicates of one mount point keep the last line (the
// mount on top) and filesystems with f_blocks == 0 are skipped, as collectd's df does. On procfs
// the file stays open and is read again only when poll(2) reports a change of the mount table
// (proc(5)); any other file (a test fixture) is read every tick.
//
// Hung mounts: statvfs on a dead NFS server blocks in the kernel, uninterruptibly. The calls run
// on one persistent worker thread, which takes the whole batch at once and wakes collect() only
// when the batch is done; collect() waits at most `timeout` for it. When a
// call has made no progress for a quarter of the timeout and others wait behind it, one more
// worker (at most kMaxWorkers) takes the rest, so the other mounts are still reported this tick.
// A call still outstanding at the deadline marks its mount hung: it is reported once in the
// returned error and skipped until the call returns; its thread is detached and exits when the
// call returns. Everything such a thread touches (queue, statvfs function) lives in shared_ptr
// state, so it never outlives what it uses, even after the collector is destroyed.
#include "agent/collectors/disk.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "agent/collectors/factories.h"
#include "agent/collectors/proc_text.h"
#include "common/units.h"

namespace sentinel::agent {

namespace {

const std::vector<std::string> kDefaultExcludedFstypes = {
    "autofs",     "binfmt_misc", "bpf",       "cgroup",   "cgroup2",    "configfs",
    "debugfs",    "devpts",      "devtmpfs",  "fusectl",  "hugetlbfs",  "iso9660",
    "mqueue",     "nsfs",        "overlay",   "proc",     "procfs",     "pstore",
    "rpc_pipefs", "securityfs",  "selinuxfs", "squashfs", "erofs",      "sysfs",
    "tracefs",    "tmpfs",       "ramfs",     "efivarfs", "fuse.lxcfs", "fuse.gvfsd-fuse"};

const std::vector<std::string> kDefaultExcludedMounts = {
    "^/(dev|proc|sys|run/credentials/.+|var/lib/docker/.+|var/lib/containers/storage/.+|snap/.+)"
    "($|/)"};

constexpr size_t kMaxWorkers = 4;

}  // namespace

void decode_mount_field(std::string_view field, std::string* out) {
  out->clear();
  for (size_t i = 0; i < field.size(); ++i) {
    char c = field[i];
    if (c == '\\' && i + 3 < field.size() && field[i + 1] >= '0' && field[i + 1] <= '3' &&
        field[i + 2] >= '0' && field[i + 2] <= '7' && field[i + 3] >= '0' && field[i + 3] <= '7') {
      out->push_back(static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                                       (field[i + 3] - '0')));
      i += 3;
    } else {
      out->push_back(c);
    }
  }
}

void parse_mounts(std::string_view text, std::vector<MountEntry>* out) {
  size_t n = 0;
  std::string_view line;
  std::string_view f[3];
  while (next_line(&text, &line)) {
    if (split_fields(line, f, 3) < 3) continue;
    if (n == out->size()) out->emplace_back();
    MountEntry& e = (*out)[n++];
    decode_mount_field(f[0], &e.device);
    decode_mount_field(f[1], &e.mount_point);
    decode_mount_field(f[2], &e.fstype);
  }
  out->resize(n);
}

std::vector<std::pair<std::string, double>> disk_metrics(const struct statvfs& st) {
  const double frsize = static_cast<double>(st.f_frsize ? st.f_frsize : st.f_bsize);
  const uint64_t blocks = st.f_blocks, bfree = st.f_bfree, bavail = st.f_bavail;
  const double used = static_cast<double>(blocks > bfree ? blocks - bfree : 0) * frsize;
  const double avail = static_cast<double>(bavail) * frsize;
  const uint64_t files = st.f_files, ffree = st.f_ffree;
  const uint64_t files_used = files > ffree ? files - ffree : 0;
  return {
      {"total_bytes", static_cast<double>(blocks) * frsize},
      {"free_bytes", avail},
      {"used_bytes", used},
      {"used_pct", used + avail > 0 ? round2(100.0 * used / (used + avail)) : 0.0},
      {"inodes_total", static_cast<double>(files)},
      {"inodes_free", static_cast<double>(ffree)},
      {"inodes_used", static_cast<double>(files_used)},
      {"inodes_used_pct",
       files > 0 ? round2(100.0 * static_cast<double>(files_used) / static_cast<double>(files))
                 : 0.0},
  };
}

namespace {

// What the collector and its statvfs workers share. Guarded by mu.
struct StatPool {
  struct Worker {
    bool abandoned = false;  // stuck in a call that outlived a tick; exits when it returns
  };
  struct Request {
    enum State { kPending, kRunning, kDone } state = kPending;
    std::string path;
    struct statvfs result {};
    int rc = 0;
    int err = 0;
    Worker* worker = nullptr;  // while kRunning
  };

  explicit StatPool(StatvfsFn fn) : statvfs(std::move(fn)) {}

  const StatvfsFn statvfs;
  std::mutex mu;
  std::condition_variable work_cv;  // workers: a request is pending, or shutdown
  std::condition_variable done_cv;  // collector: a request completed
  std::vector<Request> requests;    // this tick's batch
  size_t next = 0;                  // first pending request
  size_t done = 0;
  MonoClock::time_point progress_at;  // when a request last completed
  size_t idle = 0;                    // workers waiting for work
  bool shutdown = false;
  std::vector<std::string> hung;  // mounts whose statvfs has not returned yet
};

void run_worker(std::shared_ptr<StatPool> pool, std::shared_ptr<StatPool::Worker> self) {
  std::string path;
  struct statvfs result {};
  std::unique_lock lock(pool->mu);
  for (;;) {
    ++pool->idle;
    pool->work_cv.wait(lock, [&] {
      return pool->shutdown || self->abandoned || pool->next < pool->requests.size();
    });
    --pool->idle;
    if (pool->shutdown || self->abandoned) return;
    const size_t index = pool->next++;
    StatPool::Request& request = pool->requests[index];
    request.state = StatPool::Request::kRunning;
    request.worker = self.get();
    path.assign(request.path);
    lock.unlock();
    int rc = pool->statvfs(path, &result);
    int err = rc == 0 ? 0 : errno;
    lock.lock();
    if (self->abandoned) {  // the collector gave up on this call and skips the mount meanwhile
      std::erase(pool->hung, path);
      return;
    }
    StatPool::Request& finished = pool->requests[index];
    finished.result = result;
    finished.rc = rc;
    finished.err = err;
    finished.state = StatPool::Request::kDone;
    finished.worker = nullptr;
    pool->progress_at = MonoClock::now();
    if (++pool->done == pool->requests.size()) {
      // One wake-up per batch; the collector polls for progress on its own while it waits.
      lock.unlock();
      pool->done_cv.notify_one();
      lock.lock();
    }
  }
}

class DiskCollector : public Collector {
 public:
  DiskCollector(const ConfigNode& options, const HostPaths& paths, StatvfsFn statvfs_fn)
      : mounts_path_(paths.proc + "/self/mounts"),
        exclude_fstypes_(options.get_strings("exclude_fstypes", kDefaultExcludedFstypes)),
        exclude_mounts_(options, "exclude_mounts",
                        options.get_strings("exclude_mounts", kDefaultExcludedMounts)),
        include_mounts_(options, "include_mounts", options.get_strings("include_mounts", {})),
        timeout_(options.get_duration("timeout", std::chrono::seconds(2))),
        pool_(std::make_shared<StatPool>(std::move(statvfs_fn))) {
    if (timeout_.count() <= 0) options.fail("timeout", "expected a positive duration like 2s");
  }

  ~DiskCollector() override {
    {
      std::lock_guard lock(pool_->mu);
      pool_->shutdown = true;
    }
    pool_->work_cv.notify_all();
    for (auto& w : workers_) w.thread.join();  // idle: every call of the last tick returned
  }

  const char* name() const override { return "disk"; }

  std::string collect(MonoClock::time_point, std::vector<Sample>* out) override {
    if (!mounts_current_ || !reader_.unchanged_since_read(mounts_path_)) {
      mounts_current_ = false;
      std::string_view text;
      std::string error;
      if (!reader_.read(mounts_path_, &text, &error)) return error;
      parse_mounts(text, &mounts_);
      select_mounts();
      mounts_current_ = true;
    }
    chosen_ = selected_;
    std::string errors;
    run_batch(&errors);
    for (size_t k = 0; k < chosen_.size(); ++k) {
      const StatPool::Request& r = pool_->requests[k];
      if (r.state != StatPool::Request::kDone) continue;
      const MountEntry& m = mounts_[chosen_[k]];
      if (r.rc != 0) {
        append(&errors, "disk: statvfs " + m.mount_point + ": " + std::strerror(r.err));
        continue;
      }
      if (r.result.f_blocks == 0) continue;  // pseudo filesystem the type list missed
      Sample& s = out->emplace_back();
      s.resource = "disk";
      s.tags = {{"mount", m.mount_point}, {"device", m.device}, {"fstype", m.fstype}};
      s.metrics = disk_metrics(r.result);
    }
    return errors;
  }

 private:
  struct MountState {
    std::string fstype;  // the decision below was made for this type
    bool wanted = false;
  };
  struct WorkerThread {
    std::shared_ptr<StatPool::Worker> slot;
    std::thread thread;
  };

  // Fills selected_ with the indexes into mounts_ to stat, in mounts order: the last line of each
  // mount point, passing the filters.
  void select_mounts() {
    states_.begin_tick();
    selected_.clear();
    for (size_t i = mounts_.size(); i-- > 0;) {
      const MountEntry& m = mounts_[i];
      bool duplicate = false;
      auto& entry = states_.touch(m.mount_point, &duplicate);
      if (duplicate) continue;  // a later line (the mount on top) already won
      MountState& st = entry.state;
      if (entry.fresh || st.fstype != m.fstype) {
        st.fstype = m.fstype;
        st.wanted = wanted(m);
      }
      if (st.wanted) selected_.push_back(i);
    }
    states_.drop_unseen();
    std::reverse(selected_.begin(), selected_.end());
  }

  bool wanted(const MountEntry& m) const {
    if (std::find(exclude_fstypes_.begin(), exclude_fstypes_.end(), m.fstype) !=
        exclude_fstypes_.end()) {
      return false;
    }
    if (!include_mounts_.empty() && !include_mounts_.any_match(m.mount_point)) return false;
    return !exclude_mounts_.any_match(m.mount_point);
  }

  // Stats the chosen mounts (minus hung ones, which are dropped from chosen_) on the workers,
  // waiting at most timeout_. Afterwards pool_->requests[k] belongs to chosen_[k].
  void run_batch(std::string* errors) {
    const auto start = MonoClock::now();
    const auto deadline = start + timeout_;
    const auto stall_after = timeout_ / 4;
    StatPool& pool = *pool_;
    std::unique_lock lock(pool.mu);
    std::erase_if(chosen_, [&](size_t i) {
      return std::find(pool.hung.begin(), pool.hung.end(), mounts_[i].mount_point) !=
             pool.hung.end();
    });
    const size_t n = chosen_.size();
    pool.requests.resize(n);
    for (size_t k = 0; k < n; ++k) {
      StatPool::Request& r = pool.requests[k];
      r.state = StatPool::Request::kPending;
      r.path.assign(mounts_[chosen_[k]].mount_point);
      r.worker = nullptr;
    }
    pool.next = 0;
    pool.done = 0;
    if (n == 0) return;
    if (workers_.empty() && !spawn_worker(errors)) {
      pool.next = n;
      return;
    }
    lock.unlock();  // so the woken worker does not block on the mutex
    pool.work_cv.notify_all();
    lock.lock();

    auto last_progress = start;
    size_t last_done = 0;
    while (pool.done < n) {
      pool.done_cv.wait_until(lock, std::min(deadline, last_progress + stall_after));
      const auto now = MonoClock::now();
      if (pool.done != last_done) {
        last_done = pool.done;
        last_progress = std::max(last_progress, pool.progress_at);
      }
      if (pool.done == n || now >= deadline) break;
      // Requests wait behind a call that is taking long: let a fresh worker take them.
      if (now - last_progress >= stall_after && pool.next < n && pool.idle == 0 &&
          workers_.size() < kMaxWorkers) {
        spawn_worker(errors);
        pool.work_cv.notify_all();
        last_progress = now;
      }
    }

    size_t not_started = 0;
    for (size_t k = 0; k < n; ++k) {
      StatPool::Request& r = pool.requests[k];
      if (r.state == StatPool::Request::kPending) {
        ++not_started;
      } else if (r.state == StatPool::Request::kRunning) {
        abandon(r.worker);
        pool.hung.push_back(r.path);
        append(errors, "disk: statvfs " + r.path + " did not return within " +
                           format_duration(timeout_) + "; skipping it until it does");
      }
    }
    pool.next = n;  // nobody starts what is left of this batch
    if (not_started > 0) {
      append(errors, "disk: " + std::to_string(not_started) +
                         " mounts not checked this tick: every statvfs worker is stuck");
    }
  }

  bool spawn_worker(std::string* errors) {
    auto slot = std::make_shared<StatPool::Worker>();
    try {
      workers_.push_back({slot, std::thread(run_worker, pool_, slot)});
      return true;
    } catch (const std::system_error& e) {
      append(errors, std::string("disk: cannot start a statvfs worker thread: ") + e.what());
      return false;
    }
  }

  // Called with pool_->mu held: the worker stuck in a call is let go and will exit on return.
  void abandon(StatPool::Worker* worker) {
    auto it = std::find_if(workers_.begin(), workers_.end(),
                           [worker](const WorkerThread& w) { return w.slot.get() == worker; });
    if (it == workers_.end()) return;
    it->slot->abandoned = true;
    it->thread.detach();
    workers_.erase(it);
  }

  static void append(std::string* errors, const std::string& error) {
    if (!errors->empty()) *errors += "; ";
    *errors += error;
  }

  std::string mounts_path_;
  std::vector<std::string> exclude_fstypes_;
  RegexList exclude_mounts_, include_mounts_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<StatPool> pool_;
  std::vector<WorkerThread> workers_;
  FileReader reader_;
  std::vector<MountEntry> mounts_;
  bool mounts_current_ = false;   // mounts_ and selected_ hold the last read of the mount table
  std::vector<size_t> selected_;  // indexes into mounts_ that pass the filters
  std::vector<size_t> chosen_;    // this tick's: selected_ minus hung mounts
  StateTable<MountState> states_;
};

}  // namespace

std::unique_ptr<Collector> make_disk_collector(const ConfigNode& options, const HostPaths& paths,
                                               StatvfsFn statvfs_fn) {
  return std::make_unique<DiskCollector>(options, paths, std::move(statvfs_fn));
}

std::unique_ptr<Collector> make_disk_collector(const ConfigNode& options, const HostPaths& paths) {
  return make_disk_collector(options, paths, [](const std::string& path, struct statvfs* out) {
    return ::statvfs(path.c_str(), out);
  });
}

}  // namespace sentinel::agent

// Compression and retention of rotated files, on a background thread.
#include "janitor.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <regex>

#include "archive_state.h"
#include "compress.h"

namespace sentinel::archive {

namespace {

std::string join(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

struct ScannedFile {
  std::string dir, name;
  int64_t bytes = 0;
};

// Regular files under `dir`, recursively, through confined directory fds; links are never
// followed and the state directories are left out. Directories that cannot be listed are skipped.
void scan(const confined::Root& root, const std::string& dir, int depth,
          std::vector<ScannedFile>* out) {
  std::vector<confined::Root::Entry> entries;
  std::string error;
  if (depth > 64 || !root.list(dir, &entries, &error)) return;
  for (const auto& e : entries) {
    if (S_ISDIR(e.st.st_mode)) {
      if (e.name != ".sentinel-archive") scan(root, join(dir, e.name), depth + 1, out);
    } else if (S_ISREG(e.st.st_mode)) {
      out->push_back({dir, e.name, static_cast<int64_t>(e.st.st_size)});
    }
  }
}

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

bool maintain(const MaintenanceSpec& spec, int64_t now_ms, const std::atomic<bool>& stop,
              MaintenanceResult* result, std::string* error) {
  const confined::Root& root = spec.root ? *spec.root : *confined::Root::unconfined();
  std::regex rotated("^" + spec.path_regex + "\\.(.+)$");
  std::regex active("^" + spec.path_regex + "$");
  std::map<std::string, std::vector<RotatedFile>> units;  // plain path → its files
  std::vector<std::string> stale_partials;
  std::vector<ScannedFile> files;
  scan(root, spec.scan_root, 0, &files);  // nothing there yet: nothing to do
  for (const ScannedFile& file : files) {
    const std::string& name = file.name;
    std::string path = join(file.dir, name);
    if (name.size() > 9 && name[0] == '.' && name.ends_with(".partial")) {
      std::string inner = join(file.dir, name.substr(1, name.size() - 1 - 8));
      for (const char* ext : {".gz", ".zst"}) {
        if (inner.ends_with(ext)) inner.resize(inner.size() - std::string(ext).size());
      }
      std::smatch m;
      if (std::regex_match(inner, m, rotated) && parse_rotated_suffix(m[1].str()))
        stale_partials.push_back(path);
      continue;
    }
    std::smatch m;
    if (!std::regex_match(path, m, rotated)) continue;
    std::string suffix = m[1].str();
    auto f = parse_rotated_suffix(suffix);
    if (!f) continue;
    // A name of the active file at another date ("x-2024-05-01.log" vs "x-%F.log") is never rotated
    // data: the suffix must follow the whole active path, not part of it.
    std::string plain = path;
    if (!f->codec.empty()) plain.resize(plain.size() - f->codec.size() - 1);
    if (std::regex_match(plain, active)) continue;
    f->path = path;
    f->bytes = file.bytes;
    units[plain].push_back(*f);
  }
  std::string ignored;
  for (const auto& partial : stale_partials) root.unlink(partial, &ignored);
  std::vector<RotatedFile> kept;
  for (auto& [plain, files] : units) {
    bool has_plain = false;
    const RotatedFile* packed = nullptr;
    for (const auto& f : files) {
      if (f.codec.empty())
        has_plain = true;
      else
        packed = &f;
    }
    if (packed) {
      // The compressed copy was renamed into place only once durable: the plain one can go.
      std::string why;
      if (has_plain && !root.unlink(plain, &why) && errno != ENOENT) {
        *error = why;
        return false;
      }
      kept.push_back(*packed);
      continue;
    }
    RotatedFile f = files.front();
    if (!spec.ext.empty()) {
      if (stop) return true;
      CompressResult r = compress_file(root, plain, spec.ext, stop, error);
      if (r == CompressResult::kStopped) return true;
      if (r == CompressResult::kFailed) return false;
      ++result->compressed;
      f.path = plain + "." + spec.ext;
      f.codec = spec.ext;
      struct stat st;
      std::string why;
      f.bytes = root.stat(f.path, &st, &why) ? st.st_size : 0;
    }
    kept.push_back(f);
  }
  for (const RotatedFile& f : select_for_removal(kept, spec.retention, now_ms)) {
    if (stop) return true;
    std::string why;
    if (!root.unlink(f.path, &why) && errno != ENOENT) {
      *error = "retention: " + why;
      return false;
    }
    ++result->removed;
    // Date directories left empty go too (best effort; rmdir refuses a non-empty one).
    std::string dir = parent_of(f.path);
    while (dir.size() > spec.scan_root.size() && root.rmdir(dir)) dir = parent_of(dir);
  }
  return true;
}

Janitor::Janitor(std::function<int64_t()> now_ms) : now_ms_(std::move(now_ms)) {
  thread_ = std::thread([this] { run(); });
}

Janitor::~Janitor() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    abort_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Janitor::schedule(const MaintenanceSpec& spec) {
  {
    std::lock_guard lock(mu_);
    if (std::any_of(queue_.begin(), queue_.end(),
                    [&](const MaintenanceSpec& s) { return s.key == spec.key; }))
      return;
    queue_.push_back(spec);
  }
  cv_.notify_all();
}

void Janitor::forget(const std::string& key) {
  std::unique_lock lock(mu_);
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(),
                              [&](const MaintenanceSpec& s) { return s.key == key; }),
               queue_.end());
  if (running_ == key) abort_ = true;
  cv_.wait(lock, [&] { return running_ != key; });
}

std::string Janitor::take_error() {
  std::lock_guard lock(mu_);
  std::string e;
  e.swap(error_);
  return e;
}

void Janitor::drain() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return queue_.empty() && running_.empty(); });
}

void Janitor::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    MaintenanceSpec spec = queue_.front();
    queue_.pop_front();
    running_ = spec.key;
    abort_ = false;
    lock.unlock();
    MaintenanceResult result;
    std::string error;
    bool ok = maintain(spec, now_ms_(), abort_, &result, &error);
    lock.lock();
    if (!ok && error_.empty()) error_ = error;
    running_.clear();
    cv_.notify_all();
  }
}

}  // namespace sentinel::archive

// Compression and retention of rotated files, on a background thread.
#include "janitor.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <map>
#include <regex>

#include "archive_state.h"
#include "compress.h"

namespace sentinel::archive {

namespace fs = std::filesystem;

bool maintain(const MaintenanceSpec& spec, int64_t now_ms, const std::atomic<bool>& stop, MaintenanceResult* result,
              std::string* error) {
  std::regex rotated("^" + spec.path_regex + "\\.(.+)$");
  std::regex active("^" + spec.path_regex + "$");
  std::map<std::string, std::vector<RotatedFile>> units;  // plain path → its files
  std::vector<std::string> stale_partials;
  std::error_code ec;
  fs::recursive_directory_iterator it(spec.scan_root, fs::directory_options::skip_permission_denied, ec);
  if (ec) return true;  // nothing there yet
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const fs::path& p = it->path();
    std::string name = p.filename().string();
    if (it->is_directory(ec)) {
      if (name == ".sentinel-archive") it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    std::string path = p.string();
    if (name.size() > 9 && name[0] == '.' && name.ends_with(".partial")) {
      std::string inner = p.parent_path().string() + "/" + name.substr(1, name.size() - 1 - 8);
      for (const char* ext : {".gz", ".zst"}) {
        if (inner.ends_with(ext)) inner.resize(inner.size() - std::string(ext).size());
      }
      std::smatch m;
      if (std::regex_match(inner, m, rotated) && parse_rotated_suffix(m[1].str())) stale_partials.push_back(path);
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
    f->bytes = static_cast<int64_t>(it->file_size(ec));
    units[plain].push_back(*f);
  }
  for (const auto& partial : stale_partials) ::unlink(partial.c_str());
  std::vector<RotatedFile> kept;
  for (auto& [plain, files] : units) {
    bool has_plain = false;
    const RotatedFile* packed = nullptr;
    for (const auto& f : files) {
      if (f.codec.empty()) has_plain = true;
      else packed = &f;
    }
    if (packed) {
      // The compressed copy was renamed into place only once durable: the plain one can go.
      if (has_plain && ::unlink(plain.c_str()) != 0 && errno != ENOENT) {
        *error = "unlink(\"" + plain + "\"): " + errno_text(errno);
        return false;
      }
      kept.push_back(*packed);
      continue;
    }
    RotatedFile f = files.front();
    if (!spec.ext.empty()) {
      if (stop) return true;
      CompressResult r = compress_file(plain, spec.ext, stop, error);
      if (r == CompressResult::kStopped) return true;
      if (r == CompressResult::kFailed) return false;
      ++result->compressed;
      f.path = plain + "." + spec.ext;
      f.codec = spec.ext;
      struct stat st;
      f.bytes = ::stat(f.path.c_str(), &st) == 0 ? st.st_size : 0;
    }
    kept.push_back(f);
  }
  for (const RotatedFile& f : select_for_removal(kept, spec.retention, now_ms)) {
    if (stop) return true;
    if (::unlink(f.path.c_str()) != 0 && errno != ENOENT) {
      *error = "retention: unlink(\"" + f.path + "\"): " + errno_text(errno);
      return false;
    }
    ++result->removed;
    // Date directories left empty go too (best effort; rmdir refuses a non-empty one).
    fs::path dir = fs::path(f.path).parent_path();
    while (dir.string().size() > spec.scan_root.size() && ::rmdir(dir.c_str()) == 0) dir = dir.parent_path();
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
    if (std::any_of(queue_.begin(), queue_.end(), [&](const MaintenanceSpec& s) { return s.key == spec.key; })) return;
    queue_.push_back(spec);
  }
  cv_.notify_all();
}

void Janitor::forget(const std::string& key) {
  std::unique_lock lock(mu_);
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(), [&](const MaintenanceSpec& s) { return s.key == key; }),
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

// Shared helpers for reading and parsing procfs/sysfs text without exceptions or iostreams.

// GCC 12's libstdc++ <regex> trips -Wmaybe-uninitialized inside its own NFA code under
// -fsanitize=address (GCC bug 105616, a false positive). This file is the only one that
// instantiates std::regex, so the warning is silenced here and nowhere else.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "agent/collectors/proc_text.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <regex>

namespace sentinel::agent {

namespace {

std::string read_error(const std::string& path, int e) {
  return "cannot read " + path + ": " + std::strerror(e);
}

bool on_procfs(int fd) {
  struct statfs fs {};
  return ::fstatfs(fd, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
}

}  // namespace

FileReader::~FileReader() {
  for (const Held& h : held_) ::close(h.fd);
}

// Reads from offset 0 to end of file; false with errno set on failure.
bool FileReader::read_fd(int fd, size_t* len) {
  if (buf_.empty()) buf_.resize(4096);
  *len = 0;
  for (;;) {
    if (*len == buf_.size()) buf_.resize(buf_.size() * 2);
    ssize_t n = ::pread(fd, buf_.data() + *len, buf_.size() - *len, static_cast<off_t>(*len));
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) return true;
    *len += static_cast<size_t>(n);
  }
}

void FileReader::drop(size_t held_index) {
  ::close(held_[held_index].fd);
  held_.erase(held_.begin() + static_cast<ptrdiff_t>(held_index));
}

bool FileReader::read(const std::string& path, std::string_view* text, std::string* error,
                      int* err_no) {
  size_t len = 0;
  for (size_t i = 0; i < held_.size(); ++i) {
    if (held_[i].path != path) continue;
    if (read_fd(held_[i].fd, &len) && len > 0) {
      *text = std::string_view(buf_.data(), len);
      return true;
    }
    drop(i);  // a failed or empty read: start over with a fresh open below
    break;
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || !read_fd(fd, &len)) {
    int e = errno;
    if (fd >= 0) ::close(fd);
    if (err_no) *err_no = e;
    *error = read_error(path, e);
    return false;
  }
  // An empty procfs file is not kept: older kernels may not restart an exhausted seq_file at 0.
  if (len > 0 && on_procfs(fd)) {
    held_.push_back({path, fd});
  } else {
    ::close(fd);
  }
  *text = std::string_view(buf_.data(), len);
  return true;
}

bool FileReader::unchanged_since_read(const std::string& path) {
  for (const Held& h : held_) {
    if (h.path != path) continue;
    // A mount table reports POLLPRI|POLLERR on change and never POLLOUT; a file without a poll
    // method always reports POLLOUT (and POLLIN, not asked for here).
    struct pollfd p = {h.fd, POLLPRI | POLLOUT, 0};
    return ::poll(&p, 1, 0) == 0;
  }
  return false;
}

std::shared_ptr<TickReads> make_tick_reads() { return std::make_shared<TickReads>(); }

bool TickReads::read(const std::string& path, MonoClock::time_point now, const void* collector,
                     std::string_view* text, std::string* error) {
  Entry* entry = nullptr;
  for (auto& e : entries_) {
    if (e->path == path) entry = e.get();
  }
  if (!entry) {
    entry = entries_.emplace_back(std::make_unique<Entry>()).get();
    entry->path = path;
  }
  if (entry->valid && entry->now == now &&
      std::find(entry->served.begin(), entry->served.end(), collector) == entry->served.end()) {
    entry->served.push_back(collector);
    *text = entry->text;
    return true;
  }
  ++file_reads_;
  entry->served.assign(1, collector);
  entry->now = now;
  entry->valid = entry->reader.read(path, &entry->text, error);
  *text = entry->text;
  return entry->valid;
}

bool next_line(std::string_view* text, std::string_view* line) {
  if (text->empty()) return false;
  size_t nl = text->find('\n');
  if (nl == std::string_view::npos) {
    *line = *text;
    *text = {};
  } else {
    *line = text->substr(0, nl);
    text->remove_prefix(nl + 1);
  }
  return true;
}

size_t split_fields(std::string_view line, std::string_view* fields, size_t max) {
  size_t count = 0;
  size_t i = 0;
  while (count < max) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    fields[count++] = line.substr(start, i - start);
  }
  return count;
}

bool parse_u64(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool parse_double(std::string_view s, double* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(*out);
}

double round2(double value) { return std::round(value * 100.0) / 100.0; }

struct RegexList::Compiled {
  std::vector<std::regex> regexes;
};

RegexList::RegexList() : compiled_(std::make_unique<Compiled>()) {}

RegexList::RegexList(const ConfigNode& options, const std::string& key,
                     const std::vector<std::string>& patterns)
    : compiled_(std::make_unique<Compiled>()) {
  compiled_->regexes.reserve(patterns.size());
  for (const auto& p : patterns) {
    try {
      compiled_->regexes.emplace_back(p, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      options.fail(key, "\"" + p + "\": expected a regular expression (" + e.what() + ")");
    }
  }
}

RegexList::RegexList(const std::vector<std::string>& patterns)
    : compiled_(std::make_unique<Compiled>()) {
  for (const auto& p : patterns) {
    compiled_->regexes.emplace_back(p, std::regex::ECMAScript | std::regex::optimize);
  }
}

RegexList::RegexList(RegexList&&) noexcept = default;
RegexList& RegexList::operator=(RegexList&&) noexcept = default;
RegexList::~RegexList() = default;

bool RegexList::empty() const { return compiled_->regexes.empty(); }

bool RegexList::any_match(const std::string& text) const {
  for (const auto& r : compiled_->regexes) {
    if (std::regex_search(text, r)) return true;
  }
  return false;
}

NameFilter::NameFilter(const ConfigNode& options, const std::string& include_key,
                       const std::string& exclude_key,
                       const std::vector<std::string>& default_excludes)
    : include_(options, include_key, options.get_strings(include_key, {})),
      exclude_(options, exclude_key, options.get_strings(exclude_key, default_excludes)) {}

bool NameFilter::accepts(const std::string& name) const {
  if (!include_.empty() && !include_.any_match(name)) return false;
  return !exclude_.any_match(name);
}

}  // namespace sentinel::agent

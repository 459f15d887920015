// Following one access-log file: reading whole lines, noticing copytruncate.
#include "agent/logs/file_tail.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sentinel::agent {

FileId file_id_of(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return {};
  return {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

std::unique_ptr<FileTail> FileTail::open(const std::string& path, int64_t offset,
                                         std::string* error) {
  std::unique_ptr<FileTail> t(new FileTail);
  t->path_ = path;
  t->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (t->fd_ < 0) {
    *error = fmt::format("open(\"{}\"): {} (errno {})", path, std::strerror(errno), errno);
    return nullptr;
  }
  struct stat st;
  if (::fstat(t->fd_, &st) != 0) {
    *error = fmt::format("fstat(\"{}\"): {} (errno {})", path, std::strerror(errno), errno);
    return nullptr;
  }
  t->id_ = {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
  if (offset > st.st_size) offset = 0;
  t->offset_ = t->read_pos_ = offset;
  return t;
}

FileTail::~FileTail() {
  if (fd_ >= 0) ::close(fd_);
}

FileTail::ReadResult FileTail::read(size_t max_bytes, const LineFn& on_line) {
  ReadResult r;
  struct stat st;
  if (::fstat(fd_, &st) == 0 && st.st_size < read_pos_) {
    r.truncated = true;
    offset_ = read_pos_ = 0;
    partial_.clear();
    cutting_ = false;
  }
  char buf[65536];
  while (r.bytes < max_bytes) {
    size_t want = std::min(sizeof buf, max_bytes - r.bytes);
    ssize_t n = ::pread(fd_, buf, want, read_pos_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      r.error = fmt::format("read(\"{}\"): {} (errno {})", path_, std::strerror(errno), errno);
      return r;
    }
    if (n == 0) {
      r.eof = true;
      return r;
    }
    r.bytes += static_cast<size_t>(n);
    std::string_view chunk(buf, static_cast<size_t>(n));
    int64_t chunk_start = read_pos_;
    read_pos_ += n;
    size_t from = 0;
    while (from < chunk.size()) {
      size_t nl = chunk.find('\n', from);
      if (nl == std::string_view::npos) {
        if (!cutting_) {
          partial_.append(chunk.substr(from));
          if (partial_.size() > kMaxLineBytes) {
            partial_.resize(kMaxLineBytes);  // the rest, up to its newline, is skipped
            cutting_ = true;
          }
        }
        break;
      }
      int64_t end = chunk_start + static_cast<int64_t>(nl) + 1;
      std::string_view line = chunk.substr(from, nl - from);
      bool cut = cutting_;
      if (cutting_) {
        line = partial_;
      } else if (!partial_.empty()) {
        partial_.append(line);
        line = partial_;
      }
      if (line.size() > kMaxLineBytes) {
        line = line.substr(0, kMaxLineBytes);
        cut = true;
      }
      if (!cut && !line.empty() && line.back() == '\r') line.remove_suffix(1);
      offset_ = end;
      on_line(line, end, cut);
      partial_.clear();
      cutting_ = false;
      from = nl + 1;
    }
  }
  return r;
}

void FileTail::finish_partial(const LineFn& on_line) {
  if (partial_.empty()) return;
  offset_ = read_pos_;
  on_line(partial_, offset_, cutting_);
  partial_.clear();
  cutting_ = false;
}

}  // namespace sentinel::agent

// One access-log file being followed: an open descriptor (so a renamed file is still read to its
// end), the offset after the last whole line handed out, and the bytes of a line not finished yet.
// A file that shrinks below what was read was truncated in place (copytruncate): reading starts
// again at 0. Lines longer than `max_line_bytes` are cut there and flagged.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sentinel::agent {

struct FileId {
  uint64_t dev = 0;
  uint64_t ino = 0;
  bool operator==(const FileId&) const = default;
  auto operator<=>(const FileId&) const = default;
};

// The identity of the file at `path` (following symlinks); nullopt-like {0,0} when absent.
FileId file_id_of(const std::string& path);

class FileTail {
 public:
  // Opens `path` and positions it at `offset` (0 when the file is shorter). nullptr with *error
  // naming the call.
  static std::unique_ptr<FileTail> open(const std::string& path, int64_t offset,
                                        std::string* error);
  ~FileTail();

  const std::string& path() const { return path_; }
  FileId id() const { return id_; }
  int fd() const { return fd_; }
  // Offset just after the last whole line handed out.
  int64_t offset() const { return offset_; }

  // A line: its text without the newline, the offset just after it, and whether it was cut.
  using LineFn = std::function<void(std::string_view line, int64_t end_offset, bool cut)>;
  struct ReadResult {
    size_t bytes = 0;        // read from the file this call
    bool truncated = false;  // the file shrank below what was read: reading restarted at 0
    bool eof = false;        // nothing more to read now
    std::string error;       // a read(2) failure, naming the file
  };
  // Reads up to `max_bytes` and hands out every whole line.
  ReadResult read(size_t max_bytes, const LineFn& on_line);
  // Hands out an unfinished last line as a whole one (the writer has moved on to a new file).
  void finish_partial(const LineFn& on_line);
  bool has_partial() const { return !partial_.empty(); }

  static constexpr size_t kMaxLineBytes = 64 * 1024;

 private:
  FileTail() = default;
  std::string path_;
  FileId id_;
  int fd_ = -1;
  int64_t offset_ = 0;    // after the last whole line
  int64_t read_pos_ = 0;  // bytes consumed from the file (offset_ + partial_ + skipped)
  std::string partial_;
  bool cutting_ = false;  // inside an over-long line: the rest up to its newline is skipped
};

}  // namespace sentinel::agent

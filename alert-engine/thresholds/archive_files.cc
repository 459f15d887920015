// Archive and JSON-lines files → http_logs records, merged by time.
#include "alert-engine/thresholds/archive_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace sentinel::thresholds {

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool walk(const std::string& path, bool named, std::vector<std::string>* files,
          std::string* error) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (!named) return true;  // vanished while listing (the sink compressed or removed it)
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  if (S_ISREG(st.st_mode)) {
    files->push_back(path);
    return true;
  }
  if (!S_ISDIR(st.st_mode)) {
    if (named) {
      *error = path + ": not a file or directory";
      return false;
    }
    return true;
  }
  DIR* dir = ::opendir(path.c_str());
  if (!dir) {
    *error = path + ": opendir: " + std::strerror(errno);
    return false;
  }
  std::vector<std::string> names;
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] == '.') continue;  // ., .., hidden temporaries (.name.gz.partial)
    names.emplace_back(e->d_name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  std::string prefix = path.back() == '/' ? path : path + "/";
  for (const auto& n : names) {
    if (!walk(prefix + n, false, files, error)) return false;
  }
  return true;
}

class PlainReader : public LineReader {
 public:
  explicit PlainReader(int fd) : fd_(fd) {}
  ~PlainReader() override { ::close(fd_); }

 protected:
  long read_some(char* dst, size_t max) override {
    for (;;) {
      ssize_t n = ::read(fd_, dst, max);
      if (n >= 0) return static_cast<long>(n);
      if (errno == EINTR) continue;
      error_ = path_ + ": read: " + std::strerror(errno);
      return -1;
    }
  }

 private:
  int fd_;
};

class GzipReader : public LineReader {
 public:
  explicit GzipReader(gzFile gz) : gz_(gz) { gzbuffer(gz_, 256 * 1024); }
  ~GzipReader() override { gzclose(gz_); }

 protected:
  long read_some(char* dst, size_t max) override {
    int n = gzread(gz_, dst, static_cast<unsigned>(std::min<size_t>(max, INT_MAX / 2)));
    if (n < 0) {
      int code = 0;
      const char* msg = gzerror(gz_, &code);
      error_ = path_ + ": gzread: " + (msg ? msg : "error");
      return -1;
    }
    if (n == 0) {
      int code = 0;
      const char* msg = gzerror(gz_, &code);
      if (code != Z_OK && code != Z_STREAM_END) {
        error_ = path_ + ": gzread: " + (msg ? msg : "error");
        return -1;
      }
    }
    return n;
  }

 private:
  gzFile gz_;
};

class ZstdReader : public LineReader {
 public:
  explicit ZstdReader(int fd) : fd_(fd), dctx_(ZSTD_createDCtx()) {
    in_buf_.resize(ZSTD_DStreamInSize());
  }
  ~ZstdReader() override {
    ZSTD_freeDCtx(dctx_);
    ::close(fd_);
  }

 protected:
  long read_some(char* dst, size_t max) override {
    ZSTD_outBuffer out{dst, max, 0};
    while (out.pos == 0) {
      if (in_.pos == in_.size) {
        if (in_eof_) {
          if (frame_open_) {
            error_ = path_ + ": zstd: truncated frame";
            return -1;
          }
          return 0;
        }
        ssize_t n;
        do {
          n = ::read(fd_, in_buf_.data(), in_buf_.size());
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
          error_ = path_ + ": read: " + std::strerror(errno);
          return -1;
        }
        if (n == 0) {
          in_eof_ = true;
          continue;
        }
        in_ = ZSTD_inBuffer{in_buf_.data(), static_cast<size_t>(n), 0};
      }
      size_t rc = ZSTD_decompressStream(dctx_, &out, &in_);
      if (ZSTD_isError(rc)) {
        error_ = path_ + ": zstd: " + ZSTD_getErrorName(rc);
        return -1;
      }
      frame_open_ = rc != 0;
    }
    return static_cast<long>(out.pos);
  }

 private:
  int fd_;
  ZSTD_DCtx* dctx_;
  std::vector<char> in_buf_;
  ZSTD_inBuffer in_{nullptr, 0, 0};
  bool in_eof_ = false;
  bool frame_open_ = false;
};

}  // namespace

bool list_archive_files(const std::vector<std::string>& paths, std::vector<std::string>* files,
                        std::string* error) {
  for (const auto& p : paths) {
    if (!walk(p, true, files, error)) return false;
  }
  return true;
}

std::unique_ptr<LineReader> LineReader::open(const std::string& path, std::string* error) {
  std::unique_ptr<LineReader> r;
  if (ends_with(path, ".gz")) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      *error = path + ": open: " + std::strerror(errno);
      return nullptr;
    }
    gzFile gz = gzdopen(fd, "rb");
    if (!gz) {
      ::close(fd);
      *error = path + ": gzdopen: out of memory";
      return nullptr;
    }
    r = std::make_unique<GzipReader>(gz);
  } else {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      *error = path + ": open: " + std::strerror(errno);
      return nullptr;
    }
    if (ends_with(path, ".zst")) {
      r = std::make_unique<ZstdReader>(fd);
    } else {
      r = std::make_unique<PlainReader>(fd);
    }
  }
  r->path_ = path;
  r->buffer_.resize(1 << 20);
  return r;
}

bool LineReader::next(std::string_view* line) {
  size_t scanned = begin_;
  for (;;) {
    const char* data = buffer_.data();
    if (const void* nl = std::memchr(data + scanned, '\n', end_ - scanned)) {
      size_t at = static_cast<const char*>(nl) - data;
      size_t len = at - begin_;
      if (len > 0 && data[begin_ + len - 1] == '\r') --len;
      *line = std::string_view(data + begin_, len);
      begin_ = at + 1;
      ++line_number_;
      return true;
    }
    scanned = end_;
    if (eof_) {
      if (begin_ < end_) {
        *line = std::string_view(data + begin_, end_ - begin_);
        begin_ = end_;
        ++line_number_;
        return true;
      }
      return false;
    }
    if (begin_ > 0) {
      std::memmove(buffer_.data(), data + begin_, end_ - begin_);
      end_ -= begin_;
      scanned -= begin_;
      begin_ = 0;
    }
    if (buffer_.size() - end_ < 64 * 1024) buffer_.resize(buffer_.size() * 2);
    long n = read_some(buffer_.data() + end_, buffer_.size() - end_);
    if (n < 0) return false;
    if (n == 0) {
      eof_ = true;
    } else {
      end_ += static_cast<size_t>(n);
    }
  }
}

bool LineDecoder::decode(std::string_view line, records::HttpRecord* out, std::string* error) {
  // The archive's envelope: {"topic":…,"value":"<the record's JSON as a string>",…}.
  if (line.size() > 9 && line.substr(0, 9) == "{\"topic\":") {
    if (padded_.size() < line.size() + simdjson::SIMDJSON_PADDING) {
      padded_.resize(line.size() + simdjson::SIMDJSON_PADDING);
    }
    std::memcpy(padded_.data(), line.data(), line.size());
    simdjson::dom::element doc;
    if (envelopes_.parse(padded_.data(), line.size(), false).get(doc)) {
      *error = "not JSON";
      return false;
    }
    std::string_view value;
    auto field = doc["value"];
    if (field.error() || field.get_string().get(value)) {
      if (!field.error() && field.is_null()) {
        *error = "envelope value: null";
      } else {
        *error = "envelope value: expected the record's JSON as a string";
      }
      return false;
    }
    if (!records_.parse(value, out, error)) {
      *error = "envelope value: " + *error;
      return false;
    }
    return true;
  }
  return records_.parse(line, out, error);
}

namespace {

bool blank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

struct OpenFile {
  std::unique_ptr<LineReader> reader;
  LineDecoder decoder;
  records::HttpRecord record;
  bool has = false;
};

// Moves *f to its next valid record; false on a read error.
bool advance(OpenFile* f, const std::function<void(const std::string&)>& on_invalid,
             ArchiveProgress* progress, std::string* error) {
  f->has = false;
  std::string_view line;
  std::string reason;
  while (f->reader->next(&line)) {
    if (blank(line)) continue;
    ++progress->lines;
    if (f->decoder.decode(line, &f->record, &reason)) {
      f->has = true;
      return true;
    }
    ++progress->invalid;
    if (on_invalid) {
      on_invalid(f->reader->path() + ":" + std::to_string(f->reader->line_number()) + ": " +
                 reason);
    }
  }
  if (!f->reader->error().empty()) {
    *error = f->reader->error();
    return false;
  }
  return true;
}

// The time of the file's first valid record (within its first lines); INT64_MIN if none.
bool first_time(const std::string& path, int64_t* ts, std::string* error) {
  auto reader = LineReader::open(path, error);
  if (!reader) return false;
  LineDecoder decoder;
  records::HttpRecord record;
  std::string reason;
  std::string_view line;
  *ts = INT64_MIN;
  for (int i = 0; i < 10000 && reader->next(&line); ++i) {
    if (decoder.decode(line, &record, &reason)) {
      *ts = record.ts;
      return true;
    }
  }
  if (!reader->error().empty()) {
    *error = reader->error();
    return false;
  }
  return true;
}

}  // namespace

bool read_archive(const std::vector<std::string>& files,
                  const std::function<void(const records::HttpRecord&)>& on_record,
                  const std::function<void(const std::string&)>& on_invalid,
                  ArchiveProgress* progress, std::string* error) {
  std::vector<std::pair<int64_t, std::string>> pending;
  for (const auto& f : files) {
    int64_t ts = 0;
    if (!first_time(f, &ts, error)) return false;
    pending.emplace_back(ts, f);
  }
  std::stable_sort(pending.begin(), pending.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::unique_ptr<OpenFile>> active;
  size_t next_pending = 0;
  for (;;) {
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < active.size(); ++i) {
      if (best == SIZE_MAX || active[i]->record.ts < active[best]->record.ts) best = i;
    }
    // Open the files whose first record is due before the earliest open one.
    while (next_pending < pending.size() &&
           (best == SIZE_MAX || pending[next_pending].first <= active[best]->record.ts)) {
      auto f = std::make_unique<OpenFile>();
      f->reader = LineReader::open(pending[next_pending].second, error);
      ++next_pending;
      if (!f->reader) return false;
      if (!advance(f.get(), on_invalid, progress, error)) return false;
      if (!f->has) continue;
      active.push_back(std::move(f));
      if (best == SIZE_MAX || active.back()->record.ts < active[best]->record.ts) {
        best = active.size() - 1;
      }
    }
    if (best == SIZE_MAX) break;
    OpenFile* f = active[best].get();
    on_record(f->record);
    if (!advance(f, on_invalid, progress, error)) return false;
    if (!f->has) active.erase(active.begin() + static_cast<ptrdiff_t>(best));
  }
  return true;
}

}  // namespace sentinel::thresholds

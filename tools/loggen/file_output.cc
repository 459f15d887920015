// The access-log file output: appends like nginx, reopens by path on request.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/log.h"
#include "tools/loggen/combined.h"
#include "tools/loggen/output.h"

namespace sentinel::loggen {
namespace {

int open_log(const std::string& path) {
  return open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

class FileOutput : public Output {
 public:
  FileOutput(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~FileOutput() override {
    if (fd_ > 2) close(fd_);
  }

  bool write(const std::vector<Request>& batch, std::string* error) override {
    buffer_.clear();
    for (const Request& r : batch) append_combined_line(r, &buffer_);
    size_t done = 0;
    while (done < buffer_.size()) {
      ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        *error = fmt::format("{}: write: {}", path_, std::strerror(errno));
        return false;
      }
      done += static_cast<size_t>(n);
    }
    return true;
  }

  void reopen() override {
    if (path_ == "-") return;
    int fd = open_log(path_);
    if (fd < 0) {
      // Keep writing to the old file rather than losing lines.
      log::error("{}: cannot reopen: {}; still writing to the file opened before", path_,
                 std::strerror(errno));
      return;
    }
    close(fd_);
    fd_ = fd;
    log::info("{}: reopened", path_);
  }

  bool finish(std::string*) override { return true; }

 private:
  std::string path_;
  int fd_;
  std::string buffer_;
};

}  // namespace

std::unique_ptr<Output> make_file_output(const std::string& path, std::string* error) {
  if (path == "-") return std::make_unique<FileOutput>(path, STDOUT_FILENO);
  int fd = open_log(path);
  if (fd < 0) {
    *error = fmt::format("{}: cannot open for appending: {}", path, std::strerror(errno));
    return nullptr;
  }
  return std::make_unique<FileOutput>(path, fd);
}

}  // namespace sentinel::loggen

// Whole-file reads of operator-named files: regular files only, bounded, errors in a few words.
#include "common/whole_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace sentinel {
namespace {

const char* kind_of(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a file";
}

std::string size_text(size_t bytes) {
  if (bytes % (size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

std::string file_error_text(int err) {
  switch (err) {
    case ENOENT:
      return "no such file";
    case EACCES:
    case EPERM:
      return "permission denied";
    case EISDIR:
      return "is a directory";
    case ENOTDIR:
      return "a part of the path is not a directory";
    case ELOOP:
      return "too many levels of symbolic links";
    default:
      break;
  }
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

std::optional<std::string> read_whole_file(const std::string& path, std::string* error,
                                           size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO without a writer would otherwise wait for one.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    *error = file_error_text(errno);
    return std::nullopt;
  }
  auto fail = [&](std::string why) -> std::optional<std::string> {
    ::close(fd);
    *error = std::move(why);
    return std::nullopt;
  };
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(file_error_text(errno));
  if (S_ISDIR(st.st_mode)) return fail("is a directory");
  if (!S_ISREG(st.st_mode))
    return fail(std::string("is not a regular file (") + kind_of(st.st_mode) + ")");
  if (static_cast<uint64_t>(st.st_size) > max_bytes)
    return fail("is larger than " + size_text(max_bytes));
  std::string text;
  text.reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(file_error_text(errno));
    if (n == 0) break;
    if (text.size() + static_cast<size_t>(n) > max_bytes) {
      return fail("is larger than " + size_text(max_bytes));  // grew while being read
    }
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

}  // namespace sentinel

// Access-log checkpoints: reading and atomically replacing the checkpoint file.
#include "agent/logs/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace sentinel::agent {
namespace {

std::string errno_text(int err) { return fmt::format("{} (errno {})", std::strerror(err), err); }

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::optional<uint64_t> hash_before(int fd, int64_t offset) {
  char buf[64];
  int64_t from = offset > 64 ? offset - 64 : 0;
  size_t want = static_cast<size_t>(offset - from);
  size_t got = 0;
  while (got < want) {
    ssize_t n = ::pread(fd, buf + got, want - got, from + static_cast<int64_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;  // the file is shorter than the offset now
    got += static_cast<size_t>(n);
  }
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < got; ++i) {
    h ^= static_cast<unsigned char>(buf[i]);
    h *= 1099511628211ull;
  }
  return h;
}

bool save_checkpoints(const std::string& path, const std::vector<FileCheckpoint>& files, std::string* error) {
  std::string text = "sentinel-agent-checkpoint 1\n";
  for (const auto& f : files) text += fmt::format("{} {} {} {:016x} {}\n", f.dev, f.ino, f.offset, f.hash, f.path);
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = fmt::format("open(\"{}\"): {}", tmp, errno_text(errno));
    return false;
  }
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = fmt::format("write(\"{}\"): {}", tmp, errno_text(errno));
      ::close(fd);
      return false;
    }
    done += static_cast<size_t>(n);
  }
  if (::fdatasync(fd) != 0) {
    *error = fmt::format("fdatasync(\"{}\"): {}", tmp, errno_text(errno));
    ::close(fd);
    return false;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    *error = fmt::format("rename(\"{}\", \"{}\"): {}", tmp, path, errno_text(errno));
    return false;
  }
  int dir = ::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0 || ::fsync(dir) != 0) {
    *error = fmt::format("fsync(directory \"{}\"): {}", dir_of(path), errno_text(errno));
    if (dir >= 0) ::close(dir);
    return false;
  }
  ::close(dir);
  return true;
}

std::optional<std::vector<FileCheckpoint>> load_checkpoints(const std::string& path, std::string* error) {
  error->clear();
  std::ifstream in(path);
  if (!in) {
    if (errno != ENOENT) *error = fmt::format("{}: {}", path, errno_text(errno));
    return std::nullopt;
  }
  std::vector<FileCheckpoint> out;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (number == 1) {
      if (line != "sentinel-agent-checkpoint 1") {
        *error = fmt::format("{}: line 1: expected \"sentinel-agent-checkpoint 1\"", path);
        return std::nullopt;
      }
      continue;
    }
    std::istringstream f(line);
    FileCheckpoint c;
    std::string hash;
    bool hash_ok = static_cast<bool>(f >> c.dev >> c.ino >> c.offset >> hash) && hash.size() == 16 &&
              std::from_chars(hash.data(), hash.data() + 16, c.hash, 16).ptr == hash.data() + 16;
    if (!hash_ok || c.offset < 0) {
      *error = fmt::format("{}: line {}: expected <dev> <inode> <offset> <hash> <path>", path, number);
      return std::nullopt;
    }
    f.get();  // the space before the path
    std::getline(f, c.path);
    out.push_back(std::move(c));
  }
  if (number == 0) {
    *error = fmt::format("{}: empty", path);
    return std::nullopt;
  }
  return out;
}

}  // namespace sentinel::agent

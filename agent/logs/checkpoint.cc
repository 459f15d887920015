// Access-log checkpoints: reading and atomically replacing the checkpoint file.
#include "agent/logs/checkpoint.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/atomic_file.h"
#include "common/errno_text.h"

namespace sentinel::agent {

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

bool save_checkpoints(const std::string& path, const std::vector<FileCheckpoint>& files,
                      std::string* error) {
  std::string text = "sentinel-agent-checkpoint 1\n";
  for (const auto& f : files)
    text += fmt::format("{} {} {} {:016x} {}\n", f.dev, f.ino, f.offset, f.hash, f.path);
  return write_file_atomically(path, text, 0600, error);
}

std::optional<std::vector<FileCheckpoint>> load_checkpoints(const std::string& path,
                                                            std::string* error) {
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
    bool hash_ok =
        static_cast<bool>(f >> c.dev >> c.ino >> c.offset >> hash) && hash.size() == 16 &&
        std::from_chars(hash.data(), hash.data() + 16, c.hash, 16).ptr == hash.data() + 16;
    if (!hash_ok || c.offset < 0) {
      *error =
          fmt::format("{}: line {}: expected <dev> <inode> <offset> <hash> <path>", path, number);
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

// Stream state files: format, reading, and atomic, durable replacement (common/atomic_file).
#include "archive_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "common/atomic_file.h"
#include "common/confined_fs.h"
#include "common/errno_text.h"

namespace sentinel::archive {
namespace {

// The name `path` has under `dir_fd`: its last component, or all of it without a directory fd.
std::string name_under(int dir_fd, const std::string& path) {
  if (dir_fd < 0) return path;
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string serialize(const StreamState& s) {
  std::string out = "sentinel-archive-state 1\n";
  out += "active " + s.active_path + "\n";
  out += "length " + std::to_string(s.length) + "\n";
  out += "first_record_ms " + std::to_string(s.first_record_ms) + "\n";
  if (!s.rotating.empty()) out += "rotating " + s.rotating + "\n";
  for (const auto& [key, p] : s.partitions) {
    out += "partition " + key.first + " " + std::to_string(key.second) + " " +
           std::to_string(p.first) + " " + std::to_string(p.last) + " " + std::to_string(p.next) +
           "\n";
  }
  return out;
}

std::optional<StreamState> parse_state(const std::string& text, std::string* error) {
  StreamState s;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  bool header = false, has_active = false, has_length = false;
  auto bad = [&](const std::string& expected) {
    *error = "line " + std::to_string(n) + ": expected " + expected;
    return std::nullopt;
  };
  while (std::getline(in, line)) {
    ++n;
    if (n == 1) {
      if (line != "sentinel-archive-state 1") return bad("\"sentinel-archive-state 1\"");
      header = true;
      continue;
    }
    size_t sp = line.find(' ');
    std::string word = line.substr(0, sp);
    std::string rest = sp == std::string::npos ? "" : line.substr(sp + 1);
    try {
      if (word == "active") {
        s.active_path = rest;
        has_active = !rest.empty();
      } else if (word == "length") {
        size_t used = 0;
        s.length = std::stoll(rest, &used);
        if (used != rest.size() || s.length < 0) return bad("length <bytes>");
        has_length = true;
      } else if (word == "first_record_ms") {
        s.first_record_ms = std::stoll(rest);
      } else if (word == "rotating") {
        s.rotating = rest;
      } else if (word == "partition") {
        std::istringstream f(rest);
        std::string topic;
        int32_t partition;
        PartitionState p;
        if (!(f >> topic >> partition >> p.first >> p.last >> p.next)) {
          return bad("partition <topic> <partition> <first> <last> <next>");
        }
        s.partitions[{topic, partition}] = p;
      } else if (!line.empty()) {
        return bad("active, length, first_record_ms, rotating or partition");
      }
    } catch (const std::exception&) {
      return bad("a number after " + word);
    }
  }
  if (!header) return bad("\"sentinel-archive-state 1\"");
  if (!has_active) {
    *error = "no active line";
    return std::nullopt;
  }
  if (!has_length) {
    *error = "no length line";
    return std::nullopt;
  }
  return s;
}

bool save_state(int dir_fd, const std::string& path, const StreamState& state, std::string* error) {
  if (dir_fd >= 0) {
    return write_file_atomically_at(dir_fd, name_under(dir_fd, path), serialize(state), 0644, error,
                                    path);
  }
  return write_file_atomically(path, serialize(state), 0644, error);
}

std::optional<StreamState> load_state(const std::string& path, std::string* error) {
  return load_state(-1, path, error);
}

std::optional<StreamState> load_state(int dir_fd, const std::string& path, std::string* error) {
  error->clear();
  std::string why;
  int fd = confined::open_regular_at(dir_fd >= 0 ? dir_fd : AT_FDCWD, name_under(dir_fd, path),
                                     O_RDONLY, 0, &why, path);
  if (fd < 0) {
    if (errno != ENOENT) *error = why;
    return std::nullopt;
  }
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      *error = "read(\"" + path + "\"): " + errno_text(errno);
      ::close(fd);
      return std::nullopt;
    }
    if (r == 0) break;
    text.append(buf, static_cast<size_t>(r));
  }
  ::close(fd);
  why.clear();
  auto s = parse_state(text, &why);
  if (!s) *error = path + ": " + why;
  return s;
}

}  // namespace sentinel::archive

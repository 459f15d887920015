// Reading a whole file an operator named (a config, a thresholds file, a credentials file, a
// scenario): only a regular file is read, so a directory, a FIFO that would block or a device
// that never ends is refused at once, and the size is bounded. Errors say what is wrong with the
// path in a few words ("is a directory", "permission denied", "no such file") and leave naming
// the file to the caller, which knows the program's error form:
//
//   std::string why;
//   auto text = read_whole_file(path, &why);
//   if (!text) throw ConfigError(fmt::format("config error: {}: cannot read: {}", path, why));
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace sentinel {

// Far above any config Sentinel reads (the largest, a thresholds file with per-key overrides,
// stays under a few MiB), far below what would hurt a daemon to hold in memory.
inline constexpr size_t kMaxReadFileBytes = size_t{64} << 20;

// The file's bytes; nullopt with *error ("is a directory", "permission denied", "no such file",
// "is not a regular file (a FIFO)", "is larger than 64 MiB") otherwise.
std::optional<std::string> read_whole_file(const std::string& path, std::string* error,
                                           size_t max_bytes = kMaxReadFileBytes);

// The same words for an errno value: "permission denied", "no such file", ...
std::string file_error_text(int err);

}  // namespace sentinel

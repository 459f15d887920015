// The stream state file: what the archive holds, written atomically after the data it describes
// is durable. It is the commit point of the archive: on recovery the active file is cut back to
// `length` (dropping a torn or not-yet-recorded tail) and each partition resumes at `next`,
// whatever the consumer group committed.
//
// Text, one fact a line, so an operator can read it:
//   sentinel-archive-state 1
//   active <path>
//   length <bytes>
//   first_record_ms <ms or -1>
//   rotating <path being rotated to, while a rotation is under way>
//   partition <topic> <partition> <first in active or -1> <last in active or -1> <next>
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace sentinel::archive {

struct PartitionState {
  int64_t first = -1;  // first offset in the active file, -1 when it holds none of this partition
  int64_t last = -1;
  int64_t next = -1;  // next offset to archive (last archived + 1), -1 when unknown
  bool operator==(const PartitionState&) const = default;
};

using PartitionKey = std::pair<std::string, int32_t>;

struct StreamState {
  std::string active_path;
  int64_t length = 0;
  int64_t first_record_ms = -1;
  std::string rotating;  // empty unless a rotation to this name is under way
  std::map<PartitionKey, PartitionState> partitions;
};

std::string serialize(const StreamState& state);
// nullopt with *error ("line 3: expected length <bytes>") when the text is not a state file.
std::optional<StreamState> parse_state(const std::string& text, std::string* error);

// Writes `state` to `path` durably with common/atomic_file: `<path>.tmp`, fsync, rename over
// `path`, fsync of the directory. With `dir_fd` >= 0 (the directory of `path`, opened confined
// and O_RDONLY) the files are reached by their names under it and nothing else of `path` is
// looked up; with -1 through `path`. The state file is never followed through a link nor opened
// or replaced when it is not a regular file. False with *error naming the path, the call and the
// file ("<path>: write <path>.tmp: No space left on device").
bool save_state(int dir_fd, const std::string& path, const StreamState& state, std::string* error);
// Reads `path` (under `dir_fd` as for save_state): nullopt with an empty *error when it does not
// exist, with a message when it cannot be read or parsed.
std::optional<StreamState> load_state(int dir_fd, const std::string& path, std::string* error);
std::optional<StreamState> load_state(const std::string& path, std::string* error);

}  // namespace sentinel::archive

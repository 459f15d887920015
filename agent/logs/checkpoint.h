// Access-log checkpoints: for each file being tailed, where its next unpublished line starts,
// written atomically (temporary file, fsync, rename, fsync of the directory) and only for lines
// Kafka has acknowledged. A file is known by its device and inode, and by a hash of the bytes just
// before the offset, so a restart notices a file that was copytruncated or replaced while the
// agent was stopped (the hash no longer matches: it is read again from the start).
//
// Text, one file a line, so an operator can read it:
//   sentinel-agent-checkpoint 1
//   <dev> <inode> <offset> <hash hex> <path>
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sentinel::agent {

struct FileCheckpoint {
  uint64_t dev = 0;
  uint64_t ino = 0;
  int64_t offset = 0;
  uint64_t hash = 0;  // hash_before(offset) when the checkpoint was taken
  std::string path;   // where the file was when the checkpoint was taken
};

// Hash of up to 64 bytes of `fd` before `offset` (FNV-1a); nullopt when they cannot be read.
std::optional<uint64_t> hash_before(int fd, int64_t offset);

// Replaces `path` atomically and durably (common/atomic_file; a new file is 0600). False with
// *error naming the path, the call and the file.
bool save_checkpoints(const std::string& path, const std::vector<FileCheckpoint>& files,
                      std::string* error);
// nullopt with an empty *error when the file does not exist; with a message ("…: line 3: …")
// when it cannot be read or parsed.
std::optional<std::vector<FileCheckpoint>> load_checkpoints(const std::string& path,
                                                            std::string* error);

}  // namespace sentinel::agent

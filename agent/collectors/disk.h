// Filesystem space and inode usage per mount, via statvfs on a worker thread so a hung mount (dead
// NFS server) cannot stall collection (pure parsing exposed for tests).
#pragma once

#include <sys/statvfs.h>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/collectors/collector.h"

namespace sentinel::agent {

struct MountEntry {
  std::string device, mount_point, fstype;
};

// Decodes the octal escapes the kernel writes in /proc/self/mounts fields (\040 space, \011 tab,
// \012 newline, \134 backslash) into *out.
void decode_mount_field(std::string_view field, std::string* out);

// Parses /proc/self/mounts into *out, reusing its elements' storage; malformed lines are skipped.
void parse_mounts(std::string_view text, std::vector<MountEntry>* out);

// The metrics of one mount, in output order, like df: used_pct = used / (used + avail).
std::vector<std::pair<std::string, double>> disk_metrics(const struct statvfs& st);

// statvfs(2) or a stand-in for tests; returns 0 or -1 with errno set.
using StatvfsFn = std::function<int(const std::string& path, struct statvfs* out)>;

// The disk collector with an injectable statvfs; make_disk_collector(options, paths) uses
// ::statvfs.
std::unique_ptr<Collector> make_disk_collector(const ConfigNode& options, const HostPaths& paths,
                                               StatvfsFn statvfs_fn);

}  // namespace sentinel::agent

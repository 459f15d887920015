// Pure rotation and retention logic (no I/O): when the active file rotates, what a rotated file
// is called, and which rotated files retention removes. Inputs are values (sizes, clock readings
// in ms since the epoch, local-date numbers) so tests can drive them with any clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sentinel::archive {

struct RotationPolicy {
  int64_t max_bytes = -1;    // rotate before a record would take the file past this; -1 off
  int64_t interval_ms = -1;  // rotate when the first record in the file is this old; -1 off
  bool at_midnight = false;  // rotate when the local date changed since the first record
};

struct ActiveFile {
  int64_t length = 0;            // bytes in the active file (written, durable or not)
  int64_t first_record_ms = -1;  // when its first record was written; -1 while empty
};

// Whether the active file must rotate before a line of `next_line_bytes` is appended (0: a time
// check only). `local_day` maps ms since the epoch to a local date number (e.g. 20240501). An empty
// file never rotates.
bool should_rotate(const RotationPolicy& policy, const ActiveFile& file, int64_t now_ms,
                   int64_t next_line_bytes, int64_t (*local_day)(int64_t ms));

// Local date as yyyymmdd for ms since the epoch (localtime_r, so TZ applies).
int64_t local_day_number(int64_t ms);

// The offsets a file holds for one partition.
struct OffsetRange {
  std::string topic;
  int32_t partition = 0;
  int64_t first = -1;
  int64_t last = -1;
};

// "<active>.<yyyymmdd-HHMMSS>.<topic>+<partition>+<first>+<last>[,…]" with the local time of the
// rotation; past 160 characters of ranges the rest is summarised as ",+<n>-more".
std::string rotated_name(const std::string& active_path, int64_t rotated_at_ms,
                         const std::vector<OffsetRange>& ranges);

// A file in the archive that is a rotated file of some active file (matched by the caller).
struct RotatedFile {
  std::string path;
  int64_t rotated_at_ms = 0;  // from the name
  int64_t bytes = 0;
  std::string codec;  // "", "gz" or "zst"
};

// Parses the part after "<active>." of a rotated file name: the time and the codec suffix.
std::optional<RotatedFile> parse_rotated_suffix(const std::string& suffix);

struct RetentionPolicy {
  int64_t max_files = -1;
  int64_t max_age_ms = -1;
  int64_t max_bytes = -1;
};

// The rotated files retention removes, oldest first: older than max_age, beyond the newest
// max_files, and oldest until the rest fit in max_bytes. The active file is never among `files`.
std::vector<RotatedFile> select_for_removal(std::vector<RotatedFile> files,
                                            const RetentionPolicy& policy, int64_t now_ms);

}  // namespace sentinel::archive

// Rotation decisions, rotated-file names and retention selection.
#include "rotation.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace sentinel::archive {

int64_t local_day_number(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  return (tm.tm_year + 1900) * 10000LL + (tm.tm_mon + 1) * 100LL + tm.tm_mday;
}

bool should_rotate(const RotationPolicy& policy, const ActiveFile& file, int64_t now_ms,
                   int64_t next_line_bytes, int64_t (*local_day)(int64_t ms)) {
  if (file.length <= 0) return false;
  if (policy.max_bytes > 0 && next_line_bytes > 0 &&
      file.length + next_line_bytes > policy.max_bytes)
    return true;
  if (file.first_record_ms < 0) return false;
  if (policy.interval_ms > 0 && now_ms - file.first_record_ms >= policy.interval_ms) return true;
  if (policy.at_midnight && local_day(now_ms) != local_day(file.first_record_ms)) return true;
  return false;
}

std::string rotated_name(const std::string& active_path, int64_t rotated_at_ms,
                         const std::vector<OffsetRange>& ranges) {
  std::time_t t = static_cast<std::time_t>(rotated_at_ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y%m%d-%H%M%S", &tm);
  std::string list;
  size_t shown = 0;
  for (const OffsetRange& r : ranges) {
    std::string one = r.topic + "+" + std::to_string(r.partition) + "+" + std::to_string(r.first) +
                      "+" + std::to_string(r.last);
    if (shown > 0 && list.size() + one.size() > 160) break;
    if (shown > 0) list += ',';
    list += one;
    ++shown;
  }
  if (shown < ranges.size()) list += ",+" + std::to_string(ranges.size() - shown) + "-more";
  if (list.empty()) list = "empty";
  return active_path + "." + when + "." + list;
}

std::optional<RotatedFile> parse_rotated_suffix(const std::string& suffix) {
  // yyyymmdd-HHMMSS.<ranges>[.gz|.zst]
  if (suffix.size() < 17 || suffix[8] != '-' || suffix[15] != '.') return std::nullopt;
  for (size_t i = 0; i < 15; ++i) {
    if (i != 8 && (suffix[i] < '0' || suffix[i] > '9')) return std::nullopt;
  }
  std::string rest = suffix.substr(16);
  if (rest.find('/') != std::string::npos || rest.empty()) return std::nullopt;
  RotatedFile f;
  if (rest.ends_with(".gz")) f.codec = "gz";
  if (rest.ends_with(".zst")) f.codec = "zst";
  if (rest.ends_with(".partial")) return std::nullopt;
  std::tm tm{};
  tm.tm_year = std::stoi(suffix.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(suffix.substr(4, 2)) - 1;
  tm.tm_mday = std::stoi(suffix.substr(6, 2));
  tm.tm_hour = std::stoi(suffix.substr(9, 2));
  tm.tm_min = std::stoi(suffix.substr(11, 2));
  tm.tm_sec = std::stoi(suffix.substr(13, 2));
  tm.tm_isdst = -1;
  f.rotated_at_ms = static_cast<int64_t>(std::mktime(&tm)) * 1000;
  return f;
}

std::vector<RotatedFile> select_for_removal(std::vector<RotatedFile> files,
                                            const RetentionPolicy& policy, int64_t now_ms) {
  std::sort(files.begin(), files.end(), [](const RotatedFile& a, const RotatedFile& b) {
    return a.rotated_at_ms != b.rotated_at_ms ? a.rotated_at_ms < b.rotated_at_ms : a.path < b.path;
  });
  size_t remove = 0;  // files[0, remove) go
  if (policy.max_age_ms >= 0) {
    while (remove < files.size() && now_ms - files[remove].rotated_at_ms > policy.max_age_ms)
      ++remove;
  }
  if (policy.max_files >= 0 && files.size() - remove > static_cast<size_t>(policy.max_files)) {
    remove = files.size() - static_cast<size_t>(policy.max_files);
  }
  if (policy.max_bytes >= 0) {
    int64_t total = 0;
    for (size_t i = remove; i < files.size(); ++i) total += files[i].bytes;
    while (remove < files.size() && total > policy.max_bytes) total -= files[remove++].bytes;
  }
  files.resize(remove);
  return files;
}

}  // namespace sentinel::archive

// Shared helpers for collectors that read small procfs/sysfs text files: reads into a reused
// buffer (procfs files stay open between ticks), one read per tick shared between collectors,
// line and field splitting over string_views, exception-free number parsing, name filters built
// from config regexes, and a per-name state table for rate baselines.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/config.h"

namespace sentinel::agent {

// Reads whole small files into one buffer that keeps its capacity between ticks. A procfs file
// stays open after a successful read and is read again from offset 0 (the kernel regenerates
// its text on every read), which saves the open/close, most of the cost of reading it. Any other
// file (fixtures in tests, sysfs) is opened and closed on every read, so replacing it is seen.
class FileReader {
 public:
  FileReader() = default;
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;
  ~FileReader();

  // On success returns true and the file's text in *text (valid until the next read); on failure
  // returns false with *error = "cannot read <path>: <strerror>" and *err_no = errno.
  bool read(const std::string& path, std::string_view* text, std::string* error,
            int* err_no = nullptr);

  // True when `path` is a procfs file held open since its last successful read and poll(2)
  // reports no change since: the mount tables (/proc/self/mounts) raise POLLPRI|POLLERR when a
  // mount is added, removed or changed (proc(5)). False for every other file: read it again.
  // Only meaningful for files whose poll signals changes; a file without a poll method reports
  // POLLOUT, which is taken as "cannot tell".
  bool unchanged_since_read(const std::string& path);

 private:
  struct Held {
    std::string path;
    int fd;
  };
  bool read_fd(int fd, size_t* len);
  void drop(size_t held_index);

  std::vector<Held> held_;
  std::vector<char> buf_;
};

// One read of a file per tick for all the collectors built from one HostPaths: cpu and load both
// parse /proc/stat. The first collector asking at a tick's `now` reads the file; the others asking
// at the same `now` get the same text. A collector asking again at the same `now` (a later tick
// that reuses the time, as tests do) reads the file afresh, so each collector still sees every
// change between its own reads. Not thread-safe: the agent runs its collectors on one thread.
class TickReads {
 public:
  // Like FileReader::read; `collector` identifies the caller. *text is valid until the next call
  // for the same path.
  bool read(const std::string& path, MonoClock::time_point now, const void* collector,
            std::string_view* text, std::string* error);
  // How many times a file was actually read (for tests).
  size_t file_reads() const { return file_reads_; }

 private:
  struct Entry {
    std::string path;
    MonoClock::time_point now;
    std::vector<const void*> served;  // collectors that got this text
    bool valid = false;
    std::string_view text;
    FileReader reader;
  };
  std::vector<std::unique_ptr<Entry>> entries_;
  size_t file_reads_ = 0;
};

// Splits off the next line of *text (without its '\n'); returns false when *text is empty.
bool next_line(std::string_view* text, std::string_view* line);

// Splits `line` on spaces/tabs into at most `max` fields; returns how many were stored.
size_t split_fields(std::string_view line, std::string_view* fields, size_t max);

bool parse_u64(std::string_view s, uint64_t* out);
bool parse_double(std::string_view s, double* out);

// Rounds to 2 decimals, which is all the precision rates and percentages need on the wire.
double round2(double value);

// Regular expressions (ECMAScript, searched — anchor them) compiled once, at construction. The
// std::regex code lives in proc_text.cc alone, behind this class.
class RegexList {
 public:
  RegexList();
  // Compiles `patterns`; a bad one throws ConfigError naming `options.<key>` and the pattern.
  RegexList(const ConfigNode& options, const std::string& key,
            const std::vector<std::string>& patterns);
  // For built-in patterns known to be valid.
  explicit RegexList(const std::vector<std::string>& patterns);
  RegexList(RegexList&&) noexcept;
  RegexList& operator=(RegexList&&) noexcept;
  ~RegexList();

  bool empty() const;
  bool any_match(const std::string& text) const;

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

// Include/exclude decision over names from regex lists in the config; callers keep the answer in
// their per-name state, so matching happens once per new name, never per tick.
class NameFilter {
 public:
  // `options.<include_key>` (default empty) and `options.<exclude_key>` (default
  // `default_excludes`; a configured list replaces it). A bad regex throws ConfigError.
  NameFilter(const ConfigNode& options, const std::string& include_key,
             const std::string& exclude_key, const std::vector<std::string>& default_excludes);
  // A name passes when it matches some include regex (or there are none) and no exclude regex.
  bool accepts(const std::string& name) const;

 private:
  RegexList include_, exclude_;
};

// Per-name state (rate baselines) that survives between ticks; names absent from a tick are
// dropped, so a device or CPU that comes back starts with a fresh baseline. Lookups by
// string_view allocate nothing.
template <typename State>
class StateTable {
 public:
  struct Entry {
    State state{};
    bool fresh = true;  // created this tick
    bool seen = false;  // present in this tick's input
  };

  void begin_tick() {
    for (auto& [name, entry] : map_) {
      entry.seen = false;
      entry.fresh = false;
    }
  }
  // The entry for `name`, created when new; marks it seen. *was_seen tells whether an earlier
  // line of this tick already had the same name (a duplicate).
  Entry& touch(std::string_view name, bool* was_seen = nullptr) {
    auto it = map_.find(name);
    if (it == map_.end()) it = map_.emplace(std::string(name), Entry{}).first;
    if (was_seen) *was_seen = it->second.seen;
    it->second.seen = true;
    return it->second;
  }
  void drop_unseen() {
    std::erase_if(map_, [](const auto& kv) { return !kv.second.seen; });
  }
  size_t size() const { return map_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> map_;
};

}  // namespace sentinel::agent

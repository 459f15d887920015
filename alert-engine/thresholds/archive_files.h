// Reading http_logs history from files: the rotating archive sink's files (`value` lines, or
// `envelope` lines whose "value" holds the record's JSON as a string; plain, .gz or .zst) and
// plain JSON-lines files. Files are listed from paths (directories walked, hidden and .partial
// files skipped), read line by line through a reused buffer, and merged by time so that windows
// can close while reading.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "records/http_logs.h"

namespace sentinel::thresholds {

// Files named by `paths`, directories walked recursively, sorted; hidden files ("."-prefixed,
// such as the sink's .partial temporaries) are skipped. False with *error naming a path that
// does not exist or cannot be listed.
bool list_archive_files(const std::vector<std::string>& paths, std::vector<std::string>* files,
                        std::string* error);

// One file's lines, decompressed by its name's extension (.gz: zlib, .zst: zstd, else plain).
class LineReader {
 public:
  virtual ~LineReader() = default;
  // Opens `path`; nullptr with *error ("<path>: open: <reason>").
  static std::unique_ptr<LineReader> open(const std::string& path, std::string* error);
  // The next line without its '\n' (valid until the next call); false at the end or on an error
  // (then error() is set, naming the file and the call).
  bool next(std::string_view* line);
  uint64_t line_number() const { return line_number_; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

 protected:
  // Appends up to `max` decompressed bytes at `dst`; 0 at the end, -1 on an error (error_ set).
  virtual long read_some(char* dst, size_t max) = 0;
  std::string path_;
  std::string error_;

 private:
  std::string buffer_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  uint64_t line_number_ = 0;
};

// An http_logs record from one line: the record's JSON itself, or the archive's envelope.
class LineDecoder {
 public:
  LineDecoder() = default;
  bool decode(std::string_view line, records::HttpRecord* out, std::string* error);

 private:
  records::HttpRecordParser records_;
  simdjson::dom::parser envelopes_;
  std::string padded_;
};

struct ArchiveProgress {
  uint64_t lines = 0;    // non-empty lines read
  uint64_t invalid = 0;  // lines that are not an http_logs record
};

// Reads every file, merged by record time: files are ordered by their first record's time and
// opened when the merge reaches it, and the next record is always the earliest among the open
// files. `on_record` gets each valid record; `on_invalid` gets "<file>:<line>: <reason>".
// False with *error when a file cannot be opened or read.
bool read_archive(const std::vector<std::string>& files,
                  const std::function<void(const records::HttpRecord&)>& on_record,
                  const std::function<void(const std::string&)>& on_invalid,
                  ArchiveProgress* progress, std::string* error);

}  // namespace sentinel::thresholds

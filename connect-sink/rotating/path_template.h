// The archive path template: literal text with {topic}, {partition} and strftime date parts
// (%Y %m %d %H %M %S %j %y %F %%), rendered per partition and local time. A plain `file` is a
// template without placeholders.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace sentinel::archive {

class PathTemplate {
 public:
  PathTemplate() = default;
  // Parses `text`; nullopt with *error naming the offending part ("unknown placeholder {host} at
  // character 12: expected {topic} or {partition}").
  static std::optional<PathTemplate> parse(const std::string& text, std::string* error);

  const std::string& text() const { return text_; }
  bool has_topic() const { return has_topic_; }
  bool has_partition() const { return has_partition_; }
  bool has_date() const { return has_date_; }

  // The active file's path for this partition at local time `tm`. nullopt with *error when a
  // placeholder or date part renders an empty, "." or ".." path component (a topic named "..",
  // which the dev broker accepts), or the topic holds '/' or NUL: a rendered name never climbs
  // out of the directory the template names.
  std::optional<std::string> render(const std::string& topic, int partition, const std::tm& local,
                                    std::string* error) const;
  // What identifies a stream (one active file at a time): the path with topic and partition
  // filled in and the date parts left as written; nullopt with *error as render.
  std::optional<std::string> stream_key(const std::string& topic, int partition,
                                        std::string* error) const;
  // The directory holding the stream's state: the longest literal directory prefix.
  std::string state_root() const;
  // A regular expression (ECMAScript) matching every path this template renders for the
  // partition, at any date: date parts become digit runs.
  std::string path_regex(const std::string& topic, int partition) const;
  // The directory under which every rendered path of the partition lies: the literal directory
  // prefix before the first date part (or the file's directory without one).
  std::string scan_root(const std::string& topic, int partition) const;

 private:
  struct Part {
    enum Kind { kLiteral, kTopic, kPartition, kDate } kind = kLiteral;
    std::string text;  // the literal, or the strftime spec ("%Y")
  };
  bool render_parts(const std::string& topic, int partition, const std::tm* local, std::string* out,
                    std::string* error) const;

  std::string text_;
  std::vector<Part> parts_;
  bool has_topic_ = false, has_partition_ = false, has_date_ = false;
};

}  // namespace sentinel::archive

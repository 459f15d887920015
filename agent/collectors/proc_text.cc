// Shared helpers for reading and parsing procfs/sysfs text without exceptions or iostreams.

// GCC 12's libstdc++ <regex> trips -Wmaybe-uninitialized inside its own NFA code under
// -fsanitize=address (GCC bug 105616, a false positive). This file is the only one that
// instantiates std::regex, so the warning is silenced here and nowhere else.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "agent/collectors/proc_text.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <regex>

namespace sentinel::agent {

bool FileReader::read(const std::string& path, std::string_view* text, std::string* error,
                      int* err_no) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    if (err_no) *err_no = e;
    *error = "cannot read " + path + ": " + std::strerror(e);
    return false;
  }
  if (buf_.empty()) buf_.resize(4096);
  size_t len = 0;
  for (;;) {
    if (len == buf_.size()) buf_.resize(buf_.size() * 2);
    ssize_t n = ::read(fd, buf_.data() + len, buf_.size() - len);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      if (err_no) *err_no = e;
      *error = "cannot read " + path + ": " + std::strerror(e);
      return false;
    }
    if (n == 0) break;
    len += static_cast<size_t>(n);
  }
  ::close(fd);
  *text = std::string_view(buf_.data(), len);
  return true;
}

bool next_line(std::string_view* text, std::string_view* line) {
  if (text->empty()) return false;
  size_t nl = text->find('\n');
  if (nl == std::string_view::npos) {
    *line = *text;
    *text = {};
  } else {
    *line = text->substr(0, nl);
    text->remove_prefix(nl + 1);
  }
  return true;
}

size_t split_fields(std::string_view line, std::string_view* fields, size_t max) {
  size_t count = 0;
  size_t i = 0;
  while (count < max) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    fields[count++] = line.substr(start, i - start);
  }
  return count;
}

bool parse_u64(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool parse_double(std::string_view s, double* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(*out);
}

double round2(double value) { return std::round(value * 100.0) / 100.0; }

struct RegexList::Compiled {
  std::vector<std::regex> regexes;
};

RegexList::RegexList() : compiled_(std::make_unique<Compiled>()) {}

RegexList::RegexList(const ConfigNode& options, const std::string& key,
                     const std::vector<std::string>& patterns)
    : compiled_(std::make_unique<Compiled>()) {
  compiled_->regexes.reserve(patterns.size());
  for (const auto& p : patterns) {
    try {
      compiled_->regexes.emplace_back(p, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      options.fail(key, "\"" + p + "\": expected a regular expression (" + e.what() + ")");
    }
  }
}

RegexList::RegexList(const std::vector<std::string>& patterns)
    : compiled_(std::make_unique<Compiled>()) {
  for (const auto& p : patterns) {
    compiled_->regexes.emplace_back(p, std::regex::ECMAScript | std::regex::optimize);
  }
}

RegexList::RegexList(RegexList&&) noexcept = default;
RegexList& RegexList::operator=(RegexList&&) noexcept = default;
RegexList::~RegexList() = default;

bool RegexList::empty() const { return compiled_->regexes.empty(); }

bool RegexList::any_match(const std::string& text) const {
  for (const auto& r : compiled_->regexes) {
    if (std::regex_search(text, r)) return true;
  }
  return false;
}

NameFilter::NameFilter(const ConfigNode& options, const std::string& include_key,
                       const std::string& exclude_key,
                       const std::vector<std::string>& default_excludes)
    : include_(options, include_key, options.get_strings(include_key, {})),
      exclude_(options, exclude_key, options.get_strings(exclude_key, default_excludes)) {}

bool NameFilter::accepts(const std::string& name) const {
  if (!include_.empty() && !include_.any_match(name)) return false;
  return !exclude_.any_match(name);
}

}  // namespace sentinel::agent

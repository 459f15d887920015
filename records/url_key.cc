// The URL key (see url_key.h).
#include "records/url_key.h"

#include <regex>
#include <utility>

namespace sentinel::records {

struct PathNormalizer::Compiled {
  std::regex re;
  std::string replace;
};

namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // "…"

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!is_hex(s[i])) {
      return false;
    }
  }
  return true;
}

bool is_long_hex(std::string_view s) {
  if (s.size() < 16) return false;
  for (char c : s) {
    if (!is_hex(c)) return false;
  }
  return true;
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

}  // namespace

PathNormalizer::PathNormalizer(const PathNormalization& config) : config_(config) {
  for (const auto& rule : config_.rules) {
    auto c = std::make_shared<Compiled>();
    c->re = std::regex(rule.pattern, std::regex::ECMAScript | std::regex::optimize);
    c->replace = rule.replace;
    compiled_.push_back(std::move(c));
  }
}

void PathNormalizer::normalize(std::string_view path, std::string* out) const {
  out->clear();
  // The query string and the fragment are not part of the key.
  if (size_t cut = path.find_first_of("?#"); cut != std::string_view::npos) {
    path = path.substr(0, cut);
  }
  // Absolute-form request targets ("http://host/path", sent to proxies): the path part only.
  if (starts_with_icase(path, "http://") || starts_with_icase(path, "https://")) {
    size_t authority = path.find("//") + 2;
    size_t slash = path.find('/', authority);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  if (path.empty() || path == "/") {
    out->push_back('/');
    return;
  }
  const bool absolute = path.front() == '/';
  const bool trailing_slash = path.back() == '/';
  int segments = 0;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(pos, end - pos);
    pos = end + 1;
    if (seg.empty()) continue;  // "//" is one separator
    if (config_.max_segments > 0 && segments == config_.max_segments) {
      out->push_back('/');
      out->append(kEllipsis);
      return;
    }
    if (segments > 0 || absolute) out->push_back('/');
    ++segments;
    if (config_.ids && all_digits(seg)) {
      out->append("{id}");
    } else if (config_.uuids && is_uuid(seg)) {
      out->append("{uuid}");
    } else if (config_.hex && is_long_hex(seg)) {
      out->append("{hex}");
    } else {
      bool rewritten = false;
      for (const auto& rule : compiled_) {
        if (std::regex_match(seg.begin(), seg.end(), rule->re)) {
          out->append(rule->replace);
          rewritten = true;
          break;
        }
      }
      if (!rewritten) out->append(seg);
    }
  }
  if (segments == 0) {  // only slashes
    out->push_back('/');
    return;
  }
  if (trailing_slash) out->push_back('/');
}

std::string PathNormalizer::normalize(std::string_view path) const {
  std::string out;
  normalize(path, &out);
  return out;
}

}  // namespace sentinel::records

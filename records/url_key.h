// The URL key (docs/architecture.md): an http_logs record's path as the HTTP error-rate rules
// (http_5xx_url, http_4xx_url), sentinel-thresholds and the dashboard's top URLs key it, so that
// the three agree on what one URL is.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::records {

// One rewrite applied to each path segment (between '/'): a segment that matches `pattern`
// (ECMAScript regex, whole segment) becomes `replace`.
struct PathRule {
  std::string pattern;
  std::string replace;
};

// Path → the URL key: query string and fragment dropped, then each segment rewritten by the
// first rule that matches it. Built-in classes are checked without regex (fast path):
//   "{id}"   all digits                        /api/orders/123   → /api/orders/{id}
//   "{uuid}" 8-4-4-4-12 hex                    /u/0b5e…-…        → /u/{uuid}
//   "{hex}"  ≥ 16 hex digits                   /blob/deadbeef…   → /blob/{hex}
// Paths deeper than max_segments keep their first max_segments segments and end in "/…".
struct PathNormalization {
  bool ids = true;
  bool uuids = true;
  bool hex = true;
  std::vector<PathRule> rules;  // applied after the built-ins, in order
  int max_segments = 8;
};

class PathNormalizer {
 public:
  explicit PathNormalizer(const PathNormalization& config = {});  // throws std::regex_error
  // Writes the key into *out (cleared first); no allocation once *out has grown.
  void normalize(std::string_view path, std::string* out) const;
  std::string normalize(std::string_view path) const;

 private:
  struct Compiled;
  PathNormalization config_;
  std::vector<std::shared_ptr<const Compiled>> compiled_;
};

}  // namespace sentinel::records

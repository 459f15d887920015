// Limits on what a YAML document may become, checked on the parser's event stream before any node
// is built. yaml-cpp builds an alias inside its own anchor (`a: &a [*a]`) as a cycle that every
// later walk follows until the stack overflows, and shares aliased nodes, so that 9 levels of 9
// aliases ("billion laughs") parse in microseconds and then expand to 387 million nodes for
// anything that walks them. A config is a few hundred values: the budget below is far above any
// real one and far below what takes a daemon measurable time.
//
//   if (auto e = check_yaml_limits(text)) → e->line (0-based, -1 unknown), e->message
//   "alias *a refers to its own anchor &a, which contains it (a recursive alias)"
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace sentinel {

struct YamlLimits {
  size_t max_nodes = 100000;  // values, keys and collections, counting each alias's expansion
  size_t max_depth = 64;      // nesting of lists and mappings, through aliases too
};

struct YamlLimitError {
  int line = -1;  // 0-based, as YAML::Mark
  std::string message;
};

// The first problem in the first document, or nullopt. Checks only what the limits are about:
// syntax errors are left to the loader (nullopt), which reports them with its own words.
std::optional<YamlLimitError> check_yaml_limits(const std::string& text,
                                                const YamlLimits& limits = {});

}  // namespace sentinel

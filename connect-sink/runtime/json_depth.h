// A guard for nlohmann::json's recursive parser: refuses documents nested deeper than a limit
// before they are parsed, so hostile REST bodies or Kafka records cannot exhaust the stack.
#pragma once

#include <string_view>

namespace sentinel::connect {

inline bool json_depth_within(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

}  // namespace sentinel::connect

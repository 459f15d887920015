// ${VAR} / ${VAR:-default} substitution.
#include "common/env_subst.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>

namespace sentinel {

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

std::optional<std::string> substitute_env(std::string_view text, const EnvLookup& lookup,
                                          std::string* error, int* error_line) {
  std::string out;
  out.reserve(text.size());
  int line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') ++line;
    if (c != '$') {
      out += c;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (i + 1 >= text.size() || text[i + 1] != '{') {
      out += c;
      continue;
    }
    size_t close = text.find('}', i + 2);
    size_t newline = text.find('\n', i + 2);
    if (close == std::string_view::npos || (newline != std::string_view::npos && newline < close)) {
      if (error) *error = "\"${\" without a closing \"}\"";
      if (error_line) *error_line = line;
      return std::nullopt;
    }
    std::string_view body = text.substr(i + 2, close - i - 2);
    std::string_view name = body;
    std::optional<std::string_view> fallback;
    if (size_t sep = body.find(":-"); sep != std::string_view::npos) {
      name = body.substr(0, sep);
      fallback = body.substr(sep + 2);
    }
    bool valid = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
    for (char n : name) valid &= (std::isalnum(static_cast<unsigned char>(n)) || n == '_');
    if (!valid) {
      if (error_line) *error_line = line;
      if (error) {
        *error = fmt::format("\"${{{}}}\": expected ${{NAME}} or ${{NAME:-default}}", body);
      }
      return std::nullopt;
    }
    std::optional<std::string> value = lookup(std::string(name));
    if (value && !(fallback && value->empty())) {
      out += *value;
    } else if (fallback) {
      out += *fallback;
    } else {
      if (error_line) *error_line = line;
      if (error) {
        *error = fmt::format(
            "environment variable {} is not set (write ${{{}:-default}} to give a default)", name,
            name);
      }
      return std::nullopt;
    }
    i = close;
  }
  return out;
}

}  // namespace sentinel

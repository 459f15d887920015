// ${VAR} and ${VAR:-default} substitution in configuration text, before it is parsed.
//
// `$$` writes a literal `$`. A `${VAR}` whose variable is unset is an error naming the line;
// `${VAR:-default}` uses the default when VAR is unset or empty (as the shell does).
// Substitution never adds or removes newlines of the text itself, so the parser's line numbers
// still point into the file the operator wrote.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel {

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment.
EnvLookup process_env();

// On error returns nullopt and sets *error to "line N: ...".
std::optional<std::string> substitute_env(std::string_view text, const EnvLookup& lookup,
                                          std::string* error);

}  // namespace sentinel

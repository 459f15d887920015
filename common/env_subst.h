// ${VAR} and ${VAR:-default} substitution in configuration text, before it is parsed.
//
// `$$` writes a literal `$`. A `${VAR}` whose variable is unset is an error naming the variable;
// `${VAR:-default}` uses the default when VAR is unset or empty (as the shell does).
// YAML configs apply it to each parsed value (never to comments or keys, and a value cannot inject
// YAML structure); .properties files apply it to each value likewise.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel {

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment.
EnvLookup process_env();

// On error returns nullopt, sets *error to what is wrong and *error_line (if given) to the 1-based
// line of `text` where it is.
std::optional<std::string> substitute_env(std::string_view text, const EnvLookup& lookup,
                                          std::string* error, int* error_line = nullptr);

}  // namespace sentinel

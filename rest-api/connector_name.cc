// Connector name rules.
#include "rest-api/connector_name.h"

#include <fmt/format.h>

#include "rest-api/utf8.h"

namespace sentinel::connect {

std::string connector_name_problem(std::string_view name) {
  if (name.find_first_not_of(" \t\r\n") == std::string_view::npos) return "String may not be empty";
  size_t bad = 0;
  if (!valid_utf8(name, &bad)) {
    return fmt::format("String must be valid UTF-8, but the byte at offset {} (0x{:02X}) is not",
                       bad, static_cast<unsigned char>(name[bad]));
  }
  std::string ascii_controls;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      ascii_controls += (ascii_controls.empty() ? "" : ", ") + std::to_string(c);
    }
  }
  if (!ascii_controls.empty()) {
    return "String may not contain control sequences but had the following ASCII chars: " +
           ascii_controls;
  }
  // C1 controls U+0080..U+009F are encoded C2 80..C2 9F.
  for (size_t i = 0; i + 1 < name.size(); ++i) {
    if (static_cast<unsigned char>(name[i]) == 0xC2 &&
        static_cast<unsigned char>(name[i + 1]) <= 0x9F) {
      return fmt::format("String may not contain control characters, but has U+{:04X}",
                         static_cast<unsigned char>(name[i + 1]));
    }
  }
  size_t length = utf8_length(name);
  if (length > kMaxConnectorNameLength) {
    return fmt::format("String must be at most {} characters long, but has {}",
                       kMaxConnectorNameLength, length);
  }
  if (name.find('/') != std::string_view::npos) {
    return "String may not contain '/': a connector name is one segment of the REST API's paths";
  }
  if (name == "." || name == "..") {
    return "String may not be '.' or '..': a connector name is one segment of the REST API's paths";
  }
  return "";
}

std::string printable_name(std::string_view name) {
  constexpr size_t kShown = 64;
  std::string out;
  size_t chars = 0, i = 0;
  while (i < name.size() && chars < kShown) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    bool ok = n <= name.size() - i && valid_utf8(name.substr(i, n)) && !(c < 0x20 || c == 0x7f) &&
              !(c == 0xC2 && static_cast<unsigned char>(name[i + 1]) <= 0x9F);
    if (ok) {
      out.append(name.substr(i, n));
      i += n;
    } else {
      out += fmt::format("\\x{:02X}", c);
      ++i;
    }
    ++chars;
  }
  if (i < name.size()) out += fmt::format("… ({} bytes)", name.size());
  return out;
}

}  // namespace sentinel::connect

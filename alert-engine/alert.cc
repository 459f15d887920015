// Summary templates and numbers in them (see alert.h).
#include "alert-engine/alert.h"

#include <fmt/format.h>

#include <cmath>

namespace sentinel::alerts {

std::string format_number(double value) {
  if (!std::isfinite(value)) return "null";
  return fmt::format("{}", value);
}

std::string render_template(std::string_view text, const std::map<std::string, std::string>& vars) {
  std::string out;
  out.reserve(text.size() + 32);
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find('{', i);
    if (open == std::string_view::npos) break;
    size_t close = text.find('}', open + 1);
    if (close == std::string_view::npos) break;
    out.append(text.substr(i, open - i));
    auto it = vars.find(std::string(text.substr(open + 1, close - open - 1)));
    if (it != vars.end()) {
      out.append(it->second);
    } else {
      out.append(text.substr(open, close - open + 1));
    }
    i = close + 1;
  }
  out.append(text.substr(i));
  return out;
}

}  // namespace sentinel::alerts

// Archive path templates: parsing, rendering, and the patterns retention scans with.
#include "path_template.h"

#include <cstring>

namespace sentinel::archive {
namespace {

// Date parts whose output is digits (and '-' for %F) only, so a rendered name is predictable.
const char* digit_pattern(char spec) {
  switch (spec) {
    case 'Y':
      return "[0-9]{4}";
    case 'm':
    case 'd':
    case 'H':
    case 'M':
    case 'S':
    case 'y':
      return "[0-9]{2}";
    case 'j':
      return "[0-9]{3}";
    case 'F':
      return "[0-9]{4}-[0-9]{2}-[0-9]{2}";
    default:
      return nullptr;
  }
}

std::string regex_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::strchr("\\^$.|?*+()[]{}", c)) out += '\\';
    out += c;
  }
  return out;
}

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

std::optional<PathTemplate> PathTemplate::parse(const std::string& text, std::string* error) {
  PathTemplate t;
  t.text_ = text;
  if (text.empty()) {
    *error = "the path is empty";
    return std::nullopt;
  }
  if (text.back() == '/') {
    *error = "the path ends with '/': it must name a file";
    return std::nullopt;
  }
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) t.parts_.push_back({Part::kLiteral, literal});
    literal.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '{') {
      size_t end = text.find('}', i);
      std::string name = end == std::string::npos ? text.substr(i) : text.substr(i, end - i + 1);
      if (name == "{topic}" || name == "{partition}") {
        flush();
        bool topic = name == "{topic}";
        t.parts_.push_back({topic ? Part::kTopic : Part::kPartition, name});
        (topic ? t.has_topic_ : t.has_partition_) = true;
        i = end;
        continue;
      }
      *error = "unknown placeholder " + name + " at character " + std::to_string(i + 1) +
               ": expected {topic} or {partition}";
      return std::nullopt;
    }
    if (c == '%') {
      char spec = i + 1 < text.size() ? text[i + 1] : '\0';
      if (spec == '%') {
        literal += '%';
        ++i;
        continue;
      }
      if (!digit_pattern(spec)) {
        *error = "unsupported date part %" + std::string(spec ? 1 : 0, spec) + " at character " +
                 std::to_string(i + 1) +
                 ": expected one of %Y %m %d %H %M %S %j %y %F (or %% for '%')";
        return std::nullopt;
      }
      flush();
      t.parts_.push_back({Part::kDate, std::string("%") + spec});
      t.has_date_ = true;
      ++i;
      continue;
    }
    literal += c;
  }
  flush();
  // A component made of placeholders alone is fine: rendering refuses it when it comes out
  // empty, "." or "..".
  return t;
}

bool PathTemplate::render_parts(const std::string& topic, int partition, const std::tm* local,
                                std::string* out, std::string* error) const {
  out->clear();
  // Each path component that holds a rendered value is checked once complete.
  size_t component_start = 0;
  bool component_rendered = false;
  auto close_component = [&] {
    if (!component_rendered) return true;
    std::string c = out->substr(component_start);
    if (!c.empty() && c != "." && c != "..") return true;
    *error = "the path " + text_ + " rendered for topic \"" + topic + "\" partition " +
             std::to_string(partition) + " has the path component \"" + c +
             "\": a placeholder may not render an empty, \".\" or \"..\" component ('.' and '..' "
             "are not valid "
             "Kafka topic names)";
    return false;
  };
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Part::kLiteral:
        for (char c : p.text) {
          if (c == '/') {
            if (!close_component()) return false;
            out->push_back(c);
            component_start = out->size();
            component_rendered = false;
          } else {
            out->push_back(c);
          }
        }
        break;
      case Part::kTopic:
        if (topic.find_first_of(std::string("/\0", 2)) != std::string::npos) {
          *error = "the topic \"" + topic + "\" holds '/' or NUL, which {topic} in the path " +
                   text_ + " cannot render (not a valid Kafka topic name)";
          return false;
        }
        *out += topic;
        component_rendered = true;
        break;
      case Part::kPartition:
        *out += std::to_string(partition);
        component_rendered = true;
        break;
      case Part::kDate:
        if (local) {
          char buf[32];
          size_t n = std::strftime(buf, sizeof buf, p.text.c_str(), local);
          out->append(buf, n);
        } else {
          *out += p.text;
        }
        component_rendered = true;
        break;
    }
  }
  return close_component();
}

std::optional<std::string> PathTemplate::render(const std::string& topic, int partition,
                                                const std::tm& local, std::string* error) const {
  std::string out;
  if (!render_parts(topic, partition, &local, &out, error)) return std::nullopt;
  return out;
}

std::optional<std::string> PathTemplate::stream_key(const std::string& topic, int partition,
                                                    std::string* error) const {
  std::string out;
  if (!render_parts(topic, partition, nullptr, &out, error)) return std::nullopt;
  return out;
}

std::string PathTemplate::state_root() const {
  std::string prefix;
  for (const Part& p : parts_) {
    if (p.kind != Part::kLiteral) break;
    prefix += p.text;
  }
  if (prefix == text_) return dir_of(text_);
  size_t slash = prefix.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : prefix.substr(0, slash);
}

std::string PathTemplate::scan_root(const std::string& topic, int partition) const {
  std::string prefix;
  bool dated = false;
  for (const Part& p : parts_) {
    if (p.kind == Part::kDate) {
      dated = true;
      break;
    }
    if (p.kind == Part::kLiteral) prefix += p.text;
    if (p.kind == Part::kTopic) prefix += topic;
    if (p.kind == Part::kPartition) prefix += std::to_string(partition);
  }
  if (!dated) return dir_of(prefix);
  size_t slash = prefix.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : prefix.substr(0, slash);
}

std::string PathTemplate::path_regex(const std::string& topic, int partition) const {
  std::string out;
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Part::kLiteral:
        out += regex_escape(p.text);
        break;
      case Part::kTopic:
        out += regex_escape(topic);
        break;
      case Part::kPartition:
        out += std::to_string(partition);
        break;
      case Part::kDate:
        out += digit_pattern(p.text[1]);
        break;
    }
  }
  return out;
}

}  // namespace sentinel::archive

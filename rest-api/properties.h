// Java .properties files (java.util.Properties.load), as Kafka Connect reads its worker and
// connector files: `key=value`, `key: value` or `key value`; `#`/`!` comments; backslash line
// continuation; \t \n \r \f \uXXXX escapes. Later duplicates win, like Java. Keys and values are
// UTF-8: bytes that are not are read as ISO-8859-1 (Java's encoding for these files), a \u
// surrogate pair is one character and a lone surrogate U+FFFD.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::connect {

struct PropertyEntry {
  std::string key;
  std::string value;
  int line = 0;  // 1-based line where the entry starts
};

struct PropertiesFile {
  std::string name;
  std::vector<PropertyEntry> entries;  // in file order
  std::map<std::string, std::string> map() const;
  // "connect.properties:12" for the line of `key`, or the file name when absent.
  std::string where(const std::string& key) const;
};

// Parses `text`; never fails (Java accepts any text), but an invalid \u escape throws
// std::runtime_error naming name:line.
PropertiesFile parse_properties(std::string_view text, const std::string& name);
// Reads and parses a file; throws std::runtime_error "cannot read <path>: <reason>".
PropertiesFile load_properties(const std::string& path);

}  // namespace sentinel::connect

// Fuzz target: Java .properties text through the connect worker's reader
// (connect-sink/runtime/properties.h) and the worker configuration built from it
// (connect-sink/runtime/worker_config.h). Input: a file's bytes.
// Invariants beyond "no crash":
//  - parsing fails only on a bad \u escape, with a message naming the file and line;
//  - entries come in file order (strictly increasing line numbers within the file);
//  - keys and values are valid UTF-8 (they end up in JSON: REST answers, the state file);
//  - the entries written back as a .properties file (escaped as Properties.store does) read back
//    to the same keys and values;
//  - the worker configuration either builds or throws WorkerConfigError naming the file.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "connect-sink/runtime/properties.h"
#include "connect-sink/runtime/worker_config.h"
#include "fuzz/fuzz_check.h"

namespace sentinel::fuzz {
namespace {

constexpr const char* kName = "connect.properties";

std::string escape(std::string_view s, bool is_key) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\f':
        out += "\\f";
        break;
      case ' ':
        out += is_key || i == 0 ? "\\ " : " ";
        break;
      case '=':
      case ':':
      case '#':
      case '!':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace
}  // namespace sentinel::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sentinel::fuzz;
  using namespace sentinel::connect;
  std::string_view text = as_text(data, size);
  PropertiesFile file;
  try {
    file = parse_properties(text, kName);
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    FUZZ_CHECK(
        what.starts_with(std::string(kName) + ":") && what.find("\\uxxxx") != std::string::npos,
        "parse error {:?} does not name the file, line and escape", what);
    return 0;
  }
  int physical_lines = static_cast<int>(std::count(text.begin(), text.end(), '\n') +
                                        std::count(text.begin(), text.end(), '\r') + 1);
  int last = 0;
  std::string again;
  for (const PropertyEntry& e : file.entries) {
    FUZZ_CHECK(e.line > last && e.line <= physical_lines,
               "entry {:?} at line {} after line {} of {}", e.key, e.line, last, physical_lines);
    last = e.line;
    FUZZ_CHECK(valid_utf8(e.key) && valid_utf8(e.value), "entry {:?}={:?} is not valid UTF-8",
               e.key, e.value);
    again += escape(e.key, true) + "=" + escape(e.value, false) + "\n";
  }
  PropertiesFile file2 = parse_properties(again, kName);
  FUZZ_CHECK(file2.entries.size() == file.entries.size(),
             "{} entries written back as {:?} read as {}", file.entries.size(), again,
             file2.entries.size());
  for (size_t i = 0; i < file.entries.size(); ++i) {
    const PropertyEntry &a = file.entries[i], &b = file2.entries[i];
    FUZZ_CHECK(a.key == b.key && a.value == b.value, "entry {:?}={:?} written back reads {:?}={:?}",
               a.key, a.value, b.key, b.value);
  }
  try {
    WorkerConfig config = parse_worker_config(file);
    (void)config;
  } catch (const WorkerConfigError& e) {
    std::string what = e.what();
    FUZZ_CHECK(what.find(kName) != std::string::npos,
               "worker config error {:?} does not name the file", what);
  }
  return 0;
}

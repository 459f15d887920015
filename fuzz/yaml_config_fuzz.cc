// Fuzz target: YAML configuration text through common/config.h (parse, ${VAR} substitution, the
// unknown-key walk) and the two programs that read it: agent.yaml (agent/agent_config.h) and
// alerts.yaml (alert-engine/rules.h). Input: the file's text; the environment is a fixed fake.
// Invariants beyond "no crash":
//  - every failure is a ConfigError (no yaml-cpp, std::regex or conversion exception escapes),
//    whose message starts with "config error: " and names the file;
//  - a config that loads lists its unknown keys with the file's name.
#include <optional>
#include <string>

#include "agent/agent_config.h"
#include "alert-engine/rules.h"
#include "common/config.h"
#include "fuzz/fuzz_check.h"

namespace sentinel::fuzz {
namespace {

// The file's directory does not exist, so a relative thresholds path (alerts.yaml's http:) names
// no file either.
constexpr const char* kAgentFile = "/nonexistent-sentinel-fuzz/agent.yaml";
constexpr const char* kAlertsFile = "/nonexistent-sentinel-fuzz/alerts.yaml";

std::optional<std::string> fake_env(const std::string& name) {
  if (name == "HOST") return "web-1";
  if (name == "BROKERS") return "kafka-1:9092,kafka-2:9092";
  if (name == "EMPTY") return "";
  return std::nullopt;
}

void check_error(const ConfigError& e, const char* file) {
  std::string what = e.what();
  FUZZ_CHECK(what.starts_with("config error: ") && what.find(file) != std::string::npos,
             "error {:?} does not start with \"config error: \" and name {}", what, file);
}

template <typename Parse>
void check(std::string_view text, const char* file, Parse parse) {
  try {
    ConfigFile config = ConfigFile::parse(std::string(text), file, fake_env);
    auto parsed = parse(config);
    for (const std::string& w : parsed.warnings) {
      FUZZ_CHECK(w.find(file) != std::string::npos || w.find("thresholds") != std::string::npos,
                 "warning {:?} does not name {}", w, file);
    }
  } catch (const ConfigError& e) {
    check_error(e, file);
  }
}

}  // namespace
}  // namespace sentinel::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sentinel::fuzz;
  std::string_view text = as_text(data, size);
  check(text, kAgentFile,
        [](const sentinel::ConfigFile& f) { return sentinel::agent::parse_agent_config(f, ""); });
  check(text, kAlertsFile,
        [](const sentinel::ConfigFile& f) { return sentinel::alerts::parse_alerts_config(f, ""); });
  return 0;
}

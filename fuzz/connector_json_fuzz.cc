// Fuzz target: connector files as connect-standalone reads them
// (connect-sink/runtime/connector_files.h: KIP-980 JSON or .properties), then validation of the
// config against the framework's keys and a plugin's ConfigDef
// (connect-sink/runtime/connector_config.h). Input: the file's bytes, handed to the real loader
// through a memfd. Invariants beyond "no crash":
//  - loading fails only with std::runtime_error naming the file;
//  - a loaded file has a name, and config["name"] equals it;
//  - validation fails before starting only with 400 and a message; otherwise error_count is the
//    number of errors, the ConfigInfos JSON says the same, and it serialises;
//  - a config without errors gives sink settings with tasks.max ≥ 1 and topics or topics.regex;
//  - PASSWORD values are shown as [hidden].
#include <sys/mman.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "connect-sink/runtime/connector_config.h"
#include "connect-sink/runtime/connector_files.h"
#include "fuzz/fuzz_check.h"
#include "tests/support/connect_fakes.h"

namespace sentinel::fuzz {
namespace {

using namespace sentinel::connect;

struct Fixture {
  Fixture() {
    plugins.add(connect::testing::memory_sink_plugin());
    plain.plugins = &plugins;
    confined.plugins = &plugins;
    confined.archive_root = "/nonexistent-sentinel-fuzz/archive";
    confined.override_policy = "None";
    fd = memfd_create("connector", 0);
    FUZZ_CHECK(fd >= 0, "memfd_create failed");
    path = "/proc/self/fd/" + std::to_string(fd);
  }
  PluginRegistry plugins;
  ValidationContext plain, confined;
  int fd;
  std::string path;
};

void check_validation(const ValidationContext& ctx, const ConnectorFile& f) {
  ValidationResult result;
  int status = 0;
  std::string message;
  if (!validate_connector_config(ctx, f.config, &result, &status, &message)) {
    FUZZ_CHECK(status == 400 && !message.empty(), "validation refused with {} {:?}", status,
               message);
    return;
  }
  FUZZ_CHECK(result.plugin && result.error_count == static_cast<int>(result.errors.size()) &&
                 result.infos.value("error_count", -1) == result.error_count,
             "error_count {} for {} errors, infos say {}", result.error_count, result.errors.size(),
             result.infos.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  std::string dumped = result.infos.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  FUZZ_CHECK(nlohmann::json::accept(dumped), "ConfigInfos do not serialise to JSON: {}", dumped);
  std::map<std::string, std::string> config;
  for (const auto& [k, v] : f.config) {
    if (v) config[k] = *v;
  }
  ConfigDef merged = merged_config_def(result.plugin->instantiate()->config_def());
  auto shown = hide_secrets(merged, config);
  if (config.count("secret")) {
    FUZZ_CHECK(shown.at("secret") == "[hidden]", "the PASSWORD key is shown as {:?}",
               shown.at("secret"));
  }
  if (result.error_count > 0) return;
  SinkSettings s = sink_settings(config);
  FUZZ_CHECK(s.tasks_max >= 1 && (!s.topics.empty() || !s.topics_regex.empty()),
             "a valid config gives tasks_max {} topics {} topics.regex {:?}", s.tasks_max,
             s.topics.size(), s.topics_regex);
}

}  // namespace
}  // namespace sentinel::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sentinel::fuzz;
  static Fixture fx;
  FUZZ_CHECK(ftruncate(fx.fd, 0) == 0 && pwrite(fx.fd, data, size, 0) == static_cast<ssize_t>(size),
             "cannot write the memfd");
  ConnectorFile f;
  try {
    f = load_connector_file(fx.path);
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    FUZZ_CHECK(what.find(fx.path) != std::string::npos || what.find("\\uxxxx") != std::string::npos,
               "load error {:?} does not name the file", what);
    return 0;
  }
  FUZZ_CHECK(!f.name.empty() && f.config.count("name") && f.config.at("name") == f.name,
             "loaded name {:?} but config name {:?}", f.name,
             f.config.count("name") && f.config.at("name") ? *f.config.at("name") : "(none)");
  check_validation(fx.plain, f);
  check_validation(fx.confined, f);
  return 0;
}

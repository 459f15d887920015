// Atomic JSON state file.
#include "connect-sink/runtime/state_store.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/atomic_file.h"
#include "common/whole_file.h"
#include "connect-sink/runtime/connector_name.h"
#include "connect-sink/runtime/utf8.h"

namespace sentinel::connect {
namespace {

using json = nlohmann::json;

}  // namespace

bool StateStore::load(std::map<std::string, StoredConnector>* out, std::string* error) const {
  std::error_code ec;
  if (!std::filesystem::exists(path(), ec)) return true;
  std::string why;
  std::optional<std::string> text = read_whole_file(path(), &why);
  if (!text) {
    *error = "cannot read " + path() + ": " + why;
    return false;
  }
  json doc = json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("connectors") ||
      !doc["connectors"].is_object()) {
    *error = path() +
             ": not a sentinel-connect state file (expected {\"version\":1,\"connectors\":{…}}); "
             "move it aside to start with no connectors";
    return false;
  }
  for (const auto& [name, c] : doc["connectors"].items()) {
    // Names the worker would refuse today (an older version let some in) are not loaded: such
    // a connector could not be addressed or deleted over REST.
    if (std::string problem = connector_name_problem(name); !problem.empty()) {
      *error = path() + ": connector name \"" + printable_name(name) + "\": " + problem +
               "; rename the connector in the file (and its \"name\" config) or remove it";
      return false;
    }
    StoredConnector sc;
    if (!c.is_object() || !c.contains("config") || !c["config"].is_object()) {
      *error = path() + ": connector " + name + ": expected {\"config\":{…},\"target_state\":…}";
      return false;
    }
    for (const auto& [k, v] : c["config"].items()) {
      if (!v.is_string()) {
        *error = path() + ": connector " + name + ": config value " + k + " is not a string";
        return false;
      }
      sc.config[k] = v.get<std::string>();
    }
    std::string target = c.value("target_state", "STARTED");
    std::optional<TargetState> parsed = parse_target_state(target);
    if (!parsed) {
      *error = path() + ": connector " + name + ": target_state \"" + target +
               "\": expected STARTED, PAUSED or STOPPED";
      return false;
    }
    sc.target_state = *parsed;
    (*out)[name] = std::move(sc);
  }
  return true;
}

bool StateStore::save(const std::map<std::string, StoredConnector>& state,
                      std::string* error) const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    *error = "cannot create state directory " + dir_ + ": " + ec.message();
    return false;
  }
  json doc = {{"version", 1}, {"connectors", json::object()}};
  for (const auto& [name, c] : state) {
    doc["connectors"][name] = {{"config", c.config}, {"target_state", to_string(c.target_state)}};
  }
  std::string text;
  try {
    text = doc.dump(2) + "\n";
  } catch (const json::exception&) {
    // Validation refuses text that is not UTF-8 before it gets here; name what slipped through.
    for (const auto& [name, c] : state) {
      for (const auto& [k, v] : c.config) {
        if (!valid_utf8(name) || !valid_utf8(k) || !valid_utf8(v)) {
          *error = "cannot save " + path() + ": connector \"" + printable_name(name) +
                   "\": config " + printable_name(k) + " is not valid UTF-8 text";
          return false;
        }
      }
    }
    *error = "cannot save " + path() + ": the state is not valid UTF-8 text";
    return false;
  }
  // "cannot save <path>: rename <path>.tmp: ..."; a failed directory fsync is an error too.
  std::string why;
  if (!write_file_atomically(path(), text, 0600, &why)) {
    *error = "cannot save " + why;
    return false;
  }
  return true;
}

}  // namespace sentinel::connect

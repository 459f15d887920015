// Reading connector .properties/.json files.
#include "connect-sink/runtime/connector_files.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/whole_file.h"
#include "connect-sink/runtime/properties.h"

namespace sentinel::connect {

ConnectorFile load_connector_file(const std::string& path) {
  std::string why;
  std::optional<std::string> read = read_whole_file(path, &why);
  if (!read)
    throw std::runtime_error("Connector configuration at '" + path + "' cannot be read: " + why);
  std::string& text = *read;
  ConnectorFile f;
  f.path = path;
  size_t first = text.find_first_not_of(" \t\r\n");
  bool is_json = path.ends_with(".json") || (first != std::string::npos && text[first] == '{');
  if (is_json) {
    nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
      throw std::runtime_error("Connector configuration at '" + path + "' is not a JSON object");
    }
    nlohmann::json config = doc;
    if (doc.contains("config") && doc["config"].is_object()) {
      config = doc["config"];
      if (doc.contains("name") && doc["name"].is_string()) f.name = doc["name"].get<std::string>();
      if (doc.contains("initial_state") && doc["initial_state"].is_string()) {
        f.initial_state = doc["initial_state"].get<std::string>();
      }
      if (config.contains("name") && config["name"].is_string() && !f.name.empty() &&
          config["name"].get<std::string>() != f.name) {
        throw std::runtime_error("Connector configuration at '" + path + "': name '" + f.name +
                                 "' does not match config.name '" +
                                 config["name"].get<std::string>() + "'");
      }
    }
    for (const auto& [k, v] : config.items()) {
      if (v.is_string())
        f.config[k] = v.get<std::string>();
      else if (v.is_null())
        f.config[k] = std::nullopt;
      else if (v.is_number() || v.is_boolean())
        f.config[k] = v.dump();
      else
        throw std::runtime_error("Connector configuration at '" + path + "': value of '" + k +
                                 "' is not a string");
    }
  } else {
    for (const auto& [k, v] : parse_properties(text, path).map()) f.config[k] = v;
  }
  if (f.name.empty() && f.config.count("name") && f.config["name"]) f.name = *f.config["name"];
  if (f.name.empty()) {
    throw std::runtime_error("Connector configuration at '" + path +
                             "' is missing the mandatory 'name' configuration");
  }
  f.config["name"] = f.name;
  return f;
}

}  // namespace sentinel::connect

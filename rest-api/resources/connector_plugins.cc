// /connector-plugins: the installed sink plugins (and, on request, the converters), a plugin's
// config definition, and validation of a connector config against it.
#include <algorithm>

#include "rest-api/rest_json.h"
#include "rest-api/route.h"

namespace sentinel::connect {
namespace {

const char* kConverterClasses[] = {"org.apache.kafka.connect.converters.ByteArrayConverter",
                                   "org.apache.kafka.connect.json.JsonConverter",
                                   "org.apache.kafka.connect.storage.StringConverter"};

std::string normalized_plugin_name(const std::string& s) {
  return s.ends_with("Connector") ? s.substr(0, s.size() - 9) : s;
}

HttpResponse list_plugins(const RouteCall& c) {
  auto it = c.request.query.find("connectorsOnly");
  bool connectors_only = it == c.request.query.end() || it->second != "false";
  json list = json::array();
  std::vector<PluginInfo> plugins = c.herder.plugins().plugins();
  std::sort(plugins.begin(), plugins.end(),
            [](const auto& a, const auto& b) { return a.class_name < b.class_name; });
  for (const auto& p : plugins) {
    json e = {{"class", p.class_name}, {"type", "sink"}};
    if (p.version != "undefined") e["version"] = p.version;
    list.push_back(e);
  }
  if (!connectors_only) {
    for (const char* k : kConverterClasses)
      list.push_back(json{{"class", k}, {"type", "converter"}});
  }
  return ok_json(200, list);
}

HttpResponse get_plugin_config(const RouteCall& c) {
  const std::string& plugin = c.params[0];
  if (const PluginInfo* p = c.herder.plugins().find(plugin)) {
    json list = json::array();
    for (const ConfigKey& k : merged_config_def(p->instantiate()->config_def()))
      list.push_back(config_key_json(k));
    return ok_json(200, list);
  }
  if (converter_kind(plugin)) {
    json list = json::array();
    if (*converter_kind(plugin) == ConverterKind::kJson) {
      ConfigKey k;
      k.name = "schemas.enable";
      k.type = ConfigType::kBoolean;
      k.default_value = "true";
      k.importance = Importance::kHigh;
      k.documentation = "Include schemas within each of the serialized values and keys.";
      k.group = "Schemas";
      k.order_in_group = 1;
      k.width = Width::kMedium;
      k.display_name = "Enable Schemas";
      list.push_back(config_key_json(k));
    }
    return ok_json(200, list);
  }
  return error_response(404, "Unknown plugin " + plugin + ".");
}

HttpResponse validate_config(const RouteCall& c) {
  const std::string& plugin = c.params[0];
  json body;
  HttpResponse error;
  if (!parse_body(c.request, &body, &error)) return error;
  RawConfig config;
  if (!to_config(body, "The connector config", &config, &error)) return error;
  auto cls = config.find("connector.class");
  if (cls != config.end() && cls->second &&
      !normalized_plugin_name(*cls->second).ends_with(normalized_plugin_name(plugin))) {
    return error_response(
        400, "Included connector type " + *cls->second + " does not match request type " + plugin);
  }
  ValidationResult result;
  Outcome o = c.herder.validate(config, &result);
  if (!o.ok()) return error_from(o);
  return ok_json(200, result.infos);
}

}  // namespace

std::vector<Route> plugin_routes() {
  return {
      {"GET", "/connector-plugins", list_plugins},
      {"GET", "/connector-plugins/{plugin}/config", get_plugin_config},
      {"PUT", "/connector-plugins/{plugin}/config/validate", validate_config},
  };
}

}  // namespace sentinel::connect

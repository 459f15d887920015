// Encoding and decoding of system_alerts records (see system_alerts.h), with nlohmann_json.
#include "records/system_alerts.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace sentinel::records {

void append_alert_id(std::string* out, std::string_view rule,
                     const std::vector<std::pair<std::string_view, std::string_view>>& labels) {
  out->append(rule);
  out->push_back('/');
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out->push_back(',');
    first = false;
    out->append(k);
    out->push_back('=');
    out->append(v);
  }
}

std::string encode_alert(const AlertRecord& a) {
  nlohmann::ordered_json j;
  j["v"] = 1;
  j["id"] = a.id;
  j["rule"] = a.rule;
  j["state"] = a.firing ? "firing" : "resolved";
  j["severity"] = a.severity;
  nlohmann::ordered_json labels = nlohmann::ordered_json::object();
  for (const auto& [k, v] : a.labels) labels[k] = v;
  j["labels"] = labels;
  j["value"] = std::isfinite(a.value) ? nlohmann::ordered_json(a.value) : nullptr;
  j["threshold"] = a.threshold;
  j["window"] = {{"start", a.window_start}, {"end", a.window_end}, {"agg", a.agg}};
  j["since"] = a.since;
  j["ts"] = a.ts;
  j["summary"] = a.summary;
  if (a.flapping) j["flapping"] = true;
  // Invalid UTF-8 in a host name or tag must not stop the engine: replace it.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<RecoveredAlert> decode_alert(std::string_view json, std::string* error) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded()) {
    if (error) *error = "not JSON";
    return std::nullopt;
  }
  return decode_alert_object(j, error);
}

std::optional<RecoveredAlert> decode_alert_object(const nlohmann::json& j, std::string* error) {
  auto fail = [&](std::string what) -> std::optional<RecoveredAlert> {
    if (error) *error = std::move(what);
    return std::nullopt;
  };
  if (!j.is_object()) return fail("expected a JSON object");
  RecoveredAlert r;
  if (!j.contains("id") || !j["id"].is_string()) return fail("field id: expected a string");
  r.id = j["id"].get<std::string>();
  if (!j.contains("state") || !j["state"].is_string()) {
    return fail("field state: expected \"firing\" or \"resolved\"");
  }
  std::string state = j["state"].get<std::string>();
  if (state != "firing" && state != "resolved") {
    if (state.size() > 40) state = state.substr(0, 40) + "…";
    return fail("field state: expected \"firing\" or \"resolved\", got \"" + state + "\"");
  }
  r.firing = state == "firing";
  if (j.contains("since") && j["since"].is_number()) r.since = j["since"].get<int64_t>();
  if (j.contains("window") && j["window"].is_object()) {
    const auto& w = j["window"];
    if (w.contains("start") && w["start"].is_number()) r.window_start = w["start"].get<int64_t>();
    if (w.contains("end") && w["end"].is_number()) r.window_end = w["end"].get<int64_t>();
  }
  if (j.contains("labels") && j["labels"].is_object()) {
    for (const auto& [k, v] : j["labels"].items()) {
      if (v.is_string()) r.labels[k] = v.get<std::string>();
    }
  }
  return r;
}

}  // namespace sentinel::records

// Converters: bytes → text given to the sink task, with Connect's error texts.
#include "connect-sink/runtime/converters.h"

#include <nlohmann/json.hpp>

#include "connect-sink/runtime/json_depth.h"

namespace sentinel::connect {
namespace {

using json = nlohmann::ordered_json;

struct Known {
  const char* class_name;
  ConverterKind kind;
};
constexpr Known kKnown[] = {
    {"org.apache.kafka.connect.storage.StringConverter", ConverterKind::kString},
    {"org.apache.kafka.connect.json.JsonConverter", ConverterKind::kJson},
    {"org.apache.kafka.connect.converters.ByteArrayConverter", ConverterKind::kBytes},
};

std::string render(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_string()) return v.get<std::string>();
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::optional<ConverterKind> converter_kind(const std::string& class_name) {
  for (const Known& k : kKnown) {
    std::string full = k.class_name;
    if (class_name == full || class_name == full.substr(full.rfind('.') + 1)) return k.kind;
  }
  return std::nullopt;
}

std::string converter_class_names() {
  std::string out;
  for (const Known& k : kKnown) {
    if (!out.empty()) out += ", ";
    out += k.class_name;
  }
  return out;
}

bool convert(const ConverterSpec& spec, std::optional<std::string_view> data,
             std::optional<std::string>* out, std::string* error) {
  if (!data) {
    *out = std::nullopt;
    return true;
  }
  switch (spec.kind) {
    case ConverterKind::kString:
    case ConverterKind::kBytes:
      *out = std::string(*data);
      return true;
    case ConverterKind::kJson:
      break;
  }
  // Connect's JsonConverter treats an empty byte array as null.
  if (data->empty()) {
    *out = std::nullopt;
    return true;
  }
  if (!json_depth_within(*data, 128)) {
    *error =
        "Converting byte[] to Kafka Connect data failed due to serialization error: JSON nested "
        "more than 128 levels deep";
    return false;
  }
  json doc;
  try {
    doc = json::parse(data->begin(), data->end());
  } catch (const json::exception& e) {
    *error =
        std::string("Converting byte[] to Kafka Connect data failed due to serialization error: ") +
        e.what();
    return false;
  }
  if (spec.schemas_enable) {
    if (!doc.is_object() || doc.size() != 2 || !doc.contains("schema") ||
        !doc.contains("payload")) {
      *error =
          "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may "
          "not "
          "contain additional fields. If you are trying to deserialize plain JSON data, set "
          "schemas.enable=false in your converter configuration.";
      return false;
    }
    const json& payload = doc["payload"];
    if (payload.is_null()) {
      *out = std::nullopt;
      return true;
    }
    *out = render(payload);
    return true;
  }
  if (doc.is_null()) {
    *out = std::nullopt;
    return true;
  }
  // Plain JSON objects and arrays are passed on byte for byte (only surrounding blanks trimmed).
  if (doc.is_object() || doc.is_array()) {
    size_t b = data->find_first_not_of(" \t\r\n");
    size_t e = data->find_last_not_of(" \t\r\n");
    *out = std::string(data->substr(b, e - b + 1));
    return true;
  }
  *out = render(doc);
  return true;
}

}  // namespace sentinel::connect

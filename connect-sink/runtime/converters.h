// Converters from Kafka bytes to the text a sink plugin receives, named by Connect's class names:
// StringConverter (UTF-8 text), JsonConverter (schemas.enable: a {"schema","payload"} envelope
// whose payload is kept; otherwise any JSON, objects and arrays passed on byte for byte) and
// ByteArrayConverter (the raw bytes).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sentinel::connect {

enum class ConverterKind { kString, kJson, kBytes };

struct ConverterSpec {
  ConverterKind kind = ConverterKind::kString;
  bool schemas_enable = true;  // JsonConverter only; Connect's default is true
};

// "org.apache.kafka.connect.json.JsonConverter" or its simple name; nullopt when unknown.
std::optional<ConverterKind> converter_kind(const std::string& class_name);
// The known class names, comma-separated, for error messages.
std::string converter_class_names();

// Converts one key or value. `data` == nullopt is a Kafka null (tombstone) and gives nullopt.
// Returns false with *error (Connect's DataException text) when the bytes do not fit.
bool convert(const ConverterSpec& spec, std::optional<std::string_view> data,
             std::optional<std::string>* out, std::string* error);

}  // namespace sentinel::connect

// Converters: Connect's class names and error texts.
#include "connect-sink/runtime/converters.h"

#include <gtest/gtest.h>

namespace sentinel::connect {
namespace {

std::optional<std::string> run(ConverterSpec spec, std::optional<std::string_view> in,
                               std::string* error) {
  std::optional<std::string> out;
  if (!convert(spec, in, &out, error)) return std::string("<error>");
  return out;
}

TEST(Converters, ClassNamesAndSimpleNamesResolve) {
  EXPECT_EQ(converter_kind("org.apache.kafka.connect.json.JsonConverter"), ConverterKind::kJson);
  EXPECT_EQ(converter_kind("StringConverter"), ConverterKind::kString);
  EXPECT_EQ(converter_kind("org.apache.kafka.connect.converters.ByteArrayConverter"),
            ConverterKind::kBytes);
  EXPECT_FALSE(converter_kind("io.confluent.connect.avro.AvroConverter"));
}

TEST(Converters, StringAndBytesPassThroughAndNullStaysNull) {
  std::string e;
  EXPECT_EQ(run({ConverterKind::kString}, "h\xc3\xa9llo", &e), "h\xc3\xa9llo");
  EXPECT_EQ(run({ConverterKind::kBytes}, std::string_view("\0\1", 2), &e), std::string("\0\1", 2));
  EXPECT_EQ(run({ConverterKind::kString}, std::nullopt, &e), std::nullopt);
}

TEST(Converters, JsonWithSchemasUnwrapsPayloadAndRejectsPlainJson) {
  std::string e;
  ConverterSpec with{ConverterKind::kJson, true};
  EXPECT_EQ(run(with, R"({"schema":{"type":"string"},"payload":"hi"})", &e), "hi");
  EXPECT_EQ(run(with, R"({"schema":null,"payload":{"a":1}})", &e), R"({"a":1})");
  EXPECT_EQ(run(with, R"({"a":1})", &e), "<error>");
  EXPECT_NE(e.find("JsonConverter with schemas.enable requires \"schema\" and \"payload\""),
            std::string::npos);
}

TEST(Converters, JsonWithoutSchemasAcceptsAnyJsonAndReportsGarbage) {
  std::string e;
  ConverterSpec plain{ConverterKind::kJson, false};
  EXPECT_EQ(run(plain, R"({"v":1,"host":"web-1"})", &e), R"({"v":1,"host":"web-1"})");
  EXPECT_EQ(run(plain, "null", &e), std::nullopt);
  EXPECT_EQ(run(plain, "{not json", &e), "<error>");
  EXPECT_NE(e.find("Converting byte[] to Kafka Connect data failed due to serialization error"),
            std::string::npos);
  std::string deep(100000, '[');
  EXPECT_EQ(run(plain, deep, &e), "<error>");
}

}  // namespace
}  // namespace sentinel::connect

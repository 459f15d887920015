// Archive line formats (record_format.h): the exact bytes of `value` and `envelope` lines, null
// keys and values, escapes of quotes, backslashes and control characters, and envelope lines that
// stay valid JSON (RFC 8259: UTF-8) whatever bytes a record carries.
#include "record_format.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/json_text.h"

namespace sentinel::archive {
namespace {

connect::SinkRecord record(std::optional<std::string> key, std::optional<std::string> value) {
  connect::SinkRecord r;
  r.topic = "system_alerts";
  r.partition = 3;
  r.offset = 42;
  r.timestamp = 1714521600123;
  r.key = std::move(key);
  r.value = std::move(value);
  return r;
}

std::string line(RecordFormat format, const connect::SinkRecord& r) {
  std::string out;
  format_record(format, r, &out);
  return out;
}

std::string json_string(const std::string& text) {
  std::string out;
  sentinel::append_json_string_repairing_utf8(&out, text);
  return out;
}

TEST(RecordFormat, ValueIsTheValueTextAndOneNewline) {
  EXPECT_EQ(line(RecordFormat::kValue, record("k", R"({"a":1})")), "{\"a\":1}\n");
}

TEST(RecordFormat, ValueAppendsToWhatIsAlreadyThere) {
  std::string out = "before\n";
  format_record(RecordFormat::kValue, record("k", "x"), &out);
  EXPECT_EQ(out, "before\nx\n");
}

TEST(RecordFormat, ValueWritesNewlinesInsideAsEscapesSoARecordStaysOneLine) {
  EXPECT_EQ(line(RecordFormat::kValue, record("k", "a\nb\r\nc")), "a\\nb\\r\\nc\n");
}

TEST(RecordFormat, ValueKeepsOtherBytesAsTheyAre) {
  std::string v = "tab\there \x01 \xff\xfe caf\xc3\xa9";
  EXPECT_EQ(line(RecordFormat::kValue, record("k", v)), v + "\n");
}

TEST(RecordFormat, NullValueIsTheWordNull) {
  EXPECT_EQ(line(RecordFormat::kValue, record("k", std::nullopt)), "null\n");
  EXPECT_EQ(line(RecordFormat::kValue, record("k", "")), "\n") << "an empty value is not null";
}

TEST(RecordFormat, EnvelopeHasEveryFieldInOrder) {
  auto r = record("web-1", R"({"cpu":0.5})");
  r.headers.push_back({"source", "agent"});
  r.headers.push_back({"trace", std::nullopt});
  EXPECT_EQ(line(RecordFormat::kEnvelope, r),
            R"({"topic":"system_alerts","partition":3,"offset":42,"timestamp":1714521600123,)"
            R"("key":"web-1","value":"{\"cpu\":0.5}",)"
            R"("headers":[{"key":"source","value":"agent"},{"key":"trace","value":null}]})"
            "\n");
}

TEST(RecordFormat, EnvelopeWritesNullKeyValueAndTimestampAsNull) {
  auto r = record(std::nullopt, std::nullopt);
  r.timestamp = -1;
  EXPECT_EQ(line(RecordFormat::kEnvelope, r),
            R"({"topic":"system_alerts","partition":3,"offset":42,"timestamp":null,)"
            R"("key":null,"value":null,"headers":[]})"
            "\n");
}

TEST(RecordFormat, EnvelopeKeepsEmptyKeyApartFromNull) {
  auto parsed = nlohmann::json::parse(line(RecordFormat::kEnvelope, record("", "")));
  EXPECT_EQ(parsed["key"], "");
  EXPECT_EQ(parsed["value"], "");
}

TEST(RecordFormat, JsonStringEscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(json_string("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(json_string("\n\r\t"), R"("\n\r\t")");
  EXPECT_EQ(json_string(std::string("\x00\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\x7f\"");
  EXPECT_EQ(json_string("\b\f"), R"("\u0008\u000c")");
}

TEST(RecordFormat, JsonStringKeepsValidUtf8AsItIs) {
  std::string text = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";  // é, €, 😀
  EXPECT_EQ(json_string(text), "\"" + text + "\"");
}

// Connect's StringConverter decodes bytes as Java does: every malformed sequence becomes U+FFFD.
// The archive's own reader (sentinel-thresholds --archive, simdjson) refuses a line otherwise.
TEST(RecordFormat, JsonStringReplacesBytesThatAreNotUtf8SoTheLineStaysJson) {
  const std::string replacement = "\xef\xbf\xbd";
  struct Case {
    std::string bytes, decoded;
  } cases[] = {
      {"a\xff"
       "b",
       "a" + replacement + "b"},                                  // never in UTF-8
      {"a\xc3", "a" + replacement},                               // cut before its end
      {"\xc3(", replacement + "("},                               // bad continuation
      {"\xc0\xaf", replacement + replacement},                    // overlong '/'
      {"\xed\xa0\x80", replacement + replacement + replacement},  // a surrogate
      {"\xf4\x90\x80\x80", replacement + replacement + replacement + replacement},  // > U+10FFFF
      {"\x80x", replacement + "x"},  // lone continuation
  };
  for (const auto& c : cases) {
    std::string text = json_string(c.bytes);
    nlohmann::json parsed;
    ASSERT_NO_THROW(parsed = nlohmann::json::parse(text)) << text;
    EXPECT_EQ(parsed.get<std::string>(), c.decoded) << text;
  }
}

TEST(RecordFormat, EnvelopeWithBinaryKeyAndValueParsesAsJson) {
  auto r = record(std::string("\x00\xff\x01", 3), std::string("\x1b[31mred\x1b[0m\xfe", 13));
  r.topic = "we\"ird";
  nlohmann::json parsed;
  ASSERT_NO_THROW(parsed = nlohmann::json::parse(line(RecordFormat::kEnvelope, r)));
  EXPECT_EQ(parsed["topic"], "we\"ird");
  EXPECT_EQ(parsed["key"], std::string("\x00\xef\xbf\xbd\x01", 5));
  EXPECT_EQ(parsed["value"], "\x1b[31mred\x1b[0m\xef\xbf\xbd");
  EXPECT_EQ(parsed["offset"], 42);
}

}  // namespace
}  // namespace sentinel::archive

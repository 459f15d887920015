// common/json_text: the escaping of every byte, in every position the eight-byte scan can meet
// it, against a plain byte-at-a-time reference; UTF-8 and bytes that are not UTF-8 pass as they
// are; the output parses back to the input.
#include "common/json_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

namespace sentinel {
namespace {

// The escaping json_text.h documents, one byte at a time (the archive sink's former copy).
std::string reference(const std::string& text) {
  static const char* hex = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string as_json(const std::string& text) {
  std::string out;
  append_json_string(&out, text);
  return out;
}

TEST(JsonText, EscapesOnlyQuoteBackslashAndControlBytes) {
  EXPECT_EQ(as_json(""), "\"\"");
  EXPECT_EQ(as_json("plain text"), "\"plain text\"");
  EXPECT_EQ(as_json("a\"b\\c\nd\re\tf"), R"("a\"b\\c\nd\re\tf")");
  EXPECT_EQ(as_json(std::string("\0\x01\x1f\x20\x7f", 5)), "\"\\u0000\\u0001\\u001f \x7f\"");
  std::string out = "prefix:";
  append_json_string(&out, "x");
  EXPECT_EQ(out, "prefix:\"x\"");
}

// Each byte 0-255 at each position of strings of 1 to 24 bytes: in the eight-byte scan, in the
// tail after it, first, last.
TEST(JsonText, EveryByteInEveryPositionMatchesTheReference) {
  for (int c = 0; c < 256; ++c) {
    for (size_t len = 1; len <= 24; ++len) {
      for (size_t pos = 0; pos < len; ++pos) {
        std::string s(len, 'a');
        s[pos] = static_cast<char>(c);
        ASSERT_EQ(as_json(s), reference(s)) << "byte " << c << " at " << pos << " of " << len;
      }
    }
  }
}

TEST(JsonText, RandomTextMatchesTheReference) {
  std::mt19937 rng(14);
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 48, '\0');
    for (char& ch : s) ch = static_cast<char>(rng() % 3 == 0 ? rng() % 256 : 'a' + rng() % 26);
    ASSERT_EQ(as_json(s), reference(s));
  }
}

TEST(JsonText, Utf8AndInvalidUtf8PassAsTheyAre) {
  EXPECT_EQ(as_json("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  for (std::string bad : {"\xc3", "\xc3\x28", "\xa0\xa1", "\xe2\x28\xa1", "\xed\xa0\x80",
                          "\xc0\xaf", "\xff\xfe", "\xf0\x28\x8c\xbc"}) {
    std::string s = "abcdefgh" + bad + "xyz";
    EXPECT_EQ(as_json(s), "\"" + s + "\"");
  }
}

TEST(JsonText, ValidUtf8RoundTripsThroughAJsonParser) {
  std::string s;
  for (int c = 1; c < 0x80; ++c) s += static_cast<char>(c);
  s += "\xc3\xa9\xe2\x82\xac";
  EXPECT_EQ(nlohmann::json::parse(as_json(s)).get<std::string>(), s);
}

}  // namespace
}  // namespace sentinel

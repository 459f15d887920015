// Java .properties parsing as java.util.Properties.load does it.
#include "connect-sink/runtime/properties.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sentinel::connect {
namespace {

TEST(Properties, SeparatorsCommentsAndWhitespaceFollowJava) {
  auto f = parse_properties(
      "# comment\n! also comment\n\n  a=1\nb : 2\nc 3\nd=\ne = with spaces  \n", "w.properties");
  auto m = f.map();
  EXPECT_EQ(m.at("a"), "1");
  EXPECT_EQ(m.at("b"), "2");
  EXPECT_EQ(m.at("c"), "3");
  EXPECT_EQ(m.at("d"), "");
  EXPECT_EQ(m.at("e"), "with spaces  ");
  EXPECT_EQ(f.where("b"), "w.properties:5");
}

TEST(Properties, ContinuationLinesAndEscapes) {
  auto m =
      parse_properties("list=a,\\\n    b,\\\n    c\nkey\\=x=v\\tw\nu=\\u00e9\\\\\r\nlast=1", "p")
          .map();
  EXPECT_EQ(m.at("list"), "a,b,c");
  EXPECT_EQ(m.at("key=x"), "v\tw");
  EXPECT_EQ(m.at("u"), "\xc3\xa9\\");
  EXPECT_EQ(m.at("last"), "1");
}

TEST(Properties, LaterDuplicatesWinAndBadUnicodeEscapeNamesTheLine) {
  EXPECT_EQ(parse_properties("a=1\na=2\n", "p").map().at("a"), "2");
  try {
    parse_properties("ok=1\nbad=\\u12G4\n", "x.properties");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("x.properties:2"), std::string::npos) << e.what();
  }
}

// Caught by fuzz/properties_fuzz.cc's UTF-8 invariant: \uD83D\uDE00 came out as two 3-byte
// surrogate encodings and a byte such as 0xE9 (a Latin-1 file) was passed through, neither being
// UTF-8: the state file's JSON writer then throws, so such a connector could not be saved.
TEST(Properties, SurrogatePairIsOneCharacterAndALoneSurrogateIsReplaced) {
  auto m = parse_properties("smile=\\uD83D\\uDE00\nlone=\\uD800x\nlow=\\uDC00\\u0041\n", "p").map();
  EXPECT_EQ(m.at("smile"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(m.at("lone"), "\xEF\xBF\xBDx");
  EXPECT_EQ(m.at("low"),
            "\xEF\xBF\xBD"
            "A");
  EXPECT_NO_THROW(nlohmann::json(m).dump());
}

TEST(Properties, BytesThatAreNotUtf8AreReadAsLatin1LikeJava) {
  auto m =
      parse_properties("caf\xE9=na\xEFve\nutf8=caf\xC3\xA9\ncut=\xC3\nescaped=\\\xE9\n", "p").map();
  EXPECT_EQ(m.at("caf\xC3\xA9"), "na\xC3\xAFve");
  EXPECT_EQ(m.at("utf8"), "caf\xC3\xA9");  // UTF-8 stays as it is
  EXPECT_EQ(m.at("cut"), "\xC3\x83");
  EXPECT_EQ(m.at("escaped"), "\xC3\xA9");
  EXPECT_NO_THROW(nlohmann::json(m).dump());
}

}  // namespace
}  // namespace sentinel::connect

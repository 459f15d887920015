// Java .properties parsing as java.util.Properties.load does it.
#include "rest-api/properties.h"

#include <gtest/gtest.h>

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
  auto m = parse_properties("list=a,\\\n    b,\\\n    c\nkey\\=x=v\\tw\nu=\\u00e9\\\\\r\nlast=1", "p").map();
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

}  // namespace
}  // namespace sentinel::connect

// common/utf8: one well-formed UTF-8 sequence at a time, and the ill-formed prefix a decoder
// replaces with one U+FFFD.
#include "common/utf8.h"

#include <gtest/gtest.h>

namespace sentinel {
namespace {

size_t bad_of(std::string_view s) {
  size_t bad = 0;
  EXPECT_EQ(utf8_sequence(s, 0, &bad), 0u) << s;
  return bad;
}

TEST(Utf8Sequence, WellFormedSequencesHaveTheirLength) {
  EXPECT_EQ(utf8_sequence("a", 0), 1u);
  EXPECT_EQ(utf8_sequence("\xC3\xA9", 0), 2u);          // é
  EXPECT_EQ(utf8_sequence("\xE2\x82\xAC", 0), 3u);      // €
  EXPECT_EQ(utf8_sequence("\xF0\x9F\x98\x80", 0), 4u);  // U+1F600
  EXPECT_EQ(utf8_sequence("x\xC3\xA9", 1), 2u);
}

TEST(Utf8Sequence, OverlongSurrogateBeyondU10FFFFAndStrayBytesAreNotSequences) {
  EXPECT_EQ(bad_of("\xC0\xAF"), 1u);          // overlong '/', C0 never starts a sequence
  EXPECT_EQ(bad_of("\xE0\x80\xAF"), 1u);      // overlong 3-byte form
  EXPECT_EQ(bad_of("\xED\xA0\x80"), 1u);      // U+D800, a surrogate
  EXPECT_EQ(bad_of("\xF4\x90\x80\x80"), 1u);  // U+110000
  EXPECT_EQ(bad_of("\x80"), 1u);              // a continuation byte alone
  EXPECT_EQ(bad_of("\xFF"), 1u);
}

TEST(Utf8Sequence, ATruncatedSequenceIsOneIllFormedPrefix) {
  EXPECT_EQ(bad_of("\xE2\x82"), 2u);   // € without its last byte, at the end
  EXPECT_EQ(bad_of("\xE2\x82x"), 2u);  // ... or before an ASCII byte
  EXPECT_EQ(bad_of("\xF0\x9F\x98"), 3u);
  EXPECT_EQ(utf8_sequence("\xE2\x82", 0), 0u);  // *bad is optional
}

}  // namespace
}  // namespace sentinel

// Log lines cannot be split or disguised by what they report.
#include "common/log.h"

#include <gtest/gtest.h>

#include <string>

namespace sentinel::log {
namespace {

TEST(LogLine, NewlinesBecomeSpacesSoAnEntryStaysOneLine) {
  EXPECT_EQ(one_line("first\nsecond"), "first second");
}

TEST(LogLine, ControlCharactersAreEscapedSoTheyCannotRewriteTheTerminalOrTheLine) {
  EXPECT_EQ(one_line("ok\rerror: forged"), "ok\\x0derror: forged");
  EXPECT_EQ(one_line("\x1b[2Jcleared"), "\\x1b[2Jcleared");
  EXPECT_EQ(one_line(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(one_line("del\x7f"), "del\\x7f");
}

TEST(LogLine, TabsAndUtf8AreKept) { EXPECT_EQ(one_line("a\tb — ünïcode"), "a\tb — ünïcode"); }

}  // namespace
}  // namespace sentinel::log

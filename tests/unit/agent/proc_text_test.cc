// Shared /proc text helpers: whole-file reads into a reused buffer, splitting, number parsing.
#include "agent/collectors/proc_text.h"

#include <gtest/gtest.h>

#include "tests/support/process.h"

namespace sentinel::agent {
namespace {

TEST(ProcText, ProcText_ReadsFilesLargerThanTheInitialBuffer) {
  test::TempDir dir;
  std::string big(10000, 'x');
  big += "\nend\n";
  test::write_file(dir.file("big"), big);
  test::write_file(dir.file("small"), "hi\n");
  FileReader reader;
  std::string_view text;
  std::string error;
  ASSERT_TRUE(reader.read(dir.file("big"), &text, &error));
  EXPECT_EQ(text, big);
  ASSERT_TRUE(reader.read(dir.file("small"), &text, &error));  // the grown buffer is reused
  EXPECT_EQ(text, "hi\n");
}

TEST(ProcText, ProcText_MissingFileErrorNamesPathAndReason) {
  FileReader reader;
  std::string_view text;
  std::string error;
  int err_no = 0;
  EXPECT_FALSE(reader.read("/nonexistent/proc/stat", &text, &error, &err_no));
  EXPECT_EQ(error, "cannot read /nonexistent/proc/stat: No such file or directory");
  EXPECT_EQ(err_no, ENOENT);
}

TEST(ProcText, ProcText_LinesAndFields) {
  std::string_view text = "a b\n\n  c\t d  \nlast";
  std::string_view line;
  std::vector<std::string_view> lines;
  while (next_line(&text, &line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[1], "");
  EXPECT_EQ(lines[3], "last");
  std::string_view f[3];
  ASSERT_EQ(split_fields(lines[2], f, 3), 2u);
  EXPECT_EQ(f[0], "c");
  EXPECT_EQ(f[1], "d");
  EXPECT_EQ(split_fields("1 2 3 4 5", f, 3), 3u);
  EXPECT_EQ(f[2], "3");
}

TEST(ProcText, ProcText_NumbersParseWithoutExceptions) {
  uint64_t u = 0;
  EXPECT_TRUE(parse_u64("18446744073709551615", &u));
  EXPECT_EQ(u, 18446744073709551615u);
  EXPECT_FALSE(parse_u64("18446744073709551616", &u));  // overflow
  EXPECT_FALSE(parse_u64("-1", &u));
  EXPECT_FALSE(parse_u64("12kB", &u));
  EXPECT_FALSE(parse_u64("", &u));
  double d = 0;
  EXPECT_TRUE(parse_double("0.16", &d));
  EXPECT_EQ(d, 0.16);
  EXPECT_FALSE(parse_double("nan", &d));
  EXPECT_FALSE(parse_double("1.5x", &d));
  EXPECT_EQ(round2(77.7777), 77.78);
}

TEST(ProcText, ProcText_StateTableDropsNamesMissingFromATick) {
  StateTable<int> table;
  table.begin_tick();
  table.touch("a").state = 1;
  table.touch("b").state = 2;
  table.drop_unseen();
  table.begin_tick();
  auto& a = table.touch("a");
  EXPECT_FALSE(a.fresh);
  EXPECT_EQ(a.state, 1);
  bool duplicate = true;
  table.touch("c", &duplicate);
  EXPECT_FALSE(duplicate);
  table.touch("c", &duplicate);
  EXPECT_TRUE(duplicate);
  table.drop_unseen();
  EXPECT_EQ(table.size(), 2u);
  table.begin_tick();
  auto& b = table.touch("b");  // b was dropped: back with a fresh state
  EXPECT_TRUE(b.fresh);
  EXPECT_EQ(b.state, 0);
}

}  // namespace
}  // namespace sentinel::agent

// Shared /proc text helpers: whole-file reads into a reused buffer, held procfs files, reads
// shared per tick, splitting, number parsing.
#include "agent/collectors/proc_text.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/process.h"

namespace sentinel::agent {
namespace {

using namespace std::chrono_literals;

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

TEST(ProcText, ProcText_HeldProcfsFileIsRegeneratedOnEveryRead) {
  FileReader reader;
  std::string_view text;
  std::string error;
  ASSERT_TRUE(reader.read("/proc/uptime", &text, &error)) << error;
  const std::string first(text);
  // The file stays open between reads; each read must still see the kernel's current text.
  EXPECT_TRUE(test::wait_until(
      [&] { return reader.read("/proc/uptime", &text, &error) && text != first; }, 5s));
}

TEST(ProcText, ProcText_OnlyAPollableProcfsFileCanBeUnchanged) {
  test::TempDir dir;
  test::write_file(dir.file("mounts"), "/dev/vda1 / ext4 rw 0 0\n");
  FileReader reader;
  std::string_view text;
  std::string error;
  ASSERT_TRUE(reader.read(dir.file("mounts"), &text, &error));
  EXPECT_FALSE(reader.unchanged_since_read(dir.file("mounts")));  // a fixture: read every time
  ASSERT_TRUE(reader.read("/proc/stat", &text, &error));
  EXPECT_FALSE(reader.unchanged_since_read("/proc/stat"));         // no poll method: cannot tell
  EXPECT_FALSE(reader.unchanged_since_read("/proc/self/mounts"));  // never read
}

TEST(ProcText, ProcText_TickReadsReadOncePerTickForEachCollector) {
  test::TempDir dir;
  test::write_file(dir.file("stat"), "one\n");
  TickReads reads;
  const int cpu = 0, load = 0;  // stand-ins for two collectors
  const auto t1 = MonoClock::time_point(1s), t2 = MonoClock::time_point(2s);
  std::string_view text;
  std::string error;
  ASSERT_TRUE(reads.read(dir.file("stat"), t1, &cpu, &text, &error));
  EXPECT_EQ(text, "one\n");
  test::write_file(dir.file("stat"), "two\n");
  ASSERT_TRUE(reads.read(dir.file("stat"), t1, &load, &text, &error));
  EXPECT_EQ(text, "one\n");  // same tick, another collector: the same read
  EXPECT_EQ(reads.file_reads(), 1u);
  ASSERT_TRUE(reads.read(dir.file("stat"), t1, &load, &text, &error));
  EXPECT_EQ(text, "two\n");  // the same collector again: a later tick reusing the time
  ASSERT_TRUE(reads.read(dir.file("stat"), t2, &cpu, &text, &error));
  EXPECT_EQ(reads.file_reads(), 3u);
  test::write_file(dir.file("stat"), "three\n");
  ASSERT_TRUE(reads.read(dir.file("stat"), t2, &load, &text, &error));
  EXPECT_EQ(text, "two\n");
  EXPECT_EQ(reads.file_reads(), 3u);
  std::filesystem::remove(dir.file("stat"));
  EXPECT_FALSE(reads.read(dir.file("stat"), MonoClock::time_point(3s), &cpu, &text, &error));
  EXPECT_EQ(error, "cannot read " + dir.file("stat") + ": No such file or directory");
  EXPECT_FALSE(reads.read(dir.file("stat"), MonoClock::time_point(3s), &load, &text, &error));
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

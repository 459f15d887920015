// Following one access-log file (file_tail.h): whole lines with the offset after each, appends
// picked up, an unfinished last line held until its newline (or handed out by finish_partial),
// reading from a checkpointed offset, a file renamed away still read to its end, a file replaced
// by another inode, copytruncate noticed, CRLF, and over-long lines cut and flagged.
#include "agent/logs/file_tail.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/process.h"

namespace sentinel::agent {
namespace {

namespace fs = std::filesystem;

struct Line {
  std::string text;
  int64_t end;
  bool cut;
  bool operator==(const Line&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Line& l) {
  return os << "{\"" << l.text.substr(0, 40) << (l.text.size() > 40 ? "…" : "") << "\" ("
            << l.text.size() << " bytes), end " << l.end << (l.cut ? ", cut" : "") << "}";
}

class Tail : public ::testing::Test {
 protected:
  std::unique_ptr<FileTail> open(int64_t offset = 0) {
    std::string error;
    auto t = FileTail::open(path, offset, &error);
    EXPECT_TRUE(t) << error;
    return t;
  }
  // Reads until end of file; the lines handed out.
  std::vector<Line> read_all(FileTail& t, size_t max_bytes = 1 << 20) {
    std::vector<Line> out;
    for (int i = 0; i < 1000; ++i) {
      last = t.read(max_bytes, [&](std::string_view l, int64_t end, bool cut) {
        out.push_back({std::string(l), end, cut});
      });
      EXPECT_EQ(last.error, "");
      if (last.eof || !last.error.empty()) break;
    }
    return out;
  }
  void append(const std::string& text) { append_to(path, text); }
  static void append_to(const std::string& file, const std::string& text) {
    int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
    ASSERT_GE(fd, 0) << file;
    ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    ::close(fd);
  }

  test::TempDir dir;
  std::string path = dir.file("access.log");
  FileTail::ReadResult last;
};

TEST_F(Tail, HandsOutWholeLinesWithTheOffsetAfterEach) {
  test::write_file(path, "one\ntwo\n\nfour\n");
  auto t = open();
  EXPECT_EQ(read_all(*t),
            (std::vector<Line>{
                {"one", 4, false}, {"two", 8, false}, {"", 9, false}, {"four", 14, false}}));
  EXPECT_EQ(t->offset(), 14);
  EXPECT_TRUE(last.eof);
  EXPECT_FALSE(last.truncated);
  EXPECT_EQ(t->id(), file_id_of(path));
  EXPECT_EQ(t->path(), path);
}

TEST_F(Tail, FollowsAppends) {
  test::write_file(path, "a\n");
  auto t = open();
  EXPECT_EQ(read_all(*t), (std::vector<Line>{{"a", 2, false}}));
  EXPECT_TRUE(read_all(*t).empty()) << "nothing new";
  append("b\nc\n");
  EXPECT_EQ(read_all(*t), (std::vector<Line>{{"b", 4, false}, {"c", 6, false}}));
}

TEST_F(Tail, HoldsAnUnfinishedLineUntilItsNewline) {
  test::write_file(path, "GET /a\nGET /b");
  auto t = open();
  EXPECT_EQ(read_all(*t), (std::vector<Line>{{"GET /a", 7, false}}));
  EXPECT_TRUE(t->has_partial());
  EXPECT_EQ(t->offset(), 7) << "the offset stays after the last whole line";
  append("/c HTTP");
  EXPECT_TRUE(read_all(*t).empty());
  append("/1.1\nGET /d\n");
  EXPECT_EQ(read_all(*t),
            (std::vector<Line>{{"GET /b/c HTTP/1.1", 25, false}, {"GET /d", 32, false}}));
  EXPECT_FALSE(t->has_partial());
}

TEST_F(Tail, FinishPartialHandsOutTheUnfinishedLine) {
  test::write_file(path, "a\nlast words");
  auto t = open();
  read_all(*t);
  std::vector<Line> got;
  t->finish_partial([&](std::string_view l, int64_t end, bool cut) {
    got.push_back({std::string(l), end, cut});
  });
  EXPECT_EQ(got, (std::vector<Line>{{"last words", 12, false}}));
  EXPECT_EQ(t->offset(), 12);
  EXPECT_FALSE(t->has_partial());
  t->finish_partial(
      [&](std::string_view, int64_t, bool) { ADD_FAILURE() << "nothing is left to hand out"; });
}

TEST_F(Tail, ReadsFromTheCheckpointedOffset) {
  test::write_file(path, "old 1\nold 2\nnew 1\n");
  auto t = open(12);
  EXPECT_EQ(t->offset(), 12);
  EXPECT_EQ(read_all(*t), (std::vector<Line>{{"new 1", 18, false}}));
}

TEST_F(Tail, AnOffsetPastTheEndStartsAtZero) {
  test::write_file(path, "short\n");
  auto t = open(1000);
  EXPECT_EQ(t->offset(), 0);
  EXPECT_EQ(read_all(*t), (std::vector<Line>{{"short", 6, false}}));
}

TEST_F(Tail, ReadsAtMostMaxBytesACall) {
  test::write_file(path, "0123456789\nabcdefghij\n");
  auto t = open();
  std::vector<Line> got;
  auto r = t->read(5, [&](std::string_view l, int64_t end, bool cut) {
    got.push_back({std::string(l), end, cut});
  });
  EXPECT_EQ(r.bytes, 5u);
  EXPECT_FALSE(r.eof);
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(read_all(*t, 5),
            (std::vector<Line>{{"0123456789", 11, false}, {"abcdefghij", 22, false}}));
}

TEST_F(Tail, StripsTheCarriageReturnOfCrlfLines) {
  test::write_file(path, "dos\r\nunix\nmid\rdle\n");
  auto t = open();
  EXPECT_EQ(read_all(*t),
            (std::vector<Line>{{"dos", 5, false}, {"unix", 10, false}, {"mid\rdle", 18, false}}));
}

TEST_F(Tail, KeepsReadingAFileRenamedAwayToItsEnd) {
  test::write_file(path, "before\n");
  auto t = open();
  read_all(*t);
  // logrotate's default: rename, then the server reopens a new file at the path.
  int writer = ::open(path.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(writer, 0);
  fs::rename(path, path + ".1");
  ASSERT_EQ(::write(writer, "late\n", 5), 5)
      << "the server writes to its old descriptor until it reopens";
  ::close(writer);
  test::write_file(path, "in the new file\n");
  EXPECT_NE(file_id_of(path), t->id()) << "the path now names another file";
  EXPECT_EQ(file_id_of(path + ".1"), t->id());
  EXPECT_EQ(read_all(*t), (std::vector<Line>{{"late", 12, false}}));
  EXPECT_FALSE(last.truncated);
}

TEST_F(Tail, AFileReplacedByAnotherInodeIsNotMixedIn) {
  test::write_file(path, "first file 1\n");
  auto t = open();
  read_all(*t);
  std::string tmp = dir.file("access.log.new");
  test::write_file(tmp, "second file, a much longer line than before\n");
  fs::rename(tmp, path);
  EXPECT_NE(file_id_of(path), t->id());
  EXPECT_TRUE(read_all(*t).empty()) << "the old descriptor sees the old file only";
  auto fresh = open(0);
  EXPECT_EQ(fresh->id(), file_id_of(path));
  EXPECT_EQ(read_all(*fresh),
            (std::vector<Line>{{"second file, a much longer line than before", 44, false}}));
}

TEST_F(Tail, NoticesCopytruncateAndStartsAgainAtZero) {
  test::write_file(path, "line one\nline two\n");
  auto t = open();
  read_all(*t);
  ASSERT_EQ(t->offset(), 18);
  // logrotate copytruncate: copy elsewhere, truncate in place; the server goes on writing.
  fs::resize_file(path, 0);
  append("fresh\n");
  EXPECT_EQ(read_all(*t), (std::vector<Line>{{"fresh", 6, false}}));
  EXPECT_TRUE(last.truncated);
  EXPECT_EQ(t->id(), file_id_of(path)) << "same inode";
}

TEST_F(Tail, CopytruncateDropsAnUnfinishedLineOfTheOldContent) {
  test::write_file(path, "whole\nhalf a li");
  auto t = open();
  read_all(*t);
  ASSERT_TRUE(t->has_partial());
  fs::resize_file(path, 0);
  auto r =
      t->read(1 << 20, [&](std::string_view, int64_t, bool) { ADD_FAILURE() << "no line yet"; });
  EXPECT_TRUE(r.truncated);
  EXPECT_FALSE(t->has_partial());
  EXPECT_EQ(t->offset(), 0);
  append("new\n");
  EXPECT_EQ(read_all(*t), (std::vector<Line>{{"new", 4, false}}));
}

TEST_F(Tail, CutsAnOverLongLineAndSkipsItsRest) {
  const size_t max = FileTail::kMaxLineBytes;
  std::string longline(max + 100, 'x');
  longline[max - 1] = 'y';
  test::write_file(path, "a\n" + longline + "\nb\n");
  auto t = open();
  auto got = read_all(*t);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], (Line{"a", 2, false}));
  EXPECT_EQ(got[1],
            (Line{longline.substr(0, max), static_cast<int64_t>(2 + longline.size() + 1), true}));
  EXPECT_EQ(got[2], (Line{"b", static_cast<int64_t>(2 + longline.size() + 3), false}));
}

TEST_F(Tail, CutsAnOverLongLineThatArrivesInPieces) {
  const size_t max = FileTail::kMaxLineBytes;
  test::write_file(path, std::string(max - 10, 'p'));
  auto t = open();
  EXPECT_TRUE(read_all(*t).empty());
  append(std::string(max, 'q'));  // now past the limit, still no newline
  EXPECT_TRUE(read_all(*t).empty());
  append(std::string(max, 'r') + "\nok\n");
  auto got = read_all(*t);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[0].cut);
  EXPECT_EQ(got[0].text, std::string(max - 10, 'p') + std::string(10, 'q'));
  EXPECT_EQ(got[0].end, static_cast<int64_t>(3 * max - 10 + 1));
  EXPECT_EQ(got[1], (Line{"ok", static_cast<int64_t>(3 * max - 10 + 4), false}));
}

TEST_F(Tail, ALineOfExactlyTheLimitIsWhole) {
  const size_t max = FileTail::kMaxLineBytes;
  test::write_file(path, std::string(max, 'z') + "\n");
  auto t = open();
  auto got = read_all(*t);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].cut);
  EXPECT_EQ(got[0].text.size(), max);
}

TEST_F(Tail, OpeningAMissingFileFailsNamingIt) {
  std::string error;
  EXPECT_FALSE(FileTail::open(path, 0, &error));
  EXPECT_EQ(error.rfind("open(\"" + path + "\"): ", 0), 0u) << error;
  EXPECT_EQ(file_id_of(path), FileId{});
}

}  // namespace
}  // namespace sentinel::agent

// History from files: plain, .gz and .zst, value and envelope lines, invalid lines with
// file:line, directories walked without hidden files, and the merge by time across files.
#include "alert-engine/thresholds/archive_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include "tests/support/process.h"

namespace sentinel::thresholds {
namespace {

using sentinel::test::TempDir;
using sentinel::test::write_file;

std::string rec(int64_t ts, int status, const std::string& ip = "10.0.0.1") {
  return "{\"v\":1,\"host\":\"web-1\",\"ts\":" + std::to_string(ts) + ",\"client_ip\":\"" + ip +
         "\",\"path\":\"/a/1\",\"status\":" + std::to_string(status) + "}";
}

void write_gz(const std::string& path, const std::string& text) {
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, text.data(), static_cast<unsigned>(text.size())),
            static_cast<int>(text.size()));
  gzclose(gz);
}

void write_zst(const std::string& path, const std::string& text) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3);
  ASSERT_FALSE(ZSTD_isError(n));
  out.resize(n);
  write_file(path, out);
}

struct Collected {
  std::vector<int64_t> ts;
  std::vector<std::string> invalid;
  ArchiveProgress progress;
  std::string error;
  bool ok = false;
};

Collected read_all(const std::vector<std::string>& paths) {
  Collected c;
  std::vector<std::string> files;
  if (!list_archive_files(paths, &files, &c.error)) return c;
  c.ok = read_archive(
      files, [&](const records::HttpRecord& r) { c.ts.push_back(r.ts); },
      [&](const std::string& what) { c.invalid.push_back(what); }, &c.progress, &c.error);
  return c;
}

TEST(ArchiveFiles, PlainGzipAndZstdFilesAreRead) {
  TempDir dir;
  write_file(dir.file("a.jsonl"), rec(1, 200) + "\n" + rec(4, 500) + "\n");
  write_gz(dir.file("b.jsonl.gz"), rec(2, 404) + "\n" + rec(5, 200) + "\n");
  write_zst(dir.file("c.jsonl.zst"), rec(3, 200) + "\n" + rec(6, 200));  // no final newline
  Collected c = read_all({dir.path()});
  ASSERT_TRUE(c.ok) << c.error;
  // Merged by time across the three files.
  EXPECT_EQ(c.ts, (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(c.progress.lines, 6u);
  EXPECT_EQ(c.progress.invalid, 0u);
}

TEST(ArchiveFiles, EnvelopeLinesCarryTheRecordInValue) {
  TempDir dir;
  std::string value = rec(7, 502);
  std::string escaped;
  for (char ch : value) {
    if (ch == '"') escaped += '\\';
    escaped += ch;
  }
  write_file(
      dir.file("env.log"),
      "{\"topic\":\"http_logs\",\"partition\":0,\"offset\":1,\"timestamp\":7,\"key\":null,"
      "\"value\":\"" +
          escaped +
          "\",\"headers\":[]}\n"
          "{\"topic\":\"http_logs\",\"partition\":0,\"offset\":2,\"timestamp\":8,\"key\":null,"
          "\"value\":null,\"headers\":[]}\n");
  Collected c = read_all({dir.file("env.log")});
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(c.ts, (std::vector<int64_t>{7}));
  ASSERT_EQ(c.invalid.size(), 1u);
  EXPECT_EQ(c.invalid[0], dir.file("env.log") + ":2: envelope value: null");
}

TEST(ArchiveFiles, InvalidLinesAreCountedWithFileAndLine) {
  TempDir dir;
  write_file(dir.file("x.log"), rec(1, 200) + "\n\n" + "garbage\n" + "{\"host\":\"h\",\"ts\":2}\n" +
                                    rec(3, 200) + "\r\n");
  Collected c = read_all({dir.file("x.log")});
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(c.ts, (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(c.progress.lines, 4u);  // the blank line is not counted
  EXPECT_EQ(c.progress.invalid, 2u);
  ASSERT_EQ(c.invalid.size(), 2u);
  EXPECT_EQ(c.invalid[0], dir.file("x.log") + ":3: not JSON");
  EXPECT_EQ(c.invalid[1], dir.file("x.log") + ":4: field status: missing");
}

TEST(ArchiveFiles, HiddenFilesAreSkippedAndSubdirectoriesWalked) {
  TempDir dir;
  ASSERT_EQ(::mkdir(dir.file("sub").c_str(), 0755), 0);
  write_file(dir.file("sub/a.log"), rec(1, 200) + "\n");
  write_file(dir.file(".b.log.gz.partial"), "half a file");
  std::vector<std::string> files;
  std::string error;
  ASSERT_TRUE(list_archive_files({dir.path()}, &files, &error)) << error;
  EXPECT_EQ(files, (std::vector<std::string>{dir.file("sub/a.log")}));
}

TEST(ArchiveFiles, MissingPathAndCorruptGzipAreErrors) {
  TempDir dir;
  Collected missing = read_all({dir.file("nope")});
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.error.rfind(dir.file("nope") + ": ", 0), 0u) << missing.error;
  std::string gz;
  {
    write_gz(dir.file("ok.gz"), std::string(100000, 'x'));
    gz = sentinel::test::read_file(dir.file("ok.gz"));
  }
  gz.resize(gz.size() / 2);
  write_file(dir.file("cut.gz"), gz);
  std::remove(dir.file("ok.gz").c_str());
  Collected cut = read_all({dir.file("cut.gz")});
  EXPECT_FALSE(cut.ok);
  EXPECT_NE(cut.error.find(dir.file("cut.gz")), std::string::npos) << cut.error;
}

TEST(ArchiveFiles, LongLinesAcrossBufferRefillsAreWhole) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 20000; ++i) text += rec(i, 200, "10.0.0." + std::to_string(i % 200)) + "\n";
  text += "{\"host\":\"h\",\"ts\":20000,\"status\":200,\"path\":\"/" + std::string(3 << 20, 'p') +
          "\"}\n";
  write_gz(dir.file("big.gz"), text);
  Collected c = read_all({dir.file("big.gz")});
  ASSERT_TRUE(c.ok) << c.error;
  EXPECT_EQ(c.ts.size(), 20001u);
  EXPECT_EQ(c.progress.invalid, 0u);
}

}  // namespace
}  // namespace sentinel::thresholds

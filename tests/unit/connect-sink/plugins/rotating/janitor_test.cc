// Compression and retention passes: gzip and zstd output that decompresses to the original, the
// leftovers a kill during compression leaves, and retention that never touches the active file.
#include "janitor.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>

#include "compress.h"
#include "tests/support/process.h"

namespace sentinel::archive {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kJanitorMay1 = 1714521600000;

std::string gunzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  std::string out;
  char buf[4096];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  gzclose(f);
  return out;
}

std::string unzstd(const std::string& path) {
  std::string packed = test::read_file(path);
  unsigned long long size = ZSTD_getFrameContentSize(packed.data(), packed.size());
  std::string out;
  if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR) {
    ZSTD_DStream* ds = ZSTD_createDStream();
    ZSTD_inBuffer in{packed.data(), packed.size(), 0};
    std::vector<char> buf(ZSTD_DStreamOutSize());
    while (in.pos < in.size) {
      ZSTD_outBuffer o{buf.data(), buf.size(), 0};
      if (ZSTD_isError(ZSTD_decompressStream(ds, &o, &in))) break;
      out.append(buf.data(), o.pos);
    }
    ZSTD_freeDStream(ds);
    return out;
  }
  out.resize(size);
  ZSTD_decompress(out.data(), out.size(), packed.data(), packed.size());
  return out;
}

std::string big_text() {
  std::string s;
  for (int i = 0; i < 50000; ++i)
    s += "{\"v\":1,\"id\":\"cpu_high/host=web-" + std::to_string(i) + "\"}\n";
  return s;
}

class Maintenance : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
    spec.key = "k";
    spec.scan_root = dir.path();
    spec.path_regex = dir.path() + "/alerts\\.log";
  }
  std::string rotated(int second, const std::string& text) {
    std::string p = dir.file("alerts.log.20240501-0000" + std::string(second < 10 ? "0" : "") +
                             std::to_string(second) + ".alerts+0+" + std::to_string(second) + "+" +
                             std::to_string(second));
    test::write_file(p, text);
    return p;
  }
  bool run(MaintenanceResult* r = nullptr) {
    MaintenanceResult local;
    std::string error;
    bool ok = maintain(spec, now, stop, r ? r : &local, &error);
    EXPECT_TRUE(ok) << error;
    return ok;
  }
  test::TempDir dir;
  MaintenanceSpec spec;
  std::atomic<bool> stop{false};
  int64_t now = kJanitorMay1 + 3600000;
};

TEST_F(Maintenance, GzipAndZstdDecompressToTheOriginalAndThePlainFileGoes) {
  std::string text = big_text();
  std::string a = rotated(1, text);
  spec.ext = "gz";
  MaintenanceResult r;
  run(&r);
  EXPECT_EQ(r.compressed, 1);
  EXPECT_FALSE(fs::exists(a));
  EXPECT_EQ(gunzip(a + ".gz"), text);
  EXPECT_LT(fs::file_size(a + ".gz"), text.size() / 4);
  std::string b = rotated(2, text);
  spec.ext = "zst";
  run();
  EXPECT_FALSE(fs::exists(b));
  EXPECT_EQ(unzstd(b + ".zst"), text);
  EXPECT_TRUE(fs::exists(a + ".gz")) << "files compressed earlier stay as they are";
}

TEST_F(Maintenance, LeftoversOfAKillDuringCompressionAreResolvedWithoutLoss) {
  std::string text = big_text();
  // Killed while writing: a partial compressed file beside the plain one.
  std::string a = rotated(1, text);
  test::write_file(partial_path(a, "gz"), "half a gzip stream");
  // Killed after the rename, before the plain file was removed: both complete.
  std::string b = rotated(2, text);
  spec.ext = "gz";
  std::atomic<bool> never{false};
  std::string error;
  ASSERT_EQ(compress_file(*confined::Root::unconfined(), b, "gz", never, &error),
            CompressResult::kDone)
      << error;
  test::write_file(b, text);
  run();
  EXPECT_FALSE(fs::exists(partial_path(a, "gz")));
  EXPECT_FALSE(fs::exists(a));
  EXPECT_FALSE(fs::exists(b));
  EXPECT_EQ(gunzip(a + ".gz"), text);
  EXPECT_EQ(gunzip(b + ".gz"), text);
}

TEST_F(Maintenance, AStoppedCompressionLeavesThePlainFile) {
  std::string a = rotated(1, big_text());
  spec.ext = "zst";
  stop = true;
  run();
  EXPECT_TRUE(fs::exists(a));
  EXPECT_FALSE(fs::exists(partial_path(a, "zst")));
}

TEST_F(Maintenance, RetentionDeletesOldestRotatedFilesNeverTheActiveOne) {
  test::write_file(dir.file("alerts.log"), "active\n");
  test::write_file(dir.file("other.log.20240501-000000.other+0+0+0"), "another stream\n");
  for (int s = 1; s <= 5; ++s) rotated(s, std::string(100, 'x') + "\n");
  spec.retention.max_files = 2;
  MaintenanceResult r;
  run(&r);
  EXPECT_EQ(r.removed, 3);
  EXPECT_TRUE(fs::exists(dir.file("alerts.log")));
  EXPECT_TRUE(fs::exists(dir.file("other.log.20240501-000000.other+0+0+0")));
  EXPECT_TRUE(fs::exists(dir.file("alerts.log.20240501-000004.alerts+0+4+4")));
  EXPECT_TRUE(fs::exists(dir.file("alerts.log.20240501-000005.alerts+0+5+5")));
  EXPECT_FALSE(fs::exists(dir.file("alerts.log.20240501-000003.alerts+0+3+3")));
  spec.retention = {};
  spec.retention.max_age_ms =
      3600000 - 5000;  // now is 01:00:00: the file rotated at 00:00:04 is older
  run(&r);
  EXPECT_FALSE(fs::exists(dir.file("alerts.log.20240501-000004.alerts+0+4+4")));
  EXPECT_TRUE(fs::exists(dir.file("alerts.log.20240501-000005.alerts+0+5+5")));
  spec.retention = {};
  spec.retention.max_bytes = 0;
  run(&r);
  EXPECT_FALSE(fs::exists(dir.file("alerts.log.20240501-000005.alerts+0+5+5")));
  EXPECT_EQ(test::read_file(dir.file("alerts.log")), "active\n");
}

TEST_F(Maintenance, DateDirectoriesEmptiedByRetentionAreRemoved) {
  fs::create_directories(dir.file("2024/05/01"));
  test::write_file(dir.file("2024/05/01/a.log.20240501-000000.a+0+0+0"), "x\n");
  fs::create_directories(dir.file("2024/05/02"));
  test::write_file(dir.file("2024/05/02/a.log"), "active\n");
  spec.path_regex = dir.path() + "/[0-9]{4}/[0-9]{2}/[0-9]{2}/a\\.log";
  spec.retention.max_files = 0;
  run();
  EXPECT_FALSE(fs::exists(dir.file("2024/05/01")));
  EXPECT_TRUE(fs::exists(dir.file("2024/05/02/a.log")));
}

TEST_F(Maintenance, JanitorRunsPassesInTheBackgroundAndReportsFailures) {
  std::string a = rotated(1, "x\n");
  spec.ext = "gz";
  Janitor j([this] { return now; });
  j.schedule(spec);
  j.drain();
  EXPECT_TRUE(fs::exists(a + ".gz"));
  EXPECT_EQ(j.take_error(), "");
  // A directory where the compressed file must go makes the pass fail, and says where.
  std::string b = rotated(2, "y\n");
  fs::create_directories(b + ".gz/blocker");
  j.schedule(spec);
  j.drain();
  std::string e = j.take_error();
  EXPECT_NE(e.find(b), std::string::npos) << e;
  EXPECT_TRUE(fs::exists(b)) << "the plain file stays when compression fails";
}

}  // namespace
}  // namespace sentinel::archive

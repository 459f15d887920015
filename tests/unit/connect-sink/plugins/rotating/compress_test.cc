// Compression of rotated files (compress.h): gzip and zstd output that the standard tools read
// back (zcat, zstd -dc as independent readers), the plain file removed only after the compressed
// one is in place, and a stopped or failed compression that leaves the plain file as it was and no
// temporary behind.
#include "compress.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/process.h"

namespace sentinel::archive {
namespace {

namespace fs = std::filesystem;

std::string lines(int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += "{\"seq\":" + std::to_string(i) + ",\"msg\":\"cpu high on web-" + std::to_string(i % 7) +
           "\"}\n";
  return out;
}

// Decompresses with the command-line tool, not with the library the code under test uses.
std::string read_with(const std::vector<std::string>& argv) {
  std::string out, err;
  int rc = test::run(argv, &out, std::chrono::seconds(60), &err);
  EXPECT_EQ(rc, 0) << argv[0] << ": " << err;
  return out;
}

class Compress : public ::testing::Test {
 protected:
  std::string plain(const std::string& text) {
    std::string p = dir.file("alerts.log.20240501-000000.alerts+0+0+99");
    test::write_file(p, text);
    return p;
  }
  CompressResult compress(const std::string& path, const std::string& ext) {
    return compress_file(*confined::Root::unconfined(), path, ext, stop, &error);
  }
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir.path()))
      out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

  test::TempDir dir;
  std::atomic<bool> stop{false};
  std::string error;
};

TEST(CompressNames, ExtensionOfEachCompressionSetting) {
  EXPECT_EQ(codec_extension("gzip"), "gz");
  EXPECT_EQ(codec_extension("zstd"), "zst");
  EXPECT_EQ(codec_extension("none"), "");
  EXPECT_EQ(codec_extension("lz4"), "");
}

TEST(CompressNames, PartialIsAHiddenFileBesideThePlainOne) {
  EXPECT_EQ(partial_path("/a/b/x.log.1", "gz"), "/a/b/.x.log.1.gz.partial");
  EXPECT_EQ(partial_path("x.log.1", "zst"), ".x.log.1.zst.partial");
  EXPECT_EQ(partial_path("/x.log", "gz"), "/.x.log.gz.partial");
}

TEST_F(Compress, GzipOutputIsReadByZcatAndReplacesThePlainFile) {
  std::string text = lines(60000);  // several 1 MiB reads
  ASSERT_GT(text.size(), 2u << 20);
  std::string p = plain(text);
  ASSERT_EQ(compress(p, "gz"), CompressResult::kDone) << error;
  EXPECT_EQ(files(), std::vector<std::string>{fs::path(p).filename().string() + ".gz"});
  EXPECT_EQ(read_with({"zcat", p + ".gz"}), text);
  EXPECT_LT(fs::file_size(p + ".gz"), text.size() / 4);
}

TEST_F(Compress, ZstdOutputIsReadByZstdAndReplacesThePlainFile) {
  std::string text = lines(50000);
  std::string p = plain(text);
  ASSERT_EQ(compress(p, "zst"), CompressResult::kDone) << error;
  EXPECT_EQ(files(), std::vector<std::string>{fs::path(p).filename().string() + ".zst"});
  EXPECT_EQ(read_with({"zstd", "-dc", p + ".zst"}), text);
  EXPECT_LT(fs::file_size(p + ".zst"), text.size() / 4);
}

TEST_F(Compress, AnEmptyFileBecomesAValidEmptyStream) {
  for (const char* ext : {"gz", "zst"}) {
    std::string p = plain("");
    ASSERT_EQ(compress(p, ext), CompressResult::kDone) << error;
    std::string out = read_with({std::string(ext) == "gz" ? "zcat" : "zstdcat", p + "." + ext});
    EXPECT_EQ(out, "") << ext;
  }
}

TEST_F(Compress, BinaryBytesSurviveTheRoundTrip) {
  std::string text;
  for (uint32_t i = 0; i < 300000; ++i) text.push_back(static_cast<char>((i * 7919u) % 256u));
  std::string p = plain(text);
  ASSERT_EQ(compress(p, "zst"), CompressResult::kDone) << error;
  EXPECT_EQ(read_with({"zstd", "-dc", p + ".zst"}), text);
}

TEST_F(Compress, ALeftoverPartialOfAKilledRunIsOverwritten) {
  std::string text = lines(1000);
  std::string p = plain(text);
  test::write_file(partial_path(p, "gz"),
                   "garbage from a run killed halfway, longer than the new stream? " +
                       std::string(1 << 20, 'x'));
  ASSERT_EQ(compress(p, "gz"), CompressResult::kDone) << error;
  EXPECT_FALSE(fs::exists(partial_path(p, "gz")));
  EXPECT_EQ(read_with({"zcat", p + ".gz"}), text);
}

TEST_F(Compress, AStoppedCompressionLeavesThePlainFileAndNoPartial) {
  std::string text = lines(1000);
  std::string p = plain(text);
  stop = true;
  EXPECT_EQ(compress(p, "zst"), CompressResult::kStopped);
  EXPECT_EQ(files(), std::vector<std::string>{fs::path(p).filename().string()});
  EXPECT_EQ(test::read_file(p), text);
}

TEST_F(Compress, AMissingFileFailsNamingItAndLeavesNothing) {
  std::string p = dir.file("gone.log");
  EXPECT_EQ(compress(p, "gz"), CompressResult::kFailed);
  EXPECT_NE(error.find("compression of \"" + p + "\""), std::string::npos) << error;
  EXPECT_TRUE(files().empty());
}

TEST_F(Compress, AnUnknownCodecFailsAndLeavesThePlainFile) {
  std::string p = plain("abc\n");
  EXPECT_EQ(compress(p, "lz4"), CompressResult::kFailed);
  EXPECT_NE(error.find("codec lz4"), std::string::npos) << error;
  EXPECT_EQ(files(), std::vector<std::string>{fs::path(p).filename().string()});
  EXPECT_EQ(test::read_file(p), "abc\n");
}

TEST_F(Compress, AFileOutsideTheRootIsRefusedAndLeftAlone) {
  fs::create_directories(dir.file("root"));
  std::string p = plain("outside\n");
  auto root = confined::Root::open(dir.file("root"), &error);
  ASSERT_TRUE(root) << error;
  EXPECT_EQ(compress_file(*root, p, "gz", stop, &error), CompressResult::kFailed);
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(test::read_file(p), "outside\n");
  EXPECT_FALSE(fs::exists(p + ".gz"));
  EXPECT_FALSE(fs::exists(partial_path(p, "gz")));
}

TEST_F(Compress, ASymlinkIsNotFollowed) {
  std::string target = plain("the real file\n");
  std::string link = dir.file("link.log");
  fs::create_symlink(target, link);
  EXPECT_EQ(compress(link, "gz"), CompressResult::kFailed);
  EXPECT_EQ(test::read_file(target), "the real file\n");
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_FALSE(fs::exists(link + ".gz"));
  EXPECT_FALSE(fs::exists(partial_path(link, "gz")));
}

TEST_F(Compress, WithinTheRootRelativePathsWork) {
  fs::create_directories(dir.file("root/alerts"));
  std::string text = lines(100);
  test::write_file(dir.file("root/alerts/x.log.1"), text);
  auto root = confined::Root::open(dir.file("root"), &error);
  ASSERT_TRUE(root) << error;
  ASSERT_EQ(compress_file(*root, "alerts/x.log.1", "gz", stop, &error), CompressResult::kDone)
      << error;
  EXPECT_FALSE(fs::exists(dir.file("root/alerts/x.log.1")));
  EXPECT_EQ(read_with({"zcat", dir.file("root/alerts/x.log.1.gz")}), text);
}

}  // namespace
}  // namespace sentinel::archive

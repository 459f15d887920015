// diskio collector: /proc/diskstats rates, util/await, partitions, field-count variants, real
// /proc.
#include "agent/collectors/diskio.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "agent/collectors/factories.h"
#include "tests/support/process.h"

namespace sentinel::agent {
namespace {

using namespace std::chrono_literals;
using Metrics = std::map<std::string, double>;
using MetricList = std::vector<std::pair<std::string, double>>;

ConfigNode diskio_options(const std::string& yaml) {
  return ConfigFile::parse(yaml, "agent.yaml").root();
}

Metrics diskio_metrics_of(const Sample& s) { return Metrics(s.metrics.begin(), s.metrics.end()); }

const Sample* find_device(const std::vector<Sample>& samples, const std::string& name) {
  for (const auto& s : samples) {
    if (s.tags.size() == 1 && s.tags[0].first == "device" && s.tags[0].second == name) return &s;
  }
  return nullptr;
}

struct Io {
  uint64_t reads = 0, read_sectors = 0, read_ms = 0, writes = 0, write_sectors = 0, write_ms = 0,
           in_progress = 0, io_ms = 0;
};

// A kernel ≥ 5.5 line (20 fields: + 4 discard + 2 flush columns), merged/weighted set to junk.
std::string line20(const std::string& name, const Io& io) {
  auto n = [](uint64_t v) { return std::to_string(v); };
  return "   8       0 " + name + " " + n(io.reads) + " 77 " + n(io.read_sectors) + " " +
         n(io.read_ms) + " " + n(io.writes) + " 88 " + n(io.write_sectors) + " " + n(io.write_ms) +
         " " + n(io.in_progress) + " " + n(io.io_ms) + " 99999 5 0 40 3 12 7\n";
}

class DiskIoTest : public ::testing::Test {
 protected:
  DiskIoTest() { std::filesystem::create_directories(dir.file("sys/class/block")); }
  std::unique_ptr<Collector> make(const std::string& yaml = "{}") {
    return make_diskio_collector(diskio_options(yaml), HostPaths{dir.path(), dir.file("sys")});
  }
  void block_device(const std::string& name, bool partition) {
    std::filesystem::create_directories(dir.file("sys/class/block/" + name));
    if (partition) test::write_file(dir.file("sys/class/block/" + name + "/partition"), "1\n");
  }
  void write_diskstats(const std::string& lines) { test::write_file(dir.file("diskstats"), lines); }
  std::vector<Sample> tick(Collector& c, std::chrono::milliseconds at) {
    std::vector<Sample> out;
    EXPECT_EQ(c.collect(MonoClock::time_point(at), &out), "");
    return out;
  }
  test::TempDir dir;
};

TEST_F(DiskIoTest, DiskIo_FirstTickEmitsOnlyTheInProgressGauge) {
  block_device("sda", false);
  write_diskstats(line20("sda", {.reads = 10, .in_progress = 3}));
  auto c = make();
  auto out = tick(*c, 1s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].resource, "diskio");
  EXPECT_EQ(out[0].tags, (std::vector<std::pair<std::string, std::string>>{{"device", "sda"}}));
  EXPECT_EQ(out[0].metrics, (MetricList{{"io_in_progress", 3}}));
}

TEST_F(DiskIoTest, DiskIo_RatesUtilAndAwaitOverElapsedTime) {
  block_device("sda", false);
  write_diskstats(line20("sda", {1000, 80000, 5000, 2000, 160000, 9000, 0, 70000}));
  auto c = make();
  tick(*c, 10s);
  // Over 2 s: +200 reads, +100 writes, +300 ms reading, +600 ms writing, +500 ms busy.
  write_diskstats(line20("sda", {1200, 84000, 5300, 2100, 162000, 9600, 4, 70500}));
  auto out = tick(*c, 12s);
  ASSERT_EQ(out.size(), 1u);
  const MetricList expected = {{"reads_per_s", 100},
                               {"writes_per_s", 50},
                               {"read_bytes_per_s", 4000 * 512 / 2},
                               {"write_bytes_per_s", 2000 * 512 / 2},
                               {"util_pct", 25},
                               {"await_ms", 3},  // 900 ms / 300 I/Os
                               {"io_in_progress", 4}};
  EXPECT_EQ(out[0].metrics, expected);
}

TEST_F(DiskIoTest, DiskIo_SectorsAre512Bytes) {
  // An NVMe namespace with 4096-byte logical blocks still counts 512-byte sectors in diskstats.
  block_device("nvme0n1", false);
  test::write_file(dir.file("sys/class/block/nvme0n1/queue/logical_block_size"), "4096\n");
  write_diskstats(line20("nvme0n1", {.read_sectors = 0, .write_sectors = 0}));
  auto c = make();
  tick(*c, 1s);
  write_diskstats(line20("nvme0n1", {.read_sectors = 1000, .write_sectors = 8}));
  auto out = tick(*c, 2s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(diskio_metrics_of(out[0])["read_bytes_per_s"], 512000.0);
  EXPECT_EQ(diskio_metrics_of(out[0])["write_bytes_per_s"], 4096.0);
}

TEST_F(DiskIoTest, DiskIo_UtilIsCappedAt100AndAwaitIsZeroWithoutIo) {
  block_device("sda", false);
  write_diskstats(line20("sda", {.io_ms = 1000}));
  auto c = make();
  tick(*c, 1s);
  // io_ticks can run ahead of wall time by a little (accounting granularity).
  write_diskstats(line20("sda", {.io_ms = 2100}));
  Metrics m = diskio_metrics_of(tick(*c, 2s).at(0));
  EXPECT_EQ(m["util_pct"], 100.0);
  EXPECT_EQ(m["await_ms"], 0.0);
}

TEST_F(DiskIoTest, DiskIo_CounterGoingBackwardsResetsThatDevicesBaseline) {
  block_device("sda", false);
  block_device("sdb", false);
  write_diskstats(line20("sda", {.reads = 5000}) + line20("sdb", {.reads = 100}));
  auto c = make();
  tick(*c, 1s);
  write_diskstats(line20("sda", {.reads = 10}) + line20("sdb", {.reads = 200}));  // sda replaced
  auto out = tick(*c, 2s);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(find_device(out, "sda")->metrics, (MetricList{{"io_in_progress", 0}}));
  EXPECT_EQ(diskio_metrics_of(*find_device(out, "sdb"))["reads_per_s"], 100.0);
  write_diskstats(line20("sda", {.reads = 60}) + line20("sdb", {.reads = 200}));
  out = tick(*c, 3s);
  EXPECT_EQ(diskio_metrics_of(*find_device(out, "sda"))["reads_per_s"], 50.0);
}

TEST_F(DiskIoTest, DiskIo_PartitionsAndVirtualDevicesAreExcludedByDefault) {
  for (const char* d : {"sda", "nvme0n1", "dm-0", "loop0", "zram0", "ram1", "sr0", "md0"}) {
    block_device(d, false);
  }
  block_device("sda1", true);
  block_device("nvme0n1p2", true);
  block_device("md0p1", true);  // a partition the name regex would not know
  std::string lines;
  for (const char* d : {"loop0", "zram0", "ram1", "sr0", "sda", "sda1", "nvme0n1", "nvme0n1p2",
                        "dm-0", "md0", "md0p1"}) {
    lines += line20(d, {});
  }
  write_diskstats(lines);
  std::vector<std::string> names;
  for (const auto& s : tick(*make(), 1s)) names.push_back(s.tags[0].second);
  EXPECT_EQ(names, (std::vector<std::string>{"sda", "nvme0n1", "dm-0", "md0"}));

  names.clear();
  for (const auto& s : tick(*make("partitions: true\nexclude_devices: ['^dm-']"), 1s)) {
    names.push_back(s.tags[0].second);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"loop0", "zram0", "ram1", "sr0", "sda", "sda1",
                                             "nvme0n1", "nvme0n1p2", "md0", "md0p1"}));

  names.clear();
  for (const auto& s : tick(*make("include_devices: ['^nvme']"), 1s)) {
    names.push_back(s.tags[0].second);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"nvme0n1"}));
}

TEST_F(DiskIoTest, DiskIo_WithoutSysfsPartitionsAreRecognisedByName) {
  std::filesystem::remove_all(dir.file("sys"));
  std::string lines;
  for (const char* d : {"sda", "sda1", "xvdb", "xvdb3", "nvme0n1", "nvme0n1p1", "mmcblk0",
                        "mmcblk0p1", "vda", "vda2"}) {
    lines += line20(d, {});
  }
  write_diskstats(lines);
  std::vector<std::string> names;
  for (const auto& s : tick(*make(), 1s)) names.push_back(s.tags[0].second);
  EXPECT_EQ(names, (std::vector<std::string>{"sda", "xvdb", "nvme0n1", "mmcblk0", "vda"}));
}

TEST_F(DiskIoTest, DiskIo_14And18And20FieldLinesParse) {
  DiskStats d;
  std::string_view name;
  ASSERT_TRUE(parse_diskstats_line("   8 0 sda 1 2 3 4 5 6 7 8 9 10 11", &name, &d));
  EXPECT_EQ(name, "sda");
  EXPECT_EQ(d.reads, 1u);
  EXPECT_EQ(d.read_sectors, 3u);
  EXPECT_EQ(d.read_ms, 4u);
  EXPECT_EQ(d.writes, 5u);
  EXPECT_EQ(d.write_sectors, 7u);
  EXPECT_EQ(d.write_ms, 8u);
  EXPECT_EQ(d.in_progress, 9u);
  EXPECT_EQ(d.io_ms, 10u);
  ASSERT_TRUE(parse_diskstats_line("8 16 sdb 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15", &name, &d));
  EXPECT_EQ(d.io_ms, 10u);
  ASSERT_TRUE(
      parse_diskstats_line("259 0 nvme0n1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", &name, &d));
  EXPECT_EQ(name, "nvme0n1");
  EXPECT_EQ(d.io_ms, 10u);
  // 2.6-era partition lines had only 4 counters; they are skipped, not misread.
  EXPECT_FALSE(parse_diskstats_line("8 1 sda1 1 2 3 4", &name, &d));
}

TEST_F(DiskIoTest, DiskIo_UnreadableFileReturnsErrorNamingPath) {
  auto c = make();
  std::vector<Sample> out;
  EXPECT_EQ(c->collect(MonoClock::now(), &out),
            "cannot read " + dir.file("diskstats") + ": No such file or directory");
}

TEST(DiskIoRealProc, DiskIo_RealProcRatesArePlausible) {
  auto c = make_diskio_collector(diskio_options("{}"), HostPaths{});
  std::vector<Sample> out;
  auto t0 = MonoClock::now();
  ASSERT_EQ(c->collect(t0, &out), "");
  out.clear();
  ASSERT_EQ(c->collect(t0 + 1s, &out), "");
  ASSERT_FALSE(out.empty()) << "this machine has at least one whole disk";
  for (const auto& s : out) {
    Metrics m = diskio_metrics_of(s);
    EXPECT_EQ(m.size(), 7u) << s.tags[0].second;
    EXPECT_GE(m["util_pct"], 0.0);
    EXPECT_LE(m["util_pct"], 100.0);
    EXPECT_GE(m["read_bytes_per_s"], 0.0);
    EXPECT_GE(m["await_ms"], 0.0);
    EXPECT_EQ(s.tags[0].second.rfind("loop", 0), std::string::npos);
  }
}

}  // namespace
}  // namespace sentinel::agent

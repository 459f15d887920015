// sentinel-devkafka as a process: bootstrap line and file, pre-created topics with their partition
// counts, stdin control of broker outages, clean exit on SIGTERM, argument errors.
#include <gtest/gtest.h>
#include <signal.h>

#include <set>

#include "tests/support/kafka_env.h"
#include "tests/support/process.h"

namespace sentinel::test {
namespace {

using namespace std::chrono_literals;

TEST(DevKafka, PrintsBootstrapAndWritesFileAndPreCreatesTopicsWithPartitions) {
  TempDir dir;
  Process p({bin("sentinel-devkafka"), "--brokers", "2", "--topic", "metrics:4", "--topic",
             "alerts:1", "--bootstrap-file", dir.file("bootstrap")});
  ASSERT_TRUE(wait_until([&] { return !read_file(dir.file("bootstrap")).empty(); }, 20s))
      << p.err();
  std::string first_line = p.out().substr(0, p.out().find('\n'));
  EXPECT_EQ(read_file(dir.file("bootstrap")), first_line + "\n");
  EXPECT_EQ(std::count(first_line.begin(), first_line.end(), ','), 1)
      << "two brokers: " << first_line;

  std::string metadata;
  ASSERT_EQ(run({"kcat", "-L", "-b", first_line, "-t", "metrics"}, &metadata), 0);
  EXPECT_NE(metadata.find("topic \"metrics\" with 4 partitions"), std::string::npos) << metadata;

  ASSERT_TRUE(kcat_produce(first_line, "alerts", {"a", "b", "c"}));
  auto records = kcat_consume(first_line, "alerts");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2].value, "c");

  p.signal(SIGTERM);
  EXPECT_EQ(p.wait(10s), 0);
}

TEST(DevKafka, StdinCommandsSetBrokersDownAndUp) {
  DevKafka kafka({"t:1"});
  ASSERT_TRUE(kafka.control("down all"));
  std::string out;
  // With every broker down, a metadata request cannot be answered.
  EXPECT_NE(run({"kcat", "-L", "-b", kafka.bootstrap(), "-m", "3"}, &out, 30s), 0);
  ASSERT_TRUE(kafka.control("up all"));
  EXPECT_EQ(run({"kcat", "-L", "-b", kafka.bootstrap(), "-m", "10"}, &out, 30s), 0);
  ASSERT_TRUE(kafka.control("topic late:2"));
  ASSERT_EQ(run({"kcat", "-L", "-b", kafka.bootstrap(), "-t", "late"}, &out), 0);
  EXPECT_NE(out.find("topic \"late\" with 2 partitions"), std::string::npos) << out;
  kafka.process().write_stdin("explode now\n");
  EXPECT_TRUE(wait_until(
      [&] {
        return kafka.process().err().find("unknown command \"explode now\"") != std::string::npos;
      },
      10s));
  EXPECT_TRUE(kafka.process().running()) << "a bad command never stops the broker";
}

TEST(DevKafka, BadTopicArgumentIsRejectedWithTheExpectedForm) {
  std::string out, err;
  EXPECT_EQ(run({bin("sentinel-devkafka"), "--topic", "metrics:many"}, &out, 10s, &err), 2);
  EXPECT_NE(err.find("expected name:partitions"), std::string::npos) << err;
}

}  // namespace
}  // namespace sentinel::test

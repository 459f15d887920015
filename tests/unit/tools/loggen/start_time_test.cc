// --start-time: epoch milliseconds and ISO 8601 with zones and fractions.
#include "tools/loggen/start_time.h"

#include <gtest/gtest.h>

namespace sentinel::loggen {
namespace {

TEST(StartTime, EpochMillisAndIso8601) {
  std::string e;
  EXPECT_EQ(parse_start_time("1795316156734", &e), 1795316156734);
  EXPECT_EQ(parse_start_time("2026-11-22T10:15:32Z", &e), 1795342532000);
  EXPECT_EQ(parse_start_time("2026-11-22T10:15:32.25Z", &e), 1795342532250);
  EXPECT_EQ(parse_start_time("2026-11-22T11:15:32+01:00", &e), 1795342532000);
  EXPECT_EQ(parse_start_time("2026-11-22T09:15:32-01:00", &e), 1795342532000);
}

TEST(StartTime, BadTextSaysWhatIsExpected) {
  std::string e;
  EXPECT_FALSE(parse_start_time("yesterday", &e));
  EXPECT_EQ(e,
            "--start-time \"yesterday\": expected epoch milliseconds like 1795316156734 or ISO "
            "8601 like 2026-11-22T10:15:32Z");
  EXPECT_FALSE(parse_start_time("2026-13-22T10:15:32Z", &e));
  EXPECT_FALSE(parse_start_time("2026-11-22T10:15:32+1", &e));
  EXPECT_FALSE(parse_start_time("", &e));
}

}  // namespace
}  // namespace sentinel::loggen

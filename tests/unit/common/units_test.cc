// Durations and sizes written by people.
#include "common/units.h"

#include <gtest/gtest.h>

namespace sentinel {
namespace {

using std::chrono::milliseconds;

TEST(Units, DurationsWithUnitsAndCombinations) {
  std::string e;
  EXPECT_EQ(parse_duration("10s", &e), milliseconds(10000));
  EXPECT_EQ(parse_duration("500ms", &e), milliseconds(500));
  EXPECT_EQ(parse_duration("1h30m", &e), milliseconds(5400000));
  EXPECT_EQ(parse_duration("1.5s", &e), milliseconds(1500));
  EXPECT_EQ(parse_duration(" 2d ", &e), milliseconds(172800000));
}

TEST(Units, DurationWithoutUnitOrGarbageIsRejectedWithExpectation) {
  std::string e;
  EXPECT_FALSE(parse_duration("10", &e));
  EXPECT_NE(e.find("expected a duration like 10s"), std::string::npos) << e;
  EXPECT_FALSE(parse_duration("5x", &e));
  EXPECT_NE(e.find("\"5x\""), std::string::npos) << e;
  EXPECT_FALSE(parse_duration("", &e));
}

TEST(Units, SizesArePowersOf1024) {
  std::string e;
  EXPECT_EQ(parse_bytes("16MB", &e), 16u * 1024 * 1024);
  EXPECT_EQ(parse_bytes("512KiB", &e), 512u * 1024);
  EXPECT_EQ(parse_bytes("1048576", &e), 1048576u);
  EXPECT_EQ(parse_bytes("1 GB", &e), 1024ull * 1024 * 1024);
  EXPECT_FALSE(parse_bytes("16 parsecs", &e));
  EXPECT_NE(e.find("expected a size"), std::string::npos);
}

TEST(Units, FormatDurationPicksLargestWholeUnit) {
  EXPECT_EQ(format_duration(milliseconds(10000)), "10s");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(milliseconds(7200000)), "2h");
}

}  // namespace
}  // namespace sentinel

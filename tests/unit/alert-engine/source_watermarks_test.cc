// Stage 2's bookkeeping of source partitions' watermarks: the lowest over all partitions of the
// source topic closes windows; one that has not reported holds them; reports never go back;
// the floor restored from a commit stands until every partition passes it.
#include "alert-engine/source_watermarks.h"

#include <gtest/gtest.h>

namespace sentinel::alerts {
namespace {

TEST(SourceWatermarks, ThePartitionThatHasNotReportedHoldsTheCombinedWatermark) {
  SourceWatermarks w;
  EXPECT_FALSE(w.update(0, 3, 5000, false));  // partitions 1 and 2 unknown
  EXPECT_FALSE(w.update(2, 3, 9000, false));
  EXPECT_EQ(w.combined(), INT64_MIN);
  EXPECT_TRUE(w.update(1, 3, 7000, false));
  EXPECT_EQ(w.combined(), 5000);
  EXPECT_TRUE(w.update(0, 3, 8000, false));
  EXPECT_EQ(w.combined(), 7000);
}

TEST(SourceWatermarks, AReportFromANewOwnerStartingLowerDoesNotMoveItBack) {
  SourceWatermarks w;
  w.update(0, 2, 8000, false);
  w.update(1, 2, 9000, false);
  EXPECT_EQ(w.combined(), 8000);
  EXPECT_FALSE(w.update(0, 2, 3000, false));  // partition 0 replayed by its next owner
  EXPECT_EQ(w.combined(), 8000);
}

TEST(SourceWatermarks, PartitionsAddedToTheTopicAreWaitedFor) {
  SourceWatermarks w;
  w.update(0, 1, 8000, false);
  EXPECT_EQ(w.combined(), 8000);
  w.update(0, 2, 9000, false);  // the topic grew to two partitions
  EXPECT_EQ(w.partitions(), 2);
  EXPECT_FALSE(w.update(0, 2, 10000, false));
  EXPECT_EQ(w.combined(), 8000);  // never back, but held until partition 1 reports
  w.update(1, 2, 12000, false);
  EXPECT_EQ(w.combined(), 10000);
}

TEST(SourceWatermarks, TheRestoredFloorStandsUntilEveryPartitionPassesIt) {
  SourceWatermarks w;
  w.set_floor(6000);
  EXPECT_EQ(w.combined(), 6000);
  w.update(0, 2, 4000, false);
  w.update(1, 2, 9000, false);
  EXPECT_EQ(w.combined(), 6000);
  w.update(0, 2, 7000, false);
  EXPECT_EQ(w.combined(), 7000);
}

TEST(SourceWatermarks, AllEndedOnlyWhenEveryPartitionsLastReportSaysSo) {
  SourceWatermarks w;
  EXPECT_FALSE(w.all_ended());
  w.update(0, 2, 1000, true);
  EXPECT_FALSE(w.all_ended());
  w.update(1, 2, 1000, true);
  EXPECT_TRUE(w.all_ended());
  w.update(0, 2, 2000, false);  // more records arrived
  EXPECT_FALSE(w.all_ended());
}

TEST(SourceWatermarks, BadReportsAreIgnored) {
  SourceWatermarks w;
  EXPECT_FALSE(w.update(3, 2, 1000, false));
  EXPECT_FALSE(w.update(-1, 2, 1000, false));
  EXPECT_EQ(w.partitions(), 0);
}

}  // namespace
}  // namespace sentinel::alerts

// OffsetJumpWatch: a record past the offset wanted is a jump (one warning naming topic,
// partition, the offset wanted and where reading resumed) when the partition's log start passed
// it too; in-order records, seeks back, and gaps that are not deletions (compaction, transaction
// markers: the log start is still behind) are not.
#include "common/kafka_offset_jumps.h"

#include <gtest/gtest.h>

namespace sentinel::kafka {
namespace {

TEST(OffsetJumpWatch, RecordPastTheCommittedOffsetWithTheLogStartPastItIsAJumpNamingBoth) {
  OffsetJumpWatch watch("sentinel-alerts");
  watch.expect("system_metrics", 0, 500);
  testing::internal::CaptureStderr();
  EXPECT_TRUE(watch.check("system_metrics", 0, 77358, 77358));
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("sentinel-alerts: system_metrics[0]: wanted offset 500, reading resumed at "
                     "77358: 76858 record(s) skipped, deleted by the broker"),
            std::string::npos)
      << err;
  EXPECT_EQ(watch.jumps(), 1u);
  EXPECT_EQ(watch.records_skipped(), 76858);
  // Then in order again: no more warnings.
  testing::internal::CaptureStderr();
  for (int64_t o = 77359; o < 77400; ++o) EXPECT_FALSE(watch.check("system_metrics", 0, o, 77358));
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(watch.jumps(), 1u);
}

TEST(OffsetJumpWatch, FirstRecordWithoutExpectationSetsItAndLaterGapsCount) {
  OffsetJumpWatch watch("sentinel-dashboard");
  EXPECT_FALSE(watch.check("http_logs", 2, 1000, -1));  // read from "beginning": nothing wanted
  EXPECT_FALSE(watch.check("http_logs", 2, 1001, -1));
  testing::internal::CaptureStderr();
  EXPECT_TRUE(watch.check("http_logs", 2, 5000, -1));  // unknown log start: counted
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(watch.records_skipped(), 3998);
  // Another partition of the same topic is its own.
  EXPECT_FALSE(watch.check("http_logs", 1, 7, -1));
}

TEST(OffsetJumpWatch, GapsWithTheLogStartBehindAreCompactionNotLoss) {
  OffsetJumpWatch watch("connector archive task 0");
  watch.expect("compacted", 0, 10);
  EXPECT_FALSE(watch.check("compacted", 0, 15, 0));
  EXPECT_FALSE(watch.check("compacted", 0, 16, 0));
  EXPECT_EQ(watch.jumps(), 0u);
}

TEST(OffsetJumpWatch, SeeksBackForgetsAndLogicalOffsetsAreNotExpectations) {
  OffsetJumpWatch watch("sentinel-thresholds");
  watch.expect("t", 0, 100);
  EXPECT_FALSE(watch.check("t", 0, 100, 0));
  watch.expect("t", 0, 20);  // a seek back
  EXPECT_FALSE(watch.check("t", 0, 20, 0));
  watch.expect("t", 0, RD_KAFKA_OFFSET_BEGINNING);  // forgets
  EXPECT_FALSE(watch.check("t", 0, 90000, 90000));
  watch.forget("t", 0);
  EXPECT_FALSE(watch.check("t", 0, 190000, 190000));
  EXPECT_EQ(watch.jumps(), 0u);
}

}  // namespace
}  // namespace sentinel::kafka

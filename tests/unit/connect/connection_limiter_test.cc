// Connection admission: per-client and total caps, and release making room again.
#include "rest-api/connection_limiter.h"

#include <gtest/gtest.h>

namespace sentinel::connect {
namespace {

using Verdict = ConnectionLimiter::Verdict;

TEST(ConnectionLimiter, OneClientHoldsOnlyItsShareAndOthersStillGetIn) {
  ConnectionLimiter l(5, 2);
  EXPECT_EQ(l.admit("10.0.0.1"), Verdict::kAdmitted);
  EXPECT_EQ(l.admit("10.0.0.1"), Verdict::kAdmitted);
  EXPECT_EQ(l.admit("10.0.0.1"), Verdict::kTooManyFromClient);
  EXPECT_EQ(l.open_from("10.0.0.1"), 2u);
  EXPECT_EQ(l.admit("10.0.0.2"), Verdict::kAdmitted);
  l.release("10.0.0.1");
  EXPECT_EQ(l.admit("10.0.0.1"), Verdict::kAdmitted);
  EXPECT_EQ(l.open(), 3u);
}

TEST(ConnectionLimiter, TotalCapHoldsAcrossClients) {
  ConnectionLimiter l(3, 2);
  EXPECT_EQ(l.admit("a"), Verdict::kAdmitted);
  EXPECT_EQ(l.admit("b"), Verdict::kAdmitted);
  EXPECT_EQ(l.admit("c"), Verdict::kAdmitted);
  EXPECT_EQ(l.admit("d"), Verdict::kTooManyInTotal);
  EXPECT_EQ(l.open_from("d"), 0u);
  l.release("b");
  EXPECT_EQ(l.admit("d"), Verdict::kAdmitted);
  l.release("nobody");  // not counted: no effect
  EXPECT_EQ(l.open(), 3u);
}

}  // namespace
}  // namespace sentinel::connect

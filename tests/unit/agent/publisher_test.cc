// The publisher's memory bound with no broker to deliver to: everything it holds stays within
// max_bytes, and only what passes the bound is dropped, oldest first, counted. (The recovery half —
// delivery after the broker returns — is proven against a real broker in the integration test.)
#include "agent/publisher.h"

#include <gtest/gtest.h>

namespace sentinel::agent {
namespace {

std::unique_ptr<Publisher> unreachable(uint64_t max_bytes) {
  std::string error;
  // Port 1 on loopback: nothing listens, so nothing is ever acknowledged.
  auto p = Publisher::create({{"bootstrap.servers", "127.0.0.1:1"},
                              {"enable.idempotence", "true"},
                              {"message.timeout.ms", "0"}},
                             "system_metrics", max_bytes, &error);
  EXPECT_TRUE(p) << error;
  return p;
}

TEST(Publisher, BelowTheBoundNothingIsDropped) {
  auto p = unreachable(64 * 1024);
  for (int i = 0; i < 100; ++i) {
    p->enqueue("cpu", std::string(100, 'x'), i);  // 103 bytes each, ~10 KB in all
    p->service();
  }
  EXPECT_EQ(p->stats().dropped, 0u);
  EXPECT_EQ(p->stats().queued_bytes + p->stats().inflight_bytes, 100u * 103);
}

TEST(Publisher, BeyondTheBoundTheOldestAreDroppedAndCountedAndMemoryStaysBounded) {
  const uint64_t bound = 64 * 1024;
  auto p = unreachable(bound);
  const int n = 2000;  // ~200 KB offered, three times the bound
  for (int i = 0; i < n; ++i) {
    p->enqueue("cpu", std::string(100, 'x'), i);
    p->service();
    ASSERT_LE(p->stats().queued_bytes + p->stats().inflight_bytes, bound) << "after record " << i;
  }
  const PublisherStats& s = p->stats();
  EXPECT_GT(s.dropped, 0u);
  // Every record is accounted for: held (queued or with librdkafka) or dropped.
  uint64_t held = (s.queued_bytes + s.inflight_bytes) / 103;
  EXPECT_EQ(held + s.dropped, static_cast<uint64_t>(n));
  // Only a quarter of the bound goes to librdkafka; the rest waits in the publisher's own queue,
  // from which the oldest are dropped.
  EXPECT_LE(s.inflight_bytes, bound / 4);
  EXPECT_GT(s.queued_records, 0u);
}

}  // namespace
}  // namespace sentinel::agent

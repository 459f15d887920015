// What the consumer-group tests read besides the workers (tests/support/connect_worker.h): the
// group as the broker describes it, the archive connector they create and the archive it writes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/connect_worker.h"

namespace sentinel::test {

// A consumer group as the broker describes it (DescribeConsumerGroups): its state
// ("PreparingRebalance", "CompletingRebalance", "Stable", "Empty", "Dead", "" when unknown) and
// how many members it has.
struct GroupView {
  std::string state;
  int members = 0;
};
GroupView describe_group(const std::string& bootstrap, const std::string& group);

// A RotatingFileSink connector that archives `topic` as envelopes, one plain file per partition
// (under `subdir` of the archive root when given).
std::string archive_connector(const std::string& name, const std::string& topic, int tasks,
                              const std::string& subdir = "");

// Every (partition, offset) in the envelope files under `root` with how often it is there, and
// the values; *problems gets lines that are not whole envelopes.
struct Archived {
  std::map<std::pair<int, int64_t>, int> count;
  std::map<std::pair<int, int64_t>, std::string> value;
  std::vector<std::string> problems;
};
Archived read_archive(const std::string& root);

}  // namespace sentinel::test

// Says out loud what librdkafka's mock cluster does silently: it keeps only the newest ~5 MB or
// 100 000 message sets of each partition (librdkafka 2.0.2, rdkafka_mock.c: max_size, max_cnt)
// and drops older records as new ones arrive. A watcher thread asks the mock for every
// partition's log start offset about once a second (ListOffsets "earliest", one request for all)
// and reports each partition whose start moved: topic, partition, how many records are gone.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "common/kafka.h"

namespace sentinel::devkafka {

// What the mock keeps of each partition (rdkafka_mock.c, rd_kafka_mock_partition_init).
constexpr int64_t kMockMaxBytes = 5 * 1024 * 1024;
constexpr int64_t kMockMaxMessageSets = 100000;
// The limits in words, for --help, logs and the trim reports.
extern const char* const kMockLimits;

class TrimReporter {
 public:
  explicit TrimReporter(std::string bootstrap);
  ~TrimReporter();  // stops the thread after a last look
  TrimReporter(const TrimReporter&) = delete;
  TrimReporter& operator=(const TrimReporter&) = delete;

  // Checks every partition once now (also done every `interval` by the thread).
  void check();
  int64_t records_trimmed() const { return total_; }

 private:
  void run();

  kafka::Handle rk_;
  std::map<std::pair<std::string, int32_t>, int64_t> start_;  // last known log start offsets
  std::atomic<int64_t> total_{0};
  std::mutex mu_;  // check() from the thread and from the destructor
  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace sentinel::devkafka

// A real broker for tests: sentinel-devkafka as a separate process over TCP, and kcat as the
// independent client that reads back what Sentinel wrote. sentinel-devkafka keeps only the newest
// ~5 MB or 100 000 message sets of a partition; a test that makes it drop records fails (at the
// end) unless it says it means to (allow_trims()): more data belongs on the real broker
// (real_kafka.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace sentinel::test {

class DevKafka {
 public:
  // Starts sentinel-devkafka with `topics` ("name:partitions") and waits for its bootstrap line.
  explicit DevKafka(const std::vector<std::string>& topics, int brokers = 1);
  ~DevKafka();
  const std::string& bootstrap() const { return bootstrap_; }
  // Sends a control command ("down all", "up 1", "topic x:3") and waits for its "ok" echo.
  bool control(const std::string& command);
  Process& process() { return *process_; }
  // The test exceeds the mock's limits on purpose (it checks what happens then).
  void allow_trims() { trims_allowed_ = true; }

 private:
  std::unique_ptr<Process> process_;
  std::string bootstrap_;
  bool trims_allowed_ = false;
};

struct KafkaRecord {
  std::string key;
  std::string value;
  int partition = -1;
  long long offset = -1;
  long long timestamp = -1;
};

// Reads every record now in `topic` with kcat (-C -e), as an independent client.
std::vector<KafkaRecord> kcat_consume(const std::string& bootstrap, const std::string& topic);
// Produces `lines` to `topic` with kcat, each line a record (key before a tab when `keyed`).
bool kcat_produce(const std::string& bootstrap, const std::string& topic,
                  const std::vector<std::string>& lines, bool keyed = false);

}  // namespace sentinel::test

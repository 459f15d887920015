// Reads system_metrics, http_logs and system_alerts into the Model on one thread, as a viewer:
// every partition is assign()ed (never subscribe(), so no rebalancing and no group membership)
// and no offset is ever committed, so every dashboard sees everything. At start the metrics and
// HTTP topics are read back `backfill` by timestamp; system_alerts from its beginning, so an
// alert firing for hours still shows. Partitions that appear later (a topic created after the
// start) are picked up by a metadata refresh.
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/kafka.h"
#include "common/kafka_offset_jumps.h"
#include "dashboard/dashboard_config.h"
#include "dashboard/model.h"
#include "records/http_logs.h"
#include "records/system_metrics.h"

namespace sentinel::dashboard {

class KafkaReader {
 public:
  KafkaReader(const DashboardConfig& config, Model* model);
  ~KafkaReader();
  // Creates the consumer (a bad librdkafka property fails here) and starts the thread.
  bool start(std::string* error);
  void stop();

 private:
  void run();
  // Metadata of the three topics; assigns partitions not yet assigned. Returns false (and
  // marks Kafka unreachable) when the cluster does not answer.
  bool refresh(int64_t now_ms);
  // Where each new partition starts (false, Kafka marked unreachable, when the cluster does not
  // answer: nothing is assigned then).
  bool start_offsets(const std::vector<std::pair<std::string, int>>& added, int64_t now_ms);
  void handle(const rd_kafka_message_t* m, int64_t now_ms);
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);

  DashboardConfig config_;
  Model* model_;
  kafka::Handle rk_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> brokers_down_{false};
  std::map<std::pair<std::string, int>, int64_t> next_offset_;  // assigned partitions
  kafka::OffsetJumpWatch jumps_{"sentinel-dashboard"};  // records deleted before they were read
  records::MetricParser metric_parser_;
  records::MetricRecord metric_;
  records::HttpRecordParser http_parser_;
  records::HttpRecord http_;
  uint64_t errors_logged_ = 0;
};

}  // namespace sentinel::dashboard

// The mock cluster's trims, reported as they happen (see trim_report.h).
#include "tools/devkafka/trim_report.h"

#include <fmt/format.h>

#include <vector>

#include "common/log.h"

namespace sentinel::devkafka {

const char* const kMockLimits =
    "the mock keeps only the newest ~5 MB or 100000 message sets of each partition and drops "
    "older records; use a real Kafka broker for more";

TrimReporter::TrimReporter(std::string bootstrap) {
  std::string error;
  // Quiet: while a test sets the brokers down, this observer's connection errors are noise.
  kafka::Conf conf = kafka::make_conf({{"bootstrap.servers", bootstrap},
                                       {"client.id", "sentinel-devkafka-trim-watch"},
                                       {"log_level", "0"}},
                                      &error);
  if (conf) rk_ = kafka::make_handle(RD_KAFKA_PRODUCER, std::move(conf), &error);
  if (!rk_) {
    log::warning("trimmed partitions will not be reported: {}", error);
    return;
  }
  thread_ = std::thread([this] { run(); });
}

TrimReporter::~TrimReporter() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(wake_mu_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
    check();  // trims of the last second
  }
  if (total_ > 0)
    log::warning("sentinel-devkafka: {} record(s) trimmed in all: {}", total_.load(), kMockLimits);
}

void TrimReporter::run() {
  std::unique_lock lock(wake_mu_);
  while (!wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_; })) {
    lock.unlock();
    check();
    lock.lock();
  }
}

void TrimReporter::check() {
  std::lock_guard lock(mu_);
  if (!rk_) return;
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(rk_.get(), 1, nullptr, &md, 1000) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  // ListOffsets with the timestamp "earliest" (-2) answers each partition's log start offset.
  kafka::TopicPartitionList list(rd_kafka_topic_partition_list_new(16));
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (md->topics[i].err) continue;
    for (int p = 0; p < md->topics[i].partition_cnt; ++p) {
      rd_kafka_topic_partition_list_add(list.get(), md->topics[i].topic,
                                        md->topics[i].partitions[p].id)
          ->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
  }
  rd_kafka_metadata_destroy(md);
  if (list->cnt == 0) return;
  if (rd_kafka_offsets_for_times(rk_.get(), list.get(), 1000) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = list->elems[i];
    if (tp.err || tp.offset < 0) continue;
    // Every partition of the mock starts at offset 0: a start above what was last seen is a trim.
    int64_t& known = start_[{tp.topic, tp.partition}];
    if (tp.offset <= known) continue;
    int64_t gone = tp.offset - known;
    known = tp.offset;
    total_ += gone;
    log::warning("sentinel-devkafka: trimmed {}[{}]: {} record(s) gone (log start now {}): {}",
                 tp.topic, tp.partition, gone, tp.offset, kMockLimits);
  }
}

}  // namespace sentinel::devkafka

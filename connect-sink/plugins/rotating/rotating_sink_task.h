// The RotatingFileSink task: routes records to archive streams (one per rendered path), keeps the
// durability cadence (flush.interval.ms / flush.max.records), tells the worker where each
// partition resumes (the archive's own offsets, on open), and hands rotated files to the janitor.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "archive_stream.h"
#include "janitor.h"
#include "sentinel/connect/sink.h"
#include "sink_config.h"
#include "syncer.h"

namespace sentinel::archive {

class RotatingFileSinkTask : public connect::SinkTask {
 public:
  // `now_ms`: the wall clock (ms since the epoch); tests pass their own.
  explicit RotatingFileSinkTask(std::function<int64_t()> now_ms = {});
  ~RotatingFileSinkTask() override;

  std::string version() const override;
  void initialize(connect::SinkTaskContext& context) override { context_ = &context; }
  connect::Status start(const connect::Config& config) override;
  connect::Status open(const std::vector<connect::TopicPartition>& partitions) override;
  connect::Status close(const std::vector<connect::TopicPartition>& partitions) override;
  connect::Status put(const std::vector<connect::SinkRecord>& records) override;
  connect::Status pre_commit(const connect::OffsetMap& current,
                             connect::OffsetMap* committable) override;
  void stop() override;

  // For tests: waits for background syncs, and for compression and retention queued so far.
  void drain_background() {
    std::string error;
    for (auto& [key, s] : streams_) s.files->wait_sync(&error);
    if (janitor_) janitor_->drain();
  }
  uint64_t duplicates_skipped() const { return duplicates_skipped_; }

 private:
  struct Stream {
    std::unique_ptr<ArchiveStream> files;
    std::string topic;  // the partition the stream was opened for (renders its path)
    int32_t partition = 0;
    std::set<PartitionKey> assigned;
  };
  Stream* stream_for(const PartitionKey& tp, connect::Status* status);
  MaintenanceSpec maintenance(const Stream& s) const;
  connect::Status flush_all();
  connect::Status flush_all_async(bool* deferred);
  void collect_rotated(Stream& s);
  connect::Status fail(const std::string& what, const std::string& cause);

  std::function<int64_t()> now_ms_;
  connect::SinkTaskContext* context_ = nullptr;
  SinkSettings settings_;
  // The worker's archive.root (connect::kArchiveRootKey), opened once at start: every file of the
  // task is reached beneath it. Unconfined when the worker has no archive.root.
  std::shared_ptr<const confined::Root> root_;
  std::unique_ptr<Janitor> janitor_;
  Syncer syncer_;                              // declared before streams_: outlives them
  std::map<std::string, Stream> streams_;      // by stream key
  std::map<PartitionKey, std::string> route_;  // partition → stream key
  int64_t pending_records_ = 0;
  int64_t first_pending_ms_ = -1;
  int64_t next_retention_ms_ = 0;
  uint64_t duplicates_skipped_ = 0;
  std::optional<connect::Status> failed_;
  std::string line_;
};

}  // namespace sentinel::archive

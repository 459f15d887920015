// Publishing records to Kafka with memory bounded in bytes.
//
// Records wait in the publisher's own queue and are handed to librdkafka only while the bytes
// librdkafka holds unacknowledged stay under a quarter of the bound. The bound counts both; when a
// new record would pass it, the oldest records still in the publisher's queue are dropped and
// counted. So with the broker down the agent keeps collecting, holds up to `max_bytes` of records,
// drops the oldest beyond that, and delivers everything it holds once the broker returns — in
// order, through an idempotent producer. Single-threaded: call everything from the main loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "common/kafka.h"

namespace sentinel::agent {

struct PublisherStats {
  uint64_t enqueued = 0;
  uint64_t delivered = 0;  // acknowledged by Kafka
  uint64_t failed = 0;     // librdkafka reported a permanent error
  uint64_t dropped = 0;    // oldest dropped past the bound
  uint64_t queued_records = 0;
  uint64_t queued_bytes = 0;    // in the publisher's queue
  uint64_t inflight_bytes = 0;  // handed to librdkafka, not yet acknowledged
  bool broker_down = false;
  std::string last_error;
};

class Publisher {
 public:
  // Creates the producer; nullptr and *error when librdkafka refuses the configuration.
  static std::unique_ptr<Publisher> create(const kafka::Properties& props, std::string topic,
                                           uint64_t max_bytes, std::string* error);
  ~Publisher();

  void enqueue(std::string key, std::string value, int64_t ts_ms);
  // Serves delivery reports and errors, then hands queued records to librdkafka. Cheap when idle.
  void service();
  // Readable when librdkafka has reports to serve; include it in the main loop's poll.
  int event_fd() const { return event_pipe_[0]; }
  // Delivers everything or gives up at the deadline; true when nothing is left.
  bool flush(std::chrono::milliseconds timeout);
  // Takes the not-yet-handed-over records of another publisher (on reload with new Kafka settings).
  void adopt_queue(Publisher* old);

  const PublisherStats& stats() const { return stats_; }
  // librdkafka raised a fatal error (idempotence broken): the producer must be replaced.
  bool fatal() const {
    return rd_kafka_fatal_error(rk_.get(), nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR;
  }
  rd_kafka_t* handle() { return rk_.get(); }

 private:
  struct Pending {
    std::string key;
    std::string value;
    int64_t ts_ms;
    size_t bytes() const { return key.size() + value.size(); }
  };
  Publisher() = default;
  void hand_over();
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque);
  static void on_error(rd_kafka_t*, int err, const char* reason, void* opaque);

  kafka::Handle rk_;
  rd_kafka_topic_t* topic_handle_ = nullptr;
  std::string topic_;
  uint64_t max_bytes_ = 0;
  std::deque<Pending> queue_;
  int event_pipe_[2] = {-1, -1};
  PublisherStats stats_;
  std::chrono::steady_clock::time_point last_failure_log_{};
};

}  // namespace sentinel::agent

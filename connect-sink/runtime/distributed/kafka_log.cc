// A topic read from its beginning, tailed, and written in order (see kafka_log.h).
#include "connect-sink/runtime/distributed/kafka_log.h"

#include <fmt/format.h>

#include <memory>

#include "common/log.h"

namespace sentinel::connect::distributed {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 1 ? 1 : static_cast<int>(left.count());
}

// The producer's delivery reports: each message carries its own callback.
void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  std::unique_ptr<KafkaLog::Delivered> done(static_cast<KafkaLog::Delivered*>(m->_private));
  if (done && *done) (*done)(m->err ? rd_kafka_err2str(m->err) : "");
}

}  // namespace

KafkaLog::KafkaLog(kafka::Properties client, std::string topic, Consumed consumed)
    : client_(std::move(client)), topic_(std::move(topic)), consumed_(std::move(consumed)) {}

KafkaLog::~KafkaLog() { stop(); }

bool KafkaLog::open(std::chrono::milliseconds timeout, std::string* error) {
  std::string e;
  kafka::Properties props = client_;
  props.erase("group.id");  // read, not subscribed: no group, nothing committed
  props["enable.auto.commit"] = "false";
  props["enable.auto.offset.store"] = "false";
  props["enable.partition.eof"] = "true";  // tells where the end is
  props["auto.offset.reset"] = "earliest";
  kafka::Conf conf = kafka::make_conf(props, &e);
  consumer_ = conf ? kafka::make_handle(RD_KAFKA_CONSUMER, std::move(conf), &e) : nullptr;
  if (!consumer_) {
    *error = fmt::format("topic {}: reader: {}", topic_, e);
    return false;
  }
  props = client_;
  props.erase("group.id");
  props["acks"] = "all";
  props["enable.idempotence"] = "true";     // in order, no duplicate on a retry
  props["partitioner"] = "murmur2_random";  // the Java producer's: Connect's key → partition
  props["linger.ms"] = "0";                 // a write waits for its answer; nothing to batch
  conf = kafka::make_conf(props, &e);
  if (conf) rd_kafka_conf_set_dr_msg_cb(conf.get(), on_delivery);
  producer_ = conf ? kafka::make_handle(RD_KAFKA_PRODUCER, std::move(conf), &e) : nullptr;
  if (!producer_) {
    *error = fmt::format("topic {}: writer: {}", topic_, e);
    return false;
  }
  // Every topic's metadata: asking for one by name could make a broker with
  // auto.create.topics.enable create it with the wrong settings.
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(consumer_.get(), 1, nullptr, &md, static_cast<int>(timeout.count()));
  if (err) {
    *error = fmt::format("topic {}: cannot read the cluster's topics: {}", topic_,
                         rd_kafka_err2str(err));
    return false;
  }
  int partitions = 0;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (topic_ == md->topics[i].topic && !md->topics[i].err) {
      partitions = md->topics[i].partition_cnt;
    }
  }
  rd_kafka_metadata_destroy(md);
  if (partitions <= 0) {
    *error = fmt::format(
        "topic {} does not exist: the worker creates its storage topics at start "
        "(ensure_storage_topics)",
        topic_);
    return false;
  }
  positions_.assign(partitions, 0);
  return true;
}

bool KafkaLog::end_offsets(std::chrono::milliseconds timeout, std::vector<int64_t>* ends,
                           std::string* error) {
  auto deadline = Clock::now() + timeout;
  ends->assign(positions_.size(), 0);
  for (size_t p = 0; p < positions_.size(); ++p) {
    int64_t low = 0;
    // Asked through the producer's connections: on the consumer's, the broker would answer only
    // after the fetch it is holding open (up to fetch.wait.max.ms, 500 ms).
    rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(producer_.get(), topic_.c_str(), static_cast<int32_t>(p),
                                         &low, &(*ends)[p], remaining_ms(deadline));
    if (err) {
      *error = fmt::format("topic {} partition {}: cannot find its end: {}", topic_, p,
                           rd_kafka_err2str(err));
      return false;
    }
  }
  return true;
}

void KafkaLog::start_tailing() {
  consumer_topic_ = rd_kafka_topic_new(consumer_.get(), topic_.c_str(), nullptr);
  queue_ = rd_kafka_queue_new(consumer_.get());
  for (int p = 0; p < partitions(); ++p) {
    if (rd_kafka_consume_start_queue(consumer_topic_, p, RD_KAFKA_OFFSET_BEGINNING, queue_) == -1) {
      log::error("topic {} partition {}: cannot start reading: {}", topic_, p,
                 rd_kafka_err2str(rd_kafka_last_error()));
    }
  }
  tail_thread_ = std::thread([this] { tail(); });
  delivery_thread_ = std::thread([this] { deliver(); });
}

void KafkaLog::tail() {
  while (!stopping_) {
    rd_kafka_message_t* m = rd_kafka_consume_queue(queue_, 100);
    if (!m) continue;
    int64_t position = -1;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      position = m->offset;  // the end, also past offsets that hold no record (markers)
    } else if (m->err) {
      log::warning("topic {} partition {}: reading: {}", topic_, m->partition,
                   rd_kafka_message_errstr(m));
    } else {
      LogRecord record;
      record.partition = m->partition;
      record.offset = m->offset;
      if (m->key) record.key.emplace(static_cast<const char*>(m->key), m->key_len);
      if (m->payload) record.value.emplace(static_cast<const char*>(m->payload), m->len);
      consumed_(record);
      position = m->offset + 1;
    }
    int32_t partition = m->partition;
    rd_kafka_message_destroy(m);
    if (position >= 0 && partition >= 0 && partition < partitions()) {
      std::lock_guard lock(mutex_);
      if (position > positions_[partition]) positions_[partition] = position;
      advanced_.notify_all();
    }
  }
}

void KafkaLog::deliver() {
  while (!stopping_) rd_kafka_poll(producer_.get(), 100);
}

bool KafkaLog::wait_for(const std::vector<int64_t>& ends, std::chrono::milliseconds timeout,
                        std::string* error) {
  std::unique_lock lock(mutex_);
  auto reached = [&] {
    for (size_t p = 0; p < ends.size() && p < positions_.size(); ++p) {
      if (positions_[p] < ends[p]) return false;
    }
    return true;
  };
  if (advanced_.wait_for(lock, timeout, reached)) return true;
  for (size_t p = 0; p < ends.size() && p < positions_.size(); ++p) {
    if (positions_[p] < ends[p]) {
      *error =
          fmt::format("topic {} partition {}: read up to offset {} of {} in {} ms, not to its end",
                      topic_, p, positions_[p], ends[p], timeout.count());
      break;
    }
  }
  return false;
}

bool KafkaLog::read_to_end(std::chrono::milliseconds timeout, std::string* error) {
  auto deadline = Clock::now() + timeout;
  std::vector<int64_t> ends;
  if (!end_offsets(timeout, &ends, error)) return false;
  return wait_for(ends, std::chrono::milliseconds(remaining_ms(deadline)), error);
}

void KafkaLog::send(const LogWrite& write, Delivered done) {
  if (!producer_) {
    if (done) done("the log is not open (or was stopped)");
    return;
  }
  auto* opaque = new Delivered(std::move(done));
  const void* value = write.value ? write.value->data() : nullptr;
  size_t value_len = write.value ? write.value->size() : 0;
  rd_kafka_resp_err_t err = rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(topic_.c_str()),
                                              RD_KAFKA_V_KEY(write.key.data(), write.key.size()),
                                              RD_KAFKA_V_VALUE(const_cast<void*>(value), value_len),
                                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                              RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
  if (err) {
    std::unique_ptr<Delivered> failed(opaque);
    if (*failed) (*failed)(rd_kafka_err2str(err));
  }
}

bool KafkaLog::write(const std::vector<LogWrite>& writes, std::chrono::milliseconds timeout,
                     std::string* error) {
  struct Pending {
    std::mutex mutex;
    std::condition_variable done;
    size_t left = 0;
    std::string first_error;
  };
  auto pending = std::make_shared<Pending>();
  pending->left = writes.size();
  for (const LogWrite& w : writes) {
    send(w, [pending, key = w.key](const std::string& e) {
      std::lock_guard lock(pending->mutex);
      if (!e.empty() && pending->first_error.empty()) {
        pending->first_error = fmt::format("{}: {}", key, e);
      }
      --pending->left;
      pending->done.notify_all();
    });
  }
  std::unique_lock lock(pending->mutex);
  if (!pending->done.wait_for(lock, timeout, [&] { return pending->left == 0; })) {
    *error = fmt::format("topic {}: {} of {} writes not acknowledged in {} ms", topic_,
                         pending->left, writes.size(), timeout.count());
    return false;
  }
  if (!pending->first_error.empty()) {
    *error = fmt::format("topic {}: write {}", topic_, pending->first_error);
    return false;
  }
  return true;
}

bool KafkaLog::flush(std::chrono::milliseconds timeout, std::string* error) {
  rd_kafka_resp_err_t err = rd_kafka_flush(producer_.get(), static_cast<int>(timeout.count()));
  if (err) {
    *error =
        fmt::format("topic {}: {} writes not acknowledged in {} ms: {}", topic_,
                    rd_kafka_outq_len(producer_.get()), timeout.count(), rd_kafka_err2str(err));
    return false;
  }
  return true;
}

void KafkaLog::stop() {
  stopping_ = true;
  if (tail_thread_.joinable()) tail_thread_.join();
  if (delivery_thread_.joinable()) delivery_thread_.join();
  if (consumer_topic_) {
    for (int p = 0; p < partitions(); ++p) rd_kafka_consume_stop(consumer_topic_, p);
    rd_kafka_topic_destroy(consumer_topic_);
    consumer_topic_ = nullptr;
  }
  if (queue_) {
    rd_kafka_queue_destroy(queue_);
    queue_ = nullptr;
  }
  if (producer_) {
    // Unsent writes fail (their callbacks run, with "purged"), so nothing waits or leaks.
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(producer_.get(), 1000);
    producer_.reset();
  }
  consumer_.reset();
}

void SkippedRecords::add(const std::string& topic, const LogRecord& record,
                         const std::string& problem) {
  constexpr size_t kKept = 100;
  std::string where = fmt::format("{}/{}@{}", topic, record.partition, record.offset);
  log::warning("{}: skipped the record at {}: {}", what_, where, problem);
  list_.push_back(where + ": " + problem);
  if (list_.size() > kKept) list_.erase(list_.begin());
}

}  // namespace sentinel::connect::distributed

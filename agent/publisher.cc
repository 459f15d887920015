// Bounded, drop-oldest publishing through an idempotent librdkafka producer.
#include "agent/publisher.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "common/log.h"

namespace sentinel::agent {

std::unique_ptr<Publisher> Publisher::create(const kafka::Properties& props, std::string topic,
                                             uint64_t max_bytes, std::string* error) {
  std::unique_ptr<Publisher> p(new Publisher());
  p->topic_ = std::move(topic);
  p->max_bytes_ = max_bytes;
  kafka::Conf conf = kafka::make_conf(props, error);
  if (!conf) return nullptr;
  rd_kafka_conf_set_opaque(conf.get(), p.get());
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Publisher::on_delivery);
  rd_kafka_conf_set_error_cb(conf.get(), &Publisher::on_error);
  p->rk_ = kafka::make_handle(RD_KAFKA_PRODUCER, std::move(conf), error);
  if (!p->rk_) return nullptr;
  p->topic_handle_ = rd_kafka_topic_new(p->rk_.get(), p->topic_.c_str(), nullptr);
  if (pipe2(p->event_pipe_, O_NONBLOCK | O_CLOEXEC) != 0) {
    *error = "pipe: cannot create the event pipe";
    return nullptr;
  }
  rd_kafka_queue_t* main_queue = rd_kafka_queue_get_main(p->rk_.get());
  rd_kafka_queue_io_event_enable(main_queue, p->event_pipe_[1], "1", 1);
  rd_kafka_queue_destroy(main_queue);
  return p;
}

Publisher::~Publisher() {
  if (rk_) {
    rd_kafka_queue_t* main_queue = rd_kafka_queue_get_main(rk_.get());
    rd_kafka_queue_io_event_enable(main_queue, -1, nullptr, 0);
    rd_kafka_queue_destroy(main_queue);
    // Whatever librdkafka still holds is lost now; flush() first to avoid that.
    rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(rk_.get(), 0);
  }
  if (topic_handle_) rd_kafka_topic_destroy(topic_handle_);
  rk_.reset();
  for (int fd : event_pipe_) {
    if (fd >= 0) close(fd);
  }
}

void Publisher::enqueue(std::string key, std::string value, int64_t ts_ms) {
  Pending p{std::move(key), std::move(value), ts_ms};
  ++stats_.enqueued;
  stats_.queued_bytes += p.bytes();
  ++stats_.queued_records;
  queue_.push_back(std::move(p));
  while (stats_.queued_bytes + stats_.inflight_bytes > max_bytes_ && !queue_.empty()) {
    stats_.queued_bytes -= queue_.front().bytes();
    --stats_.queued_records;
    queue_.pop_front();
    if (stats_.dropped++ % 1000 == 0) {
      log::warning("buffer full ({} bytes): dropping the oldest records; {} dropped so far",
                   max_bytes_, stats_.dropped);
    }
  }
}

void Publisher::hand_over() {
  const uint64_t window = std::max<uint64_t>(max_bytes_ / 4, 16 * 1024);
  while (!queue_.empty() && stats_.inflight_bytes + queue_.front().bytes() <= window) {
    Pending& p = queue_.front();
    size_t bytes = p.bytes();
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_.get(), RD_KAFKA_V_RKT(topic_handle_), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(p.key.data(), p.key.size()),
        RD_KAFKA_V_VALUE(p.value.data(), p.value.size()), RD_KAFKA_V_TIMESTAMP(p.ts_ms),
        RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(bytes)), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) break;  // librdkafka's own count bound; retry later
    if (err) {
      // Not retriable (e.g. a record larger than message.max.bytes): count it and move on.
      ++stats_.failed;
      stats_.last_error = rd_kafka_err2str(err);
      log::error("kafka produce to {}: {} ({} bytes)", topic_, rd_kafka_err2str(err), bytes);
    } else {
      stats_.inflight_bytes += bytes;
    }
    stats_.queued_bytes -= bytes;
    --stats_.queued_records;
    queue_.pop_front();
  }
}

void Publisher::service() {
  char drain[64];
  while (read(event_pipe_[0], drain, sizeof drain) > 0) {
  }
  rd_kafka_poll(rk_.get(), 0);
  hand_over();
}

bool Publisher::flush(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    hand_over();
    rd_kafka_poll(rk_.get(), 0);
    if (queue_.empty() && stats_.inflight_bytes == 0) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    rd_kafka_poll(rk_.get(), static_cast<int>(std::min<int64_t>(left.count(), 100)));
  }
}

void Publisher::adopt_queue(Publisher* old) {
  for (auto& p : old->queue_) {
    enqueue(std::move(p.key), std::move(p.value), p.ts_ms);
    --stats_.enqueued;  // counted once already, by the old publisher
  }
  old->queue_.clear();
  old->stats_.queued_bytes = 0;
  old->stats_.queued_records = 0;
}

void Publisher::on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<Publisher*>(opaque);
  uint64_t bytes = reinterpret_cast<uint64_t>(msg->_private);
  self->stats_.inflight_bytes -= std::min(bytes, self->stats_.inflight_bytes);
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++self->stats_.delivered;
    if (self->stats_.broker_down) log::notice("kafka: delivering again to {}", self->topic_);
    self->stats_.broker_down = false;
    return;
  }
  ++self->stats_.failed;
  self->stats_.last_error = rd_kafka_err2str(msg->err);
  auto now = std::chrono::steady_clock::now();
  if (now - self->last_failure_log_ > std::chrono::seconds(10)) {
    self->last_failure_log_ = now;
    log::error("kafka delivery to {} failed: {} ({} failed so far)", self->topic_,
               rd_kafka_err2str(msg->err), self->stats_.failed);
  }
}

void Publisher::on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<Publisher*>(opaque);
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  self->stats_.last_error = reason;
  if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    if (!self->stats_.broker_down) log::warning("kafka: all brokers down: {}", reason);
    self->stats_.broker_down = true;
    return;
  }
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    char fatal[512];
    rd_kafka_fatal_error(rk, fatal, sizeof fatal);
    log::error("kafka: fatal producer error: {}", fatal);
    return;
  }
  log::debug("kafka: {}", reason);
}

}  // namespace sentinel::agent

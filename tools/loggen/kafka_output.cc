// The Kafka output: http_logs records through an idempotent librdkafka producer.
#include <fmt/format.h>

#include "common/log.h"
#include "tools/loggen/output.h"
#include "tools/loggen/record.h"

namespace sentinel::loggen {
namespace {

class KafkaOutput : public Output {
 public:
  ~KafkaOutput() override {
    if (topic_) rd_kafka_topic_destroy(topic_);
  }

  static std::unique_ptr<KafkaOutput> create(const kafka::Properties& user_props,
                                             const std::string& topic, const std::string& host,
                                             std::string* error) {
    std::unique_ptr<KafkaOutput> out(new KafkaOutput());
    out->host_ = host;
    kafka::Properties props = {{"client.id", "sentinel-loggen"}, {"enable.idempotence", "true"}};
    for (const auto& [k, v] : user_props) props[k] = v;
    kafka::Conf conf = kafka::make_conf(props, error);
    if (!conf) return nullptr;
    rd_kafka_conf_set_opaque(conf.get(), out.get());
    rd_kafka_conf_set_dr_msg_cb(conf.get(), &KafkaOutput::on_delivery);
    out->rk_ = kafka::make_handle(RD_KAFKA_PRODUCER, std::move(conf), error);
    if (!out->rk_) return nullptr;
    out->topic_ = rd_kafka_topic_new(out->rk_.get(), topic.c_str(), nullptr);
    if (!out->topic_) {
      *error = fmt::format("topic {}: {}", topic, rd_kafka_err2str(rd_kafka_last_error()));
      return nullptr;
    }
    return out;
  }

  bool write(const std::vector<Request>& batch, std::string* error) override {
    for (const Request& r : batch) {
      std::string value = http_log_record(r, host_);
      while (true) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            rk_.get(), RD_KAFKA_V_RKT(topic_), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(r.client_ip.data(), r.client_ip.size()),
            RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_TIMESTAMP(r.ts_ms),
            RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
          *error =
              fmt::format("produce to {}: {}", rd_kafka_topic_name(topic_), rd_kafka_err2str(err));
          return false;
        }
        rd_kafka_poll(rk_.get(), 100);  // the producer's queue is full: wait for deliveries
      }
    }
    rd_kafka_poll(rk_.get(), 0);
    if (failed_ > 0) {
      *error = fmt::format("{} record(s) not delivered: {}", failed_, first_error_);
      return false;
    }
    return true;
  }

  void poll() override { rd_kafka_poll(rk_.get(), 0); }

  bool finish(std::string* error) override {
    rd_kafka_resp_err_t err = rd_kafka_flush(rk_.get(), 60000);
    if (failed_ > 0) {
      *error = fmt::format("{} record(s) not delivered: {}", failed_, first_error_);
      return false;
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      *error = fmt::format("{} record(s) still undelivered after 60 s: {}",
                           rd_kafka_outq_len(rk_.get()), rd_kafka_err2str(err));
      return false;
    }
    log::info("{} record(s) delivered to {}", delivered_, rd_kafka_topic_name(topic_));
    return true;
  }

 private:
  KafkaOutput() = default;

  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<KafkaOutput*>(opaque);
    if (m->err) {
      if (self->failed_++ == 0) self->first_error_ = rd_kafka_err2str(m->err);
    } else {
      ++self->delivered_;
    }
  }

  kafka::Handle rk_;
  rd_kafka_topic_t* topic_ = nullptr;
  std::string host_;
  uint64_t delivered_ = 0;
  uint64_t failed_ = 0;
  std::string first_error_;
};

}  // namespace

std::unique_ptr<Output> make_kafka_output(const kafka::Properties& props, const std::string& topic,
                                          const std::string& host, std::string* error) {
  return KafkaOutput::create(props, topic, host, error);
}

}  // namespace sentinel::loggen

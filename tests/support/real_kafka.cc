// The real Kafka broker of a test binary (see real_kafka.h).
#include "tests/support/real_kafka.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "tests/support/build_paths.h"

namespace sentinel::test {
namespace {

using namespace std::chrono_literals;

// Between the test and kafka-single: it runs kafka-single in the background and stops it
// (SIGTERM: the broker, then ZooKeeper) as soon as its own stdin reaches EOF, which happens when
// the test closes the pipe or dies; then it removes the data (the test's TempDir does too, but a
// test killed by a timeout never gets to it). kafka-single escalates to SIGKILL after 20 s a JVM.
constexpr const char* kWatchdog =
    "exec 3<&0\n"
    "\"$@\" </dev/null &\n"
    "k=$!\n"
    "( read -r _ <&3; kill -TERM \"$k\" 2>/dev/null\n"
    "  while kill -0 \"$k\" 2>/dev/null; do sleep 0.2; done; rm -rf \"$2\"; rmdir \"${2%/*}\" "
    "2>/dev/null ) &\n"
    "exec 3<&-\n"
    "wait \"$k\"\n";

std::string first_line(const std::string& text) {
  size_t nl = text.find('\n');
  return nl == std::string::npos ? std::string() : text.substr(0, nl);
}

}  // namespace

std::string real_kafka_home() {
  if (const char* env = std::getenv("SENTINEL_KAFKA_HOME"); env && *env) return env;
  return kafka_home_default();
}

std::string real_kafka_missing() {
  std::string script = real_kafka_home() + "/bin/kafka-single";
  if (access(script.c_str(), X_OK) == 0) return "";
  return fmt::format(
      "real Kafka broker not available: {} is missing (the real-broker tests need "
      "../shared/kafka beside the source tree, or SENTINEL_KAFKA_HOME=/path/to/kafka); skipped",
      script);
}

RealKafka& RealKafka::instance() {
  static RealKafka kafka;
  return kafka;
}

RealKafka::RealKafka() { start(); }

RealKafka::~RealKafka() { stop(); }

std::string RealKafka::unique_name(const std::string& base) {
  static std::atomic<int> counter{0};
  return fmt::format("{}-{}", base, ++counter);
}

void RealKafka::start() {
  std::string missing = real_kafka_missing();
  if (!missing.empty()) {
    error_ = missing;
    return;
  }
  Process::Options options;
  options.stdin_pipe = true;
  std::vector<std::string> argv = {
      "bash",           "-c", kWatchdog, "kafka-watchdog", real_kafka_home() + "/bin/kafka-single",
      dir_.file("data")};
  auto started = std::chrono::steady_clock::now();
  process_ = std::make_unique<Process>(argv, options);
  // The JVMs take ~6 s on an idle machine; give a loaded one much longer.
  bool up = wait_until([&] { return !first_line(process_->out()).empty() || !process_->running(); },
                       180s, 100ms);
  std::string line = first_line(process_->out());
  if (!up || line.empty()) {
    error_ = fmt::format("kafka-single ({}) did not print its bootstrap address{}: {}\n{}",
                         real_kafka_home(), up ? " and exited" : " within 180 s", process_->err(),
                         log_tail());
    stop();
    return;
  }
  bootstrap_ = line;
  std::string err;
  kafka::Conf conf = kafka::make_conf(
      {{"bootstrap.servers", bootstrap_}, {"client.id", "sentinel-test-admin"}}, &err);
  admin_ = conf ? kafka::make_handle(RD_KAFKA_PRODUCER, std::move(conf), &err) : nullptr;
  if (!admin_) {
    error_ = "admin client: " + err;
    bootstrap_.clear();
    stop();
    return;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started);
  std::cerr << "real Kafka 2.4.1 broker at " << bootstrap_ << " (started in " << ms.count()
            << " ms, data in " << dir_.path() << ")" << std::endl;
}

void RealKafka::stop() {
  admin_.reset();
  if (!process_) return;
  process_->close_stdin();  // the watchdog stops kafka-single, which stops both JVMs
  if (!process_->wait(60s)) {
    std::cerr << "kafka-single did not stop within 60 s; killing its watchdog" << std::endl;
    process_->signal(SIGKILL);
    process_->wait(10s);
  }
  process_.reset();
}

std::string RealKafka::log_tail(size_t bytes) const {
  std::string log = read_file(dir_.file("data/kafka.log"));
  if (log.size() > bytes) log = "…" + log.substr(log.size() - bytes);
  return log.empty() ? "" : "kafka.log:\n" + log;
}

bool RealKafka::create_topics(const std::vector<kafka::TopicSpec>& topics, std::string* error) {
  if (!kafka::create_topics(admin_.get(), topics, 30s, error)) return false;
  for (const auto& t : topics) {
    bool led = wait_until([&] { return partition_count(t.name) == t.partitions; }, 30s, 100ms);
    if (!led) {
      *error = fmt::format("topic {}: {} partition(s) with a leader after 30 s, expected {}",
                           t.name, partition_count(t.name), t.partitions);
      return false;
    }
  }
  return true;
}

int RealKafka::partition_count(const std::string& topic) {
  if (!admin_) return -1;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(admin_.get(), topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(admin_.get(), 0, rkt, &md, 10000);
  int count = -1;
  if (!err && md->topic_cnt == 1 && !md->topics[0].err) {
    count = 0;
    for (int i = 0; i < md->topics[0].partition_cnt; ++i) {
      if (md->topics[0].partitions[i].leader >= 0 && !md->topics[0].partitions[i].err) ++count;
    }
  }
  if (md) rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(rkt);
  return count;
}

std::map<std::string, std::string> RealKafka::topic_config(const std::string& topic,
                                                           std::string* error) {
  std::map<std::string, std::string> out;
  char errstr[512];
  rd_kafka_ConfigResource_t* resource =
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
  rd_kafka_queue_t* queue = rd_kafka_queue_new(admin_.get());
  rd_kafka_AdminOptions_t* options =
      rd_kafka_AdminOptions_new(admin_.get(), RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
  rd_kafka_AdminOptions_set_request_timeout(options, 10000, errstr, sizeof errstr);
  rd_kafka_DescribeConfigs(admin_.get(), &resource, 1, options, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 15000);
  if (!event) {
    *error = "DescribeConfigs " + topic + ": no answer";
  } else if (rd_kafka_event_error(event)) {
    *error = "DescribeConfigs " + topic + ": " + rd_kafka_event_error_string(event);
  } else {
    size_t n = 0;
    const rd_kafka_ConfigResource_t** resources =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(event), &n);
    for (size_t i = 0; i < n; ++i) {
      if (rd_kafka_ConfigResource_error(resources[i])) {
        *error =
            "DescribeConfigs " + topic + ": " + rd_kafka_ConfigResource_error_string(resources[i]);
        continue;
      }
      size_t cnt = 0;
      const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(resources[i], &cnt);
      for (size_t j = 0; j < cnt; ++j) {
        const char* value = rd_kafka_ConfigEntry_value(entries[j]);
        out[rd_kafka_ConfigEntry_name(entries[j])] = value ? value : "";
      }
    }
  }
  if (event) rd_kafka_event_destroy(event);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(queue);
  rd_kafka_ConfigResource_destroy(resource);
  return out;
}

bool produce_records(const std::string& bootstrap, const std::string& topic,
                     const std::vector<TimedRecord>& records, std::string* error) {
  struct Delivery {
    size_t failed = 0;
    std::string first_error;
  } delivery;
  kafka::Conf conf = kafka::make_conf({{"bootstrap.servers", bootstrap},
                                       {"client.id", "sentinel-test-producer"},
                                       {"enable.idempotence", "true"},
                                       {"linger.ms", "5"},
                                       {"message.timeout.ms", "60000"}},
                                      error);
  if (!conf) return false;
  rd_kafka_conf_set_dr_msg_cb(conf.get(), [](rd_kafka_t*, const rd_kafka_message_t* m, void* o) {
    auto* d = static_cast<Delivery*>(o);
    if (m->err && d->failed++ == 0) d->first_error = rd_kafka_err2str(m->err);
  });
  rd_kafka_conf_set_opaque(conf.get(), &delivery);
  kafka::Handle rk = kafka::make_handle(RD_KAFKA_PRODUCER, std::move(conf), error);
  if (!rk) return false;
  for (const auto& r : records) {
    for (;;) {
      rd_kafka_resp_err_t err = rd_kafka_producev(
          rk.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
          RD_KAFKA_V_PARTITION(r.partition < 0 ? RD_KAFKA_PARTITION_UA : r.partition),
          RD_KAFKA_V_KEY(r.key.empty() ? nullptr : r.key.data(), r.key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(r.value.data()), r.value.size()),
          RD_KAFKA_V_TIMESTAMP(r.timestamp_ms), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(rk.get(), 10);
        continue;
      }
      if (err) {
        *error = fmt::format("produce to {}: {}", topic, rd_kafka_err2str(err));
        return false;
      }
      break;
    }
    rd_kafka_poll(rk.get(), 0);
  }
  if (rd_kafka_flush(rk.get(), 120000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    *error = fmt::format("produce to {}: {} record(s) not delivered within 120 s", topic,
                         rd_kafka_outq_len(rk.get()));
    return false;
  }
  if (delivery.failed > 0) {
    *error = fmt::format("produce to {}: {} of {} record(s) failed: {}", topic, delivery.failed,
                         records.size(), delivery.first_error);
    return false;
  }
  return true;
}

}  // namespace sentinel::test

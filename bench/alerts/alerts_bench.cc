// sentinel-alerts-bench: the helpers bench/alerts/run.sh drives around the real daemon.
//
//   produce  — writes agent-shaped metric records for N synthetic hosts to system_metrics
//              (key = resource, as the agent's default); a few "hot" hosts get a CPU spike so
//              that alerts fire and resolve.
//   floor    — consumes the topic to its end and only parses each record (the floor: what any
//              consumer of these records must spend).
//   memory   — reads the topic into memory once, then times parse-only and parse+evaluate with
//              the given rules on one thread, without Kafka in the way.
//   create   — creates topics (NAME:PARTITIONS) through the admin API (a real broker; the mock
//              behind sentinel-devkafka cannot).
// Each mode prints one JSON line.
#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "alert-engine/engine.h"
#include "alert-engine/rules.h"
#include "common/cli.h"
#include "common/clock.h"
#include "common/kafka.h"
#include "common/log.h"
#include "records/system_metrics.h"

namespace {

using namespace sentinel;
using Clock = std::chrono::steady_clock;

struct Sample {
  const char* resource;
  std::string tags;  // JSON object body
  std::string metrics;
};

int produce(const std::string& bootstrap, const std::string& topic, int hosts, int ticks,
            double hot_fraction, const std::string& key_mode) {
  std::string error;
  kafka::Conf conf = kafka::make_conf({{"bootstrap.servers", bootstrap},
                                       {"linger.ms", "20"},
                                       {"batch.num.messages", "10000"},
                                       {"queue.buffering.max.messages", "1000000"},
                                       {"queue.buffering.max.kbytes", "1048576"},
                                       {"compression.type", "none"}},
                                      &error);
  kafka::Handle rk =
      conf ? kafka::make_handle(RD_KAFKA_PRODUCER, std::move(conf), &error) : nullptr;
  if (!rk) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> u(0, 1);
  int64_t start = (wall_ms() - static_cast<int64_t>(ticks) * 10000) / 60000 * 60000;
  int hot_hosts = static_cast<int>(hosts * hot_fraction);
  uint64_t count = 0;
  std::string value;
  for (int t = 0; t < ticks; ++t) {
    int64_t ts = start + static_cast<int64_t>(t) * 10000;
    bool spike = t >= ticks / 5 && t < 2 * ticks / 5;
    for (int h = 0; h < hosts; ++h) {
      std::string host = "host-" + std::to_string(h);
      double cpu = (h < hot_hosts && spike) ? 95 + 4 * u(rng) : 10 + 30 * u(rng);
      std::vector<Sample> samples = {
          {"cpu", "\"cpu\":\"total\"",
           fmt::format("\"usage_pct\":{:.1f},\"user_pct\":{:.1f},\"system_pct\":{:.1f},"
                       "\"idle_pct\":{:.1f},\"iowait_pct\":0.4,\"steal_pct\":0.0",
                       cpu, cpu * 0.7, cpu * 0.3, 100 - cpu)},
          {"cpu", "\"cpu\":\"cpu0\"", fmt::format("\"usage_pct\":{:.1f},\"user_pct\":1.0", cpu)},
          {"cpu", "\"cpu\":\"cpu1\"", fmt::format("\"usage_pct\":{:.1f},\"user_pct\":1.0", cpu)},
          {"memory", "",
           fmt::format("\"total_bytes\":16777216000,\"available_bytes\":8388608000,"
                       "\"used_bytes\":8388608000,\"used_pct\":{:.1f},\"swap_used_pct\":0.0",
                       40 + 20 * u(rng))},
          {"disk", "\"mount\":\"/\",\"device\":\"sda1\",\"fstype\":\"ext4\"",
           fmt::format("\"total_bytes\":100000000000,\"used_pct\":{:.1f},\"inodes_used_pct\":3.0",
                       50 + u(rng))},
          {"disk", "\"mount\":\"/var\",\"device\":\"sda2\",\"fstype\":\"ext4\"",
           fmt::format("\"total_bytes\":100000000000,\"used_pct\":{:.1f},\"inodes_used_pct\":3.0",
                       60 + u(rng))},
          {"diskio", "\"device\":\"sda\"",
           fmt::format("\"reads_per_s\":10.0,\"writes_per_s\":20.0,\"util_pct\":{:.1f},"
                       "\"await_ms\":1.5,\"io_in_progress\":0",
                       20 * u(rng))},
          {"network", "\"interface\":\"eth0\"",
           "\"rx_bytes_per_s\":12345.0,\"tx_bytes_per_s\":23456.0,\"rx_errors_per_s\":0.0"},
          {"load", "",
           fmt::format("\"load1\":{:.2f},\"load5\":1.0,\"load15\":1.0,\"procs_running\":2,"
                       "\"cpus\":4,\"load1_per_cpu\":{:.2f}",
                       4 * u(rng), u(rng))},
          {"pressure", "\"pressure\":\"cpu\"", "\"some_avg10\":1.0,\"some_avg60\":1.0"},
          {"pressure", "\"pressure\":\"memory\"",
           fmt::format("\"some_avg10\":{:.1f},\"some_avg60\":0.5,\"full_avg10\":0.1", u(rng))},
          {"pressure", "\"pressure\":\"io\"", "\"some_avg10\":2.0,\"some_avg60\":1.0"},
      };
      for (const auto& s : samples) {
        value = fmt::format(
            "{{\"v\":1,\"host\":\"{}\",\"resource\":\"{}\",\"ts\":{},\"tags\":{{{}}},"
            "\"metrics\":{{{}}}}}",
            host, s.resource, ts, s.tags, s.metrics);
        std::string_view key = key_mode == "host" ? std::string_view(host) : s.resource;
        for (;;) {
          rd_kafka_resp_err_t err = rd_kafka_producev(
              rk.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY(key.data(), key.size()),
              RD_KAFKA_V_VALUE(value.data(), value.size()),
              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_TIMESTAMP(ts), RD_KAFKA_V_END);
          if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(rk.get(), 50);
            continue;
          }
          if (err) {
            std::fprintf(stderr, "produce: %s\n", rd_kafka_err2str(err));
            return 1;
          }
          break;
        }
        ++count;
      }
      rd_kafka_poll(rk.get(), 0);
    }
  }
  if (rd_kafka_flush(rk.get(), 120000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::fprintf(stderr, "flush timed out\n");
    return 1;
  }
  std::printf("{\"produced\":%llu,\"hosts\":%d,\"hot_hosts\":%d,\"ticks\":%d}\n",
              static_cast<unsigned long long>(count), hosts, hot_hosts, ticks);
  return 0;
}

// Consumes `topic` to its end with the daemon's consumer settings, calling `each` per record.
template <typename Each>
int consume_all(const std::string& bootstrap, const std::string& topic, Each each) {
  std::string error;
  kafka::Conf conf = kafka::make_conf({{"bootstrap.servers", bootstrap},
                                       {"group.id", "bench-floor-" + std::to_string(wall_ms())},
                                       {"auto.offset.reset", "earliest"},
                                       {"enable.auto.commit", "false"},
                                       {"enable.partition.eof", "true"},
                                       // as sentinel-alerts sets it (see service.cc)
                                       {"queued.min.messages", "50000"},
                                       {"queued.max.messages.kbytes", "8192"},
                                       {"fetch.max.bytes", "2097152"},
                                       {"max.partition.fetch.bytes", "1048576"}},
                                      &error);
  kafka::Handle rk =
      conf ? kafka::make_handle(RD_KAFKA_CONSUMER, std::move(conf), &error) : nullptr;
  if (!rk) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return -1;
  }
  rd_kafka_poll_set_consumer(rk.get());
  kafka::TopicPartitionList topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk.get(), topics.get());
  rd_kafka_queue_t* q = rd_kafka_queue_get_consumer(rk.get());
  std::vector<rd_kafka_message_t*> batch(4096);
  int partitions = -1;
  std::vector<bool> eof;
  int eofs = 0;
  auto deadline = Clock::now() + std::chrono::minutes(5);
  while (Clock::now() < deadline) {
    ssize_t n = rd_kafka_consume_batch_queue(q, 100, batch.data(), batch.size());
    for (ssize_t i = 0; i < n; ++i) {
      rd_kafka_message_t* m = batch[static_cast<size_t>(i)];
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (partitions < 0) {
          rd_kafka_topic_partition_list_t* a = nullptr;
          rd_kafka_assignment(rk.get(), &a);
          partitions = a ? a->cnt : 0;
          if (a) rd_kafka_topic_partition_list_destroy(a);
          eof.assign(1024, false);
        }
        if (m->partition < 1024 && !eof[static_cast<size_t>(m->partition)]) {
          eof[static_cast<size_t>(m->partition)] = true;
          ++eofs;
        }
      } else if (!m->err) {
        if (m->partition < 1024 && !eof.empty() && eof[static_cast<size_t>(m->partition)]) {
          eof[static_cast<size_t>(m->partition)] = false;
          --eofs;
        }
        each(m);
      }
      rd_kafka_message_destroy(m);
    }
    if (partitions > 0 && eofs >= partitions) break;
  }
  rd_kafka_queue_destroy(q);
  rd_kafka_consumer_close(rk.get());
  return 0;
}

int floor_mode(const std::string& bootstrap, const std::string& topic) {
  records::MetricParser parser;
  records::MetricRecord record;
  std::string error;
  uint64_t records = 0, bad = 0;
  double checksum = 0;
  Clock::time_point first{}, last{};
  int rc = consume_all(bootstrap, topic, [&](rd_kafka_message_t* m) {
    if (records == 0) first = Clock::now();
    ++records;
    if (parser.parse(std::string_view(static_cast<const char*>(m->payload), m->len), &record,
                     &error)) {
      checksum += static_cast<double>(record.metrics.size());
    } else {
      ++bad;
    }
    last = Clock::now();
  });
  if (rc != 0) return 1;
  double secs = std::chrono::duration<double>(last - first).count();
  std::printf(
      "{\"records\":%llu,\"bad\":%llu,\"seconds\":%.3f,\"records_per_s\":%.0f,\"checksum\":%.0f}\n",
      static_cast<unsigned long long>(records), static_cast<unsigned long long>(bad), secs,
      secs > 0 ? static_cast<double>(records) / secs : 0.0, checksum);
  return 0;
}

int memory_mode(const std::string& bootstrap, const std::string& topic, const std::string& rules) {
  struct Msg {
    std::string value;
    int32_t partition;
    int64_t offset;
  };
  std::vector<Msg> msgs;
  if (consume_all(bootstrap, topic, [&](rd_kafka_message_t* m) {
        msgs.push_back(
            {std::string(static_cast<const char*>(m->payload), m->len), m->partition, m->offset});
      }) != 0) {
    return 1;
  }
  alerts::AlertsConfig config = alerts::load_alerts_config(rules, bootstrap);
  records::MetricParser parser;
  records::MetricRecord record;
  std::string error;
  // Parse only.
  double checksum = 0;
  auto t0 = Clock::now();
  for (const auto& m : msgs) {
    if (parser.parse(m.value, &record, &error))
      checksum += static_cast<double>(record.metrics.size());
  }
  double parse_s = std::chrono::duration<double>(Clock::now() - t0).count();
  // Parse and evaluate.
  alerts::Engine engine(config);
  std::vector<alerts::Alert> out;
  uint64_t alerts_out = 0;
  int64_t now = wall_ms();
  auto t1 = Clock::now();
  for (const auto& m : msgs) {
    if (parser.parse(m.value, &record, &error)) {
      engine.on_record(record, m.partition, m.offset, now, &out);
    }
    alerts_out += out.size();
    out.clear();
  }
  double eval_s = std::chrono::duration<double>(Clock::now() - t1).count();
  double n = static_cast<double>(msgs.size());
  std::printf(
      "{\"records\":%zu,\"parse_per_s\":%.0f,\"evaluate_per_s\":%.0f,\"alerts\":%llu,"
      "\"late\":%llu,\"checksum\":%.0f}\n",
      msgs.size(), n / parse_s, n / eval_s, static_cast<unsigned long long>(alerts_out),
      static_cast<unsigned long long>(engine.stats().late), checksum);
  return 0;
}

int create_mode(const std::string& bootstrap, const std::vector<std::string>& specs) {
  std::vector<kafka::TopicSpec> topics;
  for (const auto& spec : specs) {
    size_t colon = spec.rfind(':');
    if (colon == std::string::npos) {
      std::fprintf(stderr, "create: topic %s: expected NAME:PARTITIONS\n", spec.c_str());
      return 1;
    }
    kafka::TopicSpec t;
    t.name = spec.substr(0, colon);
    t.partitions = std::stoi(spec.substr(colon + 1));
    topics.push_back(t);
  }
  std::string error;
  kafka::Conf conf = kafka::make_conf({{"bootstrap.servers", bootstrap}}, &error);
  kafka::Handle rk =
      conf ? kafka::make_handle(RD_KAFKA_PRODUCER, std::move(conf), &error) : nullptr;
  if (!rk || !kafka::create_topics(rk.get(), topics, std::chrono::seconds(30), &error)) {
    std::fprintf(stderr, "create: %s\n", error.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  sentinel::cli::App app{"sentinel-alerts-bench: helpers for bench/alerts/run.sh"};
  app.require_subcommand(1);
  std::string bootstrap, topic = "system_metrics", rules;
  int hosts = 1000, ticks = 84;
  double hot = 0.02;
  auto* p = app.add_subcommand("produce", "Produce synthetic host metrics");
  p->add_option("--bootstrap-servers", bootstrap)->required();
  p->add_option("--topic", topic);
  p->add_option("--hosts", hosts);
  p->add_option("--ticks", ticks, "10 s collection ticks per host (12 records a tick)");
  p->add_option("--hot-fraction", hot, "Share of hosts with a CPU spike");
  std::string key_mode = "host";
  p->add_option("--key", key_mode, "Record key: host or resource (the agent's keys)")
      ->check_one_of({"host", "resource"});
  auto* f = app.add_subcommand("floor", "Consume and parse only");
  f->add_option("--bootstrap-servers", bootstrap)->required();
  f->add_option("--topic", topic);
  auto* m = app.add_subcommand("memory", "Parse and evaluate from memory");
  m->add_option("--bootstrap-servers", bootstrap)->required();
  m->add_option("--topic", topic);
  m->add_option("--config", rules)->required();
  std::vector<std::string> specs;
  auto* c = app.add_subcommand("create", "Create topics NAME:PARTITIONS (admin API)");
  c->add_option("--bootstrap-servers", bootstrap)->required();
  c->add_option("--topic", specs, "NAME:PARTITIONS")->required();
  if (auto rc = app.parse(argc, argv)) return *rc;
  if (*c) return create_mode(bootstrap, specs);
  if (*p) return produce(bootstrap, topic, hosts, ticks, hot, key_mode);
  if (*f) return floor_mode(bootstrap, topic);
  return memory_mode(bootstrap, topic, rules);
}

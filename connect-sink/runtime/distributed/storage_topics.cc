// The storage topics: created, checked, and the config topic read (see storage_topics.h).
#include "connect-sink/runtime/distributed/storage_topics.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include "common/static_membership.h"
#include "connect-sink/runtime/distributed/kafka_log.h"

namespace sentinel::connect::distributed {
namespace {

using Clock = std::chrono::steady_clock;

struct TopicRole {
  std::string key;  // the worker's key that names it
  kafka::TopicSpec spec;
};

std::vector<TopicRole> roles(const DistributedSettings& s) {
  auto specs = storage_topic_specs(s);
  return {{"config.storage.topic", specs[0]},
          {"offset.storage.topic", specs[1]},
          {"status.storage.topic", specs[2]}};
}

std::string bootstrap_of(const kafka::Properties& client) {
  auto it = client.find("bootstrap.servers");
  return it == client.end() ? "" : it->second;
}

// Partition counts of every topic in the cluster (all topics: asking for one by name could make
// a broker with auto.create.topics.enable create it with the wrong settings).
bool partition_counts(rd_kafka_t* rk, std::chrono::milliseconds timeout,
                      std::map<std::string, int>* out, std::string* error) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 1, nullptr, &md, static_cast<int>(timeout.count()));
  if (err) {
    *error = fmt::format("cannot read the cluster's topics: {}", rd_kafka_err2str(err));
    return false;
  }
  out->clear();
  for (int i = 0; i < md->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = md->topics[i];
    if (t.err == RD_KAFKA_RESP_ERR_NO_ERROR) (*out)[t.topic] = t.partition_cnt;
  }
  rd_kafka_metadata_destroy(md);
  return true;
}

// cleanup.policy of each topic (DescribeConfigs).
bool cleanup_policies(rd_kafka_t* rk, const std::vector<std::string>& topics,
                      std::chrono::milliseconds timeout, std::map<std::string, std::string>* out,
                      std::string* error) {
  char errstr[512];
  std::vector<rd_kafka_ConfigResource_t*> resources;
  for (const auto& t : topics) {
    resources.push_back(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, t.c_str()));
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* options =
      rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
  rd_kafka_AdminOptions_set_request_timeout(options, static_cast<int>(timeout.count()), errstr,
                                            sizeof errstr);
  rd_kafka_DescribeConfigs(rk, resources.data(), resources.size(), options, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, static_cast<int>(timeout.count()) + 5000);
  bool ok = true;
  if (!event) {
    ok = false;
    *error = "no answer to DescribeConfigs";
  } else if (rd_kafka_event_error(event)) {
    ok = false;
    *error = fmt::format("DescribeConfigs: {}", rd_kafka_event_error_string(event));
  } else {
    size_t n = 0;
    const rd_kafka_ConfigResource_t** results =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(event), &n);
    for (size_t i = 0; i < n && ok; ++i) {
      std::string name = rd_kafka_ConfigResource_name(results[i]);
      if (rd_kafka_ConfigResource_error(results[i])) {
        ok = false;
        *error = fmt::format("DescribeConfigs {}: {}", name,
                             rd_kafka_ConfigResource_error_string(results[i]));
        break;
      }
      size_t count = 0;
      const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(results[i], &count);
      for (size_t j = 0; j < count; ++j) {
        if (std::string(rd_kafka_ConfigEntry_name(entries[j])) == "cleanup.policy") {
          const char* value = rd_kafka_ConfigEntry_value(entries[j]);
          (*out)[name] = value ? value : "";
        }
      }
    }
  }
  if (event) rd_kafka_event_destroy(event);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(queue);
  for (auto* r : resources) rd_kafka_ConfigResource_destroy(r);
  return ok;
}

}  // namespace

std::vector<kafka::TopicSpec> storage_topic_specs(const DistributedSettings& s) {
  const kafka::Properties compact = {{"cleanup.policy", "compact"}};
  return {{s.config_topic, 1, s.config_replication_factor, compact},
          {s.offset_topic, s.offset_partitions, s.offset_replication_factor, compact},
          {s.status_topic, s.status_partitions, s.status_replication_factor, compact}};
}

bool ensure_storage_topics(const kafka::Properties& client, const DistributedSettings& settings,
                           std::chrono::milliseconds timeout, std::string* error) {
  const std::string bootstrap = bootstrap_of(client);
  std::string e;
  kafka::Conf conf = kafka::make_conf(client, &e);
  kafka::Handle rk = conf ? kafka::make_handle(RD_KAFKA_PRODUCER, std::move(conf), &e) : nullptr;
  if (!rk) {
    *error = "storage topics: " + e;
    return false;
  }
  std::map<std::string, int> partitions;
  if (!partition_counts(rk.get(), timeout, &partitions, &e)) {
    *error = fmt::format("storage topics on {}: {}", bootstrap, e);
    return false;
  }
  std::vector<kafka::TopicSpec> missing;
  for (const TopicRole& role : roles(settings)) {
    if (!partitions.count(role.spec.name)) missing.push_back(role.spec);
  }
  // sentinel-devkafka (librdkafka's mock cluster) can neither create topics nor describe their
  // configs: there the topics must be made at its start (--topic NAME:PARTITIONS) and their
  // cleanup policy is not checked (the mock keeps every record anyway).
  char* cluster_id = rd_kafka_clusterid(rk.get(), static_cast<int>(timeout.count()));
  const bool dev_broker = cluster_id && kafka::is_dev_broker_cluster(cluster_id);
  if (cluster_id) rd_kafka_mem_free(rk.get(), cluster_id);
  if (dev_broker && !missing.empty()) {
    std::vector<std::string> flags;
    for (const auto& spec : missing)
      flags.push_back(
          fmt::format("--topic {}:{}", spec.name, spec.partitions < 1 ? 1 : spec.partitions));
    *error = fmt::format(
        "storage topics on {}: {} missing, and sentinel-devkafka cannot create topics: start it "
        "with {}",
        bootstrap, missing.size() == 1 ? "one is" : fmt::format("{} are", missing.size()),
        fmt::join(flags, " "));
    return false;
  }
  if (!missing.empty()) {
    if (!kafka::create_topics(rk.get(), missing, timeout, &e)) {
      std::string how;
      for (const auto& spec : missing) {
        how += fmt::format(
            "; kafka-topics.sh --bootstrap-server {} --create --topic {}{}{} --config "
            "cleanup.policy=compact",
            bootstrap, spec.name,
            spec.partitions == -1 ? "" : fmt::format(" --partitions {}", spec.partitions),
            spec.replication_factor == -1
                ? ""
                : fmt::format(" --replication-factor {}", spec.replication_factor));
      }
      *error = fmt::format(
          "storage topics on {}: {}. Create them yourself (or give the worker's principal the "
          "right to create topics){}",
          bootstrap, e, how);
      return false;
    }
    // The new topics show in metadata once the controller has created them.
    auto deadline = Clock::now() + timeout;
    for (;;) {
      if (!partition_counts(rk.get(), timeout, &partitions, &e)) {
        *error = fmt::format("storage topics on {}: {}", bootstrap, e);
        return false;
      }
      bool all = true;
      for (const auto& spec : missing) all = all && partitions.count(spec.name) > 0;
      if (all) break;
      if (Clock::now() > deadline) {
        *error = fmt::format(
            "storage topics on {}: created, but not in the cluster's metadata "
            "after {} ms",
            bootstrap, timeout.count());
        return false;
      }
      rd_kafka_poll(rk.get(), 100);
    }
  }
  if (int n = partitions[settings.config_topic]; n != 1) {
    *error = fmt::format(
        "config.storage.topic {} has {} partitions: a distributed worker needs exactly 1 (one "
        "ordered log of connector and task configs, as Kafka Connect requires). Name a new topic "
        "in config.storage.topic (the worker creates it), or delete {} and let the worker "
        "create it again",
        settings.config_topic, n, settings.config_topic);
    return false;
  }
  if (dev_broker) return true;
  std::vector<std::string> names;
  for (const TopicRole& role : roles(settings)) names.push_back(role.spec.name);
  std::map<std::string, std::string> policies;
  if (!cleanup_policies(rk.get(), names, timeout, &policies, &e)) {
    *error =
        fmt::format("storage topics on {}: cannot check that they are compacted: {}", bootstrap, e);
    return false;
  }
  for (const TopicRole& role : roles(settings)) {
    const std::string& policy = policies[role.spec.name];
    if (policy == "compact") continue;
    *error = fmt::format(
        "{} {} has cleanup.policy={}: a distributed worker needs cleanup.policy=compact only "
        "(with delete, Kafka removes the worker's state as it ages; Kafka Connect refuses such a "
        "topic too). "
        "Change it: kafka-configs.sh --bootstrap-server {} --alter --entity-type topics "
        "--entity-name {} --add-config cleanup.policy=compact",
        role.key, role.spec.name, policy.empty() ? "(none)" : policy, bootstrap, role.spec.name);
    return false;
  }
  return true;
}

bool read_config_topic(const kafka::Properties& client, const std::string& topic, ConfigLog* log,
                       ConfigTopicRead* read, std::chrono::milliseconds timeout,
                       std::string* error) {
  // The tailing reader of kafka_log.h, stopped once it has reached the end the topic had.
  KafkaLog kafka(client, topic, [&](const LogRecord& m) {
    ++read->records;
    std::string where = fmt::format("{}/{}@{}", topic, m.partition, m.offset);
    ConfigRecord record;
    std::string problem;
    if (!m.key) {
      read->bad.push_back(where + ": no key");
    } else if (decode_config_record(*m.key, m.value, &record, &problem)) {
      log->apply(record, m.offset);
    } else {
      read->bad.push_back(where + ": " + problem);
    }
  });
  auto deadline = Clock::now() + timeout;
  std::vector<int64_t> ends;
  std::string e;
  if (!kafka.open(timeout, &e) || !kafka.end_offsets(timeout, &ends, &e)) {
    *error = "config topic: " + e;
    return false;
  }
  kafka.start_tailing();
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  bool done = kafka.wait_for(ends, std::max(left, std::chrono::milliseconds(1)), &e);
  kafka.stop();
  if (!done) *error = "config topic: " + e;
  return done;
}

}  // namespace sentinel::connect::distributed

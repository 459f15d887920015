// librdkafka configuration pass-through, log routing and topic creation.
#include "common/kafka.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "common/log.h"

namespace sentinel::kafka {
namespace {

void log_cb(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
  // librdkafka uses syslog levels too.
  log::Level l = level <= 3   ? log::Level::kError
                 : level == 4 ? log::Level::kWarning
                 : level == 5 ? log::Level::kNotice
                 : level == 6 ? log::Level::kInfo
                              : log::Level::kDebug;
  // librdkafka logs at level 7 only what its `debug` property (e.g. consumer.debug=cgrp) asked
  // for: those lines are written whatever SENTINEL_LOG_LEVEL says.
  if (l != log::Level::kDebug && !log::enabled(l)) return;
  log::write_anyway(l, fmt::format("kafka {} {}: {}", rk ? rd_kafka_name(rk) : "-", fac, buf));
}

}  // namespace

bool is_secret_property(const std::string& name) {
  std::string n = name;
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  // sasl.oauthbearer.config holds client secrets; basic.auth.user.info (schema registry) is
  // "user:password".
  for (const char* s : {"password", "secret", "jaas", "oauthbearer", "user.info", "key.pem",
                        "token", "credentials"}) {
    if (n.find(s) != std::string::npos) return true;
  }
  return false;
}

std::string describe(const Properties& props) {
  std::string out;
  for (const auto& [k, v] : props) {
    if (!out.empty()) out += ", ";
    out += k + "=" + (is_secret_property(k) ? "[hidden]" : v);
  }
  return out;
}

Conf make_conf(const Properties& props, std::string* error) {
  Conf conf(rd_kafka_conf_new());
  char errstr[512];
  for (const auto& [key, value] : props) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      if (error) *error = fmt::format("kafka property {}: {}", key, errstr);
      return nullptr;
    }
  }
  rd_kafka_conf_set_log_cb(conf.get(), log_cb);
  return conf;
}

Handle make_handle(rd_kafka_type_t type, Conf conf, std::string* error) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof errstr);
  if (!rk) {
    if (error) *error = fmt::format("kafka: {}", errstr);
    return nullptr;
  }
  conf.release();  // owned by rk now
  return Handle(rk);
}

bool create_topics(rd_kafka_t* rk, const std::vector<TopicSpec>& topics,
                   std::chrono::milliseconds timeout, std::string* error) {
  char errstr[512];
  std::vector<rd_kafka_NewTopic_t*> news;
  auto free_news = [&] {
    for (auto* t : news) rd_kafka_NewTopic_destroy(t);
  };
  for (const auto& spec : topics) {
    rd_kafka_NewTopic_t* t = rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions,
                                                   spec.replication_factor, errstr, sizeof errstr);
    if (!t) {
      if (error) *error = fmt::format("create topic {}: {}", spec.name, errstr);
      free_news();
      return false;
    }
    for (const auto& [k, v] : spec.config) rd_kafka_NewTopic_set_config(t, k.c_str(), v.c_str());
    news.push_back(t);
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_request_timeout(options, static_cast<int>(timeout.count()), errstr,
                                            sizeof errstr);
  rd_kafka_AdminOptions_set_operation_timeout(options, static_cast<int>(timeout.count()), errstr,
                                              sizeof errstr);
  rd_kafka_CreateTopics(rk, news.data(), news.size(), options, queue);
  // Wait a little longer than the request timeout so that librdkafka reports it, not us.
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, static_cast<int>(timeout.count()) + 5000);
  bool ok = true;
  std::string message;
  if (!event) {
    ok = false;
    message = "no answer from the cluster";
  } else if (rd_kafka_event_error(event)) {
    ok = false;
    message = rd_kafka_event_error_string(event);
  } else {
    const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event);
    size_t n = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &n);
    for (size_t i = 0; i < n; ++i) {
      rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        log::info("topic {}: {}", rd_kafka_topic_result_name(results[i]),
                  err ? "already exists" : "created");
        continue;
      }
      ok = false;
      if (!message.empty()) message += "; ";
      message += fmt::format("{}: {}", rd_kafka_topic_result_name(results[i]),
                             rd_kafka_topic_result_error_string(results[i]));
    }
  }
  if (!ok && error) {
    std::string names;
    for (const auto& spec : topics) names += (names.empty() ? "" : ", ") + spec.name;
    bool timed_out = !event || message.find("imed out") != std::string::npos ||
                     message.find("controller") != std::string::npos;
    *error =
        fmt::format("create topics {}: {}{}", names, message,
                    timed_out ? " (the cluster did not create them in time; librdkafka's mock "
                                "cluster behind sentinel-devkafka cannot create topics through "
                                "the admin API: pre-create them with sentinel-devkafka --topic)"
                              : "");
  }
  if (event) rd_kafka_event_destroy(event);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(queue);
  free_news();
  return ok;
}

}  // namespace sentinel::kafka

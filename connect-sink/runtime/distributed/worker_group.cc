// The workers' group: a consumer whose partitions of the slot topic are this worker's slots.
#include "connect-sink/runtime/distributed/worker_group.h"

#include <fmt/format.h>

#include <cstring>
#include <utility>

#include "common/log.h"

namespace sentinel::connect::distributed {

WorkerGroupSettings worker_group_settings(const kafka::Properties& client,
                                          const DistributedSettings& settings,
                                          const std::string& worker_id) {
  WorkerGroupSettings s;
  s.client = client;
  s.group_id = settings.group_id;
  s.slot_topic = settings.offset_topic;
  s.worker_id = worker_id;
  s.session_timeout_ms = settings.session_timeout_ms;
  s.heartbeat_interval_ms = settings.heartbeat_interval_ms;
  s.rebalance_timeout_ms = settings.rebalance_timeout_ms;
  return s;
}

kafka::Properties worker_group_consumer_properties(const WorkerGroupSettings& s) {
  kafka::Properties p = s.client;
  p["group.id"] = s.group_id;
  p["group.instance.id"] = kafka::group_instance_id(s.worker_id);
  p["client.id"] = "sentinel-connect-group";
  p["partition.assignment.strategy"] = "roundrobin";
  p["session.timeout.ms"] = std::to_string(s.session_timeout_ms);
  p["heartbeat.interval.ms"] = std::to_string(s.heartbeat_interval_ms);
  p["max.poll.interval.ms"] = std::to_string(s.rebalance_timeout_ms);
  // The slots carry no records to read: nothing is committed, and the partitions are paused
  // once assigned.
  p["enable.auto.commit"] = "false";
  p["enable.auto.offset.store"] = "false";
  p["auto.offset.reset"] = "latest";
  return p;
}

int32_t group_generation(const rd_kafka_consumer_group_metadata_t* metadata) {
  void* buffer = nullptr;
  size_t size = 0;
  int32_t generation = -1;
  rd_kafka_error_t* error = rd_kafka_consumer_group_metadata_write(metadata, &buffer, &size);
  // librdkafka 2.0.2 writes "CGMDv2:", the generation (int32, host order), then the ids.
  static constexpr char kMagic[] = "CGMDv2:";
  constexpr size_t kMagicSize = sizeof kMagic - 1;
  if (!error && size >= kMagicSize + sizeof generation &&
      std::memcmp(buffer, kMagic, kMagicSize) == 0) {
    std::memcpy(&generation, static_cast<const char*>(buffer) + kMagicSize, sizeof generation);
  }
  if (error) rd_kafka_error_destroy(error);
  if (buffer) rd_kafka_mem_free(nullptr, buffer);
  return generation;
}

int32_t group_generation(rd_kafka_t* consumer) {
  rd_kafka_consumer_group_metadata_t* metadata = rd_kafka_consumer_group_metadata(consumer);
  if (!metadata) return -1;
  int32_t generation = group_generation(metadata);
  rd_kafka_consumer_group_metadata_destroy(metadata);
  return generation;
}

WorkerGroup::WorkerGroup(WorkerGroupSettings settings, GroupListener listener)
    : settings_(std::move(settings)),
      listener_(std::move(listener)),
      unowned_("worker group " + settings_.group_id) {}

std::unique_ptr<WorkerGroup> WorkerGroup::start(const WorkerGroupSettings& settings,
                                                GroupListener listener,
                                                std::chrono::milliseconds timeout,
                                                std::string* error) {
  std::unique_ptr<WorkerGroup> group(new WorkerGroup(settings, std::move(listener)));
  std::string err;
  kafka::Conf conf = kafka::make_conf(worker_group_consumer_properties(settings), &err);
  if (!conf) {
    *error = fmt::format("worker group {}: {}", settings.group_id, err);
    return nullptr;
  }
  rd_kafka_conf_set_rebalance_cb(conf.get(), &WorkerGroup::on_rebalance);
  rd_kafka_conf_set_opaque(conf.get(), group.get());
  group->consumer_ = kafka::make_handle(RD_KAFKA_CONSUMER, std::move(conf), &err);
  if (!group->consumer_) {
    *error = fmt::format("worker group {}: cannot create its consumer: {}", settings.group_id, err);
    return nullptr;
  }
  rd_kafka_poll_set_consumer(group->consumer_.get());
  int32_t slots = group->slot_count(timeout, &err);
  if (slots < 1) {
    *error = fmt::format("worker group {}: offset.storage.topic {}: {}", settings.group_id,
                         settings.slot_topic, err);
    return nullptr;
  }
  group->subscription_.reset(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(group->subscription_.get(), settings.slot_topic.c_str(),
                                    RD_KAFKA_PARTITION_UA);
  if (rd_kafka_resp_err_t e =
          rd_kafka_subscribe(group->consumer_.get(), group->subscription_.get())) {
    *error = fmt::format("worker group {}: cannot subscribe to {}: {}", settings.group_id,
                         settings.slot_topic, rd_kafka_err2str(e));
    return nullptr;
  }
  log::info("worker group {}: joining as {} (group.instance.id {}), {} slot(s) in {}",
            settings.group_id, settings.worker_id, kafka::group_instance_id(settings.worker_id),
            slots, settings.slot_topic);
  group->thread_ = std::thread([g = group.get()] { g->run(); });
  return group;
}

WorkerGroup::~WorkerGroup() { stop(); }

int32_t WorkerGroup::slot_count(std::chrono::milliseconds timeout, std::string* error) {
  rd_kafka_topic_t* topic =
      rd_kafka_topic_new(consumer_.get(), settings_.slot_topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(consumer_.get(), 0, topic, &metadata, static_cast<int>(timeout.count()));
  rd_kafka_topic_destroy(topic);
  int32_t count = -1;
  if (err) {
    *error = fmt::format("no metadata within {} ms: {}", timeout.count(), rd_kafka_err2str(err));
  } else if (metadata->topic_cnt != 1 || metadata->topics[0].err) {
    *error = fmt::format(
        "{}; expected the topic of the workers' slots (storage topics are created at start)",
        metadata->topic_cnt == 1 ? rd_kafka_err2str(metadata->topics[0].err) : "not described");
  } else {
    count = metadata->topics[0].partition_cnt;
    if (count < 1) *error = "has no partitions";
  }
  if (metadata) rd_kafka_metadata_destroy(metadata);
  return count;
}

GroupView WorkerGroup::view() const {
  std::lock_guard<std::mutex> lock(mu_);
  return view_;
}

bool WorkerGroup::wait_for(const std::function<bool(const GroupView&)>& condition,
                           std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return condition(view_); });
}

void WorkerGroup::update(const std::function<void(GroupView*)>& change) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    change(&view_);
  }
  changed_.notify_all();
}

void WorkerGroup::on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                               rd_kafka_topic_partition_list_t* parts, void* opaque) {
  static_cast<WorkerGroup*>(opaque)->rebalance(rk, err, parts);
}

void WorkerGroup::rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                            rd_kafka_topic_partition_list_t* parts) {
  if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    // Eager protocol: every slot goes, at the start of each rebalance and on leaving.
    revoke(rd_kafka_assignment_lost(rk));
    rd_kafka_assign(rk, nullptr);
    return;
  }
  std::set<int32_t> slots;
  for (int i = 0; i < parts->cnt; ++i) {
    if (settings_.slot_topic == parts->elems[i].topic) slots.insert(parts->elems[i].partition);
  }
  std::string error;
  int32_t count = slot_count(std::chrono::seconds(5), &error);
  if (count < 1) {
    log::warning("worker group {}: slot topic {}: {}; keeping {} slot(s)", settings_.group_id,
                 settings_.slot_topic, error, view().slot_count);
    count = view().slot_count;
  }
  rd_kafka_assign(rk, parts);
  // Nothing is read from the slots: no fetching.
  rd_kafka_pause_partitions(rk, parts);
  int32_t generation = group_generation(rk);
  char* member = rd_kafka_memberid(rk);
  std::string member_id = member ? member : "";
  if (member) rd_kafka_mem_free(rk, member);
  update([&](GroupView* v) {
    v->generation = generation;
    v->member_id = member_id;
    v->slot_count = count;
    v->slots = slots;
    v->leader = slots.count(0) > 0;
    v->rebalancing = false;
  });
  log::info("worker group {}: generation {}: {} owns {} of {} slot(s){}", settings_.group_id,
            generation, settings_.worker_id, slots.size(), count,
            slots.count(0) ? " (leader)" : "");
  unowned_.assigned(rk, parts->cnt);
  if (listener_.assigned) listener_.assigned(view());
}

void WorkerGroup::revoke(bool lost) {
  GroupView before;
  {
    std::lock_guard<std::mutex> lock(mu_);
    view_.rebalancing = true;
    before = view_;
  }
  changed_.notify_all();
  if (!before.slots.empty()) {
    log::info("worker group {}: generation {}: {} {} slot(s)", settings_.group_id,
              before.generation, lost ? "lost" : "giving up", before.slots.size());
  }
  if (listener_.revoking) listener_.revoking(before, lost);
  update([](GroupView* v) {
    v->slots.clear();
    v->leader = false;
  });
}

void WorkerGroup::run() {
  rd_kafka_t* rk = consumer_.get();
  auto expected = [&] {
    kafka::TopicPartitionList all(rd_kafka_topic_partition_list_new(view().slot_count));
    for (int32_t p = 0; p < view().slot_count; ++p) {
      rd_kafka_topic_partition_list_add(all.get(), settings_.slot_topic.c_str(), p);
    }
    return all;
  };
  std::string fatal;
  while (!stop_) {
    if (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100)) {
      if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
        char text[512] = {};
        rd_kafka_fatal_error(rk, text, sizeof text);
        fatal = text;
      } else if (m->err) {
        log::debug("worker group {}: {}", settings_.group_id, rd_kafka_message_errstr(m));
      }
      rd_kafka_message_destroy(m);
    }
    if (!fatal.empty()) break;
    unowned_.poll(rk, settings_.group_id, expected, subscription_.get());
  }
  if (!fatal.empty()) {
    // Fenced (another live worker has this worker id) or another fatal error: the slots are
    // no longer this worker's.
    log::error("worker group {}: {}: {}; this worker runs nothing until restarted",
               settings_.group_id, settings_.worker_id, fatal);
    revoke(true);
    update([&](GroupView* v) { v->failed = fatal; });
    if (listener_.failed) listener_.failed(fatal);
  } else if (!kafka::leave_group(rk, std::chrono::seconds(10))) {
    log::warning(
        "worker group {}: {} could not leave within 10 s; its slots wait for "
        "session.timeout.ms ({} ms)",
        settings_.group_id, settings_.worker_id, settings_.session_timeout_ms);
  }
  rd_kafka_consumer_close(rk);
}

void WorkerGroup::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  consumer_.reset();
}

}  // namespace sentinel::connect::distributed
